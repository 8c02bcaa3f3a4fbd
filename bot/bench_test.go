package bot

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
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
		h.opts.Send = SenderOptions{GlobalPerSecond: allowed, Workers: 32}
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
		h.db.Close()
	}
}
