package bot

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/digest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var when = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func sampleDigest(n int) digest.Digest {
	var d digest.Digest
	for i := 1; i <= n; i++ {
		d.Stories = append(d.Stories, digest.StoryCard{
			ItemID: uint64(i), Title: fmt.Sprintf("Story %d: <script>alert(1)</script> & friends", i),
			URL: fmt.Sprintf("https://news.example/%d?a=1&b=2", i), Source: "Example <News>",
			AlsoReportedBy: []digest.Source{{Name: "Wire & Co"}},
			Summary:        []string{"First sentence with <b>tags</b> inside.", "Second sentence, \"quoted\"."},
			Quote:          &digest.Quote{Text: "These aggressive actions must be contained", Speaker: "Melanie Joly", Role: "Canadian Foreign Minister", Key: true},
			Background:     []string{"The dispute began in 2014 </blockquote> with a border incident."},
		})
	}
	return d
}

func TestRenderDigestGolden(t *testing.T) {
	parts := RenderDigest(sampleDigest(2), when)
	if len(parts) != 1 {
		t.Fatalf("%d parts", len(parts))
	}
	golden(t, "digest_two_stories.html", parts[0].HTML)
	if _, err := telegramtest.ParseHTML(parts[0].HTML); err != nil {
		t.Fatalf("Telegram would reject it: %v", err)
	}
	if len(parts[0].Buttons) != 1 || parts[0].Buttons[0][1].Data != "card:2" {
		t.Fatalf("buttons %+v", parts[0].Buttons)
	}
}

func TestRenderCardGolden(t *testing.T) {
	c := sampleDigest(1).Stories[0]
	c.Quotes = []digest.Quote{*c.Quote}
	c.Related = []digest.Item{{Title: "Earlier <story>", URL: "javascript:alert(1)", Published: when.Add(-48 * time.Hour)}}
	parts := RenderCard(c)
	golden(t, "card.html", parts[0].HTML)
	if _, err := telegramtest.ParseHTML(parts[0].HTML); err != nil {
		t.Fatalf("Telegram would reject it: %v", err)
	}
	if strings.Contains(parts[0].HTML, "javascript:") {
		t.Fatal("a non-http link was rendered as a link")
	}
}

// A key quote the summary already carries with its speaker is not shown again.
func TestRenderCardSkipsQuoteInSummary(t *testing.T) {
	c := sampleDigest(1).Stories[0]
	q := *c.Quote
	c.Quotes = []digest.Quote{q}
	if html := RenderCard(c)[0].HTML; !strings.Contains(html, "These aggressive actions") {
		t.Fatalf("the key quote is missing:\n%s", html)
	}
	q.InSummary = true
	c.Quotes = []digest.Quote{q}
	if html := RenderCard(c)[0].HTML; strings.Contains(html, "These aggressive actions") {
		t.Fatalf("a quote the summary carries is repeated:\n%s", html)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./bot -run Golden -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs:\n got: %s\nwant: %s", name, got, want)
	}
}

func TestRenderDigestSplitsLongDigests(t *testing.T) {
	d := sampleDigest(40)
	for i := range d.Stories {
		d.Stories[i].Summary = []string{strings.Repeat("A long summary sentence about the news of the day. ", 8)}
	}
	parts := RenderDigest(d, when)
	if len(parts) < 3 {
		t.Fatalf("%d parts for 40 long stories", len(parts))
	}
	next := 1
	for i, p := range parts {
		visible, err := telegramtest.ParseHTML(p.HTML)
		if err != nil {
			t.Fatalf("part %d invalid: %v", i, err)
		}
		if n := utf8.RuneCountInString(visible); n > MaxMessage {
			t.Fatalf("part %d has %d characters", i, n)
		}
		// Numbering continues across parts; buttons match the part's stories.
		for _, row := range p.Buttons {
			for _, b := range row {
				if b.Text != fmt.Sprint(next) {
					t.Fatalf("part %d: button %q, want %d", i, b.Text, next)
				}
				if !strings.Contains(p.HTML, fmt.Sprintf("<b>%d.</b>", next)) {
					t.Fatalf("story %d not in its part", next)
				}
				next++
			}
		}
	}
	if next != 41 {
		t.Fatalf("buttons for %d stories", next-1)
	}
}

func TestRenderHugeStoryIsCut(t *testing.T) {
	d := sampleDigest(1)
	d.Stories[0].Summary = []string{strings.Repeat("Ω word <i> & ", 1500)}
	for i, p := range RenderDigest(d, when) {
		visible, err := telegramtest.ParseHTML(p.HTML)
		if err != nil || utf8.RuneCountInString(visible) > MaxMessage {
			t.Fatalf("part %d: %v, %d chars", i, err, utf8.RuneCountInString(visible))
		}
	}
}

func TestParseCommand(t *testing.T) {
	cases := []struct {
		text string
		ents []telegram.Entity
		cmd  string
		args string
		ok   bool
	}{
		{"/start", []telegram.Entity{{Type: "bot_command", Offset: 0, Length: 6}}, "start", "", true},
		{"/add https://x.org/feed", []telegram.Entity{{Type: "bot_command", Offset: 0, Length: 4}}, "add", "https://x.org/feed", true},
		{"/digest@newsbot_test_bot", []telegram.Entity{{Type: "bot_command", Offset: 0, Length: 24}}, "digest", "", true},
		{"/digest@other_bot", []telegram.Entity{{Type: "bot_command", Offset: 0, Length: 17}}, "", "", false},
		{"/Settings tz Kyiv", nil, "settings", "tz Kyiv", true},
		{"hello", nil, "", "", false},
		{"/", nil, "", "", false},
	}
	for _, tc := range cases {
		cmd, args, ok := parseCommand(tc.text, tc.ents, "newsbot_test_bot")
		if cmd != tc.cmd || args != tc.args || ok != tc.ok {
			t.Errorf("parseCommand(%q) = %q %q %v", tc.text, cmd, args, ok)
		}
	}
}

func TestParseCallback(t *testing.T) {
	good := []string{"card:12", "sub:on", "set:n:5", "flt:e:0", "forget:yes"}
	bad := []string{"", "card", "card:", "card:1:2", "nope:1", "set:n", strings.Repeat("x", 65), "card:" + strings.Repeat("9", 30)}
	for _, d := range good {
		if _, ok := parseCallback(d); !ok {
			t.Errorf("%q refused", d)
		}
	}
	for _, d := range bad {
		if _, ok := parseCallback(d); ok {
			t.Errorf("%q accepted", d)
		}
	}
}

// The data of buttons already sent lives on in chats: the constructors must keep
// producing exactly these formats, and every registered verb must have one.
func TestCallbackDataFormats(t *testing.T) {
	cases := map[string]string{
		cardData(12):                     "card:12",
		subscribeData(true):              "sub:on",
		subscribeData(false):             "sub:off",
		feedListData:                     "feeds:list",
		feedToggleData(3):                "feed:3",
		feedRemoveData(0):                "rm:0",
		settingData(settingStories, 8):   "set:n:8",
		settingData(settingSentences, 2): "set:k:2",
		forgetData(true):                 "forget:yes",
		forgetData(false):                "forget:no",
		filterRemoveData(false, 1):       "flt:i:1",
		filterRemoveData(true, 4):        "flt:e:4",
		followData(7):                    "fl:7",
		muteData(7):                      "mt:7",
		threadData(7, 2):                 "th:7:2",
		reportData(99):                   "rp:99",
		moderateData(false, 99):          "mod:rm:99",
		moderateData(true, 99):           "mod:ban:99",
		pickCommentData(5, 1<<63):        "pc:5:9223372036854775808",
		followStoryData(42):              "fs:42",
		unfollowStoryData(7, 42):         "us:7:42",
	}
	verbs := map[string]bool{}
	for got, want := range cases {
		if got != want {
			t.Errorf("constructor gave %q, want %q", got, want)
		}
		cb, ok := parseCallback(got)
		if !ok {
			t.Errorf("%q does not parse", got)
			continue
		}
		verbs[cb.verb] = true
	}
	for verb := range callbackRoutes {
		if !verbs[verb] {
			t.Errorf("verb %q has no constructor case", verb)
		}
	}
}

// Who may press what in a group is part of the permission model: pin it, so an edit
// to the table cannot quietly open a setting to every member.
func TestCallbackGroupPermissions(t *testing.T) {
	want := map[string]string{
		"sub": adminsOnly, "feeds": adminsOnly, "feed": adminsOnly, "rm": adminsOnly, "set": adminsOnly,
		"forget": adminsOnly, "flt": adminsOnly, "fl": adminsOnlyFollow, "mt": adminsOnlyFollow,
		"fs": adminsOnlyFollow, "us": adminsOnlyFollow,
		// Checked by their handlers instead: visibility (card, th), the button's own
		// message (rp), operators (mod), the pending comment's author (pc).
		"card": "", "th": "", "rp": "", "mod": "", "pc": "",
	}
	for verb, route := range callbackRoutes {
		w, ok := want[verb]
		if !ok {
			t.Errorf("verb %q: add it to this table", verb)
			continue
		}
		if route.groupAdmins != w {
			t.Errorf("verb %q: group admins %q, want %q", verb, route.groupAdmins, w)
		}
	}
}

func TestZonesAndTimes(t *testing.T) {
	cases := map[string]string{"Kyiv": "Europe/Kyiv", "new york": "America/New_York", "Europe/Lisbon": "Europe/Lisbon", "+2": "UTC+02:00", "UTC-05:30": "UTC-05:30"}
	for in, want := range cases {
		got, understood, err := ParseZone(in, time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
		if err != nil || got != want || understood == "" {
			t.Errorf("ParseZone(%q) = %q %q %v", in, got, understood, err)
		}
	}
	// The reply shows the local time on the bot's clock, not the machine's.
	if _, understood, _ := ParseZone("Kyiv", time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)); !strings.Contains(understood, "now 14:00") {
		t.Errorf("Kyiv at 12:00 UTC understood as %q", understood)
	}
	if _, _, err := ParseZone("Atlantis", time.Now()); err == nil {
		t.Error("Atlantis accepted")
	}
	// One spelling per zone (review 72: every spelling LoadLocation opens was a zone of
	// its own to cache, so many accounts could fill the cache).
	for _, in := range []string{"Europe/./Kyiv", "Europe//Kyiv", "./Europe/Kyiv", "Europe/Kyiv/", "Europe/../Europe/Kyiv", "/Europe/Kyiv"} {
		if name, _, err := ParseZone(in, time.Now()); err == nil {
			t.Errorf("ParseZone(%q) accepted as %q", in, name)
		}
	}
	before := zoneCount.Load()
	for _, stored := range []string{"Europe/./Kyiv", "Europe//Kyiv", "Europe/Kyiv"} { // stored before
		if got := zone(stored).String(); got != "Europe/Kyiv" {
			t.Errorf("zone(%q) = %q", stored, got)
		}
	}
	if n := zoneCount.Load() - before; n > 1 {
		t.Errorf("three spellings of one zone took %d places in the cache", n)
	}
	times, err := ParseTimes("18:30, 8:00 8.00")
	if err != nil || strings.Join(times, ",") != "08:00,18:30" {
		t.Fatalf("%v %v", times, err)
	}
	if _, err := ParseTimes("25:00"); err == nil {
		t.Error("25:00 accepted")
	}
	now := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC) // 09:00 in Kyiv
	next := NextDigest([]string{"08:00", "18:30"}, "Europe/Kyiv", now)
	if want := time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next = %v, want %v", next, want)
	}
	if next := NextDigest([]string{"08:00"}, "UTC+02:00", now); !next.Equal(time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)) {
		t.Fatalf("offset zone next = %v", next)
	}
}

func FuzzRenderDigest(f *testing.F) {
	f.Add("Title <b>", "Summary & more", "quote", "Speaker", "https://x.org/?a=1&b=2")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, title, summary, quote, speaker, link string) {
		if !utf8.ValidString(title + summary + quote + speaker + link) {
			return
		}
		d := digest.Digest{Stories: []digest.StoryCard{{ItemID: 1, Title: title, URL: link, Summary: []string{summary, summary},
			Quote: &digest.Quote{Text: quote, Speaker: speaker}}}}
		for _, p := range RenderDigest(d, when) {
			visible, err := telegramtest.ParseHTML(p.HTML)
			if err != nil {
				t.Fatalf("rejected: %v\n%s", err, p.HTML)
			}
			if utf8.RuneCountInString(visible) > MaxMessage {
				t.Fatalf("too long")
			}
		}
	})
}

// Whatever zone and times a reader's /settings gets past the parsers, their next digest
// is scheduled, after now and within two days (a day, plus a daylight-saving shift or a
// calendar that skips a day, as Samoa's did in 2011).
func FuzzSchedule(f *testing.F) {
	for _, seed := range []struct {
		zone, times string
		at          int64
	}{
		{"Kyiv", "8:00, 18:30", 1764000000}, {"+14", "23:59", 1764000000}, {"UTC-05:30", "0", 1711846800},
		{"Pacific/Apia", "23:00", 1325239200}, {"America/Santiago", "00:00", 1775358000}, {"Europe/London", "1:30", 1774746000},
	} {
		f.Add(seed.zone, seed.times, seed.at)
	}
	f.Fuzz(func(t *testing.T, zoneIn, timesIn string, at int64) {
		now := time.Unix(at%(4e9), 0).UTC() // 1843 to 2096
		name, _, err := ParseZone(zoneIn, now)
		if err != nil {
			return
		}
		times, err := ParseTimes(timesIn)
		if err != nil {
			return
		}
		next := NextDigest(times, name, now)
		if !next.After(now) || next.Sub(now) > 49*time.Hour {
			t.Fatalf("zone %q (%s), times %v, at %v: next digest %v", zoneIn, name, times, now, next)
		}
	})
}

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"card:1", "set:n:5", "mod:ban:3", "pc:1:2", "::", "card:" + strings.Repeat("9", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		cb, ok := parseCallback(data)
		if ok && (len(data) > telegram.MaxCallbackData || callbackRoutes[cb.verb].args != len(cb.args)) {
			t.Fatalf("accepted bad data %q", data)
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	f.Add("/start s_1", 6)
	f.Add("/digest@newsbot_test_bot now", 24)
	f.Add("/ä", 3)
	f.Fuzz(func(t *testing.T, text string, n int) {
		cmd, _, ok := parseCommand(text, []telegram.Entity{{Type: "bot_command", Offset: 0, Length: n}}, "newsbot_test_bot")
		if ok && (cmd == "" || len(cmd) > 32 || strings.ContainsAny(cmd, " @/")) {
			t.Fatalf("bad command %q from %q", cmd, text)
		}
	})
}

func FuzzParseOPML(f *testing.F) {
	f.Add([]byte(`<opml version="2.0"><body><outline text="a" xmlUrl="https://a.org/feed"/><outline><outline xmlUrl="https://b.org/rss"/></outline></body></opml>`))
	f.Add([]byte(`<opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		urls, _, err := ParseOPML(data)
		if err == nil && len(urls) == 0 {
			t.Fatal("no error and no feeds")
		}
		// What we export, we can import.
		if err == nil {
			back, _, err := ParseOPML(BuildOPML("x", urls))
			if err != nil || len(back) > len(urls) {
				t.Fatalf("round trip: %v %v -> %v", err, urls, back)
			}
		}
	})
}

// One "sentence" of 100,000 characters (a hostile feed, a page with no punctuation) is
// shown cut: a card stays one or two messages and a digest of eight such stories at most
// one message a story, not the 27 and 217 they took when shown whole.
func TestRenderHugeSentencesAreClipped(t *testing.T) {
	huge := strings.Repeat("x", 100_000)
	d := sampleDigest(8)
	for i := range d.Stories {
		s := &d.Stories[i]
		s.Title, s.Source = huge, huge
		s.Summary = []string{huge, huge, huge}
		s.Background = []string{huge}
		s.Quote = &digest.Quote{Text: huge, Speaker: huge, Role: huge}
		s.Quotes = []digest.Quote{{Text: huge, Speaker: huge, Key: true}}
	}
	if parts := RenderDigest(d, when); len(parts) > len(d.Stories) {
		t.Fatalf("a digest of 8 huge stories took %d messages", len(parts))
	}
	if parts := RenderCard(d.Stories[0]); len(parts) > 2 {
		t.Fatalf("a card of a huge story took %d messages", len(parts))
	}
	if len(d.Stories[0].Summary[0]) != 100_000 {
		t.Fatal("rendering changed the caller's card")
	}
}

// pack and cutPlain count as Telegram does: UTF-16 code units.
func TestPackCountsUTF16Units(t *testing.T) {
	long := strings.Repeat("😀 ", 3000) // 9,000 units, 6,000 runes
	parts := pack([]block{{html: escape(long), plain: long}}, "\n\n")
	if len(parts) < 3 {
		t.Fatalf("%d parts for 9,000 units", len(parts))
	}
	for _, p := range parts {
		if n := textLen(p.Plain); n > packLimit {
			t.Errorf("a part of %d units", n)
		}
	}
	if textLen("a😀é") != 4 {
		t.Errorf("textLen(a😀é) = %d, want 4", textLen("a😀é"))
	}
}

// A feed's label is cut at a whole letter, whatever script its address is in.
func TestFeedLabel(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://www.example.com/rss", "example.com/rss"},
		{"http://a.b/" + strings.Repeat("x", 47), "a.b/" + strings.Repeat("x", 41) + "..."},
		{"https://новости-из-первых-рук.пример.рф/rss", "новости-из-первых-рук.пр..."},
		{"https://新闻.例子.中国/" + strings.Repeat("新", 20), "新闻.例子.中国/" + strings.Repeat("新", 8) + "..."},
	} {
		got := feedLabel(tc.url)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("feedLabel(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

// "Since you followed" is bounded: each story shows its latest developments, and the
// block stops at a message's worth, counting the stories left out (review 70: fifty
// followed stories, each holding ten developments at the stored lengths, made one
// digest of 85 messages).
func TestSinceFollowedIsBounded(t *testing.T) {
	long := strings.Repeat("Officials said the toll rose again overnight as divers searched. ", 10)
	var held []digest.HeldUpdate
	for i := range maxFollowedStories {
		u := digest.HeldUpdate{Story: uint64(i + 1), StoryTitle: fmt.Sprintf("Story %d %s", i, strings.Repeat("headline ", 20))}
		for j := range 10 {
			u.Entries = append(u.Entries, digest.TimelineEntry{ItemID: uint64(i*10 + j + 1),
				Source: strings.Repeat("Outlet & Co ", 40), Sentences: []string{fmt.Sprintf("Development %d.", j), long[:600]}})
		}
		held = append(held, u)
	}
	parts := RenderDigestFor(digest.Digest{SinceFollowed: held}, t0, nil)
	if len(parts) != 1 {
		t.Fatalf("held updates alone made a digest of %d messages", len(parts))
	}
	html, plain := parts[0].HTML, parts[0].Plain
	if !strings.Contains(html, "<b>Since you followed</b>") {
		t.Errorf("the block lost its formatting:\n%s", html)
	}
	for _, want := range []string{"Development 9.", "Development 8.", "8 earlier developments, then:", "more followed stories developed too: more in your next digest"} {
		if !strings.Contains(plain, want) {
			t.Errorf("the block does not say %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "Development 7.") {
		t.Error("the block shows more than a story's latest developments")
	}
	// What it does not tell stays held for the next digest (review 72).
	if n := sinceFollowedShown(held); n < 1 || n >= len(held) || !strings.Contains(plain, fmt.Sprintf("and %d more followed stories", len(held)-n)) {
		t.Errorf("the block tells %d of %d stories, and says %q", n, len(held), plain[max(0, len(plain)-80):])
	}
	// One held story with one development is shown whole, with no count.
	one := RenderDigestFor(digest.Digest{SinceFollowed: []digest.HeldUpdate{{Story: 1, StoryTitle: "Ferry",
		Entries: []digest.TimelineEntry{{ItemID: 1, Source: "Wire", Title: "Toll rises to 19"}}}}}, t0, nil)
	if len(one) != 1 || !strings.Contains(one[0].Plain, "Toll rises to 19 (Wire)") || strings.Contains(one[0].Plain, "earlier") || strings.Contains(one[0].Plain, "more followed") {
		t.Errorf("one held development renders as %q", one[0].Plain)
	}
}
