package ops

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsbot/newsbot/feed"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func getAuth(t *testing.T, h http.Handler, path, auth string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", auth)
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

// Without a token configured, /backup does not exist; the other routes stay open.
func TestBackupIsOffWithoutAToken(t *testing.T) {
	called := false
	s := NewServer(NewMetrics(), Checks{}, Backup{Snapshot: func(string) (int64, error) { called = true; return 0, nil }}, nil)
	h := s.Handler()
	if code, _ := getAuth(t, h, "/backup", "Bearer "); code != http.StatusNotFound {
		t.Fatalf("backup without a configured token: %d", code)
	}
	if called {
		t.Fatal("a snapshot was taken")
	}
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		if code, _ := get(t, h, p); code != 200 {
			t.Fatalf("%s: %d", p, code)
		}
	}
}

func TestReadinessAndMetrics(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	m := NewMetrics()
	m.ObservePoll(feed.Result{Status: feed.StatusOK, NewItems: 3})
	m.ObservePoll(feed.Result{Status: feed.StatusError, Err: &feed.FetchError{Kind: feed.KindTimeout}})
	m.GaugeFunc("newsbot_outbox_depth", "queued", func() float64 { return 7 })
	loops := map[string]Loop{"sender": {Last: now.Add(-10 * time.Second), Every: time.Minute}}
	var dbErr error
	tgLast := now.Add(-time.Minute)
	s := NewServer(m, Checks{
		DB:       func() error { return dbErr },
		Loops:    func() map[string]Loop { return loops },
		Telegram: func() time.Time { return tgLast },
		Now:      func() time.Time { return now },
	}, Backup{Token: "s3cret-operator-token", Snapshot: writeSnapshot}, nil)
	h := s.Handler()

	if code, body := get(t, h, "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz %d %q", code, body)
	}
	if code, body := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("readyz %d %q", code, body)
	}
	_, body := get(t, h, "/metrics")
	for _, want := range []string{
		`newsbot_feeds_polled_total{status="ok"} 1`, `newsbot_fetch_errors_total{kind="timeout"} 1`,
		"newsbot_items_stored_total 3", "newsbot_outbox_depth 7", "go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if code, _ := get(t, h, "/backup"); code != http.StatusUnauthorized {
		t.Fatalf("backup without the token: %d", code)
	}
	for _, auth := range []string{"Bearer wrong", "Bearer ", "Basic czNjcmV0", "s3cret-operator-token"} {
		if code, _ := getAuth(t, h, "/backup", auth); code != http.StatusUnauthorized {
			t.Fatalf("backup with %q: %d", auth, code)
		}
	}
	if code, body := getAuth(t, h, "/backup", "Bearer s3cret-operator-token"); code != 200 || body != "snapshot" {
		t.Fatalf("backup %d %q", code, body)
	}

	// A loop silent for more than twice its period (plus slack) turns readiness red.
	loops["sender"] = Loop{Last: now.Add(-5 * time.Minute), Every: time.Minute}
	code, body := get(t, h, "/readyz")
	if code != 503 || !strings.Contains(body, "loop sender stalled") {
		t.Fatalf("stalled loop: %d %q", code, body)
	}
	loops["sender"] = Loop{Last: now, Every: time.Minute}
	dbErr = errors.New("open /var/lib/newsbot/newsbot.db: input/output error")
	tgLast = now.Add(-time.Hour)
	_, body = get(t, h, "/readyz")
	if !strings.Contains(body, "database: not readable") || !strings.Contains(body, "telegram not reached") {
		t.Fatalf("problems: %q", body)
	}
	// The error, which names the file, is the operator's: in the log, not the answer.
	if strings.Contains(body, "/var/lib") || strings.Contains(body, "input/output") {
		t.Fatalf("/readyz tells whoever asks the database's error: %q", body)
	}
}

// The endpoint is open to whoever reaches it: what it logs for them is logged once a
// minute, not once a request, and the database error reaches the log.
func TestOpenEndpointLogsSparingly(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	s := NewServer(NewMetrics(), Checks{DB: func() error { return errors.New("open /data/newsbot.db: input/output error") }},
		Backup{Token: "s3cret-operator-token", Snapshot: func(string) (int64, error) { return 0, nil }}, log)
	h := s.Handler()
	for range 50 {
		get(t, h, "/readyz")
		getAuth(t, h, "/backup", "Bearer wrong")
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := strings.Count(out, "without the operator token"); n != 1 {
		t.Errorf("50 refused backups logged %d times, want once", n)
	}
	if n := strings.Count(out, "input/output error"); n != 1 {
		t.Errorf("50 readiness checks logged the database error %d times, want once:\n%s", n, out)
	}
}

// One backup at a time: each is a full copy of the database on disk.
func TestOneBackupAtATime(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	s := NewServer(NewMetrics(), Checks{}, Backup{Token: "s3cret-operator-token", TempDir: t.TempDir(), Snapshot: func(path string) (int64, error) {
		close(started)
		<-release
		return writeSnapshot(path)
	}}, nil)
	h := s.Handler()
	first := make(chan int)
	go func() {
		code, _ := getAuth(t, h, "/backup", "Bearer s3cret-operator-token")
		first <- code
	}()
	<-started
	if code, body := getAuth(t, h, "/backup", "Bearer s3cret-operator-token"); code != http.StatusTooManyRequests {
		t.Fatalf("a second backup during the first: %d %q", code, body)
	}
	close(release)
	if code := <-first; code != 200 {
		t.Fatalf("the first backup: %d", code)
	}
}

// writeSnapshot stands for a database's snapshot: the word "snapshot" at path.
func writeSnapshot(path string) (int64, error) {
	return int64(len("snapshot")), os.WriteFile(path, []byte("snapshot"), 0o600)
}

// The snapshot is sent from the file it was written to, the one copy on disk while it
// is sent (before, a second copy was written beside it and sent).
func TestBackupIsSentFromTheSnapshotsFile(t *testing.T) {
	dir := t.TempDir()
	var copies []string
	s := NewServer(NewMetrics(), Checks{}, Backup{Token: "s3cret-operator-token", TempDir: dir, Snapshot: func(path string) (int64, error) {
		n, err := writeSnapshot(path)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			copies = append(copies, e.Name())
		}
		return n, err
	}}, nil)
	code, body := getAuth(t, s.Handler(), "/backup", "Bearer s3cret-operator-token")
	if code != 200 || body != "snapshot" {
		t.Fatalf("backup: %d %q", code, body)
	}
	if len(copies) != 1 {
		t.Errorf("files beside the snapshot while it was taken: %v, want only its own", copies)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left after the backup: %v", entries)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A download a crash cut off left its copy in the endpoint's directory: the next start
// removes it, and nothing else there (review 49: a full copy stayed on disk, holding
// what was deleted since).
func TestLeftoverBackupCopiesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, ".newsbot-backup-download-123.db")
	other := filepath.Join(dir, "newsbot.db")
	for _, f := range []string{left, other} {
		if err := os.WriteFile(f, []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	NewServer(NewMetrics(), Checks{}, Backup{Token: "s3cret-operator-token", TempDir: dir}, nil)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Fatalf("the leftover copy stays: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another file went: %v", err)
	}
}
