package digest

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Headlines carry packaging that says nothing about the story: wire-desk slugs
// ("UPDATE 2-", "GLOBAL MARKETS-"), labels ("BREAKING:", "[VIDEO]") and the
// publisher's name appended by aggregators ("... - Reuters"). Left in, two unrelated
// Reuters updates share "update" and "reuters"; taken out, what is left is the story.
var (
	wireSlug = regexp.MustCompile(`^(?:(?:UPDATE|WRAPUP)(?:\s+\d+)?|REFILE|CORRECTED|RPT|EXCLUSIVE|INSIGHT|ANALYSIS|` +
		`BREAKINGVIEWS|METALS|FOREX|PRECIOUS|GRAINS|SOFTS|TREASURIES|` +
		`[A-Z]{2,}(?:\s+[A-Z]{2,})*\s+(?:FOCUS|MARKETS|STOCKS))\s*-\s*`)
	labelPrefix = regexp.MustCompile(`(?i)^(?:\[(?:video|photos?|watch|update|live)\]|` +
		`(?:breaking(?:\s+news)?|video|watch|live|photos?|exclusive|updated?|opinion|analysis|explainer)\s*:)\s*`)
	labelSuffix = regexp.MustCompile(`(?i)\s*(?:\[(?:video|photos?|watch|interactive|updated?|live)\]|\((?:video|photos?|updated?|\d{1,2})\))$`)
	// A trailing " - Name" or " | Name" segment, the last one only.
	trailingSegment = regexp.MustCompile(`\s+[-–—|]\s+([^-–—|]{2,60})$`)
)

// cleanHeadline strips packaging from a headline: wire slugs and labels, and a
// trailing segment naming the source (its feed name, its site) or one of the
// publisher tags a batch repeats (repeated may be nil).
func cleanHeadline(title, source, link string, repeated map[string]bool) string {
	t := strings.TrimSpace(title)
	for range 3 { // "REFILE-UPDATE 2-..."
		before := t
		t = strings.TrimSpace(wireSlug.ReplaceAllString(t, ""))
		t = strings.TrimSpace(labelPrefix.ReplaceAllString(t, ""))
		if t == before {
			break
		}
	}
	t = strings.TrimSpace(labelSuffix.ReplaceAllString(t, ""))
	if m := trailingSegment.FindStringSubmatchIndex(t); m != nil {
		seg := t[m[2]:m[3]]
		if isSourceTag(seg, source, link) || repeated[tagKey(seg)] {
			t = strings.TrimSpace(t[:m[0]])
		}
	}
	if t == "" {
		return strings.TrimSpace(title) // nothing but packaging: keep what there was
	}
	return t
}

// trailingTag returns the normalised trailing segment of a headline, if it has one
// short enough to be a publisher's name (at most five words).
func trailingTag(title string) string {
	m := trailingSegment.FindStringSubmatch(strings.TrimSpace(title))
	if m == nil || len(strings.Fields(m[1])) > 5 {
		return ""
	}
	return tagKey(m[1])
}

// tagKey normalises a name for comparison: letters and digits, lower-cased.
func tagKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isSourceTag reports whether seg names the item's source: its feed or outlet name,
// its site's host name ("WFSB 3 Connecticut" on www.wfsb.com) or a domain.
func isSourceTag(seg, source, link string) bool {
	key := tagKey(seg)
	if key == "" || len(strings.Fields(seg)) > 5 {
		return false
	}
	if s := tagKey(source); s != "" && (key == s || strings.HasPrefix(s, key) || strings.HasPrefix(key, s)) {
		return true
	}
	if u, err := url.Parse(link); err == nil && u.Hostname() != "" {
		host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		if name, _, _ := strings.Cut(host, "."); len(name) >= 3 && strings.HasPrefix(key, tagKey(name)) {
			return true
		}
	}
	s := strings.TrimSpace(seg)
	return !strings.Contains(s, " ") && strings.Contains(s, ".") && !strings.HasSuffix(s, ".")
}
