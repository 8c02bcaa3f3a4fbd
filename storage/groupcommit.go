package storage

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit joins concurrent writes into shared transactions without waiting for
// company: the first caller commits at once, and whoever arrives meanwhile goes into
// the next commit, together. bbolt's Batch instead waits up to MaxBatchDelay for a
// batch to fill, which left a sent message unrecorded for those milliseconds, long
// enough for a quick reply to it to find no record.
//
// A caller leads at most one commit: when its own write is committed and others are
// waiting, it hands the lead to the first of them and returns, so no caller is kept
// committing other callers' writes for as long as they keep coming.
type groupCommit struct {
	mu      sync.Mutex
	pending []commitReq
	running bool // a leader is committing, or has been handed the lead
}

type commitReq struct {
	fn   func(*bolt.Tx) error
	done chan error    // the caller's result
	lead chan struct{} // the caller is to lead the next commit
}

// update runs fn in a write transaction shared with other callers of update. fn must
// have no effect outside the transaction: if the shared transaction fails, it is
// rolled back and each fn runs again on its own.
func (g *groupCommit) update(db *bolt.DB, fn func(*bolt.Tx) error) error {
	req := commitReq{fn: fn, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	if !g.running {
		g.running = true
		g.mu.Unlock()
		g.commitRound(db)
		return <-req.done
	}
	g.mu.Unlock()
	select {
	case err := <-req.done:
		return err
	case <-req.lead:
		g.commitRound(db) // req is in this round: nobody took the pending list since
		return <-req.done
	}
}

// commitRound commits everything pending, then hands the lead to whoever arrived
// meanwhile. A panic in a write fails this round's callers and still hands the lead
// on, so later callers are not left waiting, and then goes on up.
func (g *groupCommit) commitRound(db *bolt.DB) {
	g.mu.Lock()
	group := g.pending
	g.pending = nil
	g.mu.Unlock()
	defer func() {
		p := recover()
		if p != nil {
			for _, r := range group {
				select {
				case r.done <- fmt.Errorf("group commit: panic: %v", p):
				default: // answered before the panic
				}
			}
		}
		g.mu.Lock()
		if len(g.pending) > 0 {
			g.pending[0].lead <- struct{}{}
		} else {
			g.running = false
		}
		g.mu.Unlock()
		if p != nil {
			panic(p)
		}
	}()
	commitGroup(db, group)
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
