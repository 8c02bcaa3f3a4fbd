package digest

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestQuoteAttribution(t *testing.T) {
	cases := []struct {
		name, text         string
		quote              string // a substring of the expected quote
		speaker, role, cue string
		fragment           bool
	}{
		{name: "joly split around cue",
			text:  `Canadian Foreign Minister Melanie Joly spoke on Tuesday. “These aggressive actions must be contained,” she said. “Canada will work with its allies to respond.”`,
			quote: "These aggressive actions must be contained", speaker: "Melanie Joly", role: "Canadian Foreign Minister", cue: "said"},
		{name: "second half of split quote",
			text:  `Canadian Foreign Minister Melanie Joly spoke on Tuesday. “These aggressive actions must be contained,” she said. “Canada will work with its allies to respond.”`,
			quote: "Canada will work with its allies", speaker: "Melanie Joly"},
		{name: "said X", text: `“We will not back down,” said Prime Minister Mark Carney.`,
			quote: "We will not back down", speaker: "Mark Carney", role: "Prime Minister", cue: "said"},
		{name: "X said colon", text: `The senator said: "This bill is a disaster for working families."`,
			quote: "This bill is a disaster", speaker: "The senator", cue: "said"},
		{name: "X told", text: `Smith told reporters "the plant will close by June next year."`,
			quote: "the plant will close", speaker: "Smith", cue: "told"},
		{name: "according to", text: `"Prices will rise again in the spring," according to Jane Doe, an economist at the bank.`,
			quote: "Prices will rise", speaker: "Jane Doe", role: "an economist at the bank", cue: "according to"},
		{name: "speaker colon", text: `Zelensky: "We need air defence now, not in a year."`,
			quote: "We need air defence", speaker: "Zelensky", cue: ":"},
		{name: "added", text: `"It is a good day for the city," Mayor Ana Ruiz added.`,
			quote: "It is a good day", speaker: "Ana Ruiz", role: "Mayor", cue: "added"},
		{name: "possessive role", text: `"There is no question of negotiations," Putin's spokesman Dmitry Peskov told reporters.`,
			quote: "There is no question", speaker: "Dmitry Peskov", role: "Putin's spokesman", cue: "told"},
		{name: "appositive after name", text: `"We expect growth to slow," said Maria Lopez, chief economist at the bank, on Monday.`,
			quote: "We expect growth", speaker: "Maria Lopez", role: "chief economist at the bank", cue: "said"},
		{name: "surname resolves to full name", text: `Defence Secretary John Healey visited the base. Later, "Our support is unwavering and will continue," Healey said.`,
			quote: "Our support is unwavering", speaker: "John Healey", role: "Defence Secretary"},
		{name: "role noun resolves", text: `Health Minister Anna Berg opened the clinic. "This will save lives across the region," the minister said.`,
			quote: "This will save lives", speaker: "Anna Berg"},
		{name: "tweeted", text: `Trump tweeted that "the election is rigged and everybody knows it."`,
			quote: "the election is rigged", speaker: "Trump", cue: "tweeted"},
		{name: "multi-paragraph quote",
			text:  "\"The first part of the statement is here and it goes on,\" Ms. Chen said. \"We will continue to press for reform.\n\n\"And the second paragraph continues the same quote without closing.\"",
			quote: "second paragraph continues", speaker: "Chen"},
		{name: "scare quote", text: `Critics called the plan a "forced" relocation of residents.`,
			quote: "forced", fragment: true},
		{name: "dash attribution", text: `“He represents our greatest shame.” ― Sonya Herridge`,
			quote: "greatest shame", speaker: "Sonya Herridge", cue: "—"},
		// Ukrainian
		{name: "uk dash after quote", text: `«Ми не віддамо жодного сантиметра нашої землі», — заявив Володимир Зеленський.`,
			quote: "Ми не віддамо", speaker: "Володимир Зеленський", cue: "заявив"},
		{name: "uk colon before quote", text: `Міністр закордонних справ Андрій Сибіга наголосив: «Україна готова до справедливого миру».`,
			quote: "Україна готова", speaker: "Андрій Сибіга", cue: "наголосив"},
		{name: "uk za slovamy", text: `За словами Сибіги, «партнери мають посилити тиск на агресора».`,
			quote: "партнери мають", speaker: "Сибіги", cue: "according to"},
		// Russian
		{name: "ru dash after quote", text: `«Мы не видим оснований для переговоров», — сказал пресс-секретарь президента Дмитрий Песков.`,
			quote: "Мы не видим", speaker: "Дмитрий Песков", cue: "сказал"},
		{name: "ru colon", text: `Глава МИД Сергей Лавров заявил: «Решение будет принято в ближайшее время».`,
			quote: "Решение будет", speaker: "Сергей Лавров", cue: "заявил"},
		{name: "ru low quotes", text: `„Это только начало“, — отметил эксперт Иван Петров.`,
			quote: "Это только начало", speaker: "Иван Петров", cue: "отметил"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			qs := FindQuotes(tc.text, "")
			var got *Quote
			for i := range qs {
				if strings.Contains(qs[i].Text, tc.quote) {
					got = &qs[i]
				}
			}
			if got == nil {
				t.Fatalf("quote %q not found in %+v", tc.quote, qs)
			}
			if !strings.Contains(tc.text, got.Parts[0]) {
				t.Errorf("quote %q is not verbatim from the text", got.Parts[0])
			}
			if got.Fragment != tc.fragment {
				t.Errorf("fragment = %v, want %v", got.Fragment, tc.fragment)
			}
			if tc.speaker != "" && got.Speaker != tc.speaker {
				t.Errorf("speaker = %q (mention %q), want %q", got.Speaker, got.Mention, tc.speaker)
			}
			if tc.role != "" && got.Role != tc.role {
				t.Errorf("role = %q, want %q", got.Role, tc.role)
			}
			if tc.cue != "" && got.Cue != tc.cue {
				t.Errorf("cue = %q, want %q", got.Cue, tc.cue)
			}
		})
	}
}

// TestTextacyCases runs textacy's quotation table: speaker mentions as written, and
// the two negatives (a title, a scare quote) never become key quotes.
func TestTextacyCases(t *testing.T) {
	data, err := os.ReadFile("testdata/textacy_quote_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Lang     string `json:"lang"`
		Text     string `json:"text"`
		Expected []struct {
			Speaker []string `json:"speaker"`
			Content string   `json:"content"`
		} `json:"expected"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Text, func(t *testing.T) {
			qs := FindQuotes(c.Text, c.Lang)
			if len(c.Expected) == 0 {
				for _, q := range qs {
					if q.Key || !q.Fragment {
						t.Errorf("a title or scare quote became a statement: %+v", q)
					}
				}
				return
			}
			for _, e := range c.Expected {
				content := strings.Trim(e.Content, "\"«»,. ")
				var found *Quote
				for i := range qs {
					if strings.Contains(qs[i].Text, strings.TrimRight(content, "!,.")) {
						found = &qs[i]
					}
				}
				if found == nil {
					t.Fatalf("quote %q not found in %+v", content, qs)
				}
				mention := strings.Join(e.Speaker, " ")
				if !strings.Contains(found.Mention+" "+found.Speaker, e.Speaker[0]) && found.Mention != mention {
					t.Errorf("speaker %q / mention %q, want %q", found.Speaker, found.Mention, mention)
				}
			}
		})
	}
}

// TestKeyQuotesPreferSureSpeakers: a digest shows the quotes whose speaker the finder
// is surest of; a speaker written as a description, or reached through "he" or "she",
// gives way to one named with its verb, even when its quote is longer or earlier.
func TestKeyQuotesPreferSureSpeakers(t *testing.T) {
	for _, c := range []struct {
		name, text string
		key        []string // the speakers of the key quotes, in any order
	}{
		{"description gives way", `The port deal was signed in Oslo on Monday.

"This agreement changes everything for the people of our region, and for every family that lives from the sea," The Norwegian delegation said in a statement.

Anna Berg, the harbour master, welcomed it. "We expect the first ships to arrive in the spring," she said.

"Nobody should doubt that the port will be ready on time," said Tom Hale, the treasurer.`,
			[]string{"Anna Berg", "Tom Hale"}},
		{"pronoun gives way to a name", `Anna Berg, the harbour master, spoke first. "We expect the first ships to arrive in the spring of next year, and many more after them, once the new cranes are in place and the crews have been trained to use them," she said.

"Nobody should doubt that the port will be ready on time," said Tom Hale, the treasurer.

"The money for the new quays is already in this year's budget," said Lena Dahl, the mayor.`,
			[]string{"Tom Hale", "Lena Dahl"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, q := range FindQuotes(c.text, "en") {
				if q.Key {
					got = append(got, q.Speaker)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.key))
			if !slices.Equal(got, want) {
				t.Errorf("key speakers %q, want %q", got, want)
			}
		})
	}
}
