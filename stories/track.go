package stories

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/storage"
)

// StoryStore is what following stories needs of the database, beside Store. A Store
// without it (NoStore) tracks no stories.
type StoryStore interface {
	ItemsAfter(ctx context.Context, after uint64, limit int) ([]storage.Item, error)
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

// trackBatch is how many new items are read at a time, and trackMax how many one pass
// places (a backlog is placed over several passes, newest last).
const (
	trackBatch = 2000
	trackMax   = 20000
)

// TrackResult is what a tracker pass did.
type TrackResult struct {
	Placed    int      // reports placed into stories
	New       int      // stories started
	Developed []uint64 // stories that gained a development (new facts)
	Closed    int
}

// Track places the reports stored since the last pass into stories, one at a time
// as they arrived (public feeds only: a reader's own feed is nobody else's story),
// records each story's developments (its first report, then every report with new
// facts), closes stories that went quiet, and schedules followers' updates, all saved
// pass by pass. It is safe to call at any time; concurrent calls wait for each other.
func (s *Service) Track(ctx context.Context) (TrackResult, error) {
	var res TrackResult
	if s.storyStore == nil {
		return res, nil
	}
	s.trackMu.Lock()
	defer s.trackMu.Unlock()
	if err := s.loadIndex(ctx); err != nil {
		return res, err
	}
	now := s.opts.Now()
	t := s.opts.Tracking
	// Everything that arrived since the last pass is placed together: a poll's reports
	// are weighed against each other, as a digest run weighs its items.
	var items []storage.Item
	for cursor := s.cursor; len(items) < trackMax; {
		more, err := s.storyStore.ItemsAfter(ctx, cursor, trackBatch)
		if err != nil {
			return res, fmt.Errorf("track stories: %w", err)
		}
		if len(more) == 0 {
			break
		}
		items = append(items, more...)
		cursor = more[len(more)-1].ID
	}
	followed, err := s.storyStore.FollowedStoryIDs(ctx)
	if err != nil {
		return res, fmt.Errorf("track stories: %w", err)
	}
	s.index.SetFollowed(followed)
	if len(items) > 0 {
		batch, err := s.place(ctx, items, now, &res)
		if err != nil {
			return res, err
		}
		if err := s.storyStore.SaveStories(ctx, batch); err != nil {
			s.index = nil // placed in memory, not saved: reload from what was
			return res, err
		}
		s.cursor = batch.Cursor
	}
	if closed := s.index.Close(now.Add(-t.CloseAfter)); len(closed) > 0 {
		res.Closed = len(closed)
		if err := s.storyStore.SaveStories(ctx, storage.StoryBatch{Closed: closed, Cursor: s.cursor,
			NextID: s.index.NextID(), Now: now, UpdateEvery: t.UpdateEvery}); err != nil {
			s.index = nil
			return res, err
		}
	}
	if res.Placed > 0 {
		s.log.Debug("stories tracked", "placed", res.Placed, "new", res.New, "developed", len(res.Developed), "open", s.index.Open())
	}
	return res, nil
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
		var reports []digest.Item
		for _, id := range st.Reports {
			it, err := s.store.Item(ctx, id)
			if errors.Is(err, storage.ErrNotFound) {
				continue // pruned
			}
			if err != nil {
				return fmt.Errorf("track stories: reopen story %d: %w", st.ID, err)
			}
			reports = append(reports, ToDigestItem(it))
		}
		index.Restore(st.ID, reports, st.Last)
	}
	s.index, s.cursor = index, cursor
	return nil
}

// place puts items into stories and returns what to save.
func (s *Service) place(ctx context.Context, items []storage.Item, now time.Time, res *TrackResult) (storage.StoryBatch, error) {
	b := storage.StoryBatch{Items: map[uint64]uint64{}, Merged: map[uint64]uint64{}, Now: now,
		UpdateEvery: s.opts.Tracking.UpdateEvery}
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
	oldest := now.Add(-s.opts.Tracking.CloseAfter)
	var placed []storage.Item
	var reports []digest.Item
	for _, it := range items {
		b.Cursor = it.ID
		// Readers' own feeds make no stories; nor does a backlog older than a story lives.
		if !s.catalogue[it.FeedURL] || it.Added.Before(oldest) {
			continue
		}
		placed = append(placed, it)
		reports = append(reports, ToDigestItem(it))
	}
	for k, p := range s.index.AddAll(reports, now) {
		it, di := placed[k], reports[k]
		id, isNew, absorbed := p.Story, p.New, p.Absorbed
		c, err := story(id)
		if err != nil {
			return b, err
		}
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
		c.Story.Facts = known.With(dev.Report).Strings() // every report taken in, told or not
		c.Story.Reports = append(c.Story.Reports, it.ID)
		c.Story.Count++
		c.Story.Last = it.Added
		trimStory(&c.Story)
		b.Items[it.ID] = id
	}
	// Placements follow merges made later in the batch.
	for item, id := range b.Items {
		for range 64 {
			into, ok := b.Merged[id]
			if !ok {
				break
			}
			id = into
		}
		b.Items[item] = id
	}
	for _, id := range order {
		b.Changes = append(b.Changes, *changed[id])
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

func development(it storage.Item, di digest.Item, sentences []string) storage.Development {
	at := it.Published
	if at.IsZero() {
		at = it.Added
	}
	return storage.Development{ItemID: it.ID, At: at, Source: sourceName(di), URL: it.URL, Title: it.Title,
		Sentences: sentences}
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
			held = append(held, digest.HeldUpdate{Story: f.Story.ID, StoryTitle: f.Story.Title, Entries: TimelineOf(f.Follow.Held)})
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
