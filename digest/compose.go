package digest

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Preferences are a subscriber's digest settings.
type Preferences struct {
	// Feeds limits the digest to these feed URLs; empty means all.
	Feeds []string
	// OwnFeeds are feeds the subscriber added; their report of a story is shown first.
	OwnFeeds []string
	// Include and Exclude are RE2 expressions matched against title and text
	// (case-insensitive). With Include set, only matching items are kept.
	Include, Exclude []string
	// MaxStories caps the digest (default 10); SummarySentences is k (default 3).
	MaxStories       int
	SummarySentences int
	// Received are items the subscriber already got in earlier digests: a new report of
	// one of those stories is left out unless it adds material facts, and then it is
	// marked as an update.
	Received []Item
}

// CompileFilters validates Include and Exclude, returning a clear error for a bad one.
func (p Preferences) CompileFilters() (include, exclude []*regexp.Regexp, err error) {
	compile := func(kind string, exprs []string) ([]*regexp.Regexp, error) {
		var out []*regexp.Regexp
		for _, e := range exprs {
			re, err := regexp.Compile("(?i)" + e)
			if err != nil {
				return nil, fmt.Errorf("%s filter %q is not a valid RE2 expression: %w", kind, e, err)
			}
			out = append(out, re)
		}
		return out, nil
	}
	if include, err = compile("include", p.Include); err != nil {
		return nil, nil, err
	}
	if exclude, err = compile("exclude", p.Exclude); err != nil {
		return nil, nil, err
	}
	return include, exclude, nil
}

// Source is one outlet's report of a story.
type Source struct {
	ItemID uint64
	Name   string
	URL    string
}

// StoryCard is everything the digest shows about one story.
type StoryCard struct {
	ItemID    uint64 // the item shown (best source)
	Title     string
	URL       string
	Source    string
	Published time.Time
	Language  string
	// AlsoReportedBy lists the other outlets' reports of the same story.
	AlsoReportedBy []Source
	Summary        []string
	// Quote is the key quote, if any.
	Quote *Quote
	// Quotes are all quotes found, best first.
	Quotes     []Quote
	Background []string
	Related    []Item
	Score      float64
	// Update marks a story the reader already received, now with new facts.
	Update bool
}

// Digest is a composed digest, stories best first.
type Digest struct {
	Stories []StoryCard
	// Filtered counts items dropped by the subscriber's filters or feed choice.
	Filtered int
	// AlreadyReceived counts stories left out as repeats of earlier digests.
	AlreadyReceived int
}

// Card builds the story card for one item: summary, quotes, background and related
// earlier items chosen from candidates.
func Card(it Item, k int, candidates []Item) StoryCard {
	d := Analyze(Article{Title: it.Title, Text: it.Text, Lang: it.Lang})
	summary := d.Summarize(k)
	card := StoryCard{
		ItemID: it.ID, Title: it.Title, URL: it.URL, Source: it.Source, Published: it.Published,
		Language: d.Lang,
	}
	for _, s := range summary {
		card.Summary = append(card.Summary, s.Text)
	}
	card.Quotes = FindQuotes(it.Text, d.Lang)
	markQuotesInSummary(card.Quotes, summary)
	card.Quote = cardQuote(card.Quotes, summary)
	for _, s := range d.Context(2, summary) {
		card.Background = append(card.Background, s.Text)
	}
	card.Related = RelatedStories(it, candidates, 3)
	return card
}

// holder is the summary sentence a quote sits in, if any.
func holder(q Quote, summary []Sentence) (Sentence, bool) {
	for _, s := range summary {
		if q.Start < s.End && s.Start < q.End {
			return s, true
		}
	}
	return Sentence{}, false
}

// markQuotesInSummary flags the quotes the summary already carries in a sentence
// that names the speaker.
func markQuotesInSummary(quotes []Quote, summary []Sentence) {
	for i := range quotes {
		q := &quotes[i]
		if s, ok := holder(*q, summary); ok {
			names := strings.Fields(q.Speaker)
			q.InSummary = len(names) > 0 && strings.Contains(s.Text, names[len(names)-1])
		}
	}
}

// cardQuote picks the quote a digest shows under a story's summary: a key quote the
// summary does not carry; else one it carries without naming who said it (the digest
// adds the speaker); else none, since repeating a quote the reader has just read,
// speaker and all, only takes a line.
func cardQuote(quotes []Quote, summary []Sentence) *Quote {
	var unnamed *Quote
	for i := range quotes {
		q := quotes[i]
		if !q.Key || q.InSummary {
			continue
		}
		if _, ok := holder(q, summary); !ok {
			return &q
		}
		if unnamed == nil {
			unnamed = &q
		}
	}
	return unnamed
}

// Compose builds a digest from a subscriber's new items: it applies the feed choice
// and filters, groups reports of the same story (the best source shown, the others as
// "also reported by"), ranks stories by recency, number of sources and filter hits,
// and fills each card. earlier items feed the "related" background.
func Compose(items []Item, earlier []Item, prefs Preferences, now time.Time) (Digest, error) {
	return NewComposer(items, earlier).Compose(items, prefs, now)
}

// Composer composes many subscribers' digests from one pool of new items: the pool is
// grouped into stories once, and each story card is built once per summary length.
// It is safe for concurrent use.
type Composer struct {
	story   map[uint64]int // item ID -> story number in the pool
	earlier []Item

	mu    sync.Mutex
	cards map[cardKey]StoryCard
}

type cardKey struct {
	item uint64
	k    int
}

// NewComposer groups pool (the new items of a digest run) and keeps earlier items as
// candidates for the related-stories background.
func NewComposer(pool []Item, earlier []Item) *Composer {
	c := &Composer{story: map[uint64]int{}, earlier: earlier, cards: map[cardKey]StoryCard{}}
	for i, g := range GroupStories(pool, GroupOptions{}) {
		if pool[i].ID != 0 {
			c.story[pool[i].ID] = g
		}
	}
	return c
}

// Card returns the (cached) card for an item.
func (c *Composer) Card(it Item, k int) StoryCard {
	key := cardKey{it.ID, k}
	if it.ID != 0 {
		c.mu.Lock()
		card, ok := c.cards[key]
		c.mu.Unlock()
		if ok {
			return card
		}
	}
	card := Card(it, k, c.earlier)
	if it.ID != 0 {
		c.mu.Lock()
		c.cards[key] = card
		c.mu.Unlock()
	}
	return card
}

// Compose builds one subscriber's digest from items (a subset of the pool).
func (c *Composer) Compose(items []Item, prefs Preferences, now time.Time) (Digest, error) {
	include, exclude, err := prefs.CompileFilters()
	if err != nil {
		return Digest{}, err
	}
	if prefs.MaxStories <= 0 {
		prefs.MaxStories = 10
	}
	if prefs.SummarySentences <= 0 {
		prefs.SummarySentences = 3
	}
	feeds := map[string]bool{}
	for _, f := range prefs.Feeds {
		feeds[f] = true
	}
	own := map[string]bool{}
	for _, f := range prefs.OwnFeeds {
		own[f] = true
	}
	var kept []Item
	hits := map[int]int{}
	var dg Digest
	for _, it := range items {
		if len(feeds) > 0 && !feeds[it.FeedURL] {
			dg.Filtered++
			continue
		}
		hay := it.Title + "\n" + it.Text
		drop := false
		for _, re := range exclude {
			if re.MatchString(hay) {
				drop = true
				break
			}
		}
		n := 0
		for _, re := range include {
			if re.MatchString(hay) {
				n++
			}
		}
		if drop || (len(include) > 0 && n == 0) {
			dg.Filtered++
			continue
		}
		hits[len(kept)] = n
		kept = append(kept, it)
	}
	// Stories: from the pool's grouping; items outside the pool stand alone.
	members := map[int][]int{}
	var order []int
	next := -1
	for i, it := range kept {
		g, ok := c.story[it.ID]
		if !ok || it.ID == 0 {
			g, next = next, next-1
		}
		if _, seen := members[g]; !seen {
			order = append(order, g)
		}
		members[g] = append(members[g], i)
	}
	for _, g := range order {
		idx := members[g]
		// Best source: the subscriber's own feed, then the fullest text, then earliest.
		sort.SliceStable(idx, func(a, b int) bool {
			ia, ib := kept[idx[a]], kept[idx[b]]
			if own[ia.FeedURL] != own[ib.FeedURL] {
				return own[ia.FeedURL]
			}
			if la, lb := len(strings.Fields(ia.Text)), len(strings.Fields(ib.Text)); la != lb {
				return la > lb
			}
			return ia.Published.Before(ib.Published)
		})
		best := kept[idx[0]]
		card := c.Card(best, prefs.SummarySentences)
		card.AlsoReportedBy = nil
		seen := map[string]bool{best.Source: true}
		newest := best.Published
		filterHits := hits[idx[0]]
		for _, j := range idx[1:] {
			o := kept[j]
			if o.Published.After(newest) {
				newest = o.Published
			}
			filterHits = max(filterHits, hits[j])
			if seen[o.Source] {
				continue
			}
			seen[o.Source] = true
			card.AlsoReportedBy = append(card.AlsoReportedBy, Source{ItemID: o.ID, Name: o.Source, URL: o.URL})
		}
		if len(prefs.Received) > 0 {
			skip := false
			for _, old := range prefs.Received {
				if same, material := UpdateOf(best, old); same {
					if !material {
						skip = true
					} else {
						card.Update = true
					}
					break
				}
			}
			if skip {
				dg.AlreadyReceived++
				continue
			}
		}
		ageHours := math.Max(0, now.Sub(newest).Hours())
		card.Score = math.Exp(-ageHours/24) + 0.5*math.Log1p(float64(len(idx)-1)) + 0.3*float64(filterHits)
		if card.Quote != nil {
			card.Score += 0.1
		}
		dg.Stories = append(dg.Stories, card)
	}
	sort.SliceStable(dg.Stories, func(a, b int) bool {
		if dg.Stories[a].Score != dg.Stories[b].Score {
			return dg.Stories[a].Score > dg.Stories[b].Score
		}
		return dg.Stories[a].ItemID < dg.Stories[b].ItemID
	})
	if len(dg.Stories) > prefs.MaxStories {
		dg.Stories = dg.Stories[:prefs.MaxStories]
	}
	return dg, nil
}
