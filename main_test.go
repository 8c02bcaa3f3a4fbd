package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
)

type runResult struct {
	code           int
	stdout, stderr string
}

func runMain(t *testing.T, envVars map[string]string, args ...string) runResult {
	t.Helper()
	return runMainCtx(t, context.Background(), envVars, args...)
}

func runMainCtx(t *testing.T, ctx context.Context, envVars map[string]string, args ...string) runResult {
	t.Helper()
	return runMainTo(ctx, envVars, &syncBuffer{}, args...)
}

// syncBuffer lets a test read a running command's log while it writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func runMainStdin(t *testing.T, envVars map[string]string, stdin string, args ...string) runResult {
	t.Helper()
	return runMainFull(context.Background(), envVars, &syncBuffer{}, stdin, args...)
}

func runMainTo(ctx context.Context, envVars map[string]string, errb *syncBuffer, args ...string) runResult {
	return runMainFull(ctx, envVars, errb, "", args...)
}

func runMainFull(ctx context.Context, envVars map[string]string, errb *syncBuffer, stdin string, args ...string) runResult {
	var out bytes.Buffer
	code := Main(ctx, args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: errb,
		Getenv: func(k string) (string, bool) { v, ok := envVars[k]; return v, ok },
	})
	return runResult{code, out.String(), errb.String()}
}

func feedFiles(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/feeds")))
	t.Cleanup(srv.Close)
	return srv
}

func TestIngestAndItemsJSON(t *testing.T) {
	srv := feedFiles(t)
	env := map[string]string{
		"NEWSBOT_DB":                     filepath.Join(t.TempDir(), "newsbot.db"),
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
		"NEWSBOT_FEEDS":                  srv.URL + "/jsonfeed_example_1.json",
	}
	r := runMain(t, env, "ingest", "--json", "--feed", srv.URL+"/rss_1.0_example_1.xml", "--feed", srv.URL+"/missing.xml")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	var results []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &results); err != nil {
		t.Fatalf("bad JSON %q: %v", r.stdout, err)
	}
	if len(results) != 2 {
		t.Fatalf("only --feed URLs should be polled: %v", results)
	}
	for _, key := range []string{"url", "status", "new_items", "error"} {
		if _, ok := results[0][key]; !ok {
			t.Errorf("result lacks %q: %v", key, results[0])
		}
	}
	if results[0]["status"] != "ok" || results[0]["new_items"].(float64) != 2 || results[1]["status"] != "error" {
		t.Fatalf("results %v", results)
	}
	if r.stderr != "" {
		t.Errorf("--json run wrote to stderr: %q", r.stderr)
	}

	r = runMain(t, env, "items", "--json", "--limit", "10")
	if r.code != 0 {
		t.Fatalf("items exit %d: %s", r.code, r.stderr)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("items %v", items)
	}
	for _, key := range []string{"id", "feed", "title", "url", "published", "words"} {
		if _, ok := items[0][key]; !ok {
			t.Errorf("item lacks %q: %v", key, items[0])
		}
	}

	// Without --feed, the configured feeds are polled; text output, one line per feed.
	r = runMain(t, env, "ingest")
	if r.code != 0 || !strings.Contains(r.stdout, "jsonfeed_example_1.json") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("ingest text: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runMain(t, env, "items", "--limit", "1")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("items text: %q", r.stdout)
	}
}

func TestIngestExitCodeWhenAllFail(t *testing.T) {
	srv := feedFiles(t)
	env := map[string]string{
		"NEWSBOT_DB":                     filepath.Join(t.TempDir(), "newsbot.db"),
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
	}
	r := runMain(t, env, "ingest", "--feed", srv.URL+"/a.xml", "--feed", srv.URL+"/b.xml")
	if r.code == 0 || !strings.Contains(r.stderr, "every feed failed") {
		t.Fatalf("exit %d stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "HTTP 404") {
		t.Fatalf("per-feed errors not shown: %q", r.stdout)
	}
}

func TestIngestRefusesLoopbackByDefault(t *testing.T) {
	srv := feedFiles(t)
	env := map[string]string{"NEWSBOT_DB": filepath.Join(t.TempDir(), "newsbot.db")}
	r := runMain(t, env, "ingest", "--json", "--feed", srv.URL+"/rss_1.0_example_1.xml")
	if r.code == 0 || !strings.Contains(r.stdout, "loopback") {
		t.Fatalf("exit %d out %q", r.code, r.stdout)
	}
}

func TestBadConfigFailsAtStart(t *testing.T) {
	env := map[string]string{"NEWSBOT_DB": filepath.Join(t.TempDir(), "x.db"), "NEWSBOT_POLL_INTERVAL": "sometimes", "NEWSBOT_TELEGRAM_TOKEN": "1:SECRETTOKEN"}
	for _, cmd := range []string{"run", "ingest", "items"} {
		r := runMain(t, env, cmd)
		if r.code == 0 || !strings.Contains(r.stderr, "NEWSBOT_POLL_INTERVAL") {
			t.Fatalf("%s: exit %d stderr %q", cmd, r.code, r.stderr)
		}
		if strings.Contains(r.stderr+r.stdout, "SECRETTOKEN") {
			t.Fatal("token leaked")
		}
	}
}

func TestUsage(t *testing.T) {
	if r := runMain(t, nil, "help"); r.code != 0 || !strings.Contains(r.stdout, "newsbot ingest") {
		t.Fatalf("help: %+v", r)
	}
	if r := runMain(t, nil, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "newsbot ") {
		t.Fatalf("version: %+v", r)
	}
	if r := runMain(t, nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown: %+v", r)
	}
	if r := runMain(t, nil, "items", "--limit", "x"); r.code != 2 {
		t.Fatalf("bad flag: %+v", r)
	}
	if r := runMain(t, nil, "ingest", "--feed", "ftp://x"); r.code != 2 {
		t.Fatalf("bad feed: %+v", r)
	}
}

func TestRunPollsAndStops(t *testing.T) {
	srv := feedFiles(t)
	dbPath := filepath.Join(t.TempDir(), "newsbot.db")
	env := map[string]string{
		"NEWSBOT_DB":                     dbPath,
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
		"NEWSBOT_FEEDS":                  srv.URL + "/rss_1.0_example_1.xml",
		"NEWSBOT_TELEGRAM_TOKEN":         "",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan runResult)
	logs := &syncBuffer{}
	go func() { done <- runMainTo(ctx, env, logs, "run") }()
	// Wait until the first poll cycle has stored the feed's items, then stop.
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(50 * time.Millisecond)
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("run never polled: %+v", <-done)
		}
		// Reading the database needs the lock the running bot holds: watch its log.
		select {
		case r := <-done:
			t.Fatalf("run exited early: %+v", r)
		default:
		}
		if strings.Contains(logs.String(), "poll cycle") {
			break
		}
	}
	cancel()
	r := <-done
	if r.code != 0 {
		t.Fatalf("run exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "no Telegram token configured") || !strings.Contains(r.stderr, "poll cycle") {
		t.Fatalf("run log: %s", r.stderr)
	}
	if r = runMain(t, env, "items", "--json"); !strings.Contains(r.stdout, `"title"`) {
		t.Fatalf("no items after run: %s", r.stdout)
	}
}

func TestRunWithTelegram(t *testing.T) {
	tg := telegramtest.New()
	defer tg.Close()
	srv := feedFiles(t)
	logs := &syncBuffer{}
	env := map[string]string{
		"NEWSBOT_DB":                     filepath.Join(t.TempDir(), "newsbot.db"),
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
		"NEWSBOT_FEEDS":                  srv.URL + "/rss_1.0_example_1.xml",
		"NEWSBOT_TELEGRAM_TOKEN":         tg.Token,
		"NEWSBOT_TELEGRAM_API_URL":       tg.APIURL(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan runResult)
	go func() { done <- runMainTo(ctx, env, logs, "run") }()
	u := telegramtest.User{ID: 77, FirstName: "Kim"}
	chat := tg.PrivateChat(u)
	tg.Send(u, chat, "/start")
	if _, err := tg.WaitFor(chat.ID, 10*time.Second, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "I'm newsbot") }); err != nil {
		cancel()
		t.Fatalf("%v\n%s", err, logs.String())
	}
	cancel()
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, logs.String())
	}
	if strings.Contains(logs.String(), tg.Token) {
		t.Fatal("token in logs")
	}
	if !strings.Contains(logs.String(), "connected to Telegram") || !strings.Contains(logs.String(), "newsbot stopped") {
		t.Fatalf("logs: %s", logs.String())
	}
}

func TestRunRefusesBadToken(t *testing.T) {
	tg := telegramtest.New()
	defer tg.Close()
	env := map[string]string{
		"NEWSBOT_DB":               filepath.Join(t.TempDir(), "newsbot.db"),
		"NEWSBOT_TELEGRAM_TOKEN":   "111:WRONG-SECRET",
		"NEWSBOT_TELEGRAM_API_URL": tg.APIURL(),
	}
	r := runMain(t, env, "run")
	if r.code == 0 || !strings.Contains(r.stderr, "Unauthorized") || strings.Contains(r.stderr, "WRONG-SECRET") {
		t.Fatalf("%+v", r)
	}
}
