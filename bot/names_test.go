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
