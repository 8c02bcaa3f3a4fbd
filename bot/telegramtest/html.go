package telegramtest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// allowedTags are the tags Telegram's HTML parse mode accepts.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
	"strike": true, "del": true, "a": true, "code": true, "pre": true, "blockquote": true,
	"tg-spoiler": true, "tg-emoji": true, "span": true,
}

// ParseHTML checks text the way the Bot API does for parse_mode=HTML and returns the
// visible text (tags removed, entities decoded). The error is the detail that follows
// "Bad Request: can't parse entities: ".
func ParseHTML(s string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			raw := s[i+1 : i+end]
			if strings.HasPrefix(raw, "/") {
				name := strings.ToLower(strings.TrimSpace(raw[1:]))
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, attrs, _ := strings.Cut(raw, " ")
				name = strings.ToLower(strings.TrimSuffix(name, "/"))
				if !allowedTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				if err := checkAttrs(name, attrs, i); err != nil {
					return "", err
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			semi := strings.IndexByte(s[i:], ';')
			if semi > 0 && semi < 12 {
				ent := s[i+1 : i+semi]
				if r, ok := decodeEntity(ent); ok {
					out.WriteString(r)
					i += semi + 1
					continue
				}
			}
			// An unknown entity stays as text, as Telegram does.
			out.WriteByte('&')
			i++
		case '>':
			out.WriteByte('>')
			i++
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	if !utf8.ValidString(out.String()) {
		return "", fmt.Errorf("text must be encoded in UTF-8")
	}
	return out.String(), nil
}

func checkAttrs(name, attrs string, at int) error {
	attrs = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(attrs), "/"))
	switch name {
	case "a":
		if len(attrs) < len(`href=""`) || !strings.HasPrefix(attrs, "href=\"") || !strings.HasSuffix(attrs, "\"") {
			return fmt.Errorf("Can't find href in tag \"a\" at byte offset %d", at)
		}
		if strings.ContainsAny(attrs[6:len(attrs)-1], "<\"") {
			return fmt.Errorf("Unclosed attribute value at byte offset %d", at)
		}
	case "span":
		if attrs != `class="tg-spoiler"` {
			return fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", at)
		}
	case "blockquote":
		if attrs != "" && attrs != "expandable" {
			return fmt.Errorf("Unsupported attribute in tag \"blockquote\" at byte offset %d", at)
		}
	case "code", "pre", "tg-emoji":
		// language and emoji-id attributes are accepted as they come.
	default:
		if attrs != "" {
			return fmt.Errorf("Unsupported attribute in tag \"%s\" at byte offset %d", name, at)
		}
	}
	return nil
}

func decodeEntity(e string) (string, bool) {
	switch e {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return "\"", true
	}
	if strings.HasPrefix(e, "#") {
		var n int
		var err error
		if strings.HasPrefix(e, "#x") || strings.HasPrefix(e, "#X") {
			_, err = fmt.Sscanf(e[2:], "%x", &n)
		} else {
			_, err = fmt.Sscanf(e[1:], "%d", &n)
		}
		if err == nil && n > 0 && n <= utf8.MaxRune {
			return string(rune(n)), true
		}
	}
	return "", false
}
