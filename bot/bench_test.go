package bot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// BenchmarkFanOut sends one digest to each of 10,000 subscribers through the fake Bot
// API with its global limit raised to 1,000 messages/s (Telegram's paid-broadcast
// ceiling) and the sender set to the same rate. It reports the achieved rate as a
// fraction of the allowed one, the 429 answers drawn, and peak heap.
func BenchmarkFanOut(b *testing.B) {
	const subscribers = 10000
	const allowed = 1000.0
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		h.tg.SetLimits(telegramtest.Limits{Global: int(allowed), PrivateEvery: time.Second, GroupPerMin: 20})
		h.opts.Send = queue.SenderOptions{GlobalPerSecond: allowed, Workers: 32}
		digestsDue(b, h, subscribers)
		h.start()
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}()
		b.StartTimer()

		start := time.Now()
		if err := h.bot.RunDue(context.Background()); err != nil {
			b.Fatal(err)
		}
		queued := time.Since(start)
		for h.tg.Calls("sendMessage") < subscribers {
			time.Sleep(5 * time.Millisecond)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		b.ReportMetric(subscribers/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(subscribers/elapsed.Seconds()/allowed, "fraction-of-allowed")
		b.ReportMetric(float64(h.tg.TooMany()), "429s")
		b.ReportMetric(queued.Seconds(), "s-to-queue")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		h.stop()
		h.closeDB()
	}
}

// BenchmarkHelpDuringFlood measures an ordinary reader's /help while one chat floods
// (a message every 2 ms) and three readers' /add hang on a page of hanging feeds, and,
// for comparison, with nobody else about. It reports the p50 and p99 of the time from
// sending /help to receiving the answer.
func BenchmarkHelpDuringFlood(b *testing.B) {
	for _, flood := range []bool{false, true} {
		b.Run(map[bool]string{false: "quiet", true: "flood"}[flood], func(b *testing.B) { benchHelp(b, flood) })
	}
}

func benchHelp(b *testing.B, flood bool) {
	h := newHarness(b)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond, GlobalPerSecond: 500}
	site, _ := hangingFeeds(b)
	h.start()
	stop := make(chan struct{})
	defer close(stop)
	if flood {
		flooder := telegramtest.User{ID: 5001, FirstName: "Flood"}
		fc := h.tg.PrivateChat(flooder)
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
				h.tg.Send(flooder, fc, fmt.Sprint("spam ", i))
			}
		}()
		for k := range 3 {
			u := telegramtest.User{ID: int64(5010 + k), FirstName: "Stuck"}
			h.tg.Send(u, h.tg.PrivateChat(u), "/add "+site+"/many.html")
		}
	}
	// The reader is measured, not limited: a fresh reader per 10 requests keeps within
	// the per-reader burst.
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		reader := telegramtest.User{ID: int64(6000 + i/10), FirstName: "Rea"}
		rc := h.tg.PrivateChat(reader)
		n := countText(h.tg.Messages(rc.ID), "Commands")
		start := time.Now()
		h.tg.Send(reader, rc, "/help")
		for countText(h.tg.Messages(rc.ID), "Commands") == n {
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkDigestRunHostileFilters composes and queues the digests of 1,000 due
// subscribers over 1,000 new items, 10 of them carrying 30 of the costliest filters the
// limits accept. Sending is not included.
//
// The "next" runs are the run after: the chats whose filters ran out of time are in the
// slow lane (slowlane.go) by then, and slow-lane-s is the lane's own time, beside it;
// the "restarted" runs are the same after a restart between the two runs.
func BenchmarkDigestRunHostileFilters(b *testing.B) {
	for _, hostile := range []int{0, 10, 100} {
		b.Run(fmt.Sprintf("hostile=%d", hostile), func(b *testing.B) { benchDigestRun(b, hostile, false, false) })
		b.Run(fmt.Sprintf("hostile=%d/next", hostile), func(b *testing.B) { benchDigestRun(b, hostile, true, false) })
		b.Run(fmt.Sprintf("hostile=%d/restarted", hostile), func(b *testing.B) { benchDigestRun(b, hostile, true, true) })
	}
}

// benchDigestRun times a run of 1,000 due chats, hostile of them with the worst
// filters: the first run (next false), or the next one (the hostile chats in the slow
// lane), with the bot started again between the two (restarted).
func benchDigestRun(b *testing.B, hostile int, next, restarted bool) {
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		now := t0.Add(20 * time.Hour)
		h.clock.Set(now)
		ctx := context.Background()
		// A tenth of them share a story.
		batch := fillerNews(1000, "", now, time.Minute, func(i int) int { return i / 10 })
		if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], batch, now.Add(-time.Hour)); err != nil {
			b.Fatal(err)
		}
		worst := worstFilters()
		for i := range 1000 {
			s := storage.Subscriber{ChatID: int64(200000 + i), Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC",
				Times: []string{"08:00"}, Stories: 8, SummarySentences: 2, LastDigest: now.Add(-2 * time.Hour), NextDigest: now.Add(-time.Minute)}
			if hostile > 0 && i%(1000/hostile) == 0 {
				s.Include = worst
			}
			if err := h.db.PutSubscriber(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		bot, err := New(ctx, h.db, nil, h.opts)
		if err != nil {
			b.Fatal(err)
		}
		if next {
			if err := bot.RunDue(ctx); err != nil {
				b.Fatal(err)
			}
			for i := range 1000 {
				if _, err := h.db.UpdateSubscriber(ctx, int64(200000+i), nil, func(s *storage.Subscriber) error {
					s.NextDigest, s.LastDigest = now.Add(-time.Minute), now.Add(-2*time.Hour)
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			if restarted {
				if bot, err = New(ctx, h.db, nil, h.opts); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()
		start := time.Now()
		if err := bot.RunDue(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(time.Since(start).Seconds(), "s-per-run")
		b.ReportMetric(float64(bot.Stats().FilterBudgetHits), "budget-hits")
		if next {
			start = time.Now()
			if err := bot.RunSlowDue(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "slow-lane-s")
		}
		h.closeDB()
	}
}

// BenchmarkScale composes and queues the digests due at once with 100,000 subscribers
// stored and 2,000 items (about 5 KB each) in the window, for 1,000, 5,000 and 10,000
// due: how the run grows with the number due. Sending is not included (see
// BenchmarkFanOut). It reports seconds per run, microseconds per due digest, and the
// peak heap sampled every 20 ms during the run. Run it alone:
//
//	go test ./bot -run '^$' -bench Scale -benchtime 1x -timeout 30m
func BenchmarkScale(b *testing.B) {
	for _, due := range []int{1000, 5000, 10000} {
		b.Run(fmt.Sprintf("due=%d", due), func(b *testing.B) { benchScale(b, 100000, due, 2000) })
	}
}

func benchScale(b *testing.B, stored, due, items int) {
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		now := t0.Add(20 * time.Hour)
		h.clock.Set(now)
		ctx := context.Background()
		// A tenth of them share a story with nine others.
		batch := fillerNews(items, "", now, time.Minute, func(i int) int { return i / 10 })
		if _, err := h.db.AddItems(ctx, h.opts.Catalogue[0], batch, now.Add(-time.Hour)); err != nil {
			b.Fatal(err)
		}
		subs := make([]storage.Subscriber, stored)
		for i := range subs {
			next := now.Add(time.Duration(1+i) * time.Second) // not due yet
			if i < due {
				next = now.Add(-time.Minute)
			}
			subs[i] = storage.Subscriber{ChatID: int64(300000 + i), Kind: "private", Active: true, Subscribed: true,
				TimeZone: "UTC", Times: []string{"08:00"}, Stories: 8, SummarySentences: 2,
				LastDigest: now.Add(-24 * time.Hour), NextDigest: next}
		}
		if err := h.db.PutSubscribers(ctx, subs); err != nil {
			b.Fatal(err)
		}
		subs = nil
		bot, err := New(ctx, h.db, nil, h.opts)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		if err := bot.RunDue(ctx); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		<-sampled
		if got := bot.Stats().Digests; got != int64(due) {
			b.Fatalf("%d digests built, want %d", got, due)
		}
		b.ReportMetric(elapsed.Seconds(), "s-per-run")
		b.ReportMetric(float64(elapsed.Microseconds())/float64(due), "µs-per-digest")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		h.closeDB()
	}
}

// BenchmarkStoryStream simulates three days of news for followed stories: 300 feeds
// file about 2,400 reports a day (a poll cycle every 15 minutes) on stories that
// develop (a story's reports come from several outlets over a day or two; now and then
// one brings a new figure or a new name), and 2,000 readers follow 5 stories each, with
// the default quiet hours. Each cycle stores the new reports and runs FollowUp, as
// the App does after a poll: placing reports into stories, finding developments,
// redrawing cards and queuing updates (queued, not sent). It reports update messages
// per reader per day, the time per cycle (mean and the slowest; placing the reports
// into stories apart), heap after GC at the end, and the same with 50,000 older
// reports stored beforehand: placing a report must cost what the open stories make it
// cost, not what the archive holds.
//
//	go test ./bot -run '^$' -bench StoryStream -benchtime 1x -timeout 30m
func BenchmarkStoryStream(b *testing.B) {
	for _, archive := range []int{0, 50000} {
		b.Run(fmt.Sprintf("archive=%d", archive), func(b *testing.B) { benchStoryStream(b, archive) })
	}
}

func benchStoryStream(b *testing.B, archive int) {
	const (
		feeds    = 300
		readers  = 2000
		follows  = 5
		days     = 3
		cycle    = 15 * time.Minute
		perDay   = 2400
		storyLen = 36 * time.Hour
	)
	for range b.N {
		b.StopTimer()
		h := newHarness(b)
		var urls []string
		for i := range feeds {
			urls = append(urls, fmt.Sprintf("https://outlet%d.example/rss", i))
		}
		h.opts.Catalogue = urls
		ctx := context.Background()
		start := t0
		h.clock.Set(start)
		rng := rand.New(rand.NewPCG(15, 15))
		if archive > 0 {
			var old []storage.Item
			for i := range archive {
				old = append(old, streamItem(rng, fmt.Sprint("old", i), i%5000, 0, start.Add(-10*24*time.Hour)))
				if len(old) == 1000 {
					if _, err := h.db.AddItems(ctx, urls[i%feeds], old, start.Add(-10*24*time.Hour)); err != nil {
						b.Fatal(err)
					}
					old = nil
				}
			}
		}
		subs := make([]storage.Subscriber, readers)
		for i := range subs {
			subs[i] = storage.Subscriber{ChatID: int64(400000 + i), Kind: "private", Active: true, TimeZone: "UTC",
				Times: []string{"08:00"}, Stories: 8, SummarySentences: 2, NextDigest: start.Add(365 * 24 * time.Hour)}
		}
		if err := h.db.PutSubscribers(ctx, subs); err != nil {
			b.Fatal(err)
		}
		bot, err := New(ctx, h.db, nil, h.opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := bot.FollowUp(ctx); err != nil { // the archive is read once, and skipped
			b.Fatal(err)
		}
		// Stories start through the first day and run for a day and a half; 60 a day.
		type event struct {
			id       int
			from, to time.Time
			figure   int
		}
		var events []*event
		for i := range 60 * days {
			from := start.Add(time.Duration(i) * 24 * time.Hour / 60)
			events = append(events, &event{id: 10000 + i, from: from, to: from.Add(storyLen), figure: 3 + rng.IntN(20)})
		}
		var cycles, placing []time.Duration
		followed := false
		n := 0
		runtime.GC()
		for t := start.Add(cycle); !t.After(start.Add(days * 24 * time.Hour)); t = t.Add(cycle) {
			h.clock.Set(t)
			perCycle := perDay * int(cycle) / int(24*time.Hour)
			byFeed := map[string][]storage.Item{}
			for range perCycle {
				var live []*event
				for _, e := range events {
					if !e.from.After(t) && e.to.After(t) {
						live = append(live, e)
					}
				}
				n++
				if len(live) == 0 || rng.IntN(4) == 0 {
					// A report of nothing followed: a one-off item.
					byFeed[urls[rng.IntN(feeds)]] = append(byFeed[urls[rng.IntN(feeds)]], streamItem(rng, fmt.Sprint("x", n), 50000+n, 0, t))
					continue
				}
				e := live[rng.IntN(len(live))]
				if rng.IntN(8) == 0 {
					e.figure += 1 + rng.IntN(5) // the story develops
				}
				f := urls[rng.IntN(feeds)]
				byFeed[f] = append(byFeed[f], streamItem(rng, fmt.Sprint("e", n), e.id, e.figure, t))
			}
			for f, items := range byFeed {
				if _, err := h.db.AddItems(ctx, f, items, t); err != nil {
					b.Fatal(err)
				}
			}
			if !followed && t.Sub(start) >= 6*time.Hour {
				// Readers follow five of the stories open now.
				open, err := h.db.OpenStories(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(open) < follows {
					b.Fatalf("only %d open stories", len(open))
				}
				for i := range readers {
					for k := range follows {
						st := open[(i*7+k*13)%len(open)]
						if _, err := h.db.FollowStory(ctx, int64(400000+i), st.ID, t, time.Time{}, 50); err != nil && !errors.Is(err, storage.ErrTooManyFollows) {
							b.Fatal(err)
						}
					}
				}
				followed = true
			}
			b.StartTimer()
			began := time.Now()
			if _, err := bot.stories.Track(ctx); err != nil {
				b.Fatal(err)
			}
			placing = append(placing, time.Since(began))
			if err := bot.FollowUp(ctx); err != nil {
				b.Fatal(err)
			}
			cycles = append(cycles, time.Since(began))
			b.StopTimer()
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		var total, placed time.Duration
		for k, c := range cycles {
			total += c
			placed += placing[k]
		}
		slices.Sort(cycles)
		slices.Sort(placing)
		b.ReportMetric(float64(placed.Microseconds())/1000/float64(len(placing)), "ms/cycle-placing")
		b.ReportMetric(float64(placing[len(placing)-1].Milliseconds()), "ms-slowest-placing")
		b.ReportMetric(float64(bot.Stats().StoryUpdates)/readers/days, "updates/reader/day")
		b.ReportMetric(float64(total.Microseconds())/1000/float64(len(cycles)), "ms/cycle")
		b.ReportMetric(float64(cycles[len(cycles)-1].Milliseconds()), "ms-slowest-cycle")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(bot.Stats().OpenStories), "open-stories")
		h.closeDB()
	}
}

// streamItem is one made-up report: of story event (its names and place, and its
// current figure), or, for a one-off, of words of its own.
func streamItem(rng *rand.Rand, key string, event, figure int, at time.Time) storage.Item {
	name := func(k int) string {
		syl := []string{"ka", "lo", "mi", "ran", "te", "vo", "shu", "del", "pa", "zin", "or", "bek"}
		return strings.ToUpper(syl[k%12][:1]) + syl[k%12][1:] + syl[(k/12)%12] + syl[(k/144)%12]
	}
	who, place, org := name(event*3), name(event*3+1), name(event*3+2)
	verbs := []string{"said", "confirmed", "reported", "announced", "told reporters"}
	topic := fillerWords[event%len(fillerWords)] + " " + fillerWords[(event/7)%len(fillerWords)]
	var title, text string
	if figure == 0 {
		title = fmt.Sprintf("%s officials discuss %s plans", place, topic)
		text = fmt.Sprintf("Officials in %s discussed plans for the %s on %s, %s of %s %s.", place, topic,
			at.Weekday(), who, org, verbs[rng.IntN(len(verbs))])
	} else {
		title = fmt.Sprintf("%s %s: %d affected, %s says", place, topic, figure, org)
		text = fmt.Sprintf("The %s in %s has affected %d people so far, %s of %s %s on %s. Crews in %s continued work on the %s.",
			topic, place, figure, who, org, verbs[rng.IntN(len(verbs))], at.Weekday(), place, topic)
	}
	return storage.Item{Key: key, Title: title, Text: text, Language: "en", Published: at,
		URL: "https://stream.example/" + key, Words: len(strings.Fields(text))}
}

// BenchmarkFullThread measures what a full discussion (DefaultMaxThreadComments of
// 2,000 Cyrillic characters, half of them replies) costs: its last page, as /thread
// and the th: buttons draw it (the outline from the index, then the page's comments),
// and the count every card shows.
func BenchmarkFullThread(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	now := t0.Add(time.Hour)
	added, err := h.db.AddItems(ctx, h.opts.Catalogue[0], []storage.Item{{Key: "x", Title: "T", Text: "body", URL: "https://n.example/x", Published: now}}, now)
	if err != nil || len(added) != 1 {
		b.Fatal(err)
	}
	id := added[0].ID
	text := strings.Repeat("щ", 1990)
	var parent uint64
	for i := range storage.DefaultMaxThreadComments {
		c := storage.Comment{ItemID: id, AuthorID: int64(1000 + i%200), AuthorName: "A", Text: text, Created: now, SrcChat: int64(1000 + i%200), SrcMsg: i + 1}
		if i%2 == 1 {
			c.ParentID = parent
		}
		st, _, err := h.db.AddComment(ctx, c)
		if err != nil {
			b.Fatal(err)
		}
		parent = st.ID
	}
	b.Run("page", func(b *testing.B) {
		for range b.N {
			nodes, err := h.db.ThreadOutline(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			outline := threadOutline(nodes)
			pages := max(1, (len(outline)+commentsPerPage-1)/commentsPerPage)
			var ids []uint64
			for _, n := range outline[(pages-1)*commentsPerPage:] {
				ids = append(ids, n.ID)
			}
			onPage, err := h.db.CommentsByID(ctx, ids)
			if err != nil {
				b.Fatal(err)
			}
			threadPageHTML("T", len(nodes), onPage, pages-1, pages, 300)
		}
	})
	b.Run("count", func(b *testing.B) {
		for range b.N {
			if _, err := h.db.ThreadCommentCount(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQuietHoursScan is quietEnd's scan over a whole day of quiet hours, in a zone
// with daylight saving (review 70: 36 ms when every minute loaded the zone's file).
func BenchmarkQuietHoursScan(b *testing.B) {
	bt := &Bot{}
	bt.opts.DefaultQuiet = defaultQuiet
	s := storage.Subscriber{Quiet: "00:01-00:00", TimeZone: "America/New_York"}
	now := time.Date(2026, 11, 29, 5, 2, 0, 0, time.UTC)
	for b.Loop() {
		t := now.Truncate(time.Minute)
		for i := 0; i < 24*60 && bt.quietNow(s, t); i++ {
			t = t.Add(time.Minute)
		}
	}
}
