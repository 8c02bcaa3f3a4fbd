package digest

import (
	"math"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Item is one news item as the digest engine sees it.
type Item struct {
	ID        uint64
	Title     string
	Text      string
	URL       string
	Source    string // the feed or outlet name
	FeedURL   string
	Published time.Time
	Lang      string
}

// storyFeatures is what story matching compares: weighted stems of the title and
// lead, and the names and numbers they mention.
type storyFeatures struct {
	terms    map[string]float64 // stem -> weight (title words count double)
	entities map[string]bool    // lower-cased capitalised words and numbers
	numbers  map[string]bool
	norm     float64
}

const leadWords = 60

// featureCache keeps story features of stored items (by ID), so related-story and
// grouping passes over the same candidates do not re-tokenise them. It holds two
// generations: when the current one is full it becomes the previous one and the
// oldest generation is dropped, so memory stays bounded and recent items stay cached.
var featureCache = struct {
	sync.Mutex
	cur, prev map[uint64]cachedFeatures
}{cur: map[uint64]cachedFeatures{}, prev: map[uint64]cachedFeatures{}}

type cachedFeatures struct {
	title string
	f     storyFeatures
}

// featureCacheGen is one generation's size (about 2 KB an entry): together the two
// cover a digest run's pool and its related-story candidates.
const featureCacheGen = 5_000

func extractStoryFeatures(it Item) storyFeatures {
	if it.ID == 0 {
		return computeStoryFeatures(it)
	}
	featureCache.Lock()
	c, ok := featureCache.cur[it.ID]
	if !ok {
		if c, ok = featureCache.prev[it.ID]; ok {
			featureCache.cur[it.ID] = c // keep it through the next rotation
		}
	}
	featureCache.Unlock()
	if ok && c.title == it.Title {
		return c.f
	}
	f := computeStoryFeatures(it)
	featureCache.Lock()
	if len(featureCache.cur) >= featureCacheGen {
		featureCache.prev, featureCache.cur = featureCache.cur, map[uint64]cachedFeatures{}
	}
	featureCache.cur[it.ID] = cachedFeatures{it.Title, f}
	featureCache.Unlock()
	return f
}

func computeStoryFeatures(it Item) storyFeatures {
	lang := it.Lang
	if lang == "" {
		lang = DetectLanguage(it.Title + " " + firstWords(it.Text, 40))
	}
	tk := newTokenizer(lang)
	f := storyFeatures{terms: map[string]float64{}, entities: map[string]bool{}, numbers: map[string]bool{}}
	add := func(s string, w float64) {
		for _, st := range tk.contentStems(s) {
			f.terms[st] += w
		}
		for i, word := range strings.Fields(s) {
			clean := strings.TrimFunc(word, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if clean == "" {
				continue
			}
			r := []rune(clean)
			switch {
			case unicode.IsDigit(r[0]):
				f.numbers[clean] = true
				f.entities[clean] = true
			case unicode.IsUpper(r[0]) && (i > 0 || len(r) > 1 && unicode.IsUpper(r[1])) && !isFunctionWord(strings.ToLower(clean)):
				f.entities[tk.stem(strings.ToLower(clean))] = true
			}
		}
	}
	add(it.Title, 2)
	add(firstWords(it.Text, leadWords), 1)
	return f
}

func firstWords(s string, n int) string {
	ws := strings.Fields(s)
	if len(ws) > n {
		ws = ws[:n]
	}
	return strings.Join(ws, " ")
}

// idfTable holds document frequencies for weighting story terms.
type idfTable struct {
	df map[string]int
	n  int
}

func (t *idfTable) add(f storyFeatures) {
	t.n++
	for term := range f.terms {
		t.df[term]++
	}
}

func (t *idfTable) weight(term string) float64 {
	if t == nil || t.n == 0 {
		return 1
	}
	return math.Log(1 + float64(t.n+1)/float64(t.df[term]+1))
}

// storySimilarity scores how likely two items report the same story, in [0, 1]:
// TF-IDF cosine of title and lead, plus agreement on names, minus a penalty when both
// carry numbers and none agree (the 11th and the 12th death are different events).
func storySimilarity(a, b storyFeatures, idf *idfTable) float64 {
	dot, na, nb := 0.0, 0.0, 0.0
	for t, wa := range a.terms {
		w := idf.weight(t)
		x := wa * w
		na += x * x
		if wb, ok := b.terms[t]; ok {
			dot += x * wb * w
		}
	}
	for t, wb := range b.terms {
		y := wb * idf.weight(t)
		nb += y * y
	}
	cos := 0.0
	if na > 0 && nb > 0 {
		cos = dot / math.Sqrt(na*nb)
	}
	ent := jaccard(a.entities, b.entities)
	s := 0.75*cos + 0.25*ent
	if len(a.numbers) > 0 && len(b.numbers) > 0 && jaccard(a.numbers, b.numbers) == 0 {
		s *= 0.8
	}
	return s
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// SameStoryScore compares two items without any corpus statistics.
func SameStoryScore(a, b Item) float64 {
	return storySimilarity(extractStoryFeatures(a), extractStoryFeatures(b), nil)
}

// GroupOptions tunes GroupStories.
type GroupOptions struct {
	// Window is how far apart in time two reports of one story may be (default 72h).
	Window time.Duration
	// Threshold is the similarity needed to join a story (default SameStoryThreshold).
	Threshold float64
	// Progress, if set, is called as items are processed.
	Progress func(done, total int)
}

// SameStoryThreshold is the default similarity for "same story", tuned for precision
// on the labelled pairs in ../shared/data/stories (see BENCHMARKS.md).
var SameStoryThreshold = 0.4

// GroupStories assigns each item a story number. Items are processed in time order (by
// Published, then ID), as they would arrive from feeds, so the result does not depend
// on input order. An item joins the story whose members it resembles most on average,
// when that resemblance reaches the threshold and the story is still within the
// window; otherwise it starts a new story. The returned slice is parallel to items;
// story numbers start at 0 and follow first appearance in time order.
func GroupStories(items []Item, opts GroupOptions) []int {
	if opts.Window <= 0 {
		opts.Window = 72 * time.Hour
	}
	if opts.Threshold <= 0 {
		opts.Threshold = SameStoryThreshold
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ia, ib := items[order[a]], items[order[b]]
		if !ia.Published.Equal(ib.Published) {
			return ia.Published.Before(ib.Published)
		}
		if ia.ID != ib.ID {
			return ia.ID < ib.ID
		}
		return ia.Title < ib.Title
	})
	feats := make([]storyFeatures, len(items))
	idf := &idfTable{df: map[string]int{}}
	type story struct {
		members []int
		last    time.Time
	}
	var stories []story
	assign := make([]int, len(items))
	// postings maps a term to the stories whose members use it, so each new item is
	// compared only with stories it shares a term with, not with every open story.
	postings := map[string][]int{}
	for n, i := range order {
		if opts.Progress != nil {
			opts.Progress(n+1, len(order))
		}
		feats[i] = extractStoryFeatures(items[i])
		idf.add(feats[i])
		cands := map[int]bool{}
		common := max(50, idf.n/20) // a term in 5% of items says little
		for term := range feats[i].terms {
			if idf.df[term] > common {
				continue
			}
			for _, st := range postings[term] {
				cands[st] = true
			}
		}
		best, bestSim := -1, 0.0
		for s := range cands {
			st := stories[s]
			if items[i].Published.Sub(st.last) > opts.Window || st.last.Sub(items[i].Published) > opts.Window {
				continue
			}
			sum := 0.0
			for _, m := range st.members {
				sum += storySimilarity(feats[i], feats[m], idf)
			}
			avg := sum / float64(len(st.members))
			if avg > bestSim || (avg == bestSim && s < best) {
				best, bestSim = s, avg
			}
		}
		target := best
		if best < 0 || bestSim < opts.Threshold {
			target = len(stories)
			stories = append(stories, story{last: items[i].Published})
		}
		st := &stories[target]
		st.members = append(st.members, i)
		if items[i].Published.After(st.last) {
			st.last = items[i].Published
		}
		assign[i] = target
		for term := range feats[i].terms {
			if p := postings[term]; len(p) == 0 || p[len(p)-1] != target {
				postings[term] = append(p, target)
			}
		}
	}
	return assign
}

// RelatedThreshold is the similarity above which an earlier item counts as related
// background (looser than "same story": same topic, earlier events).
var RelatedThreshold = 0.18

// RelatedStories picks up to max earlier items about the same story as item, newest
// first: never the item itself, nor its duplicates (near-identical reports, same URL),
// nor anything published after it.
func RelatedStories(item Item, candidates []Item, max int) []Item {
	if max <= 0 || len(candidates) == 0 {
		return nil
	}
	idf := &idfTable{df: map[string]int{}}
	fi := extractStoryFeatures(item)
	idf.add(fi)
	cf := make([]storyFeatures, len(candidates))
	for k, c := range candidates {
		cf[k] = extractStoryFeatures(c)
		idf.add(cf[k])
	}
	type scored struct {
		k   int
		sim float64
	}
	var picks []scored
	for k, c := range candidates {
		if c.ID != 0 && c.ID == item.ID || (c.URL != "" && c.URL == item.URL) || strings.EqualFold(strings.TrimSpace(c.Title), strings.TrimSpace(item.Title)) {
			continue
		}
		if !item.Published.IsZero() && !c.Published.Before(item.Published) {
			continue
		}
		sim := storySimilarity(fi, cf[k], idf)
		if sim < RelatedThreshold || sim > 0.85 {
			continue // unrelated, or a duplicate of this very report
		}
		picks = append(picks, scored{k, sim})
	}
	sort.SliceStable(picks, func(a, b int) bool {
		return candidates[picks[a].k].Published.After(candidates[picks[b].k].Published)
	})
	var out []Item
	for _, p := range picks {
		if len(out) == max {
			break
		}
		out = append(out, candidates[p.k])
	}
	return out
}

// SameStoryScoreIn compares two items with document frequencies taken from corpus,
// as GroupStories does with the items seen so far.
func SameStoryScoreIn(a, b Item, corpus []Item) float64 {
	idf := &idfTable{df: map[string]int{}}
	for _, c := range corpus {
		idf.add(computeStoryFeatures(c))
	}
	return storySimilarity(computeStoryFeatures(a), computeStoryFeatures(b), idf)
}

// UpdateOf compares a new item with one the reader already received: same reports
// whether they tell the same story; material whether the new one adds facts — at least
// two names or numbers in its title and lead that the earlier report did not have.
func UpdateOf(newItem, old Item) (same, material bool) {
	nf, of := extractStoryFeatures(newItem), extractStoryFeatures(old)
	if storySimilarity(nf, of, nil) < SameStoryThreshold {
		return false, false
	}
	// What the earlier report said, in full, counts as known.
	known := extractStoryFeatures(Item{Title: old.Title, Text: old.Text, Lang: old.Lang})
	seen := map[string]bool{}
	for k := range known.entities {
		seen[k] = true
	}
	for k := range known.terms {
		seen[k] = true
	}
	for w := range wordsOf(old.Text) {
		seen[w] = true
	}
	fresh := 0
	for k := range nf.entities {
		if !seen[k] {
			fresh++
		}
	}
	return true, fresh >= 2
}

func wordsOf(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(s) {
		out[w] = true
	}
	return out
}
