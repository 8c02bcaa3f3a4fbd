package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Concurrent records of sent messages all land, each readable the moment Sent returns.
func TestSentConcurrentlyAllRecorded(t *testing.T) {
	db := tempDB(t)
	ctx := context.Background()
	const n = 64
	var msgs []OutMessage
	for i := range n {
		msgs = append(msgs, OutMessage{ChatID: int64(100 + i), Method: "sendMessage", Params: map[string]string{"text": "hi"}})
	}
	if err := db.Enqueue(ctx, msgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	queued, err := db.Outbox(ctx, 0, 0)
	if err != nil || len(queued) != n {
		t.Fatalf("outbox: %d %v", len(queued), err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, m := range queued {
		wg.Go(func() {
			rec := &MessageRecord{Kind: KindCard, Items: []uint64{uint64(i + 1)}}
			if _, err := db.Sent(ctx, m.ID, m.ChatID, 1000+i, rec); err != nil {
				errs <- err
				return
			}
			// Recorded when Sent returns: a reply to the message finds it.
			if got, err := db.MessageRecordFor(ctx, m.ChatID, 1000+i); err != nil || got.Items[0] != uint64(i+1) {
				errs <- fmt.Errorf("record of %d: %+v %v", m.ChatID, got, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if left, _ := db.Outbox(ctx, 0, 0); len(left) != 0 {
		t.Errorf("%d messages left in the outbox", len(left))
	}
}

// One caller's failure in a shared commit is that caller's alone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := tempDB(t)
	var g groupCommit
	bad := errors.New("bad write")
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range results {
		wg.Go(func() {
			results[i] = g.update(db.bolt, func(tx *bolt.Tx) error {
				if i%5 == 0 {
					return bad
				}
				return tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "gc-%d", i), []byte("x"))
			})
		})
	}
	wg.Wait()
	for i, err := range results {
		if (i%5 == 0) != errors.Is(err, bad) {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for i := range results {
			if got := tx.Bucket(bucketMeta).Get(fmt.Appendf(nil, "gc-%d", i)) != nil; got != (i%5 != 0) {
				t.Errorf("key %d stored: %v", i, got)
			}
		}
		return nil
	})
}

// The caller that leads a commit returns once its own write is committed: the next
// round is led by a caller in it, not by the first one for as long as writes come.
func TestGroupCommitHandsOverTheLead(t *testing.T) {
	db := tempDB(t)
	var g groupCommit
	inFirst, releaseFirst := make(chan struct{}), make(chan struct{})
	inSecond, releaseSecond := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- g.update(db.bolt, func(*bolt.Tx) error { close(inFirst); <-releaseFirst; return nil })
	}()
	<-inFirst
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- g.update(db.bolt, func(*bolt.Tx) error { close(inSecond); <-releaseSecond; return nil })
	}()
	for waiting := 0; waiting == 0; {
		g.mu.Lock()
		waiting = len(g.pending)
		g.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	close(releaseFirst)
	<-inSecond // the second round runs, and the first caller is already free:
	select {
	case err := <-firstDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first caller is still committing the second round")
	}
	close(releaseSecond)
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
}

// A write that panics fails its own round and leaves the group commit working.
func TestGroupCommitSurvivesAPanic(t *testing.T) {
	db := tempDB(t)
	var g groupCommit
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach its caller")
			}
		}()
		g.update(db.bolt, func(*bolt.Tx) error { panic("boom") })
	}()
	done := make(chan error, 1)
	go func() { done <- g.update(db.bolt, func(*bolt.Tx) error { return nil }) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write after a panic never committed")
	}
}
