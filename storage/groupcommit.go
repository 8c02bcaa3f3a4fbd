package storage

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit joins concurrent writes into shared transactions without waiting for
// company: the first caller commits at once, and whoever arrives meanwhile goes into
// the next commit, together. bbolt's Batch instead waits up to MaxBatchDelay for a
// batch to fill, which left a sent message unrecorded for those milliseconds, long
// enough for a quick reply to it to find no record.
type groupCommit struct {
	mu      sync.Mutex
	pending []commitReq
	running bool
}

type commitReq struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// update runs fn in a write transaction shared with other callers of update. fn must
// be idempotent: if the shared transaction fails, each fn runs again on its own.
func (g *groupCommit) update(db *bolt.DB, fn func(*bolt.Tx) error) error {
	req := commitReq{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	if g.running {
		g.mu.Unlock()
		return <-req.done
	}
	g.running = true
	for len(g.pending) > 0 {
		group := g.pending
		g.pending = nil
		g.mu.Unlock()
		commitGroup(db, group)
		g.mu.Lock()
	}
	g.running = false
	g.mu.Unlock()
	return <-req.done
}

// commitGroup commits group in one transaction, or, when that fails, each alone, so
// one caller's error is not another's.
func commitGroup(db *bolt.DB, group []commitReq) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, r := range group {
			if err := r.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(group) == 1 {
		for _, r := range group {
			r.done <- err
		}
		return
	}
	for _, r := range group {
		r.done <- db.Update(r.fn)
	}
}
