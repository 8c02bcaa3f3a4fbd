package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// BenchmarkSoak runs a simulated week on an injected clock: 5,000 subscribers with a
// daily digest, 300 feeds adding 8 items a day each, 200 comments a day, retention of
// three days. Each simulated day it records heap in use (after GC), goroutines, the
// database size and the item count, and reports the first and last day.
func BenchmarkSoak(b *testing.B) {
	const subscribers, feeds, perFeed, commentsPerDay, days = 5000, 300, 8, 200, 7
	for range b.N {
		h := newHarness(b)
		h.tg.SetLimits(telegramtest.Limits{Global: 20000, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
		h.opts.Send = queue.SenderOptions{GlobalPerSecond: 10000, Workers: 64}
		var urls []string
		for f := range feeds {
			urls = append(urls, fmt.Sprintf("https://feed%d.example/rss", f))
		}
		h.opts.Catalogue = urls
		start := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)
		h.clock.Set(start)
		ctx := context.Background()
		for i := range subscribers {
			id := int64(1_000_000 + i)
			h.tg.PrivateChat(telegramtest.User{ID: id, FirstName: "u"})
			if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: id, Kind: "private", Active: true, Subscribed: true,
				TimeZone: "UTC", Times: []string{"08:00"}, Stories: 8, SummarySentences: 2,
				LastDigest: start.Add(-time.Hour), NextDigest: start.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
		}
		h.start()
		rng := rand.New(rand.NewPCG(7, 7))
		var firstHeap, lastHeap uint64
		var firstG, lastG int
		var lastSize int64
		var lastItems int
		for day := range days {
			dayStart := start.Add(time.Duration(day) * 24 * time.Hour)
			h.clock.Set(dayStart)
			for f, u := range urls {
				var items []storage.Item
				for i := range perFeed {
					items = append(items, storage.Item{Key: fmt.Sprintf("d%d-i%d", day, i),
						Title: fmt.Sprintf("Day %d: council %d votes on plan %d for district %d", day, f%40, i, rng.IntN(50)),
						Text:  "The council voted on Tuesday. \"We will deliver,\" Mayor Ana Ruiz said. The plan was first proposed in 2024 after years of delays. Critics said the budget was too small for the district.",
						URL:   fmt.Sprintf("%s/%d/%d", u, day, i), Words: 40, Published: dayStart})
				}
				if _, err := h.db.AddItems(ctx, u, items, dayStart); err != nil {
					b.Fatal(err)
				}
			}
			h.clock.Set(dayStart.Add(time.Hour + 30*time.Second))
			if err := h.bot.RunDue(ctx); err != nil {
				b.Fatal(err)
			}
			recent, _, _ := h.db.ItemsAdded(ctx, dayStart, h.clock.Now().Add(time.Hour), 0)
			for c := range commentsPerDay {
				it := recent[rng.IntN(len(recent))]
				author := int64(1_000_000 + rng.IntN(subscribers))
				cm, _, err := h.db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, AuthorName: "u",
					Text: fmt.Sprintf("comment %d on day %d", c, day), Created: h.clock.Now(), SrcChat: author})
				if err != nil {
					b.Fatal(err)
				}
				if err := h.bot.relay(ctx, cm); err != nil {
					b.Fatal(err)
				}
			}
			for {
				n, _, _ := h.db.OutboxStats(ctx, time.Now())
				if n == 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			h.tg.ForgetMessages()
			if _, err := h.db.Prune(ctx, h.clock.Now().Add(-72*time.Hour)); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			g := runtime.NumGoroutine()
			st, _ := h.db.Stats(ctx)
			lastHeap, lastG, lastSize, lastItems = ms.HeapInuse, g, h.db.Size(), st.Items
			if day == 0 {
				firstHeap, firstG = ms.HeapInuse, g
			}
			b.Logf("day %d: heap %.1f MiB, goroutines %d, db %.1f MiB, items %d, sent %d",
				day+1, float64(ms.HeapInuse)/(1<<20), g, float64(h.db.Size())/(1<<20), st.Items, h.bot.sender.Stats.Sent.Load())
		}
		b.ReportMetric(float64(firstHeap)/(1<<20), "heap-day1-MiB")
		b.ReportMetric(float64(lastHeap)/(1<<20), "heap-day7-MiB")
		b.ReportMetric(float64(lastG-firstG), "goroutine-growth")
		b.ReportMetric(float64(lastSize)/(1<<20), "db-day7-MiB")
		b.ReportMetric(float64(lastItems), "items-day7")
		h.stop()
		h.closeDB()
	}
}
