package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// newsbotBinary builds the real binary once for the process-level fault tests.
func newsbotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "newsbot-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "newsbot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// slowFeeds serves n feeds of perFeed items, each answer delayed, so that a poll of
// all of them takes a while and can be killed in the middle.
func slowFeeds(t *testing.T, n, perFeed int, delay time.Duration) (*httptest.Server, []string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		var b strings.Builder
		fmt.Fprintf(&b, `<rss version="2.0"><channel><title>Feed %s</title>`, r.URL.Path)
		for i := range perFeed {
			fmt.Fprintf(&b, `<item><title>Story %d on %s about the council budget</title><guid>%s-%d</guid><link>https://news.example%s/%d</link><description>The council met on Monday. "We will act," Mayor Ana Ruiz said. The plan was first proposed in 2024.</description></item>`,
				i, r.URL.Path, r.URL.Path, i, r.URL.Path, i)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	var urls []string
	for i := range n {
		urls = append(urls, fmt.Sprintf("%s/f%d", srv.URL, i))
	}
	return srv, urls
}

func startProc(t *testing.T, bin string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logf, _ := os.CreateTemp(t.TempDir(), "log")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func checkDB(t *testing.T, path string) (items int) {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("database does not open after kill -9: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("database damaged after kill -9: %v", err)
	}
	all, err := db.Items(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, it := range all {
		k := it.FeedURL + "|" + it.Key
		if keys[k] {
			t.Fatalf("item %s stored twice", k)
		}
		keys[k] = true
	}
	return len(all)
}

// TestKill9DuringIngestionAndDigests kills the real binary at random points while it
// ingests and while it sends a digest run, restarts it on the same file, and checks
// that the database opens, nothing stored is lost, every digest arrives, and at most
// one message per chat is repeated.
func TestKill9DuringIngestionAndDigests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	bin := newsbotBinary(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "newsbot.db")
	_, urls := slowFeeds(t, 40, 10, 15*time.Millisecond)
	base := []string{"NEWSBOT_DB=" + dbPath, "NEWSBOT_ALLOW_PRIVATE_NETWORKS=true", "NEWSBOT_HTTP_ADDR=",
		"NEWSBOT_FEEDS=" + strings.Join(urls, ","), "NEWSBOT_CONCURRENCY=2", "NEWSBOT_PER_HOST_LIMIT=2", "NEWSBOT_FULL_TEXT_MIN_WORDS=0"}
	rng := rand.New(rand.NewPCG(1, 2))

	// Ingestion, killed part-way several times; items only ever grow and never double.
	prev := 0
	for run := range 4 {
		cmd := startProc(t, bin, base, "ingest", "--json")
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		n := checkDB(t, dbPath)
		if n < prev {
			t.Fatalf("run %d: items went from %d to %d", run, prev, n)
		}
		prev = n
	}
	cmd := exec.Command(bin, "ingest", "--json")
	cmd.Env = append(os.Environ(), base...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final ingest: %v\n%s", err, out)
	}
	if n := checkDB(t, dbPath); n != 400 {
		t.Fatalf("%d items after ingestion completed, want 400", n)
	}

	t.Logf("%s: ingestion done", time.Now().Format("15:04:05.000"))
	// A digest run for 60 chats, killed part-way, restarted until all have arrived.
	tg := telegramtest.New()
	defer tg.Close()
	tg.SetLimits(telegramtest.Limits{Global: 1000, PrivateEvery: time.Second, GroupPerMin: 20})
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var chats []int64
	for i := range 60 {
		id := int64(800000 + i)
		chats = append(chats, id)
		tg.PrivateChat(telegramtest.User{ID: id, FirstName: "R"})
		if err := db.PutSubscriber(context.Background(), storage.Subscriber{ChatID: id, Kind: "private", Active: true, Subscribed: true,
			TimeZone: "UTC", Times: []string{"08:00"}, Stories: 5, SummarySentences: 2,
			LastDigest: now.Add(-time.Hour), NextDigest: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	botEnv := append(append([]string{}, base...), "NEWSBOT_TELEGRAM_TOKEN="+tg.Token, "NEWSBOT_TELEGRAM_API_URL="+tg.APIURL(),
		"NEWSBOT_SEND_RATE=40", "NEWSBOT_SCHEDULE_EVERY=200ms", "NEWSBOT_POLL_INTERVAL=1h")
	digests := func() (missing, worst int) {
		for _, id := range chats {
			n := 0
			for _, m := range tg.Messages(id) {
				if strings.Contains(m.Text, "Your news digest") {
					n++
				}
			}
			if n == 0 {
				missing++
			}
			worst = max(worst, n)
		}
		return missing, worst
	}
	for run := range 3 {
		cmd := startProc(t, bin, botEnv, "run")
		time.Sleep(time.Duration(300+rng.IntN(600)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		checkDB(t, dbPath)
		m, _ := digests()
		t.Logf("after kill %d: %d of %d chats still waiting", run+1, m, len(chats))
	}
	t.Logf("%s: final run", time.Now().Format("15:04:05.000"))
	cmd = startProc(t, bin, botEnv, "run")
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := digests()
		if m == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("%s: all delivered; stopping", time.Now().Format("15:04:05.000"))
	_ = cmd.Process.Signal(syscall.SIGTERM)
	defer func() { t.Logf("%s: stopped", time.Now().Format("15:04:05.000")) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	missing, worst := digests()
	if missing != 0 {
		t.Fatalf("%d chats never got their digest", missing)
	}
	if worst > 2 {
		t.Fatalf("a chat got %d copies; at most one repeat (the message in flight) is allowed", worst)
	}
	checkDB(t, dbPath)
}
