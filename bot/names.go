package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Display names in discussions. A reader must never appear under another reader's
// name, or as the bot, an administrator or a moderator. Names are normalised (NFKC,
// invisible and direction-changing characters removed, spaces collapsed, length
// capped), and names that look alike share one key: the Unicode TR39 "skeleton" of the
// lower-cased name (github.com/mtibben/confusables, the Unicode confusables table), so
// "Ann", "ANN" and "Аnn" with a Cyrillic А are one name.

// maxNameRunes caps a display name.
const maxNameRunes = 32

// nameKeyVersion names the normalisation of the keys below; storage rebuilds its name
// index when it changes. "+shown": the rebuild that claims, for their authors, the
// names comments stored before Profile.Shown existed show. "+links": the rebuild that
// drops chosen names that would show as a link (looksLikeLink).
const nameKeyVersion = "nfkc-tr39-v1+shown+links"

// invisible reports characters that render as nothing (or change the direction of what
// follows) and so can make two different names look the same: format characters (zero
// widths, bidi controls, soft hyphen), variation selectors, Hangul and Braille fillers,
// and controls.
func invisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800', '\u034F', '\u17B4', '\u17B5', '\u180E':
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Variation_Selector, r)
}

// normalizeName prepares a name for display and comparison.
func normalizeName(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	space, marks := false, 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = b.Len() > 0
			continue
		case invisible(r) || r == '#':
			// '#' marks the tag that tells readers with the same name apart ("Ann
			// #04817"): nobody may type one into a name.
			continue
		case unicode.Is(unicode.Mn, r):
			// A few combining marks make letters; dozens stacked make a name unreadable.
			if marks >= 2 {
				continue
			}
			marks++
		default:
			marks = 0
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > maxNameRunes {
		out = strings.TrimSpace(string([]rune(out)[:maxNameRunes]))
	}
	return out
}

// authorHTML renders a display name in bold, with the tag that tells readers of one
// name apart ("Ann #71154", storage.Profile.DisplayName) outside the bold. A name can
// hold no "#" and is escaped and bolded whole, so no name can look like a tag, whatever
// symbol or letter it uses ("Ann ⋕71154" is bold to its end).
func authorHTML(name string) string {
	if base, tag, ok := strings.Cut(name, " #"); ok && len(tag) == 5 && strings.Trim(tag, "0123456789") == "" {
		return "<b>" + escape(base) + "</b> #" + tag
	}
	return "<b>" + escape(name) + "</b>"
}

// skeleton is the look-alike form of a normalised name: skeleton, lower case, skeleton
// again (so "I" and "l", "0" and "O" meet whatever their case).
func skeleton(name string) string {
	return confusables.Skeleton(strings.ToLower(confusables.Skeleton(name)))
}

// reservedWords are names no reader may take, nor anything that looks like them.
var reservedWords = []string{"admin", "administrator", "moderator", "mod", "newsbot", "telegram", "support", "system", "official"}

// squash keeps only the letters and digits of s.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// nameKey is the key under which a normalised name is unique, or "" when nobody may
// claim it: empty, or like a reserved word or the bot's own name ("Admin", "Аdmin",
// "admin team", "News Bot", "Administrator" are all refused).
func (b *Bot) nameKey(name string) string {
	if name == "" || looksLikeLink(name) {
		return ""
	}
	key := skeleton(name)
	whole := squash(key)
	if whole == "" {
		return ""
	}
	words := strings.FieldsFunc(key, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	reserved := append([]string{}, reservedWords...)
	if u := strings.ToLower(b.Username()); u != "" {
		reserved = append(reserved, u)
		if base, ok := strings.CutSuffix(u, "bot"); ok && len(squash(base)) >= 3 {
			reserved = append(reserved, base)
		}
	}
	for _, r := range reserved {
		// Upper-case I looks like l, lower-case i does not: a reserved word is matched
		// in each case a name could write it in.
		for _, form := range []string{r, strings.ToUpper(r), strings.ToUpper(r[:1]) + r[1:]} {
			w := squash(skeleton(form))
			// Long reserved words anywhere ("RealAdmin", "SiteModerator"); short ones
			// only as a word ("Mod", but "Modest" is fine).
			if whole == w || (len(w) >= 5 && strings.Contains(whole, w)) {
				return ""
			}
			for _, x := range words {
				if x == w {
					return ""
				}
			}
		}
	}
	return key
}
