package bot

import (
	"strings"
	"testing"

	"github.com/newsbot/newsbot/bot/telegram"
)

func TestNormalizeName(t *testing.T) {
	cases := map[string]string{
		"Ann":                          "Ann",
		"  Ann   Lee ":                 "Ann Lee",
		"Ann\u200bLee":                 "AnnLee",
		"\u202eBob\u202c":              "Bob",
		"Ｆｕｌｌ":                         "Full", // NFKC folds full-width letters
		"\u3164\u3164":                 "",
		"Zoë":                          "Zoë",
		"Z\u0301\u0301\u0301\u0301oe":  "\u0179\u0301\u0301oe", // NFKC composes Ź; further stacked marks are capped at 2
		"Tab\tand\nnewline":            "Tab and newline",
		strings.Repeat("x", 60):        strings.Repeat("x", maxNameRunes),
		"Олександр":                    "Олександр",
		"\ufe0fVar\ufe0fiation":        "Variation",
		"\u00adsoft\u00adhyphen":       "softhyphen",
		"\u2800Braille blank\u2800":    "Braille blank",
		"Ann\u2066\u2067\u2068\u2069.": "Ann.",
		"Alice #16872":                 "Alice 16872", // nobody can type the tag
		"Alice ＃16872":                 "Alice 16872", // nor its full-width form
	}
	for in, want := range cases {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameKeys(t *testing.T) {
	b := &Bot{api: telegram.NewClientAs("city_newsbot")}
	same := [][2]string{
		{"Ann", "ANN"},
		{"Ann", "\u0410nn"},       // Cyrillic А
		{"Alice", "AIice"},        // capital I for l
		{"Paypal", "\u0420aypal"}, // Cyrillic Р
		{"Olga", "0lga"},          // zero for O
		{"Ann Lee", "ann lee"},
	}
	for _, p := range same {
		if ka, kb := b.nameKey(normalizeName(p[0])), b.nameKey(normalizeName(p[1])); ka == "" || ka != kb {
			t.Errorf("%q and %q: keys %q and %q, want one key", p[0], p[1], ka, kb)
		}
	}
	if b.nameKey("Ann") == b.nameKey("Anne") {
		t.Error("Ann and Anne share a key")
	}
	for _, reserved := range []string{"admin", "Admin", "ADMIN", "\u0410dmin", "Administrator", "admin team", "Moderator", "mod",
		"newsbot", "News Bot", "Newsbot Team", "city_newsbot", "City News", "TELEGRAM", "Support", "",
		"RealAdmin", "TheModerator", "SiteModerator", "Official News",
		// Shown as links in a comment's heading (review S).
		"spam.com", "Deals.COM", "deals.win", "@spamchannel", "t.me/spam", "www.x", "1.2.3.4", "Visit 45.67.89.10"} {
		if k := b.nameKey(normalizeName(reserved)); k != "" {
			t.Errorf("%q may be claimed (key %q)", reserved, k)
		}
	}
	for _, fine := range []string{"Modest Mouse", "Admiral", "Ann", "Citizen Kane", "Олена", "Supper Club", "J.R. Smith", "St. John", "Mary-Jane O'Neil",
		// Not linked by Telegram either (review T): no top-level domain, or one only capitalised.
		"Dr.Who", "A.Smith", "St.Petersburg fan", "spam.example"} {
		if b.nameKey(normalizeName(fine)) == "" {
			t.Errorf("%q is refused", fine)
		}
	}
}

// A comment shows a link wherever Telegram would link it: whatever the case, with any
// scheme, bare with a path, as t.me or an @handle, or wherever Telegram's own entities
// on the reader's message say (review S: only lower-case http(s) was caught).
func TestHasLink(t *testing.T) {
	for _, c := range []struct {
		text string
		ents []telegram.Entity
		want bool
	}{
		{"Claim at https://spam.example/win", nil, true},
		{"Claim at HTTPS://spam.example/win", nil, true},
		{"Claim at spam.com/win", nil, true},
		{"Claim at t.me/spambot", nil, true},
		{"Claim at T.ME/spambot", nil, true},
		{"Join @spamchannel now", nil, true},
		{"@spamchannel", nil, true},
		{"Visit www.spam.example", nil, true},
		{"Open tg://resolve?domain=spam", nil, true},
		{"Claim at spam.com", []telegram.Entity{{Type: "url", Offset: 9, Length: 8}}, true},
		{"Write to me", []telegram.Entity{{Type: "text_link", Offset: 0, Length: 5}}, true},
		{"Mail a@spam.example", []telegram.Entity{{Type: "email", Offset: 5, Length: 14}}, true},
		// In a code span Telegram marks no link, but the bot's copy is linked (review T).
		{"Mail scam@evil.com", []telegram.Entity{{Type: "code", Offset: 5, Length: 13}}, true},
		{"evil.com?ref=1", nil, true},
		{"evil.com:8080", nil, true},
		{"EVIL.COM", nil, true},
		{"deals.win", nil, true},
		{"visit 45.67.89.10", nil, true},
		{"#deals@spamchannel", nil, true},
		{"$SPAM@spamchannel", nil, true},
		{"The U.S. economy grew 3.5% in 2024, e.g. in farming", nil, false},
		{"Mr. Smith rated it 7/10 and/or 8/10", nil, false},
		{"my address is ann@home", nil, false},
		{"Node.js/Deno, Mr.Smith/Jones and Dr.Who", nil, false},
		{"version 1.2.3 of it, not 1.2.3.4.5", nil, false},
		{"A #hashtag and a /command", []telegram.Entity{{Type: "hashtag", Offset: 2, Length: 8}, {Type: "bot_command", Offset: 17, Length: 8}}, false},
	} {
		if got := hasLink(c.text, c.ents); got != c.want {
			t.Errorf("hasLink(%q, %v) = %v, want %v", c.text, c.ents, got, c.want)
		}
	}
}
