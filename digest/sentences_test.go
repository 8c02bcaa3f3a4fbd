package digest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "One sentence. Another one! A third? Yes.", []string{"One sentence.", "Another one!", "A third?", "Yes."}},
		{"titles", "Mr. Smith met Dr. Jones at St. Paul's. They talked.", []string{"Mr. Smith met Dr. Jones at St. Paul's.", "They talked."}},
		{"acronym dots", "The U.S. economy grew. The U.K. did not.", []string{"The U.S. economy grew.", "The U.K. did not."}},
		{"acronym ends sentence", "The deal is under review by the SEC. The company said nothing.", []string{"The deal is under review by the SEC.", "The company said nothing."}},
		{"months and numbers", "It happened on Jan. 5 at No. 10 Downing Street. Then it rained.", []string{"It happened on Jan. 5 at No. 10 Downing Street.", "Then it rained."}},
		{"initials", "Author J. K. Rowling and John F. Kennedy were named. Nobody knew why.", []string{"Author J. K. Rowling and John F. Kennedy were named.", "Nobody knew why."}},
		{"decimals and money", "Profit rose to $1.13bn (£600m), up 6.4%. Sales fell.", []string{"Profit rose to $1.13bn (£600m), up 6.4%.", "Sales fell."}},
		{"ellipsis inside", "He paused... and then went on. Done.", []string{"He paused... and then went on.", "Done."}},
		{"company abbreviation ends", "Shares of Apple Inc. The company said it was fine.", []string{"Shares of Apple Inc.", "The company said it was fine."}},
		{"company abbreviation inside", "Apple Inc. Chief Tim Cook spoke.", []string{"Apple Inc. Chief Tim Cook spoke."}},
		{"quote spanning sentences", `"These aggressive actions must be contained. We will act," she said. "Canada will work with allies."`,
			[]string{`"These aggressive actions must be contained. We will act," she said.`, `"Canada will work with allies."`}},
		{"closing quote after period", `He said: "It is over." Then he left.`, []string{`He said: "It is over."`, "Then he left."}},
		{"paragraphs and headings", "Background\n\nThe war began in 2014. It continues.\n\n- first item\n- second item", []string{"Background", "The war began in 2014.", "It continues.", "- first item", "- second item"}},
		{"cyrillic", "Президент заявив про це в понеділок. Уряд погодився. Т.е. все добре.", []string{"Президент заявив про це в понеділок.", "Уряд погодився.", "Т.е. все добре."}},
		{"guillemets", "«Мы готовы. Мы ждём», — сказал он. Потом ушёл.", []string{"«Мы готовы. Мы ждём», — сказал он.", "Потом ушёл."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitSentences(tc.in)
			var texts []string
			for _, s := range got {
				texts = append(texts, s.Text)
			}
			if strings.Join(texts, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got  %q\nwant %q", texts, tc.want)
			}
		})
	}
}

func TestSplitSentencesOffsetsAndParagraphs(t *testing.T) {
	text := "First para. Still first.\n\nSecond para here."
	ss := SplitSentences(text)
	if len(ss) != 3 || ss[0].Para != 0 || ss[1].Para != 0 || ss[2].Para != 1 {
		t.Fatalf("%+v", ss)
	}
	for i, s := range ss {
		if s.Index != i || text[s.Start:s.End] != s.Text {
			t.Fatalf("sentence %d offsets wrong: %+v", i, s)
		}
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"Mr. A. B. said \"x. y\" z.", "«а. б»\n\nв", "...", "\"", "U.S.", "a\n\n\n\nb. C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range SplitSentences(text) {
			if s.Start < 0 || s.End > len(text) || s.Start > s.End || text[s.Start:s.End] != s.Text {
				t.Fatalf("sentence %+v does not point into the text", s)
			}
			if strings.TrimSpace(s.Text) == "" {
				t.Fatalf("empty sentence")
			}
		}
	})
}

func FuzzFindQuotes(f *testing.F) {
	for _, s := range []string{`"A," she said. "B."`, "«а», — сказав він.", "“x “y” z”", `"open`, "„Это“, — отметил он.", "\"\"\"",
		"«Мы готовы, - сказал хорватский премьер. - Но условия должны быть честными»",
		"«Склад откроем», - сказал мэру директор «Север» Антон Рябов.", "Він додає, \"що Європа і США разом\".",
		// Round 3's paths: surnames said again, subjects, roles named next, documents' sources.
		"Ronnie Corbett joined David Jason. Corbett said he agreed. \"Our material was good,\" he said.",
		"\"A b c d,\" the economy minister said. \"E f g h,\" said economy minister Heizo Takenaka.",
		"Mr Ruiz said so. \"A b c d.\" Mr Alvaro Pena, who grew up in Rosario, agreed. \"E f g h.\"",
		"Как сообщает пресс-служба клуба «Сокол», матч перенесли.\n\"Игра пройдет при зрителях\", - говорится в сообщении.",
		"«Мы примем его, когда он готов», — приводит слова Ройса Las Vegas Sun. По его словам, «всё хорошо будет».",
		// Round 4's paths: participle compounds, oblique names, straight-quoted names, ex- roles.
		"Pell-owned Dray fell. \"In the end, the group needs that unit,\" he added. Analysts say it would help.",
		"Зустріч із прем'єром Остапом Вороною. Він зазначив, що вони «домовилися про все».",
		"\"Мы рады\", - приводятся слова главного тренера \"Сокола\" Ивана Дронова.",
		"Про це в інтерв'ю РБК-Україна розповів ексголова МЗС Петро Ковтун. \"Я не думаю так\", - сказав голова Агентства.",
		// Round 6's paths: backquote pairs, a role before its name, time phrases, epithets.
		"Она написала: ``Чудесный ``вечер`` с друзьями``. ````",
		"\"We thought hard,\" said the fair's managing director, Ellen Marsh. \"Yes,\" the 31-year-old said.",
		"«Мы не видим угрозы», — в пятницу заявил мэр Иван Петров. «Все спокойно», — вважають у ДСНС. Последний отметил: «да».",
		", who said \"a b c d\". It, which Mr Y described as \"e f g h\". \"Z.\" Acme announced a plan. , who said"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		for _, q := range FindQuotes(text, "") {
			for _, p := range q.Parts {
				if !strings.Contains(text, p) {
					t.Fatalf("quote part %q is not in the text", p)
				}
			}
			if q.Key && q.Fragment {
				t.Fatalf("a fragment was chosen as key quote")
			}
		}
	})
}

func TestDatelineStripped(t *testing.T) {
	d := Analyze(Article{Title: "Talks resume", Text: "LONDON (Reuters) - Talks between the two sides resumed on Monday after a week-long pause. Both delegations said progress was possible."})
	if got := d.Sentences[0].Text; got != "Talks between the two sides resumed on Monday after a week-long pause." {
		t.Fatalf("dateline kept: %q", got)
	}
	d = Analyze(Article{Text: "KYIV, Ukraine — The city council met on Tuesday to discuss the budget for next year."})
	if !strings.HasPrefix(d.Sentences[0].Text, "The city council") {
		t.Fatalf("dateline kept: %q", d.Sentences[0].Text)
	}
}
