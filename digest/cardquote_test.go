package digest

import (
	"strings"
	"testing"
)

func TestCardQuoteNotRepeated(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // the quote's first words, or "" for none
	}{
		{
			// The summary takes the quote with its speaker: showing it again below is
			// a wasted line.
			name: "quote already in the summary with its speaker",
			text: "The ferry company serving the Avel islands will double its summer timetable from June.\n\n" +
				"\"Demand has grown every year since the new pier opened,\" operations director Sara Lind told reporters on Wednesday.\n\n" +
				"Fares will not change this year, the company said.",
			want: "",
		},
		{
			// A quote sentence in the summary that does not say who spoke: the card
			// shows it with the speaker.
			name: "quote in the summary without its speaker",
			text: "More than 40,000 people came to the riverfront on Saturday for Port Avel's lantern festival, the largest crowd since the festival began in 1998.\n\n" +
				"\"We ran out of lanterns by nine o'clock,\" organiser Jonas Keller said. \"Next year we will make twice as many lanterns for everyone.\"\n\n" +
				"The festival was cancelled in 2020 and 2021 and returned on a smaller scale in 2022.",
			want: "Next year we will make",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			card := Card(Item{Title: "A story", Text: tc.text}, 3, nil)
			keys := 0
			for _, q := range card.Quotes {
				if q.Key {
					keys++
				}
			}
			if keys == 0 {
				t.Fatalf("no key quote found in %q: %+v", tc.text, card.Quotes)
			}
			got := ""
			if card.Quote != nil {
				got = card.Quote.Text
			}
			if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
				t.Fatalf("card quote %q, want %q\nsummary: %q", got, tc.want, card.Summary)
			}
		})
	}
}

func TestCardQuoteChoice(t *testing.T) {
	summary := []Sentence{
		{Text: `"We kept our promise," Mayor Lena Ostrova said.`, Start: 0, End: 48},
		{Text: `"It will last fifty years."`, Start: 100, End: 127},
	}
	ostrova := Quote{Text: "We kept our promise,", Speaker: "Lena Ostrova", Key: true, Start: 1, End: 21}
	berg := Quote{Text: "The cables had rusted far more than anyone expected,", Speaker: "Tomas Berg", Key: true, Start: 200, End: 252}
	bergInSummary := Quote{Text: "It will last fifty years.", Speaker: "Tomas Berg", Key: true, Start: 101, End: 126}
	minor := Quote{Text: "Not a key quote at all here,", Speaker: "Someone Else", Start: 300, End: 330}
	tests := []struct {
		name   string
		quotes []Quote
		want   string
	}{
		{"the other voice, not in the summary", []Quote{ostrova, berg}, berg.Text},
		{"in the summary without its speaker", []Quote{ostrova, bergInSummary}, bergInSummary.Text},
		{"all in the summary with speakers", []Quote{ostrova}, ""},
		{"only key quotes count", []Quote{ostrova, minor}, ""},
	}
	for _, tc := range tests {
		got := ""
		quotes := append([]Quote(nil), tc.quotes...)
		markQuotesInSummary(quotes, summary)
		if q := cardQuote(quotes, summary); q != nil {
			got = q.Text
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestBareQuote(t *testing.T) {
	for s, want := range map[string]bool{
		`"Next year we will make twice as many."`:           true,
		`“We will not give up.”`:                            true,
		`«Ми не відступимо».`:                               true,
		`"We ran out," organiser Jonas Keller said.`:        false,
		`"A," she said. "B."`:                               false,
		`The mayor said "we kept our promise."`:             false,
		`'Ban Bossy' campaign hopes to empower girls.`:      false,
		`"Demand has grown," said Sara Lind, "every year."`: false,
		``: false,
	} {
		if got := bareQuote(s); got != want {
			t.Errorf("bareQuote(%q) = %v, want %v", s, got, want)
		}
	}
}

// A summary line that is only a quotation gives way to the sentence before it, which
// names the speaker.
func TestSummaryAttributesBareQuote(t *testing.T) {
	text := "More than 40,000 people came to the riverfront on Saturday for Port Avel's lantern festival, the largest crowd since the festival began in 1998.\n\n" +
		"\"We ran out of lanterns by nine o'clock,\" organiser Jonas Keller said. \"Next year we will make twice as many.\"\n\n" +
		"The festival was cancelled in 2020 and 2021 and returned on a smaller scale in 2022."
	d := Analyze(Article{Title: "Lantern festival draws record crowd to the riverfront", Text: text})
	var got []string
	for _, s := range d.Summarize(3) {
		got = append(got, s.Text)
		if bareQuote(s.Text) {
			t.Fatalf("summary keeps a bare quote: %q", got)
		}
	}
	if !strings.Contains(strings.Join(got, " "), "Jonas Keller said") {
		t.Fatalf("summary %q does not say who spoke", got)
	}
}
