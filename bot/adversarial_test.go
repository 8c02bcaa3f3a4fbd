package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
)

// TestAdversarialSession runs many hostile readers at once for a minute (15 s with
// -short): a flooder, readers whose /add hangs on a page of hanging feeds, a forger of
// buttons in a shared group, reply floods, hostile names, /import-/forget cycles and
// filter bombs. Meanwhile ordinary readers keep asking for /help and receiving
// digests: every answer must come within 10 s, every ordinary reader must get digests,
// and nothing the hostiles do may change the group's settings.
func TestAdversarialSession(t *testing.T) {
	duration := time.Minute
	if testing.Short() {
		duration = 15 * time.Second
	}
	h := discussionHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Millisecond, GroupPerMin: 100000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond, GroupPerMinute: 100000, GlobalPerSecond: 500, Workers: 16}
	h.opts.CommandRate, h.opts.CommandBurst = 1.0/3, 10
	h.opts.DiscoveryBudget = 3 * time.Second
	site, _ := hangingFeeds(t)
	h.start()
	h.ingest()
	ctx := context.Background()
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	loop := func(name string, every time.Duration, fn func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				fn(i)
				time.Sleep(every)
			}
		}()
	}

	// The group whose settings the forger tries to change.
	admin := telegramtest.User{ID: 990001, FirstName: "Gale"}
	group := h.tg.Group(-990000, "Commons", false, admin.ID)
	h.tg.Send(admin, group, "/subscribe")
	h.wait(group.ID, "Subscribed.", waitLong)
	h.tg.Send(admin, group, "/settings relay on")
	h.wait(group.ID, "relayed here", waitLong)
	before, err := h.db.Subscriber(ctx, group.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Add(4 * time.Hour)
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	groupDigest := h.wait(group.ID, "Your news digest", waitLong)

	// Ordinary readers.
	const ordinary = 5
	var readers []telegramtest.User
	for i := range ordinary {
		u := telegramtest.User{ID: int64(991000 + i), FirstName: fmt.Sprint("Reader", i)}
		readers = append(readers, u)
		h.tg.Send(u, h.tg.PrivateChat(u), "/subscribe")
		h.wait(u.ID, "Subscribed.", waitLong)
	}

	// Hostiles.
	flooder := telegramtest.User{ID: 992001, FirstName: "Flood"}
	fc := h.tg.PrivateChat(flooder)
	loop("flood", 5*time.Millisecond, func(i int) { h.tg.Send(flooder, fc, fmt.Sprint("spam ", i)) })
	for k := range 3 {
		u := telegramtest.User{ID: int64(992010 + k), FirstName: "Stuck"}
		c := h.tg.PrivateChat(u)
		loop("stuck add", time.Second, func(int) { h.tg.Send(u, c, "/add "+site+"/many.html") })
	}
	forger := telegramtest.User{ID: 992020, FirstName: "Forge"}
	forged := []string{"set:n:1", "sub:off", "forget:yes", "mt:1", "mt:2", "fl:1", "flt:i:0", "feed:0", "rm:0",
		"pc:1:1", "pc:999:1", "rp:1", "rp:2", "mod:ban:1", "mod:rm:2", "th:1:0", "card:1", "card:99999", "x:y", strings.Repeat("z", 64)}
	rng := rand.New(rand.NewPCG(1, 2))
	var rngMu sync.Mutex
	loop("forger", 20*time.Millisecond, func(int) {
		rngMu.Lock()
		data := forged[rng.IntN(len(forged))]
		rngMu.Unlock()
		h.tg.Press(forger, group, groupDigest.MessageID, data)
	})
	loop("group replies", 50*time.Millisecond, func(i int) {
		h.tg.Reply(forger, group, groupDigest.MessageID, fmt.Sprintf("%d <b>bold</b> https://spam.example/%d", 1+i%3, i))
	})
	replier := telegramtest.User{ID: 992030, FirstName: "\u0410dmin\u200b"}
	rc := h.tg.PrivateChat(replier)
	h.tg.Send(replier, rc, "/summary 1")
	card := h.wait(rc.ID, "reply to this message", waitLong)
	loop("reply flood", 10*time.Millisecond, func(i int) { h.tg.Reply(replier, rc, card.MessageID, fmt.Sprint("me again ", i)) })
	cycler := telegramtest.User{ID: 992040, FirstName: "Cyc"}
	cc := h.tg.PrivateChat(cycler)
	var opml strings.Builder
	opml.WriteString(`<opml version="2.0"><body>`)
	for i := range 30 {
		fmt.Fprintf(&opml, `<outline xmlUrl="https://junk%d.example/rss"/>`, i)
	}
	opml.WriteString(`</body></opml>`)
	loop("import-forget", 300*time.Millisecond, func(i int) {
		if i%2 == 0 {
			h.tg.SendFile(cycler, cc, "f.opml", []byte(opml.String()), "/import")
			return
		}
		h.tg.Send(cycler, cc, "/forget")
		time.Sleep(100 * time.Millisecond)
		for _, m := range h.tg.Messages(cc.ID) {
			if strings.Contains(m.Text, "This cannot be undone") {
				h.tg.Press(cycler, cc, m.MessageID, "forget:yes")
			}
		}
	})
	bomber := telegramtest.User{ID: 992050, FirstName: "Bomb"}
	bc := h.tg.PrivateChat(bomber)
	h.tg.Send(bomber, bc, "/subscribe")
	loop("filter bomb", 200*time.Millisecond, func(i int) {
		if i%3 == 0 {
			h.tg.Send(bomber, bc, `/filters include [\pL\pN ]{1000}x`)
		} else {
			h.tg.Send(bomber, bc, `/filters include [^e]{20}e[^e]{20}e`)
		}
	})
	namers := []string{"\u202eAdmin", "Moderator", "\u3164", "newsbot", "Reader0", "R\u0435ader1"}
	loop("names", 200*time.Millisecond, func(i int) {
		u := telegramtest.User{ID: int64(993000 + i%len(namers)), FirstName: namers[i%len(namers)]}
		c := h.tg.PrivateChat(u)
		if i < len(namers) {
			h.tg.Send(u, c, "/summary 1")
			return
		}
		for _, m := range h.tg.Messages(c.ID) {
			if strings.Contains(m.Text, "reply to this message") {
				h.tg.Reply(u, c, m.MessageID, "impersonating")
				return
			}
		}
	})

	// Digests keep coming for everyone.
	var runs atomic.Int64
	loop("digests", 3*time.Second, func(int) {
		h.clock.Add(8 * time.Hour)
		h.ingest()
		if err := h.bot.RunDue(ctx); err != nil {
			t.Errorf("digest run: %v", err)
		}
		runs.Add(1)
	})

	// The ordinary readers ask for /help again and again, at a pace a person keeps (one
	// every 4 s, under the per-reader rate).
	var worst atomic.Int64
	var answered atomic.Int64
	for _, u := range readers {
		c := h.tg.PrivateChat(u)
		loop("help", 4*time.Second, func(int) {
			n := countText(h.tg.Messages(u.ID), "Commands")
			start := time.Now()
			h.tg.Send(u, c, "/help")
			for countText(h.tg.Messages(u.ID), "Commands") == n {
				if time.Since(start) > 10*time.Second {
					t.Errorf("reader %d: /help not answered within 10 s", u.ID)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			answered.Add(1)
			if d := int64(time.Since(start)); d > worst.Load() {
				worst.Store(d)
			}
		})
	}
	wg.Wait()
	t.Logf("%s: %d /help answered, slowest %s; %d digest runs; %d updates dropped",
		duration, answered.Load(), time.Duration(worst.Load()), runs.Load(), h.bot.Stats().UpdatesDropped)

	for _, u := range readers {
		if n := countText(h.tg.Messages(u.ID), "Your news digest"); n == 0 {
			t.Errorf("reader %d got no digest", u.ID)
		}
	}
	after, err := h.db.Subscriber(ctx, group.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Subscribed || after.Stories != before.Stories || !after.RelayComments || len(after.Include) > 0 {
		t.Fatalf("the group's settings changed: before %+v, after %+v", before, after)
	}
	for _, f := range mustFollowers(t, h, 1) {
		if f.ChatID == group.ID && f.Muted {
			t.Fatal("a member muted the group's thread")
		}
	}
	if strings.Contains(h.logs.String(), "panicked") {
		t.Fatalf("a handler panicked:\n%s", tail(h.logs.String(), 40))
	}
	// Feeds stay bounded: the cycler's junk comes and goes.
	fs, _ := h.db.Feeds(ctx)
	if len(fs) > 1+h.bot.opts.MaxOwnFeeds*2 {
		t.Fatalf("%d feeds after the session", len(fs))
	}
}

func mustFollowers(t *testing.T, h *harness, item uint64) []followerView {
	t.Helper()
	fs, err := h.db.Followers(context.Background(), item)
	if err != nil {
		t.Fatal(err)
	}
	var out []followerView
	for _, f := range fs {
		out = append(out, followerView{f.ChatID, f.Muted})
	}
	return out
}

type followerView struct {
	ChatID int64
	Muted  bool
}
