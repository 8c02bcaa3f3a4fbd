package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// largestStory is a story at every stored bound: its timeline full of the longest
// developments, its reports at MaxStoryReports.
func largestStory(id, continues uint64) Story {
	s := Story{ID: id, Title: strings.Repeat("t", 300), First: storyNow, Last: storyNow, Continues: continues, Count: 200}
	sentence := strings.Repeat("é", 600)
	for i := range MaxTimeline {
		s.Timeline = append(s.Timeline, Development{ItemID: uint64(i), At: storyNow, Source: strings.Repeat("s", 300),
			URL: "https://example.com/" + strings.Repeat("u", 200), Title: strings.Repeat("x", 300), Sentences: []string{sentence, sentence}})
	}
	for i := range MaxStoryReports {
		s.Reports = append(s.Reports, uint64(i+1))
	}
	return s
}

// BenchmarkFollowPresses is what a follow or unfollow press holds the store's writer
// for, a chat following 50 of the largest stories, each carrying on a chain of seven
// (review 70: 396 ms for an unfollow, when every story in the chains was decoded whole).
func BenchmarkFollowPresses(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const chat = 777
	batch := StoryBatch{NextID: 2000, Now: storyNow}
	for i := range 50 {
		for j := range 8 {
			id := uint64(1000 + i*10 + j)
			continues := uint64(0)
			if j > 0 {
				continues = id - 1
			}
			batch.Changes = append(batch.Changes, StoryChange{Story: largestStory(id, continues)})
		}
	}
	if err := db.SaveStories(ctx, batch); err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.FollowStory(ctx, chat, uint64(1000+i*10+7), storyNow, storyNow.Add(-time.Hour), 50); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("unfollow", func(b *testing.B) {
		for b.Loop() {
			if err := db.UnfollowStory(ctx, chat, 999999); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("follow-refused", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.FollowStory(ctx, chat, 1001, storyNow, storyNow.Add(-time.Hour), 50); err == nil {
				b.Fatal("a 51st follow was let in")
			}
		}
	})
}

// A story's head, read up to its reports, is what decoding the whole record gives;
// a damaged record is an error, as it was.
func TestStoryHeadIsTheRecordsHead(t *testing.T) {
	db := tempDB(t)
	records := map[uint64]string{}
	for _, s := range []Story{
		largestStory(1, 0),
		{ID: 2, Title: "merged", Last: storyNow, MergedInto: 1, Closed: true},
		{ID: 3, Title: `quotes " and \ and {"reports":1}`, Last: storyNow.Add(time.Hour), Continues: 2, ContinuedBy: []uint64{5, 6}},
		{ID: 4},
	} {
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bucketStories), u64(s.ID), &s) }); err != nil {
			t.Fatal(err)
		}
	}
	// Older layouts: no continues, no reports key at all.
	records[7] = `{"id":7,"title":"old","first":"2026-11-29T12:00:00Z","last":"2026-11-29T13:00:00Z","merged_into":1,"count":0}`
	records[8] = `{"id":8,"title":"cut`
	records[9] = `[1,2]`
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		for id, v := range records {
			if err := tx.Bucket(bucketStories).Put(u64(id), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStories)
		for _, id := range []uint64{1, 2, 3, 4, 7} {
			full, err := getJSON[Story](b, u64(id), "story", id)
			if err != nil {
				t.Fatal(err)
			}
			h, err := getStoryHead(b, id)
			if err != nil {
				t.Fatalf("story %d: %v", id, err)
			}
			want := storyHead{ID: full.ID, Last: full.Last, MergedInto: full.MergedInto, Continues: full.Continues}
			if !h.Last.Equal(want.Last) || h.ID != want.ID || h.MergedInto != want.MergedInto || h.Continues != want.Continues {
				t.Errorf("story %d: head %+v, want %+v", id, *h, want)
			}
		}
		for _, id := range []uint64{8, 9} {
			if _, err := getStoryHead(b, id); err == nil {
				t.Errorf("damaged story %d read without an error", id)
			}
		}
		if _, err := getStoryHead(b, 99); !errors.Is(err, ErrNotFound) {
			t.Errorf("a missing story: %v, want ErrNotFound", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
