package bot

import (
	"strings"
	"testing"

	"github.com/newsbot/newsbot/bot/telegram"
)

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
		{"/start@spamchannel", nil, true},
		// Review U: internationalised domains, signs and emoji in labels, trailing dots.
		{"пример.рф", nil, true},
		{"магазин.укр/акция", nil, true},
		{"evil.comº", nil, true},
		{"evil.com²", nil, true},
		{"i❤.ws", nil, true},
		{"💩.la", nil, true},
		{"x\u0301.com", nil, true},
		{"evil~.com", nil, true},
		{"evil\u200d.com", nil, true},
		{"visit 1.2.3.4.", nil, true},
		{"45.67.89.10...", nil, true},
		{"1https://evil.example/x", nil, true},
		{"evil。com", nil, true},
		// Review V: TON and onion sites, punycode typed as such, hashtag letters.
		{"evil.ton", nil, true},
		{"scam.TON/x", nil, true},
		{"hidden.onion", nil, true},
		{"evil.xn--zz", nil, true},
		{"#a\u200cb@spamchannel", nil, true},
		{"#a·b@spamchannel", nil, true},
		{"The U.S. economy grew 3.5% in 2024, e.g. in farming", nil, false},
		{"Mr. Smith rated it 7/10 and/or 8/10", nil, false},
		{"my address is ann@home", nil, false},
		{"Node.js/Deno, Mr.Smith/Jones and Dr.Who", nil, false},
		{"version 1.2.3 of it, not 1.2.3.4.5 nor 256.1.1.1 nor 01.2.3.4", nil, false},
		{"On 1.5.2024 at 10.30, pi is 3.14; see report.pdf, v1.2.3, Ph.D., No.1, U.S.A., p.m.", nil, false},
		{"и т.д., т.е., см.рис, Yahoo.Finance, fine.It", nil, false},
		{"A #hashtag and a /command", []telegram.Entity{{Type: "hashtag", Offset: 2, Length: 8}, {Type: "bot_command", Offset: 17, Length: 8}}, false},
	} {
		if got := hasLink(c.text, c.ents); got != c.want {
			t.Errorf("hasLink(%q, %v) = %v, want %v", c.text, c.ents, got, c.want)
		}
	}
}

// BenchmarkHasLink reads a comment of the longest length allowed, with no link in it:
// the whole text is scanned.
func BenchmarkHasLink(b *testing.B) {
	const line = "On 1.5.2024 Mr.Smith said the U.S. economy grew 3.5%, e.g. in farming. "
	text := strings.Repeat(line, MaxCommentLen/len(line)+1)[:MaxCommentLen]
	for b.Loop() {
		if hasLink(text, nil) {
			b.Fatal("a link found in plain text")
		}
	}
}
