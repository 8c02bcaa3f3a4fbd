package queue

import (
	"context"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// BenchmarkOutboxCopy: the heap the sender's copy of the queue holds while a digest run
// of 100,000 chats (3.5 KB each) waits to be sent. It keeps what ranking needs of each
// message; with each whole message it held 735 MiB (2026-12-01).
func BenchmarkOutboxCopy(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	body := strings.Repeat("A digest line with a story title and a summary sentence. ", 60)
	for start := 0; start < 100000; start += 10000 {
		var msgs []storage.OutMessage
		for i := start; i < start+10000; i++ {
			chat := int64(100000 + i)
			msgs = append(msgs, storage.OutMessage{ChatID: chat, Method: "sendMessage", Class: storage.ClassDigest, Plain: body,
				Params: map[string]string{"chat_id": strconv.FormatInt(chat, 10), "text": body, "parse_mode": "HTML"},
				Record: &storage.MessageRecord{Kind: storage.KindDigest, Items: []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}})
		}
		if err := db.Enqueue(context.Background(), msgs, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	s := &Sender{store: db}
	b.ResetTimer()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		q := &outboxCopy{}
		q.reset()
		s.load(context.Background(), q)
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(q.msgs) != 100000 {
			b.Fatalf("%d messages in the copy", len(q.msgs))
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "copy-MiB")
		runtime.KeepAlive(q)
	}
}

// BenchmarkDropChat: a chat's 403 (it blocked the bot) during a digest run of 100,000
// queued, in the sender's copy: it drops the chat's own messages. It ranged over the
// whole copy (2.25 ms, audit 54).
func BenchmarkDropChat(b *testing.B) {
	q := &outboxCopy{}
	q.reset()
	for i := range 100000 {
		q.add(storage.OutMessage{ID: uint64(i + 1), ChatID: int64(100000 + i), Class: storage.ClassDigest})
	}
	s := &Sender{chats: map[int64]*chatPace{}}
	for i := 0; b.Loop(); i++ {
		s.apply(q, outcome{chat: int64(100000 + i%100000), dropChat: true})
	}
}

// BenchmarkUpgradeOfALargeGroup: a group's upgrade, learnt from a send, relabels its
// 40,000 queued messages in the copy (review 57: checking the new chat's list per
// message took 330 ms).
func BenchmarkUpgradeOfALargeGroup(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		q := &outboxCopy{}
		q.reset()
		for i := 1; i <= 40000; i++ {
			q.add(storage.OutMessage{ID: uint64(i), ChatID: -5, Class: storage.ClassDigest})
		}
		s := &Sender{chats: map[int64]*chatPace{}}
		b.StartTimer()
		s.apply(q, outcome{id: 1, chat: -5, migrated: -1005})
	}
}
