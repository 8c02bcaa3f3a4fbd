package stories

import "time"

// Windows are the spans of stored news that digests and story cards read: named here,
// and nowhere else. Every window is read newest first, so when a cap must cut, it is
// the oldest news that is left out, and the cut is logged and counted.
type Windows struct {
	// FirstDigest is how far back a subscriber's first digest reaches.
	FirstDigest time.Duration
	// MaxLookback is the furthest back any digest reaches, however long ago the last one
	// was and however many came back empty (a subscriber whose filters match nothing
	// must not widen everyone's run).
	MaxLookback time.Duration
	// Earlier is how far back related earlier stories are looked for.
	Earlier time.Duration
	// AlsoReported is how far around a card's story other outlets' reports are looked for.
	AlsoReported time.Duration
	// Received is how long a story sent to a reader counts as received (repeats are left
	// out of digests).
	Received time.Duration
	// MaxItems caps a run's new items and a card's neighbourhood; MaxEarlier caps the
	// earlier items read for related stories; MaxOwnItems caps what one subscriber's own
	// feeds add to their digest (new items, and earlier ones for related stories).
	MaxItems, MaxEarlier, MaxOwnItems int
}

// DefaultWindows are the windows newsbot uses.
var DefaultWindows = Windows{
	FirstDigest:  24 * time.Hour,
	MaxLookback:  72 * time.Hour,
	Earlier:      30 * 24 * time.Hour,
	AlsoReported: 72 * time.Hour,
	Received:     72 * time.Hour,
	MaxItems:     20_000,
	MaxEarlier:   10_000,
	MaxOwnItems:  300,
}

// withDefaults fills the zero fields from DefaultWindows.
func (w Windows) withDefaults() Windows {
	d := DefaultWindows
	for _, f := range []struct{ dst, src *time.Duration }{
		{&d.FirstDigest, &w.FirstDigest}, {&d.MaxLookback, &w.MaxLookback}, {&d.Earlier, &w.Earlier},
		{&d.AlsoReported, &w.AlsoReported}, {&d.Received, &w.Received},
	} {
		if *f.src > 0 {
			*f.dst = *f.src
		}
	}
	for _, f := range []struct{ dst, src *int }{{&d.MaxItems, &w.MaxItems}, {&d.MaxEarlier, &w.MaxEarlier}, {&d.MaxOwnItems, &w.MaxOwnItems}} {
		if *f.src > 0 {
			*f.dst = *f.src
		}
	}
	return d
}

// DigestSince is where a subscriber's next digest starts: after the last one, but
// never further back than MaxLookback.
func (w Windows) DigestSince(last, now time.Time) time.Time {
	since := last
	if since.IsZero() {
		since = now.Add(-w.FirstDigest)
	}
	if floor := now.Add(-w.MaxLookback); since.Before(floor) {
		since = floor
	}
	return since
}
