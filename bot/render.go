package bot

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/digest"
)

// MaxMessage is Telegram's limit on a message's text, in characters after entity
// parsing (UTF-16 code units: textLen); we pack to a little less to keep a margin.
const (
	MaxMessage = 4096
	packLimit  = 4000
)

// Rendered is one message ready to send: Telegram HTML, the same as plain text (the
// fallback when Telegram cannot parse the HTML), and its buttons.
type Rendered struct {
	HTML    string
	Plain   string
	Buttons [][]telegram.Button
	Items   []uint64 // the stories this message is about, in order
	First   int      // the number shown for Items[0] in a digest
}

// escape makes s safe as Telegram HTML text: every <, > and & is an entity, so
// nothing in s can open a tag or hide a link.
func escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeAttr also escapes quotes, for attribute values.
func escapeAttr(s string) string {
	return strings.ReplaceAll(escape(s), `"`, "&quot;")
}

// safeURL returns u when it is an absolute http(s) URL, else "".
func safeURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// block is a self-contained piece of a message: valid HTML on its own.
type block struct {
	html, plain string
	item        uint64 // the story it shows, or 0
	number      int
}

func (b block) size() int { return textLen(b.plain) }

// textLen is a text's length as Telegram counts it against its limits: in UTF-16 code
// units, so that an emoji or a mathematical letter beyond the Basic Multilingual Plane
// counts twice.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// truncateUnits is truncate by Telegram's count (textLen): s cut to at most n UTF-16
// units, "…" included.
func truncateUnits(s string, n int) string {
	if textLen(s) <= n {
		return s
	}
	units := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if units+w > n-1 {
			return s[:i] + "…"
		}
		units += w
	}
	return s
}

// pack puts blocks into messages of at most packLimit characters, never splitting a
// block unless it alone is too long (then it is cut into plain-text pieces at sentence
// ends, which are valid in any case).
func pack(blocks []block, sep string) []Rendered {
	var out []Rendered
	var cur Rendered
	size := 0
	flush := func() {
		if size > 0 {
			out = append(out, cur)
		}
		cur, size = Rendered{}, 0
	}
	sepLen := textLen(sep)
	for _, b := range blocks {
		if b.size() > packLimit {
			flush()
			for _, piece := range cutPlain(b.plain, packLimit) {
				out = append(out, Rendered{HTML: escape(piece), Plain: piece})
			}
			if b.item != 0 && len(out) > 0 {
				out[len(out)-1].Items = append(out[len(out)-1].Items, b.item)
			}
			continue
		}
		add := b.size()
		if size > 0 {
			add += sepLen
		}
		if size+add > packLimit {
			flush()
			add = b.size()
		}
		if size > 0 {
			cur.HTML += sep
			cur.Plain += sep
		}
		cur.HTML += b.html
		cur.Plain += b.plain
		if b.item != 0 {
			cur.Items = append(cur.Items, b.item)
		}
		size += add
	}
	flush()
	return out
}

// cutPlain splits s into pieces of at most limit characters (as textLen counts
// them), at paragraph or sentence ends where possible.
func cutPlain(s string, limit int) []string {
	limit = max(limit, 2) // room for any character, or the loop would not advance
	var out []string
	for textLen(s) > limit {
		end, n := len(s), 0 // end: the byte where the longest prefix within limit ends
		for i, r := range s {
			w := 1
			if r > 0xFFFF {
				w = 2
			}
			if n+w > limit {
				end = i
				break
			}
			n += w
		}
		window := s[:end]
		cut := end
		if i := strings.LastIndex(window, "\n"); i > len(window)/2 {
			cut = i
		} else if i := strings.LastIndex(window, ". "); i > len(window)/2 {
			cut = i + 1
		} else if i := strings.LastIndex(window, " "); i > 0 {
			cut = i
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	if strings.TrimSpace(s) != "" {
		out = append(out, s)
	}
	return out
}

func speakerLine(q *digest.Quote) string {
	who := q.Speaker
	if q.Role != "" && !strings.EqualFold(q.Role, q.Speaker) {
		who += ", " + q.Role
	}
	return who
}

// storyBlock renders one story of a digest.
func storyBlock(n int, s digest.StoryCard) block {
	var h, p strings.Builder
	title := s.Title
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(&h, "<b>%d.</b> ", n)
	fmt.Fprintf(&p, "%d. ", n)
	if s.Update {
		h.WriteString("<i>Update:</i> ")
		p.WriteString("Update: ")
	}
	if u := safeURL(s.URL); u != "" {
		fmt.Fprintf(&h, "<a href=\"%s\"><b>%s</b></a>", escapeAttr(u), escape(title))
	} else {
		fmt.Fprintf(&h, "<b>%s</b>", escape(title))
	}
	p.WriteString(title)
	src := s.Source
	if len(s.AlsoReportedBy) > 0 {
		var names []string
		for _, o := range s.AlsoReportedBy {
			if len(names) == 3 {
				names = append(names, fmt.Sprintf("%d more", len(s.AlsoReportedBy)-3))
				break
			}
			names = append(names, o.Name)
		}
		src = strings.TrimSpace(src + " · also reported by " + strings.Join(names, ", "))
	}
	if src != "" {
		fmt.Fprintf(&h, "\n<i>%s</i>", escape(src))
		fmt.Fprintf(&p, "\n%s", src)
	}
	if len(s.Summary) > 0 {
		sum := strings.Join(s.Summary, " ")
		fmt.Fprintf(&h, "\n%s", escape(sum))
		fmt.Fprintf(&p, "\n%s", sum)
	}
	if q := s.Quote; q != nil {
		fmt.Fprintf(&h, "\n<blockquote>“%s”\n— %s</blockquote>", escape(q.Text), escape(speakerLine(q)))
		fmt.Fprintf(&p, "\n“%s”\n— %s", q.Text, speakerLine(q))
	}
	if bg := backgroundLine(s); bg != "" {
		fmt.Fprintf(&h, "\n<i>Background:</i> %s", escape(bg))
		fmt.Fprintf(&p, "\nBackground: %s", bg)
	}
	return block{html: h.String(), plain: p.String(), item: s.ItemID, number: n}
}

func backgroundLine(s digest.StoryCard) string {
	if len(s.Background) > 0 {
		return s.Background[0]
	}
	if len(s.Related) > 0 {
		r := s.Related[0]
		return fmt.Sprintf("earlier, %s: %s", r.Published.Format("2 Jan"), r.Title)
	}
	return ""
}

// Bounds on what a card shows of its text. A feed's item may hold one "sentence" of
// 100,000 characters (a hostile feed, or a page with no punctuation); shown whole, it
// made a card of 27 messages and a digest of 217, which a reader's own feed or a
// /summary link could ask for, spending the bot's sending rate everyone shares.
const (
	maxShownSentence = 500 // a summary or background sentence, a quote
	maxShownTitle    = 300
	maxShownName     = 150 // a speaker, a role
)

// clipCard returns c with every text it shows cut to the bounds above (a copy: c's
// slices are not changed).
func clipCard(c digest.StoryCard) digest.StoryCard {
	c.Title, c.Source = truncate(c.Title, maxShownTitle), truncate(c.Source, maxShownName)
	c.Summary = clipAll(c.Summary, maxShownSentence)
	c.Background = clipAll(c.Background, maxShownSentence)
	if c.Quote != nil {
		q := clipQuote(*c.Quote)
		c.Quote = &q
	}
	c.Quotes = clipEach(c.Quotes, func(q *digest.Quote) { *q = clipQuote(*q) })
	c.AlsoReportedBy = clipEach(c.AlsoReportedBy, func(o *digest.Source) { o.Name = truncate(o.Name, maxShownName) })
	c.Timeline = clipEach(c.Timeline, func(e *digest.TimelineEntry) { e.Source = truncate(e.Source, maxShownName) })
	c.Related = clipEach(c.Related, func(r *digest.Item) { r.Title = truncate(r.Title, maxShownTitle) })
	return c
}

func clipQuote(q digest.Quote) digest.Quote {
	q.Text = truncate(q.Text, maxShownSentence)
	q.Speaker, q.Role = truncate(q.Speaker, maxShownName), truncate(q.Role, maxShownName)
	return q
}

func clipAll(ss []string, n int) []string {
	return clipEach(ss, func(s *string) { *s = truncate(*s, n) })
}

// clipEach returns a copy of list with clip applied to each element (nil stays nil).
func clipEach[T any](list []T, clip func(*T)) []T {
	if len(list) == 0 {
		return list
	}
	out := slices.Clone(list)
	for i := range out {
		clip(&out[i])
	}
	return out
}

// RenderDigest renders a digest as one message, or several when it is longer than
// Telegram allows, split between stories; numbering continues across parts and each
// part has numbered buttons that open its stories' cards.
func RenderDigest(d digest.Digest, when time.Time) []Rendered {
	return RenderDigestFor(d, when, nil)
}

// RenderDigestFor is RenderDigest for a reader: each tracked story gets a button to
// follow it, or to stop following it when followed holds its story ID.
func RenderDigestFor(d digest.Digest, when time.Time, followed map[uint64]bool) []Rendered {
	if len(d.Stories) == 0 && len(d.SinceFollowed) == 0 {
		return nil
	}
	head := fmt.Sprintf("Your news digest · %s", when.Format("Mon 2 Jan, 15:04"))
	blocks := []block{{html: "<b>" + escape(head) + "</b>", plain: head}}
	if len(d.SinceFollowed) > 0 {
		blocks = append(blocks, sinceFollowedBlock(d.SinceFollowed))
	}
	for i, s := range d.Stories {
		blocks = append(blocks, storyBlock(i+1, clipCard(s)))
	}
	parts := pack(blocks, "\n\n")
	number := map[uint64]int{}
	for i, s := range d.Stories {
		number[s.ItemID] = i + 1
	}
	for i := range parts {
		if len(parts[i].Items) > 0 {
			parts[i].First = number[parts[i].Items[0]]
		}
		var row []telegram.Button
		for _, id := range parts[i].Items {
			row = append(row, telegram.Button{Text: fmt.Sprint(number[id]), Data: cardData(id)})
			if len(row) == 8 {
				parts[i].Buttons = append(parts[i].Buttons, row)
				row = nil
			}
		}
		if len(row) > 0 {
			parts[i].Buttons = append(parts[i].Buttons, row)
		}
		parts[i].Buttons = append(parts[i].Buttons, followRows(d.Stories, parts[i].Items, number, followed)...)
	}
	return parts
}

// followRows are a digest part's follow buttons, three to a row, for its tracked stories.
func followRows(stories []digest.StoryCard, items []uint64, number map[uint64]int, followed map[uint64]bool) [][]telegram.Button {
	story, follow := map[uint64]uint64{}, map[uint64]uint64{}
	for _, s := range stories {
		story[s.ItemID] = s.StoryID
		follow[s.ItemID] = s.ItemID
		if s.FollowItem != 0 {
			follow[s.ItemID] = s.FollowItem // a public report: the reader's own may be shown
		}
	}
	var rows [][]telegram.Button
	var row []telegram.Button
	for _, id := range items {
		sid := story[id]
		if sid == 0 {
			continue
		}
		row = append(row, followButton(sid, follow[id], fmt.Sprintf(" %d", number[id]), followed[sid]))
		if len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// followButton follows the story of item (or, when followed, stops following it).
func followButton(story, item uint64, suffix string, followed bool) telegram.Button {
	if followed {
		return telegram.Button{Text: "Unfollow story" + suffix, Data: unfollowStoryData(story, item)}
	}
	return telegram.Button{Text: "🔔 Follow story" + suffix, Data: followStoryData(item)}
}

// What "Since you followed" shows at most: the latest sinceFollowedEntries developments
// of each story, and further stories while the block's HTML stays under
// sinceFollowedChars; the rest is counted (review 70: fifty followed stories holding ten
// developments each made one digest of 85 messages, and the block, past a message's
// length, lost its formatting).
const (
	sinceFollowedEntries = 2
	sinceFollowedChars   = 3000
)

// counted is n with its noun.
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// sinceFollowedBlock tells what followed stories did in the reader's quiet hours.
func sinceFollowedBlock(held []digest.HeldUpdate) block {
	b, _ := sinceFollowed(held)
	return b
}

// sinceFollowedShown is how many of held (the first ones) sinceFollowedBlock tells:
// the others stay held for the next digest (review 72: they were cleared untold).
func sinceFollowedShown(held []digest.HeldUpdate) int {
	_, n := sinceFollowed(held)
	return n
}

// sinceFollowed is sinceFollowedBlock, with how many stories it tells.
func sinceFollowed(held []digest.HeldUpdate) (block, int) {
	var h, p strings.Builder
	h.WriteString("<b>Since you followed</b>")
	p.WriteString("Since you followed")
	for i, u := range held {
		var sh, sp strings.Builder
		fmt.Fprintf(&sh, "\n• <b>%s</b>", escape(truncate(u.StoryTitle, 120)))
		fmt.Fprintf(&sp, "\n• %s", truncate(u.StoryTitle, 120))
		entries := u.Entries
		if n := len(entries) - sinceFollowedEntries; n > 0 {
			entries = entries[n:] // the latest
			fmt.Fprintf(&sh, "\n  <i>%s, then:</i>", counted(n, "earlier development", "earlier developments"))
			fmt.Fprintf(&sp, "\n  %s, then:", counted(n, "earlier development", "earlier developments"))
		}
		for _, e := range entries {
			line := strings.Join(e.Sentences, " ")
			if line == "" {
				line = e.Title
			}
			fmt.Fprintf(&sh, "\n  %s (%s)", escape(truncate(line, 300)), escape(truncate(e.Source, 60)))
			fmt.Fprintf(&sp, "\n  %s (%s)", truncate(line, 300), truncate(e.Source, 60))
		}
		if i > 0 && h.Len()+sh.Len() > sinceFollowedChars {
			more := fmt.Sprintf("and %s developed too: more in your next digest", counted(len(held)-i, "more followed story", "more followed stories"))
			h.WriteString("\n<i>" + more + "</i>")
			p.WriteString("\n" + more)
			return block{html: h.String(), plain: p.String()}, i
		}
		h.WriteString(sh.String())
		p.WriteString(sp.String())
	}
	return block{html: h.String(), plain: p.String()}, len(held)
}

// timelineBlock is a card's "How it developed": one dated line per development.
func timelineBlock(c digest.StoryCard) block {
	var h, p strings.Builder
	h.WriteString("<b>How it developed</b>")
	p.WriteString("How it developed")
	if c.EarlierDevelopments > 0 {
		fmt.Fprintf(&h, "\n<i>and %d earlier reports</i>", c.EarlierDevelopments)
		fmt.Fprintf(&p, "\nand %d earlier reports", c.EarlierDevelopments)
	}
	for _, e := range c.Timeline {
		what := strings.Join(e.Sentences, " ")
		if what == "" {
			what = e.Title
		}
		what = truncate(what, 220)
		when := e.At.UTC().Format("2 Jan 15:04")
		if u := safeURL(e.URL); u != "" {
			fmt.Fprintf(&h, "\n• %s · <a href=\"%s\">%s</a>: %s", escape(when), escapeAttr(u), escape(e.Source), escape(what))
		} else {
			fmt.Fprintf(&h, "\n• %s · %s: %s", escape(when), escape(e.Source), escape(what))
		}
		fmt.Fprintf(&p, "\n• %s · %s: %s", when, e.Source, what)
	}
	return block{html: h.String(), plain: p.String()}
}

// RenderStoryUpdate renders the update a follower gets: the story's title, what the
// new reports said, their outlets, and a button to the updated card.
func RenderStoryUpdate(storyTitle string, devs []digest.TimelineEntry) Rendered {
	var h, p strings.Builder
	title := truncateUnits(storyTitle, 200)
	fmt.Fprintf(&h, "🔔 <b>Update: %s</b>", escape(title))
	fmt.Fprintf(&p, "🔔 Update: %s", title)
	// One message, always under Telegram's 4,096 characters (UTF-16 units, as it counts
	// them: found by review, emoji and mathematical letters count two): the latest
	// developments, each clipped, and a count of the earlier ones.
	const maxShown, maxEach = 6, 400
	if n := len(devs) - maxShown; n > 0 {
		fmt.Fprintf(&h, "\n<i>and %d earlier developments</i>", n)
		fmt.Fprintf(&p, "\nand %d earlier developments", n)
		devs = devs[n:]
	}
	for _, d := range devs {
		what := strings.Join(d.Sentences, " ")
		if what == "" {
			what = d.Title
		}
		what, src := truncateUnits(what, maxEach), truncateUnits(d.Source, 60)
		fmt.Fprintf(&h, "\n\n%s\n— <i>%s</i>", escape(what), escape(src))
		fmt.Fprintf(&p, "\n\n%s\n— %s", what, src)
	}
	r := Rendered{HTML: h.String(), Plain: p.String()}
	if len(devs) > 0 {
		last := devs[len(devs)-1]
		r.Items = []uint64{last.ItemID}
		r.Buttons = [][]telegram.Button{{{Text: "Open the updated card", Data: cardData(last.ItemID)}}}
	}
	return r
}

// RenderCard renders a story card: the full view of one story.
func RenderCard(c digest.StoryCard) []Rendered { return RenderCardFor(c, false) }

// RenderCardFor is RenderCard for a reader: a tracked story gets a button to follow
// it, or to stop following it when followed.
func RenderCardFor(c digest.StoryCard, followed bool) []Rendered {
	c = clipCard(c)
	var blocks []block
	var h, p strings.Builder
	title := c.Title
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(&h, "<b>%s</b>", escape(title))
	p.WriteString(title)
	meta := c.Source
	if !c.Published.IsZero() {
		meta = strings.TrimSpace(meta + " · " + c.Published.Format("2 Jan 2006, 15:04 MST"))
	}
	if meta != "" {
		fmt.Fprintf(&h, "\n<i>%s</i>", escape(meta))
		fmt.Fprintf(&p, "\n%s", meta)
	}
	blocks = append(blocks, block{html: h.String(), plain: p.String(), item: c.ItemID})
	if len(c.Summary) > 0 {
		sum := "• " + strings.Join(c.Summary, "\n• ")
		blocks = append(blocks, block{html: escape(sum), plain: sum})
	}
	for i := range c.Quotes {
		q := &c.Quotes[i]
		if !q.Key || q.InSummary {
			continue // the summary above already has it, with its speaker
		}
		blocks = append(blocks, block{
			html:  fmt.Sprintf("<blockquote>“%s”\n— %s</blockquote>", escape(q.Text), escape(speakerLine(q))),
			plain: fmt.Sprintf("“%s”\n— %s", q.Text, speakerLine(q)),
		})
	}
	if len(c.Background) > 0 || len(c.Related) > 0 {
		var bh, bp strings.Builder
		bh.WriteString("<b>Background</b>")
		bp.WriteString("Background")
		for _, s := range c.Background {
			fmt.Fprintf(&bh, "\n%s", escape(s))
			fmt.Fprintf(&bp, "\n%s", s)
		}
		for _, r := range c.Related {
			line := fmt.Sprintf("%s: %s", r.Published.Format("2 Jan"), r.Title)
			if u := safeURL(r.URL); u != "" {
				fmt.Fprintf(&bh, "\n• <a href=\"%s\">%s</a>", escapeAttr(u), escape(line))
			} else {
				fmt.Fprintf(&bh, "\n• %s", escape(line))
			}
			fmt.Fprintf(&bp, "\n• %s", line)
		}
		blocks = append(blocks, block{html: bh.String(), plain: bp.String()})
	}
	if len(c.Timeline) > 1 {
		blocks = append(blocks, timelineBlock(c))
	}
	if len(c.AlsoReportedBy) > 0 {
		var names, links []string
		for _, o := range c.AlsoReportedBy {
			name := o.Name
			if name == "" {
				name = feedLabel(o.URL)
			}
			names = append(names, name)
			if u := safeURL(o.URL); u != "" {
				links = append(links, fmt.Sprintf("<a href=\"%s\">%s</a>", escapeAttr(u), escape(name)))
			} else {
				links = append(links, escape(name))
			}
		}
		blocks = append(blocks, block{html: "<i>Also reported by</i> " + strings.Join(links, ", "),
			plain: "Also reported by " + strings.Join(names, ", ")})
	}
	parts := pack(blocks, "\n\n")
	if len(parts) > 0 {
		last := &parts[len(parts)-1]
		if u := safeURL(c.URL); u != "" {
			last.Buttons = append(last.Buttons, []telegram.Button{{Text: "Read the article", URL: u}})
		}
		if c.StoryID != 0 {
			last.Buttons = append(last.Buttons, []telegram.Button{followButton(c.StoryID, c.ItemID, "", followed)})
		}
		for i := range parts {
			parts[i].Items = []uint64{c.ItemID}
		}
	}
	return parts
}
