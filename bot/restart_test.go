package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
)

// A stop right after a message went out (the fake has it, the sender may still be
// reading Telegram's answer) must not send it again after the restart: the send in
// flight finishes and is recorded. Before the harness gave New a context outliving
// Run, as `newsbot run` does, about one restart in ten repeated the message.
func TestRestartRightAfterSendSendsOnce(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 100, PrivateEvery: 10 * time.Millisecond, GroupPerMin: 100})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 20 * time.Millisecond}
	u := telegramtest.User{ID: 702, FirstName: "Fay"}
	chat := h.tg.PrivateChat(u)
	h.start()
	count := func() int {
		n := 0
		for _, m := range h.tg.Messages(chat.ID) {
			if strings.Contains(m.Text, "Commands") && m.From != nil && m.From.IsBot {
				n++
			}
		}
		return n
	}
	for i := 1; i <= 12; i++ {
		h.tg.Send(u, chat, "/help")
		deadline := time.Now().Add(10 * time.Second)
		for count() < i && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		h.restart()
		time.Sleep(300 * time.Millisecond)
		if n := count(); n != i {
			t.Fatalf("round %d: %d replies\n%s", i, n, tail(h.logs.String(), 40))
		}
	}
}
