package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// An upgrade onto a supergroup record the bot has left (inactive) gives the group's
// feeds no owner: they stop being polled (review R: they stayed polled, charged to no
// one, until a restart).
func TestMigrateOntoAnInactiveSupergroupCollectsFeeds(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 10}
	const old, super = -1007, -1001007
	mk := func(id int64, kind string) func() storage.Subscriber {
		return func() storage.Subscriber {
			return storage.Subscriber{ChatID: id, Kind: kind, Active: true, TimeZone: "UTC"}
		}
	}
	if _, _, err := db.AddOwnFeeds(ctx, old, 7, mk(old, "group"), []string{"https://x/old2.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddOwnFeeds(ctx, super, 8, mk(super, "supergroup"), []string{"https://x/new2.xml"}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, super, nil, func(s *storage.Subscriber) error { s.Active = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateChat(ctx, old, super); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Feed(ctx, "https://x/new2.xml"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the inactive supergroup's own feed is still polled: %v", err)
	}
	if f, err := db.Feed(ctx, "https://x/old2.xml"); err == nil {
		due, _ := db.DueFeeds(ctx, time.Now().Add(time.Hour), 0)
		t.Fatalf("the group's feed is still polled with no active owner: %+v; due: %d feeds", f, len(due))
	}
}

// /forget deletes the kept schedules of feeds the chat removed before, not only of
// those it had (review R: the removed feed's address stayed a week).
func TestForgetDeletesRemovedFeedsSchedules(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	lim := storage.FeedLimits{PerChat: 20, Global: 100, PerAccount: 10}
	const chat = 9
	url := "https://x/private-interest.xml"
	if _, _, err := db.AddOwnFeeds(ctx, chat, chat, func() storage.Subscriber {
		return storage.Subscriber{ChatID: chat, Kind: "private", Active: true, TimeZone: "UTC"}
	}, []string{url}, nil, lim); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error { s.OwnFeeds = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, chat, chat, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	var found []string
	db.Buckets(ctx, func(bucket string, k, v []byte) error {
		if string(k) == url {
			found = append(found, bucket)
		}
		return nil
	})
	if len(found) > 0 {
		t.Fatalf("after /forget the removed feed's URL is still in %v", found)
	}
}
