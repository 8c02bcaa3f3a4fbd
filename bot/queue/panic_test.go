package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

// panicsFor is the real Bot API client with a fault planted in it: a call to one chat
// panics. No input reaches a panic in the sender today; the plant stands for the next
// bug, which must cost one message, not the process (a panic in any goroutine ends it,
// and a message still queued would end it again after every restart: audit 62).
type panicsFor struct {
	Telegram
	chat string
	once sync.Once
}

func (p *panicsFor) Call(ctx context.Context, method string, params map[string]string) (json.RawMessage, error) {
	if params["chat_id"] == p.chat {
		hit := false
		p.once.Do(func() { hit = true })
		if hit {
			panic("planted fault")
		}
	}
	return p.Telegram.Call(ctx, method, params)
}

func TestASendThatPanicsCostsItsMessage(t *testing.T) {
	tg, db := senderFixture(t)
	ctx := context.Background()
	a := tg.PrivateChat(telegramtest.User{ID: 6201, FirstName: "A"})
	b := tg.PrivateChat(telegramtest.User{ID: 6202, FirstName: "B"})
	text := func(chat telegramtest.Chat, s string) storage.OutMessage {
		return storage.OutMessage{ChatID: chat.ID, Method: "sendMessage", Params: map[string]string{"chat_id": strconv.FormatInt(chat.ID, 10), "text": s}}
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{text(a, "first"), text(b, "other"), text(a, "second")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	sender := runSender(t, db, &panicsFor{Telegram: realClient(t, tg), chat: strconv.FormatInt(a.ID, 10)}, SenderOptions{PrivateEvery: time.Millisecond, GlobalPerSecond: 100})
	if _, err := tg.WaitFor(a.ID, 10*time.Second, func(m telegramtest.Message) bool { return m.Text == "second" }); err != nil {
		t.Fatalf("the chat's next message: %v", err)
	}
	if _, err := tg.WaitFor(b.ID, 10*time.Second, func(m telegramtest.Message) bool { return m.Text == "other" }); err != nil {
		t.Fatalf("another chat's message: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		left, err := db.Outbox(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages left in the outbox", len(left))
		}
	}
	if got := sender.Stats.Dropped.Load(); got != 1 {
		t.Errorf("%d messages dropped, want the one whose send panicked", got)
	}
	if n := len(tg.AllMessages(a.ID)); n != 1 {
		t.Errorf("chat A got %d messages, want the second alone", n)
	}
}

// An update whose admission panics is refused and confirmed, and the others are
// handled: admission runs outside the handlers' recovery, and a stored update that
// panicked there ended the process at every start (audit 62).
func TestAnUpdateWhoseAdmissionPanicsIsDropped(t *testing.T) {
	_, db := senderFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	raw := func(id, chat int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d},"text":"/help"}}`, id, chat, chat)
	}
	if err := db.StoreUpdates(ctx, map[int64][]byte{1: raw(1, 62), 2: raw(2, 63)}, 3); err != nil {
		t.Fatal(err)
	}
	handled := make(chan int64, 2)
	d := NewDispatcher(db, func(_ context.Context, u telegram.Update) Admission {
		if u.ChatOf() == 62 {
			var m map[string]int
			m["planted fault"]++ // a nil map: the next bug
		}
		return Admit
	}, func(_ context.Context, u telegram.Update) error {
		handled <- u.ChatOf()
		return nil
	}, DispatchOptions{Workers: 2, Log: slog.New(slog.DiscardHandler)})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case chat := <-handled:
		if chat != 63 {
			t.Fatalf("handled chat %d's update, want 63's", chat)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the other update was not handled")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		ids, _, err := db.PendingUpdates(ctx, 0, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("updates %v still stored", ids)
		}
	}
	if got := d.Dropped.Load(); got != 1 {
		t.Errorf("%d updates dropped, want the one whose admission panicked", got)
	}
}

// sentPanics is the real store with a fault planted in recording one chat's first
// sent message: the panic comes after Telegram took it.
type sentPanics struct {
	*storage.DB
	chat int64
	once sync.Once
}

func (p *sentPanics) Sent(ctx context.Context, id uint64, chatID int64, messageID int, rec *storage.MessageRecord) (storage.SentCopy, error) {
	c, err := p.DB.Sent(ctx, id, chatID, messageID, rec)
	if chatID == p.chat {
		hit := false
		p.once.Do(func() { hit = true })
		if hit {
			panic("planted fault")
		}
	}
	return c, err
}

// A panic after Telegram took a message counts it as sent, not dropped, and it is not
// sent again (review 64: it was counted as failed and dropped).
func TestAPanicAfterASendCountsItSent(t *testing.T) {
	tg, db := senderFixture(t)
	ctx := context.Background()
	a := tg.PrivateChat(telegramtest.User{ID: 6211, FirstName: "A"})
	text := func(s string) storage.OutMessage {
		return storage.OutMessage{ChatID: a.ID, Method: "sendMessage", Params: map[string]string{"chat_id": strconv.FormatInt(a.ID, 10), "text": s}}
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{text("first"), text("second")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	sender := runSender(t, &sentPanics{DB: db, chat: a.ID}, realClient(t, tg), SenderOptions{PrivateEvery: time.Millisecond, GlobalPerSecond: 100})
	if _, err := tg.WaitFor(a.ID, 10*time.Second, func(m telegramtest.Message) bool { return m.Text == "second" }); err != nil {
		t.Fatalf("the chat's next message: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); sender.Stats.Sent.Load() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages counted sent, want 2", sender.Stats.Sent.Load())
		}
	}
	if got := sender.Stats.Dropped.Load() + sender.Stats.Failed.Load(); got != 0 {
		t.Errorf("%d messages counted dropped or failed, want none", got)
	}
	var texts []string
	for _, m := range tg.AllMessages(a.ID) {
		texts = append(texts, m.Text)
	}
	if fmt.Sprint(texts) != "[first second]" {
		t.Errorf("the chat got %q, want each message once", texts)
	}
}

// realClient is a Bot API client of tg, closed with the test.
func realClient(t *testing.T, tg *telegramtest.Server) Telegram {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	client, err := telegram.NewClient(ctx, tg.APIURL(), tg.Token, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return client
}
