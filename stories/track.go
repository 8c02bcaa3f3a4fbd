package stories

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/internal/panics"
	"github.com/newsbot/newsbot/storage"
)

// StoryStore is what following stories needs of the database, beside Store. A Store
// without it (NoStore) tracks no stories.
type StoryStore interface {
	ReportsAfter(ctx context.Context, after uint64, since time.Time, keep func(feedURL string) bool, limit, maxBytes int) ([]storage.Item, uint64, error)
	StoryCursor(ctx context.Context) (cursor, nextID uint64, err error)
	OpenStories(ctx context.Context) ([]storage.Story, error)
	Story(ctx context.Context, id uint64) (storage.Story, error)
	SaveStories(ctx context.Context, b storage.StoryBatch) error
	ItemStories(ctx context.Context, ids []uint64) (map[uint64]uint64, error)
	FollowedStoryIDs(ctx context.Context) (map[uint64]bool, error)
}

// Tracking settles how stories are followed.
type Tracking struct {
	// UpdateEvery: after the first update, at most one per story per reader this
	// often; what arrives meanwhile goes out, merged, when the window ends (default 3h).
	UpdateEvery time.Duration
	// CloseAfter: a story that no report joined for this long closes (default 72h, the
	// grouping window).
	CloseAfter time.Duration
	// FollowFor: following lapses this long after the story's last report (default 7 days).
	FollowFor time.Duration
}

// DefaultTracking is what newsbot uses.
var DefaultTracking = Tracking{UpdateEvery: 3 * time.Hour, CloseAfter: 72 * time.Hour, FollowFor: 7 * 24 * time.Hour}

func (t Tracking) withDefaults() Tracking {
	d := DefaultTracking
	for _, f := range []struct{ dst, src *time.Duration }{{&d.UpdateEvery, &t.UpdateEvery}, {&d.CloseAfter, &t.CloseAfter}, {&d.FollowFor, &t.FollowFor}} {
		if *f.src > 0 {
			*f.dst = *f.src
		}
	}
	return d
}

// Tracking returns the settings in use.
func (s *Service) Tracking() Tracking { return s.opts.Tracking }

// trackMax is how many reports one pass places, and trackMaxBytes how much of their
// text it holds; a backlog is placed over several passes.
const (
	trackMax      = 20000
	trackMaxBytes = 64 << 20
)

// TrackResult is what a tracker pass did.
type TrackResult struct {
	Placed    int      // reports placed into stories
	New       int      // stories started
	Developed []uint64 // stories that gained a development (new facts)
	// Threads maps each story a developed one carries on (back along Continues) to
	// the developed stories that carry it on: its cards, as the developed stories'
	// followers see them, list the new development too.
	Threads map[uint64][]uint64
	Closed  int
}

// Track places the reports stored since the last pass into stories, one at a time
// as they arrived (public feeds only: a reader's own feed is nobody else's story),
// records each story's developments (its first report, then every report with new
// facts), closes stories that went quiet, and schedules followers' updates, all saved
// pass by pass. It is safe to call at any time; concurrent calls wait for each other.
func (s *Service) Track(ctx context.Context) (TrackResult, error) {
	if s.storyStore == nil {
		return TrackResult{}, nil
	}
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	res, err := s.trackCaught(ctx)
	// Developments placed by passes that did not report them (a digest run's) are
	// reported now, so their cards are redrawn too.
	res.Developed = append(s.developed, res.Developed...)
	s.developed = nil
	slices.Sort(res.Developed)
	res.Developed = slices.Compact(res.Developed)
	if err != nil {
		// What was saved before the error waits for the next Track, whose caller
		// redraws its cards (review 65: a caller stops at the error).
		s.developed = res.Developed
		return res, err
	}
	res.Threads = s.threadsOf(ctx, res.Developed)
	return res, nil
}

// threadsOf maps the stories that ids carry on, back along each Continues chain, to
// the ids that carry them on. A story it cannot read ends its chain (logged): the
// pass is saved, and its updates still go out.
func (s *Service) threadsOf(ctx context.Context, ids []uint64) map[uint64][]uint64 {
	out := map[uint64][]uint64{}
	for _, dev := range ids {
		id := dev
		for range storage.MaxContinuations {
			st, err := s.storyStore.Story(ctx, id)
			if err != nil {
				if !errors.Is(err, storage.ErrNotFound) {
					s.log.Warn("story thread: cannot read a story; its earlier cards stay as they are", "story", id, "error", err)
				}
				break
			}
			if st.Continues == 0 || st.Continues == st.ID || st.Continues == dev || slices.Contains(out[st.Continues], dev) {
				break
			}
			id = st.Continues
			out[id] = append(out[id], dev)
		}
	}
	return out
}

// trackQuietly is Track for a caller that does not act on developments: they wait for
// the next Track.
func (s *Service) trackQuietly(ctx context.Context) error {
	if s.storyStore == nil {
		return nil
	}
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	res, err := s.trackCaught(ctx)
	s.developed = append(s.developed, res.Developed...)
	return err
}

// trackCaught is track, with a panic outside placing (which skips the report) taken
// as the pass's error: digests go on without the pass, and the index is rebuilt from
// what was saved at the next.
func (s *Service) trackCaught(ctx context.Context) (res TrackResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.index = nil
			err = fmt.Errorf("track stories: panic: %v", r)
			if stack := panics.Recovered("story tracking pass"); stack != "" {
				s.log.Error("a story tracking pass panicked", "panic", fmt.Sprint(r), "stack", stack)
			}
		}
	}()
	err = s.track(ctx, &res) // res keeps what was saved before a panic
	return res, err
}

func (s *Service) track(ctx context.Context, res *TrackResult) error {
	if err := s.loadIndex(ctx); err != nil {
		return err
	}
	now := s.opts.Now()
	t := s.opts.Tracking
	// Everything that arrived since the last pass is placed together: a poll's reports
	// are weighed against each other, as a digest run weighs its items. Readers' own
	// feeds make no stories, nor does a backlog older than a story lives.
	items, last, err := s.storyStore.ReportsAfter(ctx, s.cursor, now.Add(-t.CloseAfter),
		func(feedURL string) bool { return s.catalogue[feedURL] }, trackMax, trackMaxBytes)
	if err != nil {
		return fmt.Errorf("track stories: %w", err)
	}
	followed, err := s.storyStore.FollowedStoryIDs(ctx)
	if err != nil {
		return fmt.Errorf("track stories: %w", err)
	}
	if err := s.reopenFollowed(ctx, followed, now); err != nil {
		return err
	}
	s.index.SetFollowed(followed)
	if last != s.cursor {
		p := &pass{followed: followed, now: now, res: res}
		err := s.placeAndSave(ctx, p, items, last)
		if p.first != nil && p.skipped == 0 && !p.skippedRun {
			// A panic that placing in halves did not meet again (it depends on what
			// else is placed with a report), or did not get to before an error, must
			// not pass unseen (reviews 66, 67).
			args := []any{"reports", len(items), "panic", p.first.value}
			if panics.Noted("place reports") {
				args = append(args, "stack", p.first.stack)
			}
			s.log.Error("placing reports into stories panicked, and no report was left out for it", args...)
		}
		if err != nil {
			return err
		}
	}
	if closed := s.index.Close(now.Add(-t.CloseAfter)); len(closed) > 0 {
		res.Closed = len(closed)
		if err := s.storyStore.SaveStories(ctx, storage.StoryBatch{Closed: closed, Cursor: s.cursor,
			NextID: s.index.NextID(), Now: now, UpdateEvery: t.UpdateEvery}); err != nil {
			s.index = nil
			return err
		}
	}
	if res.Placed > 0 {
		s.log.Debug("stories tracked", "placed", res.Placed, "new", res.New, "developed", len(res.Developed), "open", s.index.Open())
	}
	return nil
}

// maxSkipsPerPass bounds the reports a pass leaves out of stories one at a time: each
// costs rebuilding the index from the store once per halving (review 65: a pass of
// reports that all panicked took 22 ms a report, minutes at trackMax, every digest
// waiting). Past it, the rest of the pass is left out at once.
const maxSkipsPerPass = 8

// pass is one tracker pass's placing.
type pass struct {
	followed   map[uint64]bool
	now        time.Time
	res        *TrackResult
	skipped    int         // reports left out of stories, one at a time
	skippedRun bool        // a run of reports left out at once
	first      *placePanic // the pass's first panic
}

// placeAndSave places items (a run of the pass's reports, in ID order), saves them with the cursor at after,
// and moves the cursor there. A report whose placing panics is left out, and the rest
// keep their stories: the tracker is shared, and before, one such report failed every
// chat's digest at every run, the cursor never passing it (review 64). The index is
// rebuilt from what was saved, and the run placed again in halves down to the report.
func (s *Service) placeAndSave(ctx context.Context, p *pass, items []storage.Item, after uint64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("track stories: %w", err)
	}
	before := *p.res
	before.Developed = slices.Clone(p.res.Developed)
	batch, err := s.placeCaught(ctx, items, p.now, p.res)
	var pp *placePanic
	if errors.As(err, &pp) {
		if p.first == nil {
			p.first = pp
		}
		*p.res = before
		s.index = nil
		if err := s.loadIndex(ctx); err != nil {
			return err
		}
		s.index.SetFollowed(p.followed)
		if len(items) > 1 && p.skipped < maxSkipsPerPass {
			mid := len(items) / 2
			if err := s.placeAndSave(ctx, p, items[:mid], items[mid-1].ID); err != nil {
				return err
			}
			return s.placeAndSave(ctx, p, items[mid:], after)
		}
		args := []any{"reports", len(items), "first", items[0].ID, "panic", pp.value}
		if panics.Noted("place a report") {
			args = append(args, "stack", pp.stack)
		}
		if len(items) == 1 {
			p.skipped++
			s.log.Error("placing a report into a story panicked; it stays out of stories", args...)
		} else {
			p.skippedRun = true
			s.log.Error("placing reports into stories panicked again and again; the rest of the pass stays out of stories", args...)
		}
		batch = storage.StoryBatch{NextID: s.index.NextID(), Now: p.now, UpdateEvery: s.opts.Tracking.UpdateEvery}
	} else if err != nil {
		*p.res = before // only what was saved is reported
		s.index = nil   // placed in part in memory: reload from what was saved
		return err
	}
	batch.Cursor = after
	if err := s.saveBatch(ctx, batch, func() { *p.res = before }); err != nil {
		*p.res = before
		s.index = nil // placed in memory, not saved: reload from what was
		return err
	}
	s.cursor = after
	return nil
}

// saveBatch saves b; a panic in saving calls unsaved on its way up (trackCaught takes
// it), so that the batch's developments are not reported (review 67).
func (s *Service) saveBatch(ctx context.Context, b storage.StoryBatch, unsaved func()) error {
	defer func() {
		if r := recover(); r != nil {
			unsaved()
			panic(r)
		}
	}()
	return s.storyStore.SaveStories(ctx, b)
}

// placePanic is a panic in place, as an error.
type placePanic struct {
	value, stack string
}

func (p *placePanic) Error() string { return "track stories: placing reports panicked: " + p.value }

// placeCaught is place, with a panic taken as a *placePanic (counted once the report
// is found: placeAndSave).
func (s *Service) placeCaught(ctx context.Context, items []storage.Item, now time.Time, res *TrackResult) (b storage.StoryBatch, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &placePanic{value: fmt.Sprint(r), stack: string(debug.Stack())}
		}
	}()
	return s.place(ctx, items, now, res)
}

// loadIndex builds the index from the stored open stories, once per process (and
// again after a failed save).
func (s *Service) loadIndex(ctx context.Context) error {
	if s.index != nil {
		return nil
	}
	cursor, next, err := s.storyStore.StoryCursor(ctx)
	if err != nil {
		return fmt.Errorf("track stories: %w", err)
	}
	open, err := s.storyStore.OpenStories(ctx)
	if err != nil {
		return fmt.Errorf("track stories: %w", err)
	}
	index := digest.NewStoryIndex(s.grouper, digest.GroupOptions{}, next)
	for _, st := range open {
		reports, err := s.reportsOf(ctx, st)
		if err != nil {
			return err
		}
		index.Restore(st.ID, reports, st.Last)
	}
	for _, st := range open {
		index.Continues(st.ID, st.Continues)
	}
	// Then each story's newest continuation, wherever merges took it: it is where the
	// followers went last, so it wins over an older link.
	for _, st := range open {
		if n := len(st.ContinuedBy); n > 0 {
			// The latest story that carries this one on, wherever merges took it.
			if c, err := s.storyStore.Story(ctx, st.ContinuedBy[n-1]); err == nil && c.ID != st.ID {
				index.Continues(c.ID, st.ID)
			}
		}
	}
	s.index, s.cursor = index, cursor
	return nil
}

// placeFault, set by tests only, is called on each report as it is placed: no report
// reaches a panic today (the engine is fuzzed), so tests plant one to prove that a
// panic costs one report.
var placeFault func(storage.Item)

// place puts items into stories and returns what to save.
func (s *Service) place(ctx context.Context, items []storage.Item, now time.Time, res *TrackResult) (storage.StoryBatch, error) {
	b := storage.StoryBatch{Items: map[uint64]uint64{}, Merged: map[uint64]uint64{}, Now: now,
		UpdateEvery: s.opts.Tracking.UpdateEvery}
	created := map[uint64]bool{} // stories this batch started
	changed := map[uint64]*storage.StoryChange{}
	var order []uint64
	story := func(id uint64) (*storage.StoryChange, error) {
		if c, ok := changed[id]; ok {
			return c, nil
		}
		st, err := s.storyStore.Story(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			st = storage.Story{ID: id}
		} else if err != nil {
			return nil, fmt.Errorf("track stories: %w", err)
		}
		c := &storage.StoryChange{Story: st}
		changed[id] = c
		order = append(order, id)
		return c, nil
	}
	placed := items
	reports := toDigestItems(items)
	for k, p := range s.index.AddAll(reports, now) {
		it, di := placed[k], reports[k]
		if placeFault != nil {
			placeFault(it)
		}
		id, isNew, absorbed := p.Story, p.New, p.Absorbed
		c, err := story(id)
		if err != nil {
			return b, err
		}
		c.Story.Closed = false // the index holds it, so it is open (a followed story taken back)
		res.Placed++
		for _, a := range absorbed {
			o, err := story(a)
			if err != nil {
				return b, err
			}
			absorb(&c.Story, o.Story)
			o.Story.MergedInto, o.Story.Closed = id, true
			b.Merged[a] = id
		}
		known := digest.FactsFromStrings(c.Story.Facts)
		dev := digest.DevelopmentOf(known, di)
		switch {
		case isNew || c.Story.Count == 0:
			res.New++
			created[id] = true
			c.Story.Title, c.Story.First = it.Title, it.Added
			c.Story.Timeline = append(c.Story.Timeline, development(it, di, leadSentences(di)))
		case dev.Material:
			d := development(it, di, dev.Sentences)
			c.Story.Timeline = append(c.Story.Timeline, d)
			c.New = append(c.New, d)
			if !slices.Contains(res.Developed, id) {
				res.Developed = append(res.Developed, id)
			}
		}
		if p.Continues != 0 && isNew {
			// A story that carries on a followed one: its followers follow it now, and
			// hear of it when it brings facts the followed story did not have.
			followed, err := s.storyStore.Story(ctx, p.Continues)
			if f, ok := changed[p.Continues]; ok {
				followed, err = f.Story, nil
			}
			switch {
			case errors.Is(err, storage.ErrNotFound): // pruned meanwhile: nothing to carry on
			case err != nil:
				return b, fmt.Errorf("track stories: %w", err)
			default:
				f, err := story(followed.ID)
				if err != nil {
					return b, err
				}
				f.Story.ContinuedBy = append(f.Story.ContinuedBy, id)
				if n := len(f.Story.ContinuedBy) - storage.MaxContinuations; n > 0 {
					f.Story.ContinuedBy = append([]uint64(nil), f.Story.ContinuedBy[n:]...)
				}
				c.Story.Continues = followed.ID
				b.Continued = append(b.Continued, storage.Continuation{Story: id, Followed: followed.ID})
				if cont := digest.DevelopmentOf(digest.FactsFromStrings(followed.Facts), di); cont.Material {
					c.New = append(c.New, development(it, di, cont.Sentences))
					res.Developed = append(res.Developed, id)
				}
			}
		}
		c.Story.Facts = known.With(dev.Report).Strings() // every report taken in, told or not
		c.Story.Reports = append(c.Story.Reports, it.ID)
		c.Story.Count++
		c.Story.Last = it.Added
		trimStory(&c.Story)
		b.Items[it.ID] = id
	}
	// Merges and placements point at the final survivor of the batch (a story absorbed
	// by one that was absorbed in turn), so storage never sees a chain.
	final := func(id uint64) uint64 {
		for range 64 {
			into, ok := b.Merged[id]
			if !ok {
				break
			}
			id = into
		}
		return id
	}
	for item, id := range b.Items {
		b.Items[item] = final(id)
	}
	for from := range b.Merged {
		b.Merged[from] = final(from)
	}
	// Continuations move followers in placement order, before the batch's merges: from
	// the followed story as it stood (a story this batch started holds them where it
	// ended up) to where the new story ended up.
	var continued []storage.Continuation
	for _, c := range b.Continued {
		from := c.Followed
		if created[from] {
			from = final(from)
		}
		if to := final(c.Story); to != from {
			continued = append(continued, storage.Continuation{Story: to, Followed: from})
		}
	}
	b.Continued = continued
	for _, id := range order {
		c := *changed[id]
		if c.Story.MergedInto != 0 {
			c.Story.MergedInto = final(id)
		}
		b.Changes = append(b.Changes, c)
	}
	b.NextID = s.index.NextID()
	return b, nil
}

// absorb folds story o (merged into s) into s: reports, facts and timeline.
func absorb(s *storage.Story, o storage.Story) {
	s.Reports = append(s.Reports, o.Reports...)
	slices.Sort(s.Reports)
	s.Reports = slices.Compact(s.Reports)
	s.Count += o.Count
	s.Facts = digest.FactsFromStrings(s.Facts).With(digest.FactsFromStrings(o.Facts)).Strings()
	s.Timeline = append(s.Timeline, o.Timeline...)
	slices.SortStableFunc(s.Timeline, func(a, b storage.Development) int { return a.At.Compare(b.At) })
	s.Earlier += o.Earlier
	if s.Continues == 0 && o.Continues != s.ID {
		s.Continues = o.Continues
	}
	s.ContinuedBy = append(s.ContinuedBy, o.ContinuedBy...)
	if n := len(s.ContinuedBy) - storage.MaxContinuations; n > 0 {
		s.ContinuedBy = append([]uint64(nil), s.ContinuedBy[n:]...)
	}
	if o.First.Before(s.First) || s.First.IsZero() {
		s.First, s.Title = o.First, o.Title
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	trimStory(s)
}

// trimStory keeps a story's lists within their bounds (the newest entries).
func trimStory(s *storage.Story) {
	if n := len(s.Reports) - storage.MaxStoryReports; n > 0 {
		s.Reports = append([]uint64(nil), s.Reports[n:]...)
	}
	if n := len(s.Timeline) - storage.MaxTimeline; n > 0 {
		s.Timeline = append([]storage.Development(nil), s.Timeline[n:]...)
		s.Earlier += n
	}
}

// Clipping of what a development keeps: it is copied into the story's timeline and
// into every follower's pending and held updates.
const (
	maxDevelopmentSentence = 600 // runes
	maxDevelopmentTitle    = 300
)

func development(it storage.Item, di digest.Item, sentences []string) storage.Development {
	at := it.Published
	if at.IsZero() {
		at = it.Added
	}
	var kept []string
	for _, s := range sentences[:min(2, len(sentences))] {
		kept = append(kept, clip(s, maxDevelopmentSentence))
	}
	return storage.Development{ItemID: it.ID, At: at, Source: clip(sourceName(di), maxDevelopmentTitle), URL: it.URL,
		Title: clip(it.Title, maxDevelopmentTitle), Sentences: kept}
}

// clip cuts s to n runes, with an ellipsis when it cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// reopenFollowed takes back into the index the followed stories it does not hold (a
// closed story a chat follows, or one a restart did not load), while their follow has
// not lapsed. Unfollowed, the index closes it again.
func (s *Service) reopenFollowed(ctx context.Context, followed map[uint64]bool, now time.Time) error {
	for id := range followed {
		if s.index.Has(id) {
			continue
		}
		st, err := s.storyStore.Story(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("track stories: %w", err)
		}
		if st.ID != id || s.Lapsed(st, now) { // closed or not: the follow holds it
			continue
		}
		reports, err := s.reportsOf(ctx, st)
		if err != nil {
			return err
		}
		s.index.Restore(st.ID, reports, st.Last)
	}
	return nil
}

// reports are a stored story's reports still stored.
func (s *Service) reportsOf(ctx context.Context, st storage.Story) ([]digest.Item, error) {
	var out []digest.Item
	for _, id := range st.Reports {
		it, err := s.store.Item(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // pruned
		}
		if err != nil {
			return nil, fmt.Errorf("track stories: reopen story %d: %w", st.ID, err)
		}
		out = append(out, ToDigestItem(it))
	}
	return out, nil
}

// leadSentences is how a story's first report is told in its timeline: its lead.
func leadSentences(it digest.Item) []string {
	for _, s := range digest.SplitSentences(it.Text) {
		if t := strings.TrimSpace(s.Text); len(strings.Fields(t)) >= 5 {
			return []string{t}
		}
	}
	return nil
}

// StoryOf returns the story a stored public item was placed in (0: none yet, or a
// private item).
func (s *Service) StoryOf(ctx context.Context, item uint64) (uint64, error) {
	if s.storyStore == nil {
		return 0, nil
	}
	m, err := s.storyStore.ItemStories(ctx, []uint64{item})
	if err != nil {
		return 0, err
	}
	return m[item], nil
}

// itemStories maps the items to their stories (none when stories are not tracked).
func (s *Service) itemStories(ctx context.Context, items []storage.Item) (map[uint64]uint64, error) {
	if s.storyStore == nil || len(items) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	m, err := s.storyStore.ItemStories(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("stories of the run: %w", err)
	}
	return m, nil
}

// FollowStore is what following needs beside StoryStore.
type FollowStore interface {
	FollowedStories(ctx context.Context, chat int64) ([]storage.FollowedStory, error)
}

// followedSince returns the stories chat follows that developed since since, and the
// developments held back for its digest in quiet hours.
func (s *Service) followedSince(ctx context.Context, chat int64, since, now time.Time) (map[uint64]bool, []digest.HeldUpdate, error) {
	fs, ok := s.store.(FollowStore)
	if !ok {
		return nil, nil, nil
	}
	follows, err := fs.FollowedStories(ctx, chat)
	if err != nil {
		return nil, nil, err
	}
	// The follows told longest ago are told first: a digest tells as many as fit in a
	// message and holds the rest, so in story order the same first ones, developing
	// again, kept the others waiting for good (review 73), and by their oldest held
	// development a story developing more than the held list keeps was never told
	// (review 74).
	slices.SortStableFunc(follows, func(a, b storage.FollowedStory) int {
		return cmp.Or(a.Follow.Told.Compare(b.Follow.Told), cmp.Compare(a.Story.ID, b.Story.ID))
	})
	developed := map[uint64]bool{}
	var held []digest.HeldUpdate
	for _, f := range follows {
		if s.Lapsed(f.Story, now) {
			continue
		}
		for _, d := range f.Story.Timeline[min(1, len(f.Story.Timeline)):] {
			if d.At.After(since) && d.At.After(f.Follow.Since) {
				developed[f.Story.ID] = true
			}
		}
		if len(f.Follow.Held) > 0 {
			held = append(held, digest.HeldUpdate{Story: f.Story.ID, StoryTitle: cmp.Or(f.Follow.Title, f.Story.Title), Entries: TimelineOf(f.Follow.Held)})
			developed[f.Story.ID] = true
		}
	}
	return developed, held, nil
}

// Lapsed reports whether following st has lapsed at now (FollowFor after its last report).
func (s *Service) Lapsed(st storage.Story, now time.Time) bool {
	return st.Last.Add(s.opts.Tracking.FollowFor).Before(now)
}

// TimelineOf turns stored developments into the digest engine's timeline entries.
func TimelineOf(devs []storage.Development) []digest.TimelineEntry {
	out := make([]digest.TimelineEntry, 0, len(devs))
	for _, d := range devs {
		out = append(out, digest.TimelineEntry{ItemID: d.ItemID, At: d.At, Source: d.Source, URL: d.URL,
			Title: d.Title, Sentences: d.Sentences})
	}
	return out
}
