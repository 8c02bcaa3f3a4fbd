// Package panics counts the panics the process recovers from, and hands out their
// stacks only now and then: a fault that repeats for every chat or every report must
// cost a log line each time, not a stack each time (review 64: a stack per chat per run
// came to 180 MB a day at 10,000 chats).
package panics

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// StackEvery is how often one place's stack is logged.
const StackEvery = 10 * time.Minute

var (
	total     atomic.Int64
	mu        sync.Mutex
	lastStack = map[string]time.Time{}
)

// Recovered counts a panic recovered in where. Called from the deferred function
// that recovered it, it returns the stack of the panic when where's stack was not
// handed out in the last StackEvery, and "" otherwise.
func Recovered(where string) string {
	if !Noted(where) {
		return ""
	}
	return string(debug.Stack())
}

// Noted counts a panic recovered in where, and reports whether its stack (taken by
// the caller) is to be logged: where's was not in the last StackEvery.
func Noted(where string) bool {
	total.Add(1)
	now := time.Now()
	mu.Lock()
	defer mu.Unlock()
	if t, ok := lastStack[where]; ok && now.Sub(t) < StackEvery {
		return false
	}
	if len(lastStack) > 1000 { // where is a fixed name; this only bounds a mistake
		clear(lastStack)
	}
	lastStack[where] = now
	return true
}

// Total is how many panics the process recovered from.
func Total() int64 { return total.Load() }
