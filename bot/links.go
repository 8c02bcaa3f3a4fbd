package bot

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/newsbot/newsbot/bot/telegram"
)

// Links in readers' text, for the new-reader link ban and for names. What counts is what
// Telegram shows as a link once the bot sends the text: its clients link a relayed
// comment's plain text by the same detection (tdlib's find_entities) that marks a
// reader's message with entities. Entities alone miss text in a code span, which gets
// none but is linked in the bot's copy, so the text is read too, by rules that follow
// tdlib's (found by reviews S, T and U).

// linkRE finds a scheme (anywhere: "1https://" is linked from "https"), "www.", an
// @handle, and a handle after a hashtag, cashtag or bot command ("#deals@channel").
var linkRE = regexp.MustCompile(`(?i)[a-z][a-z0-9+.\-]*://|\bwww\.|(?:^|[^\p{L}\p{N}_])@[a-z][a-z0-9_]{3,}|[#$/][\p{L}\p{N}\p{M}_\x{200c}\x{b7}]+@[a-z][a-z0-9_]{3,}`)

// hasLink reports whether a reader's text shows a link once the bot sends it: by
// Telegram's entities on their message (nil when there is none), linkRE, or hasHost.
func hasLink(text string, ents []telegram.Entity) bool {
	for _, e := range ents {
		switch e.Type {
		case "url", "text_link", "email", "mention":
			return true
		}
	}
	return linkRE.MatchString(text) || hasHost(text)
}

// looksLikeLink reports whether a name would show as a link, or read as an address or
// a handle, in a comment's heading, where it stands on every copy and page.
func looksLikeLink(name string) bool {
	return hasLink(name, nil) || strings.Contains(name, "@")
}

// hasHost reports whether text names a host as Telegram links one: an IPv4 address, or
// dotted labels whose last is a top-level domain on ICANN's list (the public suffix
// list of golang.org/x/net, through IDNA for "пример.рф"; "Node.js" and "e.g." name
// none), unless that label is only capitalised ("Dr.Who"), which Telegram does not
// link either.
func hasHost(text string) bool {
	// Runs of domain characters and dots; anything else separates them.
	fields := strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case isDot(r):
			return '.'
		case domainSymbol(r):
			return r
		}
		return ' '
	}, text))
	for _, f := range fields {
		for _, host := range strings.Split(f, "..") {
			if labels := strings.Split(strings.Trim(host, "."), "."); len(labels) >= 2 && (isIPv4(labels) || isTLD(labels[len(labels)-1])) {
				return true
			}
		}
	}
	return false
}

// domainSymbol reports whether r may stand in a host's label as Telegram reads one
// (tdlib's is_domain_symbol): ASCII letters and digits, '_', '-' and '~', and any
// character from U+00C0 that is no separator and no general punctuation but the
// joiners and dashes ("i❤.ws" is a host; "evil.comº" is "evil.com" and a sign).
func domainSymbol(r rune) bool {
	switch {
	case r < 0xC0:
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '~'
	case unicode.Is(unicode.Z, r):
		return false
	case r >= 0x2000 && r <= 0x206F:
		return r == 0x200C || r == 0x200D || r >= 0x2010 && r <= 0x2015
	}
	return true
}

// isDot reports whether r separates a host's labels. Telegram reads only '.', but the
// ideographic and fullwidth dots are read too, in case its servers map them.
func isDot(r rune) bool { return r == '.' || r == '。' || r == '．' || r == '｡' }

// isIPv4 reports whether labels are an IPv4 address: four numbers up to 255, none
// with a leading zero.
func isIPv4(labels []string) bool {
	if len(labels) != 4 {
		return false
	}
	for _, l := range labels {
		n, err := strconv.Atoi(l)
		if err != nil || n > 255 || len(l) > 1 && l[0] == '0' || l[0] == '+' || l[0] == '-' {
			return false
		}
	}
	return true
}

// isTLD reports whether label is a top-level domain Telegram links: one on ICANN's
// list, "ton" and "onion" (Telegram opens both), and, as tdlib, any punycode label
// ("xn--" and two or more letters or digits) typed as such.
func isTLD(label string) bool {
	if r, n := utf8.DecodeRuneInString(label); unicode.IsUpper(r) && n < len(label) && label[n:] == strings.ToLower(label[n:]) {
		return false // "Dr.Who", "Yahoo.Finance"
	}
	if rest, ok := strings.CutPrefix(label, "xn--"); ok && len(rest) >= 2 && strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz0123456789") == "" {
		return true
	}
	lower := strings.ToLower(label)
	if lower == "ton" || lower == "onion" {
		return true
	}
	ascii, err := idna.Punycode.ToASCII(lower)
	if err != nil || ascii == "" {
		return false
	}
	_, icann := publicsuffix.PublicSuffix("x." + ascii)
	return icann
}
