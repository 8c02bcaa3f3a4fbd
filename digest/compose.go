package digest

import (
	"cmp"
	"context"
	"math"
	"slices"
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
	// FilterBudget bounds the time the filters may take (0: no bound). Items are checked
	// in the order given (newest first, as the bot gives them); those left when the
	// budget runs out are not shown, and Digest.FilterTruncated says how many.
	FilterBudget time.Duration
	// MaxStories caps the digest (default DefaultMaxStories); SummarySentences is k
	// (default DefaultSummarySentences).
	MaxStories       int
	SummarySentences int
	// Received are items the subscriber already got in earlier digests: a new report of
	// one of those stories is left out unless it adds material facts, and then it is
	// marked as an update.
	Received []Item
	// OwnEarlier are earlier items of the subscriber's own feeds: candidates, with the
	// composer's public ones, for this subscriber's related stories.
	OwnEarlier []Item
	// Developed are the stories (persistent IDs, see NewComposerStories) the subscriber
	// follows that developed since their last digest: they come first, marked as
	// updates, and are never left out as repeats.
	Developed map[uint64]bool
}

// Digest defaults.
const (
	DefaultMaxStories       = 8
	DefaultSummarySentences = 3
)

// CompileFilters validates Include and Exclude, returning a clear error for a bad one.
func (p Preferences) CompileFilters() (*Filter, error) {
	return CompileFilter(p.Include, p.Exclude)
}

// Source is one outlet's report of a story.
type Source struct {
	ItemID uint64
	Name   string
	URL    string
}

// StoryCard is everything the digest shows about one story.
type StoryCard struct {
	ItemID uint64 // the item shown (best source)
	// StoryID is the story's persistent ID when its reports were placed into stories
	// (NewComposerStories, CardFor), else 0; FollowItem is one of its public reports
	// (ItemID may be the reader's own feed's).
	StoryID    uint64
	FollowItem uint64
	// Thread are, on a card, the stories of StoryID's thread: it, the followed stories
	// it carries on and those that carry it on (their followers moved along).
	Thread    []uint64
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
	// Update marks a story the reader already received, now with new facts (or a
	// followed story that developed).
	Update bool
	// Timeline is how a followed story developed: its first report, then each report
	// with new facts, oldest first; EarlierDevelopments counts older ones not listed.
	Timeline            []TimelineEntry
	EarlierDevelopments int
}

// TimelineEntry is one development of a story.
type TimelineEntry struct {
	ItemID    uint64
	At        time.Time
	Source    string
	URL       string
	Title     string
	Sentences []string // the one or two sentences that carry what was new
}

// HeldUpdate is what a followed story did while the reader's updates were quiet.
type HeldUpdate struct {
	Story      uint64
	StoryTitle string
	Entries    []TimelineEntry
}

// Digest is a composed digest, stories best first.
type Digest struct {
	Stories []StoryCard
	// Filtered counts items dropped by the subscriber's filters or feed choice.
	Filtered int
	// AlreadyReceived counts stories left out as repeats of earlier digests.
	AlreadyReceived int
	// FilterTruncated counts items left unchecked because the filters ran out of time.
	FilterTruncated int
	// FilterTime is how long the filters took to compile and run (zero without
	// filters). It may pass the budget by the last item checked, with nothing left
	// unchecked.
	FilterTime time.Duration
	// SinceFollowed are developments of followed stories held back in quiet hours.
	SinceFollowed []HeldUpdate
}

// Card builds the story card for one item: summary, quotes, background and related
// earlier items chosen from candidates.
func Card(it Item, k int, candidates []Item) StoryCard {
	return (*Grouper)(nil).Card(it, k, candidates)
}

// Card is the package function with the Grouper's cache.
func (g *Grouper) Card(it Item, k int, candidates []Item) StoryCard {
	card := cardBody(it, k)
	card.Related = g.Related(it, candidates, 3)
	return card
}

// cardBody is a card without its related stories: what it says of the item itself.
func cardBody(it Item, k int) StoryCard {
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
			if n := len(names); n > 1 && strings.HasPrefix(names[n-1], "(") {
				// "Rugby Football Union (RFU)": the summary may say either.
				acr := strings.Trim(names[n-1], "()")
				q.InSummary = strings.Contains(s.Text, names[n-2]) || strings.Contains(s.Text, acr)
				continue
			}
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

// Composer composes many subscribers' digests from one pool of new items from public
// feeds (feeds every reader may read): the pool is grouped into stories once, and each
// story card is built once per summary length. It is safe for concurrent use.
//
// A subscriber's own feeds are private: their items come with that subscriber's
// Compose call only. They join the public stories they report, or group among
// themselves, in that digest alone, and related stories are found among the
// subscriber's own earlier items there too. So no reader's feed can change what
// another reader sees.
type Composer struct {
	g       *Grouper
	story   map[uint64]int // public item ID -> story number in the pool
	members map[int][]Item // story number -> its public items
	storyID map[int]uint64 // story number -> persistent story ID (NewComposerStories)
	earlier []Item         // public earlier items
	hay     map[uint64]string
	words   map[uint64]int // pool item ID -> words in its text

	indexOnce sync.Once
	index     map[string][]int // title term -> stories whose first report has it
	numbers   int              // story numbers are below it (set with index)

	// earlierOnce counts the earlier items once for every card's related stories
	// (review 71: each card counted them all again, 0.24 s a card at 10,000).
	earlierOnce sync.Once
	earlierF    *relatedFeatures

	mu      sync.Mutex
	cards   map[cardKey]StoryCard // bodies: cards without related stories
	related map[uint64][]Item     // public item ID -> its related earlier items
}

type cardKey struct {
	item uint64
	k    int
}

// NewComposer groups pool (the new public items of a digest run) and keeps earlier
// public items as candidates for the related-stories background.
func NewComposer(pool []Item, earlier []Item) *Composer {
	return NewComposerWith(NewGrouper(GroupOptions{}), pool, earlier)
}

// NewComposerWith is NewComposer with a Grouper the caller keeps (and its cache of
// the items' features, which the next run can use again).
func NewComposerWith(g *Grouper, pool []Item, earlier []Item) *Composer {
	return NewComposerStories(g, pool, earlier, nil)
}

// NewComposerStories is NewComposerWith for a pool whose items were already placed
// into stories (StoryIndex): storyOf maps item IDs to story IDs, and items with the same
// story are one story of the digest. Items storyOf does not place are grouped among
// themselves, as NewComposerWith groups a pool.
func NewComposerStories(g *Grouper, pool []Item, earlier []Item, storyOf map[uint64]uint64) *Composer {
	c := &Composer{g: g, story: map[uint64]int{}, members: map[int][]Item{}, cards: map[cardKey]StoryCard{},
		related: map[uint64][]Item{}, earlier: earlier, hay: make(map[uint64]string, len(pool)), words: make(map[uint64]int, len(pool)),
		storyID: map[int]uint64{}}
	for _, it := range pool {
		if it.ID != 0 {
			c.hay[it.ID] = Haystack(it)
			c.words[it.ID] = len(strings.Fields(it.Text))
		}
	}
	number := map[uint64]int{}
	var rest []Item
	for _, it := range pool {
		sid := storyOf[it.ID]
		if it.ID == 0 || sid == 0 {
			rest = append(rest, it)
			continue
		}
		n, ok := number[sid]
		if !ok {
			n = len(number)
			number[sid] = n
			c.storyID[n] = sid
		}
		c.story[it.ID] = n
		c.members[n] = append(c.members[n], it)
	}
	base := len(number)
	for i, n := range g.Group(rest) {
		if rest[i].ID != 0 {
			c.story[rest[i].ID] = base + n
			c.members[base+n] = append(c.members[base+n], rest[i])
		}
	}
	return c
}

// Card returns the (cached) card for an item, with related stories from public feeds.
func (c *Composer) Card(it Item, k int) StoryCard {
	card := c.body(it, k)
	card.Related = c.relatedOf(it)
	return card
}

// body returns the (cached) card of an item without its related stories: ranking a
// digest's stories needs only that (which quote a card shows), and only the stories
// shown need their related ones.
func (c *Composer) body(it Item, k int) StoryCard {
	key := cardKey{it.ID, k}
	if it.ID != 0 {
		c.mu.Lock()
		card, ok := c.cards[key]
		c.mu.Unlock()
		if ok {
			return card
		}
	}
	card := cardBody(it, k)
	if it.ID != 0 {
		c.mu.Lock()
		c.cards[key] = card
		c.mu.Unlock()
	}
	return card
}

// earlierFeatures are the earlier items counted for related stories, once.
func (c *Composer) earlierFeatures() *relatedFeatures {
	c.earlierOnce.Do(func() { c.earlierF = c.g.candidateFeatures(c.earlier) })
	return c.earlierF
}

// relatedOf returns the (cached) related earlier public items of an item.
func (c *Composer) relatedOf(it Item) []Item {
	if it.ID != 0 {
		c.mu.Lock()
		r, ok := c.related[it.ID]
		c.mu.Unlock()
		if ok {
			return r
		}
	}
	r := c.g.relatedAmong(it, c.earlierFeatures(), 3)
	if it.ID != 0 {
		c.mu.Lock()
		c.related[it.ID] = r
		c.mu.Unlock()
	}
	return r
}

// haystack returns an item's lower-cased title and text, computed once per pool item.
func (c *Composer) haystack(it Item) string {
	if h, ok := c.hay[it.ID]; ok && it.ID != 0 {
		return h
	}
	return Haystack(it)
}

// filter applies the feed choice and the filters to items, in order, within the
// budget. It returns the items kept with their include hits.
func (c *Composer) filter(ctx context.Context, items []Item, prefs Preferences, f *Filter, dg *Digest) ([]Item, []int, error) {
	feeds := map[string]bool{}
	for _, u := range prefs.Feeds {
		feeds[u] = true
	}
	var kept []Item
	var hits []int
	start := time.Now()
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if len(feeds) > 0 && !feeds[it.FeedURL] {
			dg.Filtered++
			continue
		}
		if !f.Empty() && prefs.FilterBudget > 0 && time.Since(start) > prefs.FilterBudget {
			dg.FilterTruncated = len(items) - i
			break
		}
		keep, n := f.Match(c.haystack(it))
		if !keep {
			dg.Filtered++
			continue
		}
		kept = append(kept, it)
		hits = append(hits, n)
	}
	if !f.Empty() {
		dg.FilterTime = time.Since(start)
	}
	return kept, hits, nil
}

// storyIndex maps title terms to the pool's stories, through each story's first
// report: the candidates a reader's own item is compared with.
func (c *Composer) storyIndex() map[string][]int {
	c.indexOnce.Do(func() {
		c.index = map[string][]int{}
		for g, ms := range c.members {
			c.numbers = max(c.numbers, g+1)
			for term := range c.titleTerms(ms[0]) {
				c.index[term] = append(c.index[term], g)
			}
		}
	})
	return c.index
}

// titleTerms are the stems of an item's title, as story matching weighs them.
func (c *Composer) titleTerms(it Item) map[string]bool {
	f := c.g.features(Item{Title: it.Title, Lang: it.Lang})
	out := make(map[string]bool, len(f.terms))
	for t := range f.terms {
		out[t] = true
	}
	return out
}

// maxOwnCandidates bounds the public stories a reader's own item is compared with: those
// whose first report's title shares the most telling title terms with it, each term
// weighed as grouping weighs it, by how few stories have it (review 71: titles made of
// the commonest words were compared with every story, 3.5 s a digest of 300 such items
// over 4,000 stories). As many as grouping compares an item with (maxCandidates).
const maxOwnCandidates = maxCandidates

// ownCandidates are the public stories, among those in this digest (members), that a
// reader's own item is compared with: the maxOwnCandidates whose first reports' titles
// share the most weight of title terms with it, in story order. weights is scratch
// space, one per story number, all zero, and left so.
func (c *Composer) ownCandidates(index map[string][]int, it Item, members map[int][]int, weights []float64) []int {
	n := float64(len(c.members))
	var touched []int
	for term := range c.titleTerms(it) {
		posting := index[term]
		w := math.Log(1 + n/float64(len(posting)+1))
		for _, g := range posting {
			if g >= len(weights) || members[g] == nil {
				continue // not in this reader's digest
			}
			if weights[g] == 0 {
				touched = append(touched, g)
			}
			weights[g] += w
		}
	}
	if len(touched) > maxOwnCandidates {
		type shared struct {
			g int
			w float64
		}
		ranked := make([]shared, len(touched))
		for k, g := range touched {
			ranked[k] = shared{g, weights[g]}
		}
		slices.SortFunc(ranked, func(a, b shared) int { return cmp.Or(cmp.Compare(b.w, a.w), cmp.Compare(a.g, b.g)) })
		for _, g := range touched {
			weights[g] = 0
		}
		touched = touched[:0]
		for _, r := range ranked[:maxOwnCandidates] {
			touched = append(touched, r.g)
		}
	}
	for _, g := range touched {
		weights[g] = 0
	}
	slices.Sort(touched)
	return touched
}

// stories groups kept items: public ones by the pool's stories; a reader's own items
// join the public story they report (the best match at SameStoryThreshold or above,
// among the stories whose first report shares a title term with it), else group among
// themselves.
func (c *Composer) stories(ctx context.Context, kept []Item) (members map[int][]int, order []int, err error) {
	members = map[int][]int{}
	var own []int
	for i, it := range kept {
		g, ok := c.story[it.ID]
		if !ok || it.ID == 0 {
			own = append(own, i)
			continue
		}
		if _, seen := members[g]; !seen {
			order = append(order, g)
		}
		members[g] = append(members[g], i)
	}
	var alone []Item
	var aloneIdx []int
	index := c.storyIndex()
	var weights []float64
	for _, i := range own {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		best, bestScore := -1, SameStoryThreshold
		if weights == nil {
			weights = make([]float64, c.numbers)
		}
		for _, g := range c.ownCandidates(index, kept[i], members, weights) {
			if s := c.g.SameStoryScore(kept[i], c.members[g][0]); s >= bestScore {
				best, bestScore = g, s
			}
		}
		if best >= 0 {
			members[best] = append(members[best], i)
			continue
		}
		alone = append(alone, kept[i])
		aloneIdx = append(aloneIdx, i)
	}
	grouped, err := c.g.GroupContext(ctx, alone)
	if err != nil {
		return nil, nil, err
	}
	next := -1
	local := map[int]int{}
	for k, g := range grouped {
		id, ok := local[g]
		if !ok {
			id, next = next, next-1
			local[g] = id
			order = append(order, id)
		}
		members[id] = append(members[id], aloneIdx[k])
	}
	return members, order, nil
}

// Reports returns the other reports, among items, of the story the item with ID id is
// part of: items grouped exactly as a digest of them would be (the pool's stories, and
// any item outside the pool joining the story it reports). The item itself is left out.
func (c *Composer) Reports(ctx context.Context, items []Item, id uint64) ([]Item, error) {
	members, order, err := c.stories(ctx, items)
	if err != nil {
		return nil, err
	}
	for _, g := range order {
		idx := members[g]
		if !slices.ContainsFunc(idx, func(i int) bool { return items[i].ID == id }) {
			continue
		}
		var out []Item
		for _, i := range idx {
			if items[i].ID != id {
				out = append(out, items[i])
			}
		}
		return out, nil
	}
	return nil, nil
}

// Compose builds one subscriber's digest from items (a subset of the pool, plus the
// subscriber's own items), given newest first.
func (c *Composer) Compose(items []Item, prefs Preferences, now time.Time) (Digest, error) {
	return c.ComposeContext(context.Background(), items, prefs, now)
}

// ComposeContext is Compose that stops, with ctx's error, when ctx ends.
func (c *Composer) ComposeContext(ctx context.Context, items []Item, prefs Preferences, now time.Time) (Digest, error) {
	compiling := time.Now()
	f, err := prefs.CompileFilters()
	if err != nil {
		return Digest{}, err
	}
	compiled := time.Since(compiling)
	if prefs.MaxStories <= 0 {
		prefs.MaxStories = DefaultMaxStories
	}
	if prefs.SummarySentences <= 0 {
		prefs.SummarySentences = DefaultSummarySentences
	}
	var dg Digest
	kept, hits, err := c.filter(ctx, items, prefs, f, &dg)
	if err != nil {
		return Digest{}, err
	}
	if !f.Empty() {
		dg.FilterTime += compiled // costly filters go to the slow lane however they cost
	}
	members, order, err := c.stories(ctx, kept)
	if err != nil {
		return Digest{}, err
	}
	b := batch{items: kept, hits: hits, own: map[string]bool{}, words: make([]int, len(kept))}
	for _, u := range prefs.OwnFeeds {
		b.own[u] = true
	}
	for i, it := range kept {
		n, ok := c.words[it.ID]
		if !ok || it.ID == 0 {
			n = len(strings.Fields(it.Text))
		}
		b.words[i] = n
	}
	candidates := make([]*candidate, 0, len(order))
	for _, g := range order {
		if err := ctx.Err(); err != nil {
			return Digest{}, err
		}
		cand := c.candidate(b, members[g], now)
		if sid := c.storyID[g]; sid != 0 {
			cand.storyID = sid
			if ms := c.members[g]; len(ms) > 0 {
				cand.followItem = ms[0].ID
			}
			cand.followed = prefs.Developed[sid]
		}
		cand.bound = cand.score(true)
		candidates = append(candidates, cand)
	}
	if err := c.fill(ctx, &dg, c.ranked(ctx, b, candidates, prefs), prefs); err != nil {
		return Digest{}, err
	}
	return dg, nil
}

// batch is the items a digest is composed from, after filtering, with what ranking
// needs to know of each.
type batch struct {
	items []Item
	hits  []int           // include-filter hits per item
	words []int           // words of text per item
	own   map[string]bool // the subscriber's own feeds
}

// candidate is one story that may make the digest: its card (built when ranking
// needs it) and the report it is told from.
type candidate struct {
	card     StoryCard
	built    bool
	best     Item
	members  []int // indexes into the batch, best first
	followed bool  // a followed story that developed: first, never left out as a repeat
	storyID  uint64
	// followItem is the story's first public report, for its follow button.
	followItem uint64
	// fresh is the score before a card is built: freshness, sources, filter hits.
	fresh float64
	// bound is the score with a quote: no card can score more.
	bound float64
	order int // place in the story order, the last tie-break
}

// followedFirst lifts a followed story that developed above any other score.
const followedFirst = 1000

// quoteBonus is what a card showing a quote adds to its story's score.
const quoteBonus = 0.1

// score is the candidate's score, with or without a quote (in the order it was always
// summed, so scores are bit for bit what they were).
func (cand *candidate) score(quote bool) float64 {
	s := cand.fresh
	if quote {
		s += quoteBonus
	}
	if cand.followed {
		s += followedFirst
	}
	return s
}

// candidate scores one story (members are indexes into b.items) before its card is
// built: fresher, more widely reported, matching more filters.
func (c *Composer) candidate(b batch, members []int, now time.Time) *candidate {
	idx := members
	// Best source: the subscriber's own feed, then the fullest text, then earliest.
	sort.SliceStable(idx, func(x, y int) bool {
		ia, ib := b.items[idx[x]], b.items[idx[y]]
		if b.own[ia.FeedURL] != b.own[ib.FeedURL] {
			return b.own[ia.FeedURL]
		}
		if la, lb := b.words[idx[x]], b.words[idx[y]]; la != lb {
			return la > lb
		}
		return ia.Published.Before(ib.Published)
	})
	newest := b.items[idx[0]].Published
	filterHits := b.hits[idx[0]]
	for _, j := range idx[1:] {
		if o := b.items[j]; o.Published.After(newest) {
			newest = o.Published
		}
		filterHits = max(filterHits, b.hits[j])
	}
	ageHours := math.Max(0, now.Sub(newest).Hours())
	return &candidate{best: b.items[idx[0]], members: idx,
		fresh: math.Exp(-ageHours/24) + 0.5*math.Log1p(float64(len(idx)-1)) + 0.3*float64(filterHits)}
}

// build builds the candidate's card (without related stories: only the stories shown
// get those) and its final score: a card with a quote scores a little more.
func (c *Composer) build(b batch, cand *candidate, prefs Preferences) {
	card := c.body(cand.best, prefs.SummarySentences)
	card.AlsoReportedBy = nil
	seen := map[string]bool{cand.best.Source: true}
	for _, j := range cand.members[1:] {
		o := b.items[j]
		if seen[o.Source] {
			continue
		}
		seen[o.Source] = true
		card.AlsoReportedBy = append(card.AlsoReportedBy, Source{ItemID: o.ID, Name: o.Source, URL: o.URL})
	}
	card.Score = cand.score(card.Quote != nil)
	if cand.storyID != 0 {
		card.StoryID, card.FollowItem = cand.storyID, cand.followItem
		card.Update = cand.followed
	}
	cand.card, cand.built = card, true
}

// rankEagerly, set by tests only, makes ranked build every card and sort them: the
// order the lazy ranking must give.
var rankEagerly bool

// before reports whether a ranks before b: the higher score, then the lower item ID,
// then the earlier story.
func before(a, b *candidate) bool {
	if a.card.Score != b.card.Score {
		return a.card.Score > b.card.Score
	}
	if a.card.ItemID != b.card.ItemID {
		return a.card.ItemID < b.card.ItemID
	}
	return a.order < b.order
}

// ranked yields the candidates best first, building cards only as far as the order
// needs them (review 71: every story in the window was carded, thousands a run, each
// scanning the earlier items): a built card is yielded once its score beats what any
// card still to build could score (its bound). The order is the one sorting every
// built card gives.
func (c *Composer) ranked(ctx context.Context, b batch, cands []*candidate, prefs Preferences) func(yield func(*candidate) bool) {
	for i, cand := range cands {
		cand.order = i
	}
	if rankEagerly {
		for _, cand := range cands {
			c.build(b, cand, prefs)
		}
		sort.Slice(cands, func(x, y int) bool { return before(cands[x], cands[y]) })
		return slices.Values(cands)
	}
	sort.SliceStable(cands, func(x, y int) bool { return cands[x].bound > cands[y].bound })
	return func(yield func(*candidate) bool) {
		var ready []*candidate // built, not yielded; kept best last
		next := 0
		for next < len(cands) || len(ready) > 0 {
			if n := len(ready); n > 0 && (next == len(cands) || ready[n-1].card.Score > cands[next].bound) {
				top := ready[n-1]
				ready = ready[:n-1]
				if !yield(top) {
					return
				}
				continue
			}
			if ctx.Err() != nil {
				return // fill tells: a card takes up to tens of milliseconds (review 72)
			}
			cand := cands[next]
			next++
			c.build(b, cand, prefs)
			// Insert in order; ready holds only cards within a quote's bonus of each
			// other's bounds, a handful.
			at, _ := slices.BinarySearchFunc(ready, cand, func(e, t *candidate) int {
				if before(t, e) {
					return -1
				}
				return 1
			})
			ready = slices.Insert(ready, at, cand)
		}
	}
}

// fill adds candidates, best first, until the digest is full: repeats of what the
// reader received are left out (or marked as updates) on the way, so only the stories
// shown are compared, and only they get their related stories.
func (c *Composer) fill(ctx context.Context, dg *Digest, candidates func(yield func(*candidate) bool), prefs Preferences) error {
	var withOwn *relatedFeatures // the public earlier items and the reader's own, counted once
	for cand := range candidates {
		if len(dg.Stories) == prefs.MaxStories {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		card := cand.card
		skip := false
		for _, old := range prefs.Received {
			if cand.followed {
				break
			}
			if same, material := c.g.UpdateOf(cand.best, old); same {
				skip, card.Update = !material, material
				break
			}
		}
		if skip {
			dg.AlreadyReceived++
			continue
		}
		if len(prefs.OwnEarlier) > 0 {
			if withOwn == nil {
				withOwn = c.g.with(c.earlierFeatures(), prefs.OwnEarlier)
			}
			card.Related = c.g.relatedAmong(cand.best, withOwn, 3)
		} else {
			card.Related = c.relatedOf(cand.best)
		}
		dg.Stories = append(dg.Stories, card)
	}
	if len(dg.Stories) < prefs.MaxStories {
		return ctx.Err() // the ranking stopped for it, or ran out of stories
	}
	return nil
}
