package digest

import (
	"strings"
	"testing"
)

func TestNominativeName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Романа Костенка", "Роман Костенко"},     // -енко declines as -енка
		{"Івана Григорука", "Іван Григорук"},      // a consonant stem
		{"Павла Клімкіна", "Павло Клімкін"},       // Павла: Ukrainian letters say Павло
		{"Павла Дурова", "Павла Дурова"},          // no letter says which language: as written
		{"Валерія Залужного", "Валерій Залужний"}, // an adjectival surname
		{"Ігоря Терехова", "Ігор Терехов"},        // a soft stem
		{"Сергея Жириновского", "Сергей Жириновский"},
		{"Надії Савченко", "Надія Савченко"}, // a woman's -ко surname does not decline
		{"Юлії Стефанішиної", "Юлія Стефанішина"},
		{"Олександра Іванова", "Олександра Іванова"}, // a woman's name, or Олександр's genitive
		{"Роман Костенко", "Роман Костенко"},         // already a subject's form
		{"Івана Коваля", "Івана Коваля"},             // -я: Коваль or Коваля? as written
		{"Трампа", "Трампа"},                         // a surname alone says no case
		{"John Smith", "John Smith"},
	} {
		if got := nominativeName(tc.in); got != tc.want {
			t.Errorf("nominativeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOwnedDocument(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Допис Гороховського", "Гороховського"},                           // a person's post: the person (made nominative after)
		{"заява Івана Петренка", "Івана Петренка"},                         // the same, with a first name
		{"звіт Інституту вивчення війни", "звіт Інституту вивчення війни"}, // an organisation's: as written
		{"Допис поліції", "Допис поліції"},                                 // no name
		{"Гороховський", "Гороховський"},
	} {
		if got := ownedDocument(tc.in); got != tc.want {
			t.Errorf("ownedDocument(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNominativeRole(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"голови Харкова", "голова Харкова"},
		{"міністра закордонних справ України", "міністр закордонних справ України"},
		{"речника Повітряних сил", "речник Повітряних сил"},
		{"міського голови Харкова", "міський голова Харкова"},      // an adjective before the head
		{"посла України у Британії", "посол України у Британії"},   // an irregular stem
		{"главного тренера «Сокола»", "главного тренера «Сокола»"}, // Russian adjectives: as written
		{"голова Харкова", "голова Харкова"},                       // already nominative
		{"senior US economist", "senior US economist"},
	} {
		if got := nominativeRole(tc.in); got != tc.want {
			t.Errorf("nominativeRole(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A name longer than maxNameBytes is noted as no one: a crafted one was compared again
// at every "he" that resolved to it.
func TestOverlongNamesAreNoPeople(t *testing.T) {
	long := "Adam Q" + strings.Repeat("q", maxNameBytes)
	if people, k := notePerson(nil, long, "", 0, true, maxPeople); k >= 0 || len(people) != 0 {
		t.Errorf("a %d-byte name was noted as a person", len(long))
	}
	if _, k := notePerson(nil, "Adam Quill", "", 0, true, maxPeople); k < 0 {
		t.Errorf("a plain name was not noted")
	}
}

func TestObliqueProperNoun(t *testing.T) {
	for _, tc := range []struct {
		speaker string
		want    bool
	}{
		{"Естонії", true}, // "глава МЗС Естонії": a genitive place, no speaker
		{"России", true},
		{"Зеленському", true}, // a dative
		{"Бучанській", false}, // an adjective's case still names the body
		{"Меркель", false},
		{"Зеленський", false},
		{"Trump", false},
		{"Олена Зеленська", false},
	} {
		if got := obliqueProperNoun(tc.speaker); got != tc.want {
			t.Errorf("obliqueProperNoun(%q) = %v, want %v", tc.speaker, got, tc.want)
		}
	}
}
