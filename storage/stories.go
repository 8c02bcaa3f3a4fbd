package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Followed stories (issue 15). Key layout:
//
//	stories        story id(8) -> Story (JSON)
//	story_open     story id(8) -> nil                  (open stories: reloaded at start)
//	item_story     item id(8) -> story id(8)            (public items only)
//	story_follows  story id(8) | chat(8) -> StoryFollow (JSON)
//	chat_stories   chat(8) | story id(8) -> nil         (a chat's follows: /following, /forget)
//	story_due      due(8) | story id(8) | chat(8) -> nil (updates to tell at or after due)
//	story_cards    story id(8) | chat(8) -> message(8) | sent(8)  (the chat's latest card, to edit in place)
//	story_merged   survivor id(8) | absorbed id(8) -> nil  (every story a survivor absorbed, directly or not)
//	story_alias    absorbed id(8) -> survivor id(8)         (where an absorbed story lives on: one step)
//	meta           "story_cursor" -> the newest item placed; "story_next" -> next story id
var (
	bucketStories      = []byte("stories")
	bucketStoryOpen    = []byte("story_open")
	bucketItemStory    = []byte("item_story")
	bucketStoryFollows = []byte("story_follows")
	bucketChatStories  = []byte("chat_stories")
	bucketStoryDue     = []byte("story_due")
	bucketStoryCards   = []byte("story_cards")
	bucketStoryMerged  = []byte("story_merged")
	bucketStoryAlias   = []byte("story_alias")

	keyStoryCursor = []byte("story_cursor")
	keyStoryNext   = []byte("story_next")
)

// storyBuckets is migration 5 -> 6. Stories start from the migration on: the tracker's
// cursor starts at the newest stored item, so it never reads the archive.
func storyBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketStories, bucketStoryOpen, bucketItemStory, bucketStoryFollows,
		bucketChatStories, bucketStoryDue, bucketStoryCards} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyStoryCursor, u64(tx.Bucket(bucketItems).Sequence()))
}

// storyAliases is migration 6 -> 7: merges resolve in one step through an alias
// instead of walking a chain of absorbed stories. Merges made under schema 6 get
// their aliases here, pointing at the end of their chain.
func storyAliases(tx *bolt.Tx) error {
	merged, err := tx.CreateBucketIfNotExists(bucketStoryMerged)
	if err != nil {
		return err
	}
	alias, err := tx.CreateBucketIfNotExists(bucketStoryAlias)
	if err != nil {
		return err
	}
	into := map[uint64]uint64{}
	live := map[uint64]bool{}
	err = tx.Bucket(bucketStories).ForEach(func(k, v []byte) error {
		var s Story
		if len(k) != 8 || json.Unmarshal(v, &s) != nil {
			return nil // a damaged record gets no alias; reading it still fails clearly
		}
		if s.MergedInto != 0 {
			into[beU64(k)] = s.MergedInto
		} else {
			live[beU64(k)] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	for from, to := range into {
		for range len(into) { // merges never form cycles; the bound guards a damaged file
			next, ok := into[to]
			if !ok {
				break
			}
			to = next
		}
		if !live[to] {
			continue // a chain that ends nowhere, or in a cycle: no alias
		}
		if err := alias.Put(u64(from), u64(to)); err != nil {
			return err
		}
		if err := merged.Put(concat(u64(to), u64(from)), nil); err != nil {
			return err
		}
	}
	return nil
}

// ReportsAfter returns, in ID order, up to limit items stored after after, added at
// or after since, whose feed keep accepts, and the ID of the last item it read,
// accepted or not (the tracker's next cursor). It reads an item's feed and time before
// the rest, and stops past maxBytes of text, so a backlog of large items from feeds
// the tracker skips costs it neither memory nor more than one pass.
func (db *DB) ReportsAfter(ctx context.Context, after uint64, since time.Time, keep func(feedURL string) bool, limit, maxBytes int) ([]Item, uint64, error) {
	if err := ctxErr(ctx, "reports after"); err != nil {
		return nil, after, err
	}
	var out []Item
	last := after
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		size := 0
		for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
			var head struct {
				Feed  string    `json:"feed"`
				Added time.Time `json:"added"`
			}
			if err := jsonUnmarshal(v, &head, "item"); err != nil {
				return err
			}
			last = beU64(k)
			if head.Added.Before(since) || !keep(head.Feed) {
				continue
			}
			var it Item
			if err := jsonUnmarshal(v, &it, "item"); err != nil {
				return err
			}
			out = append(out, it)
			size += len(it.Text) + len(it.Title)
			if (limit > 0 && len(out) >= limit) || (maxBytes > 0 && size >= maxBytes) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, after, fmt.Errorf("reports after %d: %w", after, err)
	}
	return out, last, nil
}

// followsOfStory reads story's follows (one per chat).
func followsOfStory(tx *bolt.Tx, story uint64) ([]StoryFollow, error) {
	var out []StoryFollow
	c := tx.Bucket(bucketStoryFollows).Cursor()
	for k, v := c.Seek(u64(story)); k != nil && bytes.HasPrefix(k, u64(story)); k, v = c.Next() {
		var f StoryFollow
		if err := jsonUnmarshal(v, &f, "story follow"); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// followsOfChat reads chat's follows (at most the follow limit), skipping index
// entries whose follow is gone.
func followsOfChat(tx *bolt.Tx, chat int64) ([]StoryFollow, error) {
	var out []StoryFollow
	c := tx.Bucket(bucketChatStories).Cursor()
	for k, _ := c.Seek(i64(chat)); k != nil && bytes.HasPrefix(k, i64(chat)); k, _ = c.Next() {
		id := beU64(k[8:])
		f, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(id), i64(chat)), "story follow", id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, nil
}

// migrateChatStories moves a group's follows to its supergroup and drops its card records.
func migrateChatStories(tx *bolt.Tx, from, to int64) error {
	fs, err := followsOfChat(tx, from)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := dropStoryFollow(tx, f); err != nil {
			return err
		}
		kept, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(f.Story), i64(to)), "story follow", f.Story)
		if err == nil {
			// The supergroup follows it already: one follow, with what either waits to
			// tell (review 74: the group's held developments were lost).
			if err := absorbFollow(tx, *kept, f); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		f.Chat = to
		if err := putStoryFollow(tx, f); err != nil {
			return err
		}
	}
	if err := deletePrefix(tx.Bucket(bucketChatStories), i64(from)); err != nil {
		return err
	}
	// Cards stay in the old group (a supergroup starts its own messages): nothing to edit.
	return deleteWhere(tx.Bucket(bucketStoryCards), func(k, _ []byte) bool {
		return len(k) == 16 && int64(beU64(k[8:16])) == from
	})
}

// Limits on what one story keeps.
const (
	// MaxStoryReports is how many report IDs a story keeps (the newest); Count counts all.
	MaxStoryReports = 200
	// MaxTimeline is how many developments a story keeps (the newest); Earlier counts
	// the ones dropped.
	MaxTimeline = 50
	// MaxContinuations is how many continuing stories a story lists (the newest).
	MaxContinuations = 8
	// maxPendingDevelopments bounds what waits for one follower of one story.
	maxPendingDevelopments = 10
)

// Story is a story that reports joined as they arrived (digest.StoryIndex), with its
// development: the first report and every later one that brought new facts.
type Story struct {
	ID         uint64    `json:"id"`
	Title      string    `json:"title"`
	First      time.Time `json:"first"` // when its first report was stored
	Last       time.Time `json:"last"`  // when its latest report was stored
	Closed     bool      `json:"closed,omitempty"`
	MergedInto uint64    `json:"merged_into,omitempty"`
	// Continues is the followed story this one carries on: its followers moved here.
	// ContinuedBy are the stories that carry this one on (the newest MaxContinuations);
	// its followers' cards list their developments, and unfollowing it follows them.
	Continues   uint64   `json:"continues,omitempty"`
	ContinuedBy []uint64 `json:"continued_by,omitempty"`
	Reports     []uint64 `json:"reports"` // item IDs, oldest first (the newest MaxStoryReports)
	Count       int      `json:"count"`
	// Facts are what its reports stated, as digest.Facts.Strings encodes them.
	Facts    []string      `json:"facts,omitempty"`
	Timeline []Development `json:"timeline,omitempty"` // oldest first
	Earlier  int           `json:"earlier,omitempty"`  // developments dropped from Timeline
}

// Development is one step of a story: its first report, or a later report with new facts.
type Development struct {
	ItemID    uint64    `json:"item"`
	At        time.Time `json:"at"` // the report's publication time (else when it was stored)
	Source    string    `json:"source,omitempty"`
	URL       string    `json:"url,omitempty"`
	Title     string    `json:"title,omitempty"`
	Sentences []string  `json:"sentences,omitempty"` // the one or two that carry the new facts
}

// StoryFollow is one chat following one story.
type StoryFollow struct {
	Story uint64 `json:"story"`
	Chat  int64  `json:"chat"`
	// Title is the story's title when the chat followed it: it names the updates and
	// /following, though the follow moves to stories that carry the story on.
	Title    string    `json:"title,omitempty"`
	Since    time.Time `json:"since"`
	LastSent time.Time `json:"last_sent,omitempty"` // the last update told
	// Pending developments wait until Due (the next update window), Held ones for the
	// next digest (they came in the reader's quiet hours).
	Pending []Development `json:"pending,omitempty"`
	Due     time.Time     `json:"due,omitempty"`
	Held    []Development `json:"held,omitempty"`
	// Told is when a digest last told held developments of it: "Since you followed"
	// tells first the follows told longest ago, so that each is told in turn (review
	// 74: ordered by their oldest development, a story developing more than the held
	// list keeps was never told).
	Told time.Time `json:"told,omitzero"`
	// Version grows with every development noted, so settling an update can tell that
	// one arrived since it was read, even when Pending is full.
	Version uint64 `json:"version,omitempty"`
}

// StoryChange is what placing a batch of reports did to one story.
type StoryChange struct {
	Story Story
	// New are the developments this batch added (already in Story.Timeline).
	New []Development
}

// Continuation is a followed story carried on: its followers move to Story.
type Continuation struct{ Story, Followed uint64 }

// StoryBatch is one pass of the story tracker, saved in one transaction.
type StoryBatch struct {
	Changes []StoryChange
	// Items maps each placed item to its story.
	Items map[uint64]uint64
	// Merged maps absorbed stories to the story that absorbed them; Closed are stories
	// that take no more reports.
	Merged map[uint64]uint64
	// Continued lists, in the order the tracker placed them, the stories that carry a
	// followed story on: each moves the followers of Followed to Story, before the
	// batch's merges (Followed is the story as it stood when they moved).
	Continued []Continuation
	Closed    []uint64
	Cursor    uint64 // the newest item placed
	NextID    uint64 // the next story ID
	// Now and UpdateEvery schedule followers' updates: the first one at once, then at
	// most one per UpdateEvery.
	Now         time.Time
	UpdateEvery time.Duration
}

// SaveStories saves a tracker pass: stories, placements, merges (a merged story's
// followers follow the story that absorbed it), continuations (a followed story's
// followers follow the story that carries it on), closings, the cursor, and for every
// follower of a story that developed, the development, due at once or at the end of
// their update window.
func (db *DB) SaveStories(ctx context.Context, b StoryBatch) error {
	if err := ctxErr(ctx, "save stories"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		stories, open := tx.Bucket(bucketStories), tx.Bucket(bucketStoryOpen)
		for _, c := range b.Changes {
			s := c.Story
			if err := putJSON(stories, u64(s.ID), &s); err != nil {
				return err
			}
			if err := setOpen(open, s); err != nil {
				return err
			}
		}
		for item, story := range b.Items {
			if err := tx.Bucket(bucketItemStory).Put(u64(item), u64(story)); err != nil {
				return err
			}
		}
		// Followers move along continuations first, in placement order (a pass may
		// carry a story on twice: A to B to C), then merges move what followed the
		// absorbed.
		carried := map[uint64]uint64{}
		for _, c := range b.Continued {
			if c.Story == c.Followed {
				continue
			}
			if err := moveFollows(tx, c.Followed, c.Story); err != nil {
				return err
			}
			carried[c.Followed] = c.Story
		}
		for from, into := range b.Merged {
			if err := mergeStory(tx, from, into); err != nil {
				return err
			}
		}
		for _, id := range b.Closed {
			s, err := getJSON[Story](stories, u64(id), "story", id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			s.Closed = true
			if err := putJSON(stories, u64(id), s); err != nil {
				return err
			}
			if err := open.Delete(u64(id)); err != nil {
				return err
			}
		}
		for _, c := range b.Changes {
			if len(c.New) == 0 {
				continue
			}
			// A story absorbed or carried on in this pass has its followers on the
			// survivor, or on the story that carries it on, now.
			id := c.Story.ID
			for range 64 {
				into, ok := b.Merged[id]
				if !ok {
					if into, ok = carried[id]; !ok {
						break
					}
				}
				id = into
			}
			if err := noteDevelopments(tx, id, c.New, b.Now, b.UpdateEvery); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyStoryCursor, u64(b.Cursor)); err != nil {
			return err
		}
		return meta.Put(keyStoryNext, u64(b.NextID))
	})
	if err != nil {
		return fmt.Errorf("save stories: %w", err)
	}
	return nil
}

func setOpen(open *bolt.Bucket, s Story) error {
	if s.Closed || s.MergedInto != 0 {
		return open.Delete(u64(s.ID))
	}
	return open.Put(u64(s.ID), nil)
}

// mergeStory marks from absorbed by into and moves its follows there.
func mergeStory(tx *bolt.Tx, from, into uint64) error {
	stories := tx.Bucket(bucketStories)
	s, err := getJSON[Story](stories, u64(from), "story", from)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.MergedInto, s.Closed = into, true
	if err := putJSON(stories, u64(from), s); err != nil {
		return err
	}
	// What from had absorbed now lives on in into, too: an alias is one step, never a
	// chain (eight bytes a story, not its record, are rewritten).
	merged, alias := tx.Bucket(bucketStoryMerged), tx.Bucket(bucketStoryAlias)
	var earlier []uint64
	mc := merged.Cursor()
	for k, _ := mc.Seek(u64(from)); k != nil && bytes.HasPrefix(k, u64(from)); k, _ = mc.Next() {
		earlier = append(earlier, beU64(k[8:]))
	}
	for _, e := range append(earlier, from) {
		if err := alias.Put(u64(e), u64(into)); err != nil {
			return err
		}
		if err := merged.Delete(concat(u64(from), u64(e))); err != nil {
			return err
		}
		if err := merged.Put(concat(u64(into), u64(e)), nil); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketStoryOpen).Delete(u64(from)); err != nil {
		return err
	}
	for _, item := range s.Reports {
		if v := tx.Bucket(bucketItemStory).Get(u64(item)); v != nil && beU64(v) == from {
			if err := tx.Bucket(bucketItemStory).Put(u64(item), u64(into)); err != nil {
				return err
			}
		}
	}
	return moveFollows(tx, from, into)
}

// moveFollows makes from's followers follow into instead, with what they were waiting
// to hear of from; a chat that followed both keeps one follow.
func moveFollows(tx *bolt.Tx, from, into uint64) error {
	follows := tx.Bucket(bucketStoryFollows)
	moved, err := followsOfStory(tx, from)
	if err != nil {
		return err
	}
	for _, f := range moved {
		if err := dropStoryFollow(tx, f); err != nil {
			return err
		}
		kept, err := getJSON[StoryFollow](follows, concat(u64(into), i64(f.Chat)), "story follow", into)
		if errors.Is(err, ErrNotFound) {
			f.Story = into
			if err := putStoryFollow(tx, f); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := absorbFollow(tx, *kept, f); err != nil {
			return err
		}
	}
	return nil
}

// absorbFollow stores kept with what f was waiting to tell: one chat's two follows
// become one (two stories merged, or a group's follow moved to its supergroup). A
// development both were waiting to tell is told once.
func absorbFollow(tx *bolt.Tx, kept, f StoryFollow) error {
	old := kept
	kept.Pending = appendBounded(kept.Pending, newDevelopments(kept.Pending, f.Pending), maxPendingDevelopments)
	kept.Held = appendBounded(kept.Held, newDevelopments(kept.Held, f.Held), maxPendingDevelopments)
	kept.Version += f.Version + 1
	if kept.Due.IsZero() || (!f.Due.IsZero() && f.Due.Before(kept.Due)) {
		kept.Due = f.Due
	}
	if f.LastSent.After(kept.LastSent) {
		kept.LastSent = f.LastSent // one update a window, whichever follow told last
	}
	if err := dropStoryFollow(tx, old); err != nil {
		return err
	}
	return putStoryFollow(tx, kept)
}

// newDevelopments are those of add whose report is not in list.
func newDevelopments(list, add []Development) []Development {
	var out []Development
	for _, d := range add {
		if !slices.ContainsFunc(list, func(l Development) bool { return l.ItemID == d.ItemID }) {
			out = append(out, d)
		}
	}
	return out
}

// noteDevelopments gives every follower of story the new developments: due at once
// when their last update is UpdateEvery old, else at the end of that window.
func noteDevelopments(tx *bolt.Tx, story uint64, devs []Development, now time.Time, every time.Duration) error {
	fs, err := followsOfStory(tx, story)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.Since.After(now) {
			continue
		}
		old := f
		f.Pending = appendBounded(f.Pending, devs, maxPendingDevelopments)
		f.Version++
		if f.Due.IsZero() {
			f.Due = now
			if next := f.LastSent.Add(every); !f.LastSent.IsZero() && next.After(now) {
				f.Due = next
			}
		}
		if err := dropStoryFollow(tx, old); err != nil {
			return err
		}
		if err := putStoryFollow(tx, f); err != nil {
			return err
		}
	}
	return nil
}

func appendBounded(list, add []Development, limit int) []Development {
	list = append(list, add...)
	if len(list) > limit {
		list = append([]Development(nil), list[len(list)-limit:]...)
	}
	return list
}

// putStoryFollow stores f with its indexes; dropStoryFollow removes them.
func putStoryFollow(tx *bolt.Tx, f StoryFollow) error {
	if err := putJSON(tx.Bucket(bucketStoryFollows), concat(u64(f.Story), i64(f.Chat)), &f); err != nil {
		return err
	}
	if err := tx.Bucket(bucketChatStories).Put(concat(i64(f.Chat), u64(f.Story)), nil); err != nil {
		return err
	}
	if !f.Due.IsZero() {
		return tx.Bucket(bucketStoryDue).Put(concat(timeKey(f.Due), u64(f.Story), i64(f.Chat)), nil)
	}
	return nil
}

func dropStoryFollow(tx *bolt.Tx, f StoryFollow) error {
	if err := tx.Bucket(bucketStoryFollows).Delete(concat(u64(f.Story), i64(f.Chat))); err != nil {
		return err
	}
	if err := tx.Bucket(bucketChatStories).Delete(concat(i64(f.Chat), u64(f.Story))); err != nil {
		return err
	}
	if !f.Due.IsZero() {
		return tx.Bucket(bucketStoryDue).Delete(concat(timeKey(f.Due), u64(f.Story), i64(f.Chat)))
	}
	return nil
}

// StoryCursor returns the newest item the tracker placed and the next story ID.
func (db *DB) StoryCursor(ctx context.Context) (cursor, nextID uint64, err error) {
	if err := ctxErr(ctx, "story cursor"); err != nil {
		return 0, 0, err
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyStoryCursor); v != nil {
			cursor = beU64(v)
		}
		if v := meta.Get(keyStoryNext); v != nil {
			nextID = beU64(v)
		}
		return nil
	})
	return cursor, nextID, err
}

// OpenStories returns the stories still open.
func (db *DB) OpenStories(ctx context.Context) ([]Story, error) {
	if err := ctxErr(ctx, "open stories"); err != nil {
		return nil, err
	}
	var out []Story
	err := db.bolt.View(func(tx *bolt.Tx) error {
		stories := tx.Bucket(bucketStories)
		return tx.Bucket(bucketStoryOpen).ForEach(func(k, _ []byte) error {
			s, err := getJSON[Story](stories, k, "story", beU64(k))
			if err != nil {
				return nil // a missing or damaged record places no reports
			}
			out = append(out, *s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open stories: %w", err)
	}
	return out, nil
}

// FollowedStoryIDs returns the stories someone follows.
func (db *DB) FollowedStoryIDs(ctx context.Context) (map[uint64]bool, error) {
	if err := ctxErr(ctx, "followed story ids"); err != nil {
		return nil, err
	}
	out := map[uint64]bool{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketStoryFollows).Cursor()
		for k, _ := c.First(); k != nil; {
			id := beU64(k[:8])
			out[id] = true
			k, _ = c.Seek(u64(id + 1)) // skip the story's other followers
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("followed story ids: %w", err)
	}
	return out, nil
}

// Story returns a story, following merges to the story that absorbed it.
func (db *DB) Story(ctx context.Context, id uint64) (Story, error) {
	if err := ctxErr(ctx, "get story"); err != nil {
		return Story{}, err
	}
	var out Story
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s, err := resolveStory(tx, id)
		if err == nil {
			out = *s
		}
		return err
	})
	if err != nil {
		return Story{}, fmt.Errorf("get story %d: %w", id, err)
	}
	return out, nil
}

func resolveStory(tx *bolt.Tx, id uint64) (*Story, error) {
	return resolve(tx, id, func(b *bolt.Bucket, id uint64) (*Story, uint64, error) {
		s, err := getJSON[Story](b, u64(id), "story", id)
		if err != nil {
			return nil, 0, err
		}
		return s, s.MergedInto, nil
	})
}

// storyHead is what a story record says of its place: enough to count, resolve and
// walk follows without decoding its reports, facts and timeline (review 70: a follow
// or unfollow press decoded up to 400 whole stories, holding the store's writer).
type storyHead struct {
	ID         uint64    `json:"id"`
	Last       time.Time `json:"last"`
	MergedInto uint64    `json:"merged_into,omitempty"`
	Continues  uint64    `json:"continues,omitempty"`
}

// resolveHead is resolveStory reading only the story's head.
func resolveHead(tx *bolt.Tx, id uint64) (*storyHead, error) {
	return resolve(tx, id, func(b *bolt.Bucket, id uint64) (*storyHead, uint64, error) {
		h, err := getStoryHead(b, id)
		if err != nil {
			return nil, 0, err
		}
		return h, h.MergedInto, nil
	})
}

// getStoryHead decodes a story record's head fields and stops at its reports: every
// head field comes before them, in every layout the store has written.
func getStoryHead(b *bolt.Bucket, id uint64) (*storyHead, error) {
	raw := b.Get(u64(id))
	if raw == nil {
		return nil, ErrNotFound
	}
	h := new(storyHead)
	bad := func(err error) (*storyHead, error) { return nil, fmt.Errorf("decode story %d: %w", id, err) }
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil {
		return bad(err)
	} else if tok != json.Delim('{') {
		return bad(errors.New("not an object"))
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return bad(err)
		}
		var field any
		switch tok {
		case "reports":
			return h, nil
		case "id":
			field = &h.ID
		case "last":
			field = &h.Last
		case "merged_into":
			field = &h.MergedInto
		case "continues":
			field = &h.Continues
		default:
			field = new(json.RawMessage) // the title, first, closed, continued_by: short
		}
		if err := d.Decode(field); err != nil {
			return bad(err)
		}
	}
	return h, nil
}

// resolve reads story id with get, or the story it was merged into.
func resolve[T any](tx *bolt.Tx, id uint64, get func(b *bolt.Bucket, id uint64) (*T, uint64, error)) (*T, error) {
	stories := tx.Bucket(bucketStories)
	if v := tx.Bucket(bucketStoryAlias).Get(u64(id)); v != nil {
		id = beU64(v) // absorbed: the survivor, in one step
	}
	for range 8 { // a guard: an alias is never itself absorbed
		s, into, err := get(stories, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			// A damaged record is a story the reader cannot have: one bad record must
			// not stop the tracker, the digest run or /forget for everyone.
			return nil, fmt.Errorf("story %d: %v: %w", id, err, ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		if into == 0 {
			return s, nil
		}
		id = into
	}
	return nil, fmt.Errorf("story %d: merge chain too long (a damaged record): %w", id, ErrNotFound)
}

// ItemStories maps each of ids that a story holds to that story (merges followed).
func (db *DB) ItemStories(ctx context.Context, ids []uint64) (map[uint64]uint64, error) {
	if err := ctxErr(ctx, "item stories"); err != nil {
		return nil, err
	}
	out := make(map[uint64]uint64, len(ids))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketItemStory)
		final := map[uint64]uint64{}
		for _, id := range ids {
			v := b.Get(u64(id))
			if v == nil {
				continue
			}
			sid := beU64(v)
			if f, ok := final[sid]; ok {
				out[id] = f
				continue
			}
			s, err := resolveStory(tx, sid)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			final[sid] = s.ID
			out[id] = s.ID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("item stories: %w", err)
	}
	return out, nil
}

// ErrTooManyFollows is returned when a chat follows as many stories as it may.
var ErrTooManyFollows = errors.New("too many followed stories")

// FollowStory makes chat follow story (merges followed) from now; a chat follows at
// most limit stories whose last report is after lapsedBefore (lapsed follows do not
// count). Following again changes nothing. A closed story stays closed here: the
// tracker takes a followed story back while the follow holds (stories.Service's
// reopenFollowed), and its next report can join it (review 70: reopening it here let
// one chat, following and unfollowing, keep any number of stories open).
func (db *DB) FollowStory(ctx context.Context, chat int64, story uint64, now, lapsedBefore time.Time, limit int) (Story, error) {
	if err := ctxErr(ctx, "follow story"); err != nil {
		return Story{}, err
	}
	var out Story
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		s, err := resolveStory(tx, story)
		if err != nil {
			return err
		}
		out = *s
		if tx.Bucket(bucketStoryFollows).Get(concat(u64(s.ID), i64(chat))) != nil {
			return nil
		}
		if s.Last.Before(lapsedBefore) {
			// Its week is over: a follow would lapse at once, and reopening it would
			// keep a story the prune is about to let go (found by review).
			return fmt.Errorf("story %d has ended: %w", s.ID, ErrNotFound)
		}
		n := 0
		c := tx.Bucket(bucketChatStories).Cursor()
		for k, _ := c.Seek(i64(chat)); k != nil && bytes.HasPrefix(k, i64(chat)); k, _ = c.Next() {
			if o, err := resolveHead(tx, beU64(k[8:])); err == nil && !o.Last.Before(lapsedBefore) {
				n++
			}
		}
		if n >= limit {
			return ErrTooManyFollows
		}
		return putStoryFollow(tx, StoryFollow{Story: s.ID, Chat: chat, Title: s.Title, Since: now})
	})
	if err != nil {
		return Story{}, fmt.Errorf("follow story %d: %w", story, err)
	}
	return out, nil
}

// UnfollowStory stops chat following story: its follow of story (merges followed)
// and of every story that carries story on, found from the chat's own follows (at most
// the follow limit) back along their Continues chains, as FollowedThreads shows them;
// not following is fine.
func (db *DB) UnfollowStory(ctx context.Context, chat int64, story uint64) error {
	if err := ctxErr(ctx, "unfollow story"); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		target := map[uint64]bool{story: true}
		if s, err := resolveHead(tx, story); err == nil {
			target[s.ID] = true
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		fs, err := followsOfChat(tx, chat)
		if err != nil {
			return err
		}
		for _, f := range fs {
			hit := false
			for t := range threadOf(tx, f.Story) {
				hit = hit || target[t]
			}
			if !hit {
				continue
			}
			if err := dropStoryFollow(tx, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unfollow story %d: %w", story, err)
	}
	return nil
}

// threadOf is story id (as stored and as resolved) and the stories it carries on,
// back along Continues, at most MaxContinuations; a story it cannot read ends it.
func threadOf(tx *bolt.Tx, id uint64) map[uint64]bool {
	out := map[uint64]bool{id: true}
	s, err := resolveHead(tx, id)
	for range MaxContinuations {
		if err != nil {
			break
		}
		out[s.ID] = true
		if s.Continues == 0 || out[s.Continues] {
			break
		}
		out[s.Continues] = true
		s, err = resolveHead(tx, s.Continues)
	}
	return out
}

// FollowedStory is a follow with its story.
type FollowedStory struct {
	Follow StoryFollow
	Story  Story
}

// StoryFollowOf returns chat's follow of story (merges followed), or ErrNotFound.
func (db *DB) StoryFollowOf(ctx context.Context, chat int64, story uint64) (FollowedStory, error) {
	var out FollowedStory
	err := db.bolt.View(func(tx *bolt.Tx) error {
		s, err := resolveStory(tx, story)
		if err != nil {
			return err
		}
		f, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(s.ID), i64(chat)), "story follow", s.ID)
		if err != nil {
			return err
		}
		out = FollowedStory{*f, *s}
		return nil
	})
	return out, err
}

// FollowedStories lists what chat follows, lapsed follows included (the caller decides).
func (db *DB) FollowedStories(ctx context.Context, chat int64) ([]FollowedStory, error) {
	if err := ctxErr(ctx, "followed stories"); err != nil {
		return nil, err
	}
	var out []FollowedStory
	err := db.bolt.View(func(tx *bolt.Tx) error {
		fs, err := followsOfChat(tx, chat)
		if err != nil {
			return err
		}
		for _, f := range fs {
			s, err := resolveStory(tx, f.Story)
			if err != nil {
				return err
			}
			out = append(out, FollowedStory{f, *s})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("followed stories of %d: %w", chat, err)
	}
	return out, nil
}

// FollowedThreads returns the stories chat follows and the stories each carries on
// (back along Continues, at most MaxContinuations each): a card or digest of an
// earlier story of a followed thread is followed, and unfollowing it unfollows the
// thread (UnfollowStory).
func (db *DB) FollowedThreads(ctx context.Context, chat int64) (map[uint64]bool, error) {
	if err := ctxErr(ctx, "followed threads"); err != nil {
		return nil, err
	}
	out := map[uint64]bool{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChatStories).Cursor()
		for k, _ := c.Seek(i64(chat)); k != nil && bytes.HasPrefix(k, i64(chat)); k, _ = c.Next() {
			for id := range threadOf(tx, beU64(k[8:])) {
				out[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("followed threads of %d: %w", chat, err)
	}
	return out, nil
}

// DueStoryUpdates returns follows whose update window ended by now, oldest first.
func (db *DB) DueStoryUpdates(ctx context.Context, now time.Time, limit int) ([]FollowedStory, error) {
	if err := ctxErr(ctx, "due story updates"); err != nil {
		return nil, err
	}
	var out []FollowedStory
	end := timeKey(now)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		seen := map[uint64]*Story{} // many followers, few stories
		c := tx.Bucket(bucketStoryDue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k[:8], end) <= 0; k, _ = c.Next() {
			story, chat := beU64(k[8:16]), int64(beU64(k[16:24]))
			f, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(story), i64(chat)), "story follow", story)
			if errors.Is(err, ErrNotFound) {
				continue // a stale index entry; the next commit of that follow drops it
			}
			if err != nil {
				return err
			}
			s, ok := seen[story]
			if !ok {
				if s, err = resolveStory(tx, story); err != nil {
					return err
				}
				seen[story] = s
			}
			out = append(out, FollowedStory{*f, *s})
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due story updates: %w", err)
	}
	return out, nil
}

// StoryUpdateOutcome is what became of a due update.
type StoryUpdateOutcome int

const (
	UpdateSent      StoryUpdateOutcome = iota // msgs queued; the window starts again
	UpdateHeld                                // quiet hours: kept for the next digest
	UpdateDropped                             // the chat cannot be told (gone, or lapsed)
	UpdatePostponed                           // quiet hours, and no digest to carry it: due again at Until
)

// CommitStoryUpdate settles a due update of f in one transaction: its messages go
// into the outbox, or its developments wait for the digest, or they are dropped. It
// fails with ErrConflict, changing nothing, when the follow changed since it was read
// (another pass settled it, or new developments arrived: the next pass sees them all).
func (db *DB) CommitStoryUpdate(ctx context.Context, f StoryFollow, outcome StoryUpdateOutcome, msgs []OutMessage, now time.Time) error {
	conflicts, err := db.CommitStoryUpdates(ctx, []StorySettlement{{Follow: f, Outcome: outcome, Msgs: msgs}}, now)
	if err == nil && len(conflicts) > 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("commit story update %d for %d: %w", f.Story, f.Chat, err)
	}
	return nil
}

// StorySettlement is what becomes of one due update.
type StorySettlement struct {
	Follow  StoryFollow // as read
	Outcome StoryUpdateOutcome
	Msgs    []OutMessage
	Until   time.Time // UpdatePostponed: when it is due again
}

// CommitStoryUpdates settles many due updates in one transaction (one commit for a
// window's worth of followers, not one each). A follow that changed since it was read
// is left as it is and its index returned among the conflicts.
func (db *DB) CommitStoryUpdates(ctx context.Context, ss []StorySettlement, now time.Time) (conflicts []int, err error) {
	if err := ctxErr(ctx, "commit story updates"); err != nil {
		return nil, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		conflicts = nil
		for k, s := range ss {
			f := s.Follow
			cur, err := getJSON[StoryFollow](tx.Bucket(bucketStoryFollows), concat(u64(f.Story), i64(f.Chat)), "story follow", f.Story)
			if errors.Is(err, ErrNotFound) {
				conflicts = append(conflicts, k) // unfollowed meanwhile
				continue
			}
			if err != nil {
				return err
			}
			if !cur.Due.Equal(f.Due) || cur.Version != f.Version {
				conflicts = append(conflicts, k)
				continue
			}
			next := *cur
			switch s.Outcome {
			case UpdateSent:
				if err := putOutbox(tx, s.Msgs, now); err != nil {
					return err
				}
				next.LastSent = now
			case UpdateHeld:
				next.Held = appendBounded(next.Held, next.Pending, maxPendingDevelopments)
			case UpdateDropped:
			case UpdatePostponed:
				if err := dropStoryFollow(tx, *cur); err != nil {
					return err
				}
				next.Due = s.Until
				if err := putStoryFollow(tx, next); err != nil {
					return err
				}
				continue
			}
			next.Pending, next.Due = nil, time.Time{}
			if err := dropStoryFollow(tx, *cur); err != nil {
				return err
			}
			if err := putStoryFollow(tx, next); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("commit story updates: %w", err)
	}
	return conflicts, nil
}

// clearHeld removes from chat's follows what its digest told, at: the held developments
// of each story whose reports are in told[story] (anything held since stays for the
// next digest, and so does what was held before and not told: review 74, clearing the
// first n cleared newer ones when the list had been trimmed at its front meanwhile).
func clearHeld(tx *bolt.Tx, chat int64, told map[uint64][]uint64, at time.Time) error {
	all, err := followsOfChat(tx, chat)
	if err != nil {
		return err
	}
	for _, f := range all {
		items, ok := told[f.Story]
		if !ok {
			continue
		}
		f.Held = slices.DeleteFunc(slices.Clone(f.Held), func(d Development) bool { return slices.Contains(items, d.ItemID) })
		f.Told = at
		if err := putJSON(tx.Bucket(bucketStoryFollows), concat(u64(f.Story), i64(f.Chat)), &f); err != nil {
			return err
		}
	}
	return nil
}

// StoryCard is a card a chat received, which a new development edits in place.
type StoryCard struct {
	Story   uint64
	Chat    int64
	Message int
	Sent    time.Time
}

// StoryCards returns the cards of story sent after since.
func (db *DB) StoryCards(ctx context.Context, story uint64, since time.Time) ([]StoryCard, error) {
	if err := ctxErr(ctx, "story cards"); err != nil {
		return nil, err
	}
	var out []StoryCard
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketStoryCards).Cursor()
		for k, v := c.Seek(u64(story)); k != nil && bytes.HasPrefix(k, u64(story)); k, v = c.Next() {
			if len(k) != 16 || len(v) != 16 {
				continue
			}
			sent := time.Unix(0, int64(beU64(v[8:]))).UTC()
			if sent.After(since) {
				out = append(out, StoryCard{story, int64(beU64(k[8:16])), int(beU64(v[:8])), sent})
			}
		}
		return nil
	})
	return out, err
}

// recordStoryCard remembers, when a card is sent, which story it shows (inside Sent's
// transaction): one card per story and chat, the latest, so opening a card again and
// again cannot multiply the edits a development makes.
func recordStoryCard(tx *bolt.Tx, chat int64, msg int, item uint64, sent time.Time) error {
	v := tx.Bucket(bucketItemStory).Get(u64(item))
	if v == nil {
		return nil // a private item, or not placed yet
	}
	s, err := resolveStory(tx, beU64(v))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return tx.Bucket(bucketStoryCards).Put(concat(u64(s.ID), i64(chat)), concat(u64(uint64(msg)), u64(uint64(sent.UnixNano()))))
}

// PruneStories drops cards too old to edit (sent before cardsBefore), follows of
// stories whose last report is older than followsBefore (they lapsed), closed stories
// as old, and open ones whose last report is older than openBefore (the tracker holds
// none that old). It returns the cards and follows it dropped. Each is a sweep, a page
// of records at a time (audit 54: in one write transaction, half a million cards and
// follows held every other write for 1.8 s).
func (db *DB) PruneStories(ctx context.Context, cardsBefore, followsBefore, openBefore time.Time) (cards, follows int, err error) {
	if cards, err = db.sweep(ctx, bucketStoryCards, func(_ *bolt.Tx, _, v []byte) bool {
		return len(v) != 16 || time.Unix(0, int64(beU64(v[8:]))).Before(cardsBefore)
	}, deleteKey(bucketStoryCards)); err != nil {
		return cards, 0, fmt.Errorf("prune stories: %w", err)
	}
	if follows, err = db.sweep(ctx, bucketStoryFollows, func(tx *bolt.Tx, _, v []byte) bool {
		var f StoryFollow
		if jsonUnmarshal(v, &f, "story follow") != nil {
			return false // a damaged follow is left for /forget, not a reason to stop pruning
		}
		s, err := getJSON[Story](tx.Bucket(bucketStories), u64(f.Story), "story", f.Story)
		return err != nil || s.Last.Before(followsBefore) // gone, damaged or lapsed
	}, func(tx *bolt.Tx, _, v []byte) error {
		var f StoryFollow
		if err := jsonUnmarshal(v, &f, "story follow"); err != nil {
			return err
		}
		return dropStoryFollow(tx, f)
	}); err != nil {
		return cards, follows, fmt.Errorf("prune stories: %w", err)
	}
	// Stories past the follow lapse are only history: their records go (their reports'
	// placements go with the reports, when retention prunes them). An open one too,
	// once its last report is before openBefore, when the tracker can hold it no
	// longer: one open that long was reopened by a follow since dropped, and is held by
	// nothing (found by review: following and unfollowing kept stories for good).
	if _, err := db.sweep(ctx, bucketStories, func(_ *bolt.Tx, _, v []byte) bool {
		var s Story
		if jsonUnmarshal(v, &s, "story") != nil {
			return true // a damaged record serves no one
		}
		return s.Last.Before(followsBefore) && (s.Closed || s.MergedInto != 0 || s.Last.Before(openBefore))
	}, func(tx *bolt.Tx, k, _ []byte) error {
		if err := tx.Bucket(bucketStories).Delete(k); err != nil {
			return err
		}
		if err := tx.Bucket(bucketStoryOpen).Delete(k); err != nil {
			return err
		}
		mc := tx.Bucket(bucketStoryMerged).Cursor()
		for m, _ := mc.Seek(k); m != nil && bytes.HasPrefix(m, k); m, _ = mc.Next() {
			if err := tx.Bucket(bucketStoryAlias).Delete(m[8:]); err != nil {
				return err
			}
		}
		return deletePrefix(tx.Bucket(bucketStoryMerged), k)
	}); err != nil {
		return cards, follows, fmt.Errorf("prune stories: %w", err)
	}
	return cards, follows, nil
}

// eraseChatStories removes a chat's follows and the records of cards it received.
func eraseChatStories(tx *bolt.Tx, chat int64) error {
	fs, err := followsOfChat(tx, chat)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := dropStoryFollow(tx, f); err != nil {
			return err
		}
	}
	if err := deletePrefix(tx.Bucket(bucketChatStories), i64(chat)); err != nil {
		return err
	}
	return deleteWhere(tx.Bucket(bucketStoryCards), func(k, _ []byte) bool {
		return len(k) == 16 && int64(beU64(k[8:16])) == chat
	})
}
