//go:build !race

package feed_test

// raceEnabled: the race detector is on (sync.Pool keeps nothing under it).
const raceEnabled = false
