package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

var fillerWords = strings.Fields(`harbour council tariff orchard glacier senate violin ledger
	comet pension quarry festival lantern mineral meadow bishop canal dockyard bakery forum
	satellite tramway vineyard archive beacon courier granary jetty kiosk lagoon mosaic
	nursery observatory pavilion quartet reservoir sawmill tannery umbrella viaduct warehouse
	yacht zeppelin abbey boulevard cathedral distillery estuary foundry gallery hangar`)

// fillerNews is n items of about 5 KB, the first published at newest and each next one
// step earlier; item i tells story storyOf(i) (items of one story share their text).
// key sets the items apart from other calls' (their keys and links).
func fillerNews(n int, key string, newest time.Time, step time.Duration, storyOf func(i int) int) []storage.Item {
	items := make([]storage.Item, 0, n)
	for i := range n {
		topic := fillerWords[i%len(fillerWords)] + " " + fillerWords[(i/7)%len(fillerWords)]
		body := strings.Repeat(fmt.Sprintf("Officials in the %s said on Tuesday that work on item %d would go on. ", topic, storyOf(i)), 60)
		items = append(items, storage.Item{Key: fmt.Sprint("k", key, i), Title: fmt.Sprintf("Story %d about the %s", i, topic),
			Text: body, Language: "en", URL: fmt.Sprintf("https://n.example/%s%d", key, i), Published: newest.Add(-time.Duration(i) * step)})
	}
	return items
}

// worstFilters are thirty of the costliest filters the limits accept.
func worstFilters() []string {
	worst := make([]string, 30)
	for i := range worst {
		worst[i] = `[^e]{20}e[^e]{20}e`
	}
	return worst
}

// volumeDay stores a day of n made-up stories spread over feeds, in six polls of four
// hours; it returns the end of the day. Story numbers grow with time.
func volumeDay(t testing.TB, h *harness, feeds []string, n int, start time.Time) time.Time {
	rng := rand.New(rand.NewPCG(7, 7))
	const polls = 6
	perFeed := n / polls / len(feeds)
	ctx := context.Background()
	num := 0
	for p := range polls {
		added := start.Add(time.Duration(p+1) * 4 * time.Hour)
		for _, f := range feeds {
			var batch []storage.Item
			for k := range perFeed {
				var words []string
				for range 5 {
					words = append(words, fillerWords[rng.IntN(len(fillerWords))])
				}
				title := fmt.Sprintf("%s story %d", strings.Join(words, " "), num)
				pub := added.Add(-4 * time.Hour).Add(time.Duration(k) * 4 * time.Hour / time.Duration(perFeed))
				batch = append(batch, storage.Item{Key: fmt.Sprint("v", num), Title: title, Text: title + ".", Language: "en",
					URL: fmt.Sprintf("https://volume.example/%d", num), Published: pub, Words: 8})
				num++
			}
			if _, err := h.db.AddItems(ctx, f, batch, added); err != nil {
				t.Fatal(err)
			}
		}
	}
	return start.Add(polls * 4 * time.Hour)
}

// storyNumbers are the numbers of the made-up stories a digest shows.
func storyNumbers(text string) []int {
	var out []int
	for _, line := range strings.Split(text, "\n") {
		var n int
		if i := strings.LastIndex(line, " story "); i >= 0 {
			if _, err := fmt.Sscanf(line[i:], " story %d", &n); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// A day of 6,000 items over 40 feeds: the newest items reach the digest, and a card of
// the newest story finds its twin from another outlet and the related story reported
// two hours before, whether or not a window cap cuts (it cuts the oldest, and says so).
// Before windows were read newest first, the run kept the day's oldest 5,000 items.
func TestNewestNewsSurvivesVolume(t *testing.T) {
	for _, capped := range []bool{false, true} {
		t.Run(map[bool]string{false: "default windows", true: "windows capped at 1,000"}[capped], func(t *testing.T) {
			h := newHarness(t)
			h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
			h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond}
			var feeds []string
			for i := range 40 {
				feeds = append(feeds, fmt.Sprintf("https://outlet%d.example/rss", i))
			}
			h.opts.Catalogue = feeds
			if capped {
				h.opts.Windows = stories.Windows{MaxItems: 1000, MaxEarlier: 1000}
			}
			ctx := context.Background()
			dayStart := t0
			last := volumeDay(t, h, feeds, 6000, dayStart)
			// The story of the day's end, its twin and what came two hours before it.
			add := func(feed, key, title string, published, added time.Time) uint64 {
				it := storage.Item{Key: key, Title: title, Language: "en", URL: "https://volume.example/" + key, Published: published, Words: 30,
					Text: title + ". Coastguard crews searched the waters overnight near the island of Lesbos."}
				got, err := h.db.AddItems(ctx, feed, []storage.Item{it}, added)
				if err != nil || len(got) != 1 {
					t.Fatalf("add %s: %v", key, err)
				}
				return got[0].ID
			}
			// (The earlier report reached its feed late: published two hours before, stored
			// after the day's last poll, so no cap of the newest can leave it out.)
			add(feeds[5], "earlier", "Ferry Aurora capsizes off Lesbos, rescue under way", last.Add(-2*time.Hour), last.Add(30*time.Second))
			newest := add(feeds[1], "newest", "Ferry Aurora capsizes off Lesbos: death toll rises to twelve", last.Add(time.Minute), last.Add(time.Minute))
			add(feeds[2], "twin", "Ferry Aurora capsizes off Lesbos: death toll rises to twelve", last.Add(2*time.Minute), last.Add(2*time.Minute))
			now := last.Add(5 * time.Minute)
			h.clock.Set(now)
			u := telegramtest.User{ID: 891, FirstName: "Vol"}
			c := h.tg.PrivateChat(u)
			if err := h.db.PutSubscriber(ctx, storage.Subscriber{ChatID: u.ID, Kind: "private", Active: true, Subscribed: true,
				TimeZone: "UTC", Times: []string{"08:00"}, Stories: 8, SummarySentences: 1,
				LastDigest: dayStart.Add(-time.Minute), NextDigest: now.Add(-time.Minute)}); err != nil {
				t.Fatal(err)
			}
			h.start()
			if err := h.bot.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			dg := h.wait(c.ID, "Your news digest", 60*time.Second)
			if !strings.Contains(dg.Text, "death toll rises to twelve") {
				t.Fatalf("the newest story is not in the digest:\n%s", dg.Text)
			}
			// Every other story in the digest is from the day's last poll.
			nums := storyNumbers(dg.Text)
			if len(nums) == 0 {
				t.Fatalf("no filler stories in the digest:\n%s", dg.Text)
			}
			for _, n := range nums {
				if n < 5000 {
					t.Fatalf("story %d, from early in the day, displaced the newest:\n%s", n, dg.Text)
				}
			}
			if dropped := h.bot.Stats().WindowDropped; capped != (dropped > 0) {
				t.Fatalf("window dropped %d items (capped: %v)", dropped, capped)
			}
			if capped && !strings.Contains(h.logs.String(), "a window cap left out the oldest items") {
				t.Fatal("the cap was not logged")
			}
			h.tg.Send(u, c, fmt.Sprintf("/summary %d", newest))
			card := h.wait(c.ID, "reply to this message", 60*time.Second)
			if !strings.Contains(card.Text, "Also reported by") || !strings.Contains(card.Text, "rescue under way") {
				t.Fatalf("the card misses its twin or the related story:\n%s", card.Text)
			}
		})
	}
}

// Another reader's feed never shows: not as "also reported by", not as a related story,
// not by its item number, not in a digest. Its owner sees it everywhere.
func TestPrivateFeedsStayPrivate(t *testing.T) {
	h := newHarness(t)
	h.tg.SetLimits(telegramtest.Limits{Global: 500, PrivateEvery: time.Millisecond, GroupPerMin: 1000})
	h.opts.Send = queue.SenderOptions{PrivateEvery: 5 * time.Millisecond}
	ctx := context.Background()
	public := h.opts.Catalogue[0]
	const private = "https://secret-club.example/rss"
	owner := telegramtest.User{ID: 895, FirstName: "Own"}
	other := telegramtest.User{ID: 896, FirstName: "Oth"}
	co, cx := h.tg.PrivateChat(owner), h.tg.PrivateChat(other)
	for _, u := range []telegramtest.User{owner, other} {
		s := storage.Subscriber{ChatID: u.ID, Kind: "private", Active: true, Subscribed: true, TimeZone: "UTC", Times: []string{"08:00"},
			Stories: 8, SummarySentences: 1, LastDigest: t0.Add(-time.Hour), NextDigest: t0.Add(3 * time.Hour)}
		if u.ID == owner.ID {
			s.OwnFeeds = []string{private}
		}
		if err := h.db.PutSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	add := func(feed, feedTitle, key, title string, at time.Time) uint64 {
		it := storage.Item{Key: key, Title: title, FeedTitle: feedTitle, Language: "en", URL: "https://x.example/" + key, Published: at, Words: 30,
			Text: title + ". Coastguard crews searched the waters overnight near the island of Lesbos."}
		got, err := h.db.AddItems(ctx, feed, []storage.Item{it}, at)
		if err != nil || len(got) != 1 {
			t.Fatalf("add %s: %v", key, err)
		}
		return got[0].ID
	}
	add(private, "Secret Club Feed", "p-earlier", "Ferry Aurora capsizes off Lesbos, SECRETREL rescue under way", t0)
	pub := add(public, "Fixture News", "story", "Ferry Aurora capsizes off Lesbos: death toll rises to twelve", t0.Add(time.Hour))
	priv := add(private, "Secret Club Feed", "p-twin", "Ferry Aurora capsizes off Lesbos: death toll rises to twelve", t0.Add(time.Hour+time.Minute))
	h.clock.Set(t0.Add(4 * time.Hour))
	h.start()

	h.tg.Send(other, cx, fmt.Sprintf("/summary %d", pub))
	card := h.wait(cx.ID, "reply to this message", waitLong)
	h.tg.Send(other, cx, fmt.Sprintf("/summary %d", priv))
	h.wait(cx.ID, fmt.Sprintf("I have no story %d", priv), waitLong)
	if err := h.bot.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	dg := h.wait(cx.ID, "Your news digest", waitLong)
	for _, m := range []telegramtest.Message{card, dg} {
		if strings.Contains(m.Text, "Secret Club") || strings.Contains(m.Text, "SECRETREL") {
			t.Fatalf("another reader's feed shows:\n%s", m.Text)
		}
	}
	h.tg.Send(owner, co, fmt.Sprintf("/summary %d", pub))
	ownCard := h.wait(co.ID, "reply to this message", waitLong)
	if !strings.Contains(ownCard.Text, "Secret Club Feed") || !strings.Contains(ownCard.Text, "SECRETREL") {
		t.Fatalf("the owner does not see their own feed:\n%s", ownCard.Text)
	}
	ownDigest := h.wait(co.ID, "Your news digest", waitLong)
	if !strings.Contains(ownDigest.Text, "Secret Club Feed") && !strings.Contains(ownDigest.Text, "Fixture News") {
		t.Fatalf("owner's digest:\n%s", ownDigest.Text)
	}
}

// A filter too costly to run for every article is refused with a clear message.
func TestCostlyFilterRefused(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := telegramtest.User{ID: 897, FirstName: "Rex"}
	c := h.tg.PrivateChat(u)
	h.tg.Send(u, c, `/filters include [\pL\pN ]{1000}x`)
	h.wait(c.ID, "repeats something 1000 times; at most 20 are allowed", waitLong)
	h.tg.Send(u, c, "/filters include ukraine|kyiv")
	h.wait(c.ID, "Added include filter", waitLong)
}
