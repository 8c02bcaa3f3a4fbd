package digest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The reports below are written for these tests: fictional events in the style of
// the wire copy the bot reads, in English, Ukrainian and Russian.

func TestDevelopmentOf(t *testing.T) {
	tests := []struct {
		name     string
		known    []Item // earlier reports of the story
		report   Item
		material bool
		newFact  string // a fact New must hold ("n:15"), when material
		carries  string // a substring of the first carried sentence, when material
	}{
		{
			name: "en new death toll",
			known: []Item{{Title: "Ferry capsizes off Lesbos, 12 dead",
				Text: "A ferry capsized off the Greek island of Lesbos on Monday, killing 12 people, the coast guard said. Rescuers were searching for survivors."}},
			report: Item{Title: "Lesbos ferry death toll rises to 15",
				Text: "The death toll from the ferry that capsized off Lesbos on Monday has risen to 15, the coast guard said. Divers recovered three more bodies overnight."},
			material: true, newFact: "n:15", carries: "has risen to 15",
		},
		{
			name: "en same facts reworded",
			known: []Item{{Title: "Ferry capsizes off Lesbos, 12 dead",
				Text: "A ferry capsized off the Greek island of Lesbos on Monday, killing 12 people, the coast guard said. Rescuers were searching for survivors."}},
			report: Item{Title: "Twelve killed as ferry sinks near Lesbos",
				Text: "Twelve people died when a ferry sank near the island of Lesbos on Monday, Greek coast guard officials said. The search for survivors continued."},
		},
		{
			name: "en new named person",
			known: []Item{{Title: "Man arrested after stabbing in Leeds",
				Text: "Police arrested a 34-year-old man after a stabbing in Leeds city centre on Saturday night. A woman was taken to hospital."}},
			report: Item{Title: "Leeds stabbing suspect named as John Hartley",
				Text: "Police have named the man arrested after a stabbing in Leeds city centre on Saturday as John Hartley. He is due in court on Monday."},
			material: true, newFact: "p:hartley",
		},
		{
			name: "en new direct quote",
			known: []Item{{Title: "Finance minister defends budget",
				Text: "Finance minister Jane Doe defended the budget in parliament on Tuesday, saying it was fair to families."}},
			report: Item{Title: "Finance minister defends budget in parliament",
				Text: "“We will not raise taxes on working families this year, whatever the deficit,” Jane Doe told parliament on Tuesday."},
			material: true, carries: "We will not raise taxes",
		},
		{
			name: "uk an injured person is an outcome",
			known: []Item{{Title: "Дрони атакували Бровари вночі",
				Text: "Вночі російські дрони атакували Бровари, працювала протиповітряна оборона. Відбій тривоги оголосили о шостій ранку."}},
			report: Item{Title: "Атака на Бровари: в області є поранений",
				Text: "Внаслідок нічної атаки дронів на Бровари поранений чоловік, уламки пошкодили склад."},
			material: true, newFact: "o:injured", carries: "поранений чоловік",
		},
		{
			name: "ru no one injured is no outcome",
			known: []Item{{Title: "Беспилотники атаковали Белгород ночью",
				Text: "Ночью беспилотники атаковали Белгород, работала противовоздушная оборона. Отбой тревоги объявили утром."}},
			report: Item{Title: "Атака на Белгород: никто не пострадал",
				Text: "В результате ночной атаки беспилотников на Белгород никто не пострадал, сообщили власти."},
		},
		{
			name: "en outcome signed",
			known: []Item{{Title: "Leaders meet in Geneva to finalise trade deal",
				Text: "The two leaders met in Geneva on Monday to finalise a trade deal, officials said. They are expected to sign it this week."}},
			report: Item{Title: "Trade deal signed in Geneva",
				Text: "The two leaders signed the trade deal in Geneva on Tuesday, officials said."},
			material: true, newFact: "o:signed", carries: "signed the trade deal",
		},
		{
			name: "en a signing still to come is no outcome",
			known: []Item{{Title: "Leaders meet in Geneva to finalise trade deal",
				Text: "The two leaders met in Geneva on Monday to finalise a trade deal, officials said."}},
			report: Item{Title: "Leaders will sign trade deal, officials say",
				Text: "The two leaders will sign the trade deal in Geneva, officials said on Monday."},
		},
		{
			name: "en numbers formatted differently",
			known: []Item{{Title: "1,000 evacuated as river bursts its banks",
				Text: "About 1,000 people were evacuated from Riverton after the river burst its banks, and 2.5 million euros of damage was reported."}},
			report: Item{Title: "Riverton floods: 1000 people evacuated",
				Text: "Some 1000 people left Riverton after the river burst its banks, officials said, putting the damage at €2,500,000."},
		},
		{
			name: "uk new death toll",
			known: []Item{{Title: "Удар по Харкову: загинули троє людей",
				Text: "Унаслідок ракетного удару по Харкову загинули 3 людини, ще 12 поранені, повідомив голова ОВА Олег Синєгубов."}},
			report: Item{Title: "Кількість загиблих у Харкові зросла до п'яти",
				Text: "Кількість загиблих унаслідок ракетного удару по Харкову зросла до 5, повідомив Олег Синєгубов. Рятувальники продовжують розбирати завали."},
			material: true, newFact: "n:5", carries: "зросла до 5",
		},
		{
			name: "uk same facts reworded, names inflected",
			known: []Item{{Title: "У Києві пролунали вибухи",
				Text: "У Києві вранці пролунали вибухи, повідомив мер Віталій Кличко. Працює протиповітряна оборона."}},
			report: Item{Title: "Вибухи в столиці: мер Кличко закликав киян залишатися в укриттях",
				Text: "Мер Кличко повідомив, що Київ вранці атакували, і закликав залишатися в укриттях."},
		},
		{
			name: "uk outcome signed",
			known: []Item{{Title: "Україна і Британія підготували угоду про безпеку",
				Text: "Україна та Велика Британія підготували двосторонню угоду про безпеку, її планують підписати найближчим часом."}},
			report: Item{Title: "Україна і Британія підписали угоду про безпеку",
				Text: "Україна та Велика Британія підписали двосторонню угоду про безпеку у Києві."},
			material: true, newFact: "o:signed", carries: "підписали",
		},
		{
			name: "uk new named person",
			known: []Item{{Title: "Рада звільнила голову Держлісагентства",
				Text: "Верховна Рада звільнила голову Держлісагентства, за рішення проголосували 260 депутатів."}},
			report: Item{Title: "Новим головою Держлісагентства став Тарас Ковальчук",
				Text: "Новим головою Держлісагентства став Тарас Ковальчук, повідомили в уряді."},
			material: true, newFact: "p:ковальчук",
		},
		{
			name: "ru new count",
			known: []Item{{Title: "В Воронежской области скончался 11-й пациент с коронавирусом",
				Text: "В Воронежской области скончался 11-й пациент с коронавирусом, сообщили в областном департаменте здравоохранения."}},
			report: Item{Title: "В Воронежской области умер 12-й пациент с COVID-19",
				Text: "В Воронежской области умер 12-й пациент с COVID-19, сообщил оперштаб. Мужчине было 70 лет."},
			material: true, newFact: "n:12",
		},
		{
			name: "ru outcome signed",
			known: []Item{{Title: "Россия и Китай обсудят газовый контракт",
				Text: "Россия и Китай на следующей неделе обсудят газовый контракт в Пекине, сообщил источник."}},
			report: Item{Title: "Россия и Китай подписали газовый контракт",
				Text: "Россия и Китай подписали газовый контракт в Пекине, сообщили в министерстве."},
			material: true, newFact: "o:signed",
		},
		{
			name: "ru same facts reworded, names inflected, numbers formatted differently",
			known: []Item{{Title: "Москва выделит 1,5 млн рублей на ремонт школы",
				Text: "Власти Москвы выделят 1,5 млн рублей на ремонт школы в Зеленограде, сообщил мэр Сергей Собянин."}},
			report: Item{Title: "Собянин: на ремонт школы в Зеленограде выделят 1 500 000 рублей",
				Text: "Мэр Москвы Сергей Собянин сообщил, что на ремонт школы в Зеленограде выделят 1 500 000 рублей."},
		},
		{
			name: "ru new direct quote",
			known: []Item{{Title: "Песков прокомментировал отставку губернатора",
				Text: "Пресс-секретарь президента Дмитрий Песков прокомментировал отставку губернатора."}},
			report: Item{Title: "Песков: отставка губернатора не связана с выборами",
				Text: "«Это решение никак не связано с предстоящими выборами и давно готовилось», — заявил Дмитрий Песков журналистам."},
			material: true, carries: "давно готовилось",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var known Facts
			for _, k := range tc.known {
				known = known.With(FactsOf(k))
			}
			d := DevelopmentOf(known, tc.report)
			if fmt.Sprint(d.Report) != fmt.Sprint(FactsOf(tc.report)) {
				t.Errorf("Report %+v is not FactsOf(report)", d.Report)
			}
			if d.Material != tc.material {
				t.Fatalf("material %v, want %v (score %.1f, new %v, sentences %q)", d.Material, tc.material, d.Score, d.New.Strings(), d.Sentences)
			}
			if !tc.material {
				return
			}
			if tc.newFact != "" && !slices.Contains(d.New.Strings(), tc.newFact) {
				t.Errorf("new %v lacks %s", d.New.Strings(), tc.newFact)
			}
			if len(d.Sentences) == 0 || len(d.Sentences) > 2 {
				t.Fatalf("sentences %q: want one or two", d.Sentences)
			}
			if tc.carries != "" && !strings.Contains(d.Sentences[0], tc.carries) {
				t.Errorf("sentences %q: want the one with %q first", d.Sentences, tc.carries)
			}
		})
	}
}

// TestDevelopmentOfNothingNew: a report identical to what is known adds nothing, and
// an empty report adds nothing either (no panic on empty input).
func TestDevelopmentOfNothingNew(t *testing.T) {
	it := Item{Title: "Ferry capsizes off Lesbos, 12 dead", Text: "A ferry capsized off Lesbos on Monday, killing 12 people, the coast guard said. “We are still searching for the missing,” a spokesman said."}
	if d := DevelopmentOf(FactsOf(it), it); d.Material || !d.New.Empty() || len(d.Sentences) != 0 {
		t.Errorf("same report: %+v", d)
	}
	if d := DevelopmentOf(FactsOf(it), Item{}); d.Material || !d.New.Empty() {
		t.Errorf("empty report: %+v", d)
	}
	if f := FactsOf(Item{}); !f.Empty() {
		t.Errorf("facts of nothing: %+v", f)
	}
}

func TestFactsOfNormalises(t *testing.T) {
	tests := []struct {
		lang, title, text string
		want              []string // entries Strings() must hold
		not               []string // entries it must not
	}{
		{"en", "Storm: 1,000 homes without power", "The storm left 1,000 homes and 3.50 percent of the region without power, with damage put at $1.3 billion. At 9:30 am on May 9, 2017, crews went out. The 73-year-old mayor said: “We will rebuild every single street.”",
			[]string{"n:1000", "n:3.5", "n:1300000000", "n:2017", "n:05-09", "n:73", "q:rebuild"}, []string{"n:9", "n:30"}},
		{"ru", "В Москве открыли 12-й вокзал", "В Москве 1 декабря открыли вокзал за 2,5 млрд рублей. На церемонии, которая прошла в 10:00, погибших не было.",
			[]string{"n:12", "n:2500000000", "n:12-01", "p:москв"}, []string{"n:10", "o:dies"}},
		{"uk", "У Львові відкрили міст", "У Львові 3 березня відкрили міст вартістю 150 млн гривень. Мер Андрій Садовий підписав документи.",
			[]string{"n:150000000", "n:03-03", "p:льв", "p:сад", "o:signed"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			got := FactsOf(Item{Title: tc.title, Text: tc.text, Lang: tc.lang}).Strings()
			for _, w := range tc.want {
				if !slices.Contains(got, w) && !(strings.HasPrefix(w, "q:") && containsPrefix(got, w)) {
					t.Errorf("facts %v lack %s", got, w)
				}
			}
			for _, w := range tc.not {
				if slices.Contains(got, w) {
					t.Errorf("facts %v hold %s", got, w)
				}
			}
		})
	}
}

func containsPrefix(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, strings.TrimPrefix(sub, "q:")) {
			return true
		}
	}
	return false
}

func TestNamesMatchInflection(t *testing.T) {
	tests := []struct {
		lang, a, b string
		same       bool
	}{
		{"uk", "Київ", "Києві", true},
		{"uk", "Львів", "Львова", true},
		{"uk", "Зеленський", "Зеленського", true},
		{"uk", "Ліга", "Лізі", true},
		{"ru", "Москва", "Москве", true},
		{"ru", "Киев", "Киеве", true},
		{"en", "Russia", "Russian", true},
		{"uk", "Київщина", "Києві", true},
		{"uk", "Полтавській", "Полтавщині", true},
		{"uk", "Київ", "Харків", false},
		{"ru", "Иран", "Ирак", false},
		{"en", "Smith", "Jones", false},
	}
	for _, tc := range tests {
		latin := newTokenizer(LangEnglish)
		a, b := nameKey(latin, strings.ToLower(tc.a)), nameKey(latin, strings.ToLower(tc.b))
		k := newKnownFacts(Facts{Names: []string{a}})
		if got := k.hasName(b); got != tc.same {
			t.Errorf("%s (%s) vs %s (%s): same %v, want %v", tc.a, a, tc.b, b, got, tc.same)
		}
	}
}

func TestFactsStringsRoundTrip(t *testing.T) {
	f := FactsOf(Item{Title: "Leaders sign deal in Geneva", Text: "The two leaders signed a $2.5 billion trade deal in Geneva on 12 November, ending 11 years of talks. “This agreement is a historic day for the workers and farmers of both countries,” said Anna Berg."})
	if len(f.Numbers) == 0 || len(f.Names) == 0 || len(f.Quotes) == 0 || len(f.Outcomes) == 0 {
		t.Fatalf("want every kind of fact: %+v", f)
	}
	s := f.Strings()
	g := FactsFromStrings(s)
	if fmt.Sprint(f) != fmt.Sprint(g) {
		t.Fatalf("round trip:\n%+v\n%+v", f, g)
	}
	// Unknown kinds and damaged entries are skipped; the rest is sorted and deduplicated.
	h := FactsFromStrings([]string{"n:7", "x:what", "n:", "garbage", "p:b", "p:a", "n:7"})
	if fmt.Sprint(h) != fmt.Sprint(Facts{Numbers: []string{"7"}, Names: []string{"a", "b"}}) {
		t.Errorf("decoded %+v", h)
	}
}

func TestFactsWithIsBounded(t *testing.T) {
	var story Facts
	for i := range 400 {
		report := Facts{
			Numbers:  []string{fmt.Sprint(i), fmt.Sprint(i + 1000)},
			Names:    []string{fmt.Sprintf("name%03d", i)},
			Quotes:   []string{fmt.Sprintf("quote %d words here", i)},
			Outcomes: []string{fmt.Sprintf("o%d", i)},
		}
		story = story.With(report)
		if !slices.IsSorted(story.Numbers) || !slices.IsSorted(story.Names) {
			t.Fatal("not sorted")
		}
	}
	if len(story.Numbers) != MaxFactNumbers || len(story.Names) != MaxFactNames || len(story.Quotes) != MaxFactQuotes || len(story.Outcomes) != MaxFactOutcomes {
		t.Fatalf("sizes %d %d %d %d", len(story.Numbers), len(story.Names), len(story.Quotes), len(story.Outcomes))
	}
	// The latest report's facts are kept when the bound is reached.
	for _, want := range []string{"399", "1399"} {
		if !slices.Contains(story.Numbers, want) {
			t.Errorf("latest number %s dropped", want)
		}
	}
	if !slices.Contains(story.Names, "name399") {
		t.Error("latest name dropped")
	}
	// Union is deduplicated.
	if u := (Facts{Names: []string{"a", "b"}}).With(Facts{Names: []string{"b", "c"}}); fmt.Sprint(u.Names) != "[a b c]" {
		t.Errorf("union %v", u.Names)
	}
}

// FuzzDevelopmentOf: no input panics; a report adds nothing to its own facts; the
// carried sentences come from the report; facts survive their storage encoding.
func FuzzDevelopmentOf(f *testing.F) {
	f.Add("Ferry capsizes off Lesbos, 12 dead", "A ferry capsized on Monday, killing 12. “We search,” he said.", "en")
	f.Add("Удар по Харкову: загинули 3", "Кількість загиблих зросла до 1 500 000,5. «Це жахливо», — сказав Синєгубов.", "")
	f.Add("12.11.2019 13:00", "1. 2) 3,000.000.0 -5 COVID-19 $1.3bn 24-летний «", "ru")
	f.Fuzz(func(t *testing.T, title, text, lang string) {
		it := Item{Title: title, Text: text, Lang: lang}
		facts := FactsOf(it)
		if d := DevelopmentOf(facts, it); d.Material {
			t.Fatalf("a report is new to itself: %+v", d)
		}
		d := DevelopmentOf(Facts{}, it)
		for _, s := range d.Sentences {
			if !strings.Contains(title, s) && !strings.Contains(text, s) {
				t.Fatalf("carried %q is not in the report", s)
			}
		}
		if g := FactsFromStrings(facts.Strings()); fmt.Sprint(g) != fmt.Sprint(facts) {
			t.Fatalf("round trip %+v != %+v", g, facts)
		}
	})
}

func TestDatelineLength(t *testing.T) {
	tests := []struct {
		text, rest string // rest: what follows the dateline ("" when the text has none)
	}{
		{"МОСКВА, 25 мая (Рейтер) - Федеральная служба оспорила сделку.", "Федеральная служба оспорила сделку."},
		{"ТАСС, 17 мая. Авиакомпания должна купить 60 самолетов.", "Авиакомпания должна купить 60 самолетов."},
		{"Москва. 14 ноября. INTERFAX.RU - Столичный регион останется под антициклоном.", "Столичный регион останется под антициклоном."},
		{"ОМСК, 6 ноября, ФедералПресс. При столкновении погибли три человека.", "При столкновении погибли три человека."},
		{"LONDON, March 3 (Reuters) - Britain's economy grew.", "Britain's economy grew."},
		{"17:04  12.11.2019 Фото: pixabay.com  16 По словам главы палаты, бедность растёт.", "Фото: pixabay.com  16 По словам главы палаты, бедность растёт."},
		// A capitalised name and its number opening the lede stay.
		{"LONDON, March 3 (Reuters) - FTSE 100 Index fell.", "FTSE 100 Index fell."},
		{"МОСКВА, 25 мая (Рейтер) - Boeing 737 MAX снова летает.", "Boeing 737 MAX снова летает."},
		{"17:04 12.11.2019 Boeing 737 MAX jets are back.", "Boeing 737 MAX jets are back."},
		// No dateline: a sentence is never cut.
		{"В Москве 5 ноября прошел парад.", ""},
		{"Москва, 14 ноября Путин заявил о переговорах.", ""},
		{"Officials may 5 times a year review it.", ""},
		{"12 people died in Leeds on Monday.", ""},
		{"", ""},
	}
	for _, tc := range tests {
		n := datelineLength(tc.text)
		if got := tc.text[n:]; tc.rest == "" && n != 0 || tc.rest != "" && got != tc.rest {
			t.Errorf("datelineLength(%q) leaves %q, want %q", tc.text, got, tc.rest)
		}
	}
}

// Two agencies' reports of one event, each under its own dateline, and the other
// ways outlets write one fact differently: no update.
func TestDevelopmentOfOutletsDiffer(t *testing.T) {
	tests := []struct {
		name          string
		known, report Item
	}{
		{
			name:   "ru an agency's dateline names its bureau's city",
			known:  Item{Title: "Пять человек погибли в ДТП под Омском", Text: "Пять человек погибли при лобовом столкновении двух автомобилей под Омском во вторник, сообщила полиция."},
			report: Item{Title: "В ДТП под Омском погибли пять человек", Text: "НОВОСИБИРСК, 6 ноября, ФедералПресс. При лобовом столкновении двух автомобилей под Омском погибли пять человек, сообщила полиция."},
		},
		{
			name:   "ru a sum in words and in digits",
			known:  Item{Title: "Больница получила от фонда полтора миллиона гривен", Text: "Областная больница получила от фонда больше полутора миллиона гривен на лечение больных."},
			report: Item{Title: "Фонд заплатил больнице 1,5 млн грн", Text: "Фонд заплатил областной больнице больше 1,5 млн грн на лечение больных."},
		},
		{
			name:   "ru a model's number",
			known:  Item{Title: "Авиакомпания закупит самолеты Airbus", Text: "Авиакомпания до 2026 года закупит 40 самолетов Airbus, сообщил ее директор."},
			report: Item{Title: "Авиакомпания купит 40 самолетов Airbus A320", Text: "Авиакомпания до 2026 года купит 40 самолетов Airbus 320, сообщил ее директор."},
		},
		{
			name:   "ru a reminder is background",
			known:  Item{Title: "Тренер сборной раскритиковал власти", Text: "Тренер сборной раскритиковал власти за решение не возобновлять чемпионат."},
			report: Item{Title: "Тренер сборной возмущен решением властей", Text: "Тренер возмущен решением не возобновлять чемпионат, а ведь его сборная, напомним, выиграла кубок."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := DevelopmentOf(FactsOf(tc.known), tc.report); d.Material {
				t.Errorf("sent an update: score %.1f, new %v", d.Score, d.New.Strings())
			}
		})
	}
	// The same rules do not hide a development: a new toll under a dateline.
	known := Item{Title: "Три человека погибли в ДТП под Омском", Text: "Три человека погибли при столкновении двух автомобилей под Омском, сообщила полиция."}
	report := Item{Title: "Число погибших в ДТП под Омском выросло до пяти", Text: "ОМСК, 7 ноября, ФедералПресс. Число погибших при столкновении под Омском выросло до 5 человек."}
	if d := DevelopmentOf(FactsOf(known), report); !d.Material || !slices.Contains(d.New.Strings(), "n:5") {
		t.Errorf("a new toll under a dateline: score %.1f, new %v", d.Score, d.New.Strings())
	}
}

func TestModelNumber(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
		not  []string
	}{
		{"Вышла игра Mortal Kombat 11 и 16 дополнений.", []string{"n:16"}, []string{"n:11"}},
		{"Самолеты SSJ 100 летают.", nil, []string{"n:100"}},
		{"Apollo 11 landed with 3 crew.", []string{"n:11", "n:3"}, nil},                // English text: counted as written
		{"В Москве 12 человек заболели.", []string{"n:12"}, nil},                       // a Cyrillic name before it
		{"Компания Tesla 20 000 машин продала.", []string{"n:20000"}, []string{"n:0"}}, // a count, grouped
		{"Компания Tesla 1,5 млн машин продала.", []string{"n:1500000"}, []string{"n:5000000"}},
		{"Об этом сообщает Reuters 5 мая.", []string{"n:05-05"}, nil}, // a day before its month
	} {
		got := FactsOf(Item{Text: tc.text}).Strings()
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: facts %v lack %s", tc.text, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: facts %v hold %s", tc.text, got, w)
			}
		}
	}
}
