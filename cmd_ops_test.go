package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/storage"
	bolt "go.etcd.io/bbolt"
)

var addrRE = regexp.MustCompile(`operator endpoint listening"? addr=(\S+)`)

// TestOperatorEndpointAndBackupRestore runs the bot with its operator endpoint, reads
// metrics and readiness, takes a backup while it runs, then restores the backup and
// checks every record against the live database.
func TestOperatorEndpointAndBackupRestore(t *testing.T) {
	tg := telegramtest.New()
	defer tg.Close()
	srv := feedFiles(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "newsbot.db")
	env := map[string]string{
		"NEWSBOT_DB":                     dbPath,
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
		"NEWSBOT_FEEDS":                  srv.URL + "/rss_1.0_example_1.xml," + srv.URL + "/jsonfeed_example_1.json",
		"NEWSBOT_TELEGRAM_TOKEN":         tg.Token,
		"NEWSBOT_TELEGRAM_API_URL":       tg.APIURL(),
		"NEWSBOT_HTTP_ADDR":              "127.0.0.1:0",
		"NEWSBOT_LOG_FORMAT":             "text",
		"NEWSBOT_OPS_TOKEN":              "operator-token-for-the-test",
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan runResult)
	go func() { done <- runMainTo(ctx, env, logs, "run") }()
	defer func() {
		cancel()
		<-done
	}()
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" || !strings.Contains(logs.String(), "poll cycle") {
		if time.Now().After(deadline) {
			t.Fatalf("bot did not start:\n%s", logs.String())
		}
		if m := addrRE.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	u := telegramtest.User{ID: 55, FirstName: "Op"}
	tg.Send(u, tg.PrivateChat(u), "/subscribe")
	if _, err := tg.WaitFor(55, 10*time.Second, func(m telegramtest.Message) bool { return strings.Contains(m.Text, "Subscribed") }); err != nil {
		t.Fatal(err)
	}
	fetch := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("/readyz"); code != 200 {
		t.Fatalf("readyz %d: %s", code, body)
	}
	_, metrics := fetch("/metrics")
	for _, want := range []string{`newsbot_feeds_polled_total{status="ok"} 2`, "newsbot_items_stored_total 4", "newsbot_messages_sent_total", "newsbot_db_size_bytes", "newsbot_panics_total 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The reply may still be between Telegram's answer and the outbox's record of it
	// when this scrape runs, so its depth is 0 or 1 here; that the outbox drains is
	// checked on the database after shutdown.
	if !regexp.MustCompile(`(?m)^newsbot_outbox_depth [01]$`).MatchString(metrics) {
		t.Errorf("metrics lack the outbox depth:\n%s", metrics)
	}
	// /backup needs the operator token: without it, or with a wrong one, nothing.
	if code, _ := fetch("/backup"); code != http.StatusUnauthorized {
		t.Fatalf("/backup without the token: %d", code)
	}
	backup := filepath.Join(dir, "backup.db")
	r := runMain(t, map[string]string{"NEWSBOT_DB": dbPath, "NEWSBOT_HTTP_ADDR": addr}, "backup", backup)
	if r.code == 0 || !strings.Contains(r.stderr, "NEWSBOT_OPS_TOKEN") {
		t.Fatalf("backup without a token: %+v", r)
	}
	r = runMain(t, map[string]string{"NEWSBOT_DB": dbPath, "NEWSBOT_HTTP_ADDR": addr, "NEWSBOT_OPS_TOKEN": "not-the-operator-token"}, "backup", backup)
	if r.code == 0 || !strings.Contains(r.stderr, "refused") {
		t.Fatalf("backup with a wrong token: %+v", r)
	}
	// The database is held by the running bot: backup goes through the endpoint.
	r = runMain(t, map[string]string{"NEWSBOT_DB": dbPath, "NEWSBOT_HTTP_ADDR": addr, "NEWSBOT_OPS_TOKEN": "operator-token-for-the-test"}, "backup", backup)
	if r.code != 0 || !strings.Contains(r.stdout, "/backup to") {
		t.Fatalf("backup: %+v", r)
	}
	cancel()
	if res := <-done; res.code != 0 {
		t.Fatalf("run exit %d", res.code)
	}
	done = make(chan runResult, 1)
	done <- runResult{}

	// Restore: the backup opens, is consistent, and holds every record.
	live, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	restored, err := storage.Open(backup, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.Check(); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	if depth, _, err := live.OutboxStats(bg, time.Now()); err != nil || depth != 0 {
		t.Fatalf("outbox after shutdown: %d queued (%v), want 0", depth, err)
	}
	li, _ := live.Items(bg, 0)
	ri, _ := restored.Items(bg, 0)
	if len(li) != 4 || fmt.Sprintf("%+v", li) != fmt.Sprintf("%+v", ri) {
		t.Fatalf("items differ:\nlive %+v\nbackup %+v", li, ri)
	}
	lf, _ := live.Feeds(bg)
	rf, _ := restored.Feeds(bg)
	if len(lf) != 2 || len(rf) != 2 || lf[0].URL != rf[0].URL || lf[1].ETag != rf[1].ETag {
		t.Fatalf("feeds differ: %+v vs %+v", lf, rf)
	}
	ls, _ := live.Subscriber(bg, 55)
	rs, err := restored.Subscriber(bg, 55)
	if err != nil || ls.Subscribed != rs.Subscribed || !ls.NextDigest.Equal(rs.NextDigest) {
		t.Fatalf("subscriber differs: %+v vs %+v (%v)", ls, rs, err)
	}

	// With no process holding it, backup reads the file directly.
	restored.Close()
	r = runMain(t, map[string]string{"NEWSBOT_DB": backup}, "backup", filepath.Join(dir, "second.db"))
	if r.code != 0 || !strings.Contains(r.stdout, "from "+backup) {
		t.Fatalf("offline backup: %+v", r)
	}
}

// TestCheckCommand checks a store whose indexes hold, one with an index entry gone
// (written straight to the file, as a bug or a damaged disk could), and a file that is
// no database: each answer says which.
func TestCheckCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "newsbot.db")
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for chat := int64(1); chat <= 7; chat++ {
		create := func() storage.Subscriber { return storage.Subscriber{ChatID: chat, Kind: "private", Active: true} }
		if _, _, err := db.AddOwnFeeds(ctx, chat, chat, create, []string{"https://a.example/feed.xml", fmt.Sprintf("https://%d.example/feed.xml", chat)}, nil, storage.FeedLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	edit := func(fn func(tx *bolt.Tx) error) {
		t.Helper()
		raw, err := bolt.Open(dbPath, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if err := raw.Update(fn); err != nil {
			t.Fatal(err)
		}
	}

	r := runMain(t, map[string]string{"NEWSBOT_DB": dbPath}, "check")
	if r.code != 0 || !strings.Contains(r.stdout, "no problems found") {
		t.Fatalf("a sound store: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	edit(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("reader_feeds")).Delete([]byte("https://a.example/feed.xml"))
	})
	r = runMain(t, nil, "check", dbPath)
	if r.code != 1 || !strings.Contains(r.stderr, "reader_feeds lacks") {
		t.Errorf("an index entry gone: exit %d, stderr %q", r.code, r.stderr)
	}

	// Every account's place in the ranking gone: five are named, all seven counted.
	edit(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("held_rank")); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte("held_rank"))
		return err
	})
	r = runMain(t, nil, "check", dbPath)
	if r.code != 1 || strings.Count(r.stderr, "held_rank lacks") != 5 || !strings.Contains(r.stderr, "held_rank: 7 differences in all") {
		t.Errorf("seven entries gone: exit %d, stderr %q", r.code, r.stderr)
	}

	// A backup from before the holdings indexes: its pages are checked, its indexes not.
	edit(func(tx *bolt.Tx) error {
		for _, name := range []string{"holdings", "reader_feeds", "account_held", "held_rank", "adders_by", "feed_payers", "payer_count"} {
			if err := tx.DeleteBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 15))
	})
	r = runMain(t, nil, "check", dbPath)
	if r.code != 0 || !strings.Contains(r.stdout, "pages are sound") || !strings.Contains(r.stdout, "schema 15") {
		t.Errorf("a store of schema 15: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r = runMain(t, nil, "check", junk); r.code == 0 || !strings.Contains(r.stderr, "junk.db") {
		t.Errorf("a file that is no database: exit %d, stderr %q", r.code, r.stderr)
	}
}
