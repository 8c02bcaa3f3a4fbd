// Package ops is newsbot's operator surface: Prometheus metrics, liveness and
// readiness checks (a stalled loop turns readiness red), and hot backups of the
// database over HTTP for whoever holds the operator token.
package ops

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Metrics are newsbot's Prometheus metrics. Counters the bot keeps itself are exported
// through CounterFunc/GaugeFunc so there is one source of truth.
type Metrics struct {
	Registry      *prometheus.Registry
	FeedsPolled   *prometheus.CounterVec
	FetchErrors   *prometheus.CounterVec
	ItemsStored   prometheus.Counter
	UpdateLatency prometheus.Histogram
	SendFailures  *prometheus.CounterVec
}

// NewMetrics registers the metrics newsbot always has.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		FeedsPolled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_feeds_polled_total", Help: "Feed polls by outcome (ok, not_modified, error).",
		}, []string{"status"}),
		FetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_fetch_errors_total", Help: "Failed feed polls by kind (blocked, timeout, too_large, http, network, parse).",
		}, []string{"kind"}),
		ItemsStored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsbot_items_stored_total", Help: "New items stored by the poller.",
		}),
		SendFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsbot_send_failures_total", Help: "Failed send attempts by Telegram error code (or network).",
		}, []string{"reason"}),
		UpdateLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "newsbot_update_handling_seconds", Help: "Time to handle one Telegram update.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	m.Registry.MustRegister(m.FeedsPolled, m.FetchErrors, m.ItemsStored, m.UpdateLatency, m.SendFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObservePoll records one feed poll result.
func (m *Metrics) ObservePoll(r feed.Result) {
	m.FeedsPolled.WithLabelValues(r.Status).Inc()
	if r.Status == feed.StatusError {
		kind := "other"
		var fe *feed.FetchError
		if asFetchError(r.Err, &fe) {
			kind = string(fe.Kind)
		}
		m.FetchErrors.WithLabelValues(kind).Inc()
	}
	m.ItemsStored.Add(float64(r.NewItems))
}

// CounterFunc registers a counter read from fn.
func (m *Metrics) CounterFunc(name, help string, fn func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
}

// GaugeFunc registers a gauge read from fn.
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Checks are what readiness looks at.
type Checks struct {
	// DB reports an error when the database cannot be read.
	DB func() error
	// Loops returns when each background loop last turned and how often it turns at
	// least; a loop silent for twice that (plus MaxStall) is stalled.
	Loops    func() map[string]Loop
	MaxStall time.Duration
	// Telegram returns when the Bot API last answered; zero disables the check.
	Telegram      func() time.Time
	TelegramStale time.Duration
	Now           func() time.Time
}

// Loop is a background loop's heartbeat.
type Loop struct {
	Last  time.Time
	Every time.Duration
}

// Backup configures /backup. The endpoint may be reachable from far beyond the
// machine, and a backup is the whole database: without a Token it answers 404, and
// with one it serves only requests that send it as "Authorization: Bearer <token>".
type Backup struct {
	Token string
	// Snapshot writes a consistent copy of the database into the empty file at path,
	// which is then sent as it is (one copy on disk), and returns its size.
	Snapshot func(path string) (int64, error)
	// MaxDuration bounds one download (default 10 minutes): a client that reads slower
	// is cut off.
	MaxDuration time.Duration
	// TempDir holds the snapshot while it is sent (default os.TempDir()).
	TempDir string
}

// Server is the operator HTTP endpoint.
type Server struct {
	metrics *Metrics
	checks  Checks
	backup  Backup
	log     *slog.Logger
	// The endpoint is open to whoever reaches it: what requests make it log is logged
	// at most once a minute.
	refusedLog, dbLog rate.Sometimes
	// backingUp: one backup at a time, each a full copy of the database on disk.
	backingUp atomic.Bool

	mu  sync.Mutex
	srv *http.Server
	ln  *limitListener
}

// backupTempPattern names /backup's copy while it is sent (os.CreateTemp's pattern).
const backupTempPattern = ".newsbot-backup-download-*.db"

// NewServer builds the endpoint: /metrics, /healthz, /readyz and /backup.
func NewServer(m *Metrics, checks Checks, backup Backup, log *slog.Logger) *Server {
	if checks.Now == nil {
		checks.Now = time.Now
	}
	if checks.MaxStall == 0 {
		checks.MaxStall = 30 * time.Second
	}
	if checks.TelegramStale == 0 {
		checks.TelegramStale = 10 * time.Minute
	}
	if backup.MaxDuration <= 0 {
		backup.MaxDuration = 10 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if backup.TempDir != "" {
		// A download a crash cut off left its copy, holding what has been deleted since
		// (review 49). Only in a directory of our own: the shared one may hold another
		// process's copy in progress.
		if entries, err := os.ReadDir(backup.TempDir); err == nil {
			prefix, suffix, _ := strings.Cut(backupTempPattern, "*")
			for _, e := range entries {
				if n := e.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, suffix) && !e.IsDir() {
					_ = os.Remove(filepath.Join(backup.TempDir, n)) // best effort: the next start tries again
				}
			}
		}
	}
	return &Server{metrics: m, checks: checks, backup: backup, log: log,
		refusedLog: rate.Sometimes{Interval: time.Minute}, dbLog: rate.Sometimes{Interval: time.Minute}}
}

// Handler returns the endpoint's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /backup", s.serveBackup)
	return noBodies(mux)
}

// connKey keys the request's connection in its context (Server.ConnContext).
type connKey struct{}

// noBodies answers a request that carries a body, which no route takes, at once and
// closes its connection without reading the body: the server would otherwise read up
// to 256 KiB of it after the answer, as slowly as the client sends it (review 65).
func noBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now())
			w.Header().Set("Connection", "close")
			http.Error(w, "requests to this endpoint carry no body", http.StatusRequestEntityTooLarge)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries the backup token (compared in constant time).
func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.backup.Token)) == 1
}

// serveBackup has the snapshot written into a temporary file first and sends that
// file: the database's read transaction lasts as long as a local copy takes, not as
// long as the client takes to read, so a slow client cannot hold back the bot's writes.
func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	if s.backup.Token == "" || s.backup.Snapshot == nil {
		http.NotFound(w, r)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsbot backup"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		s.refusedLog.Do(func() {
			s.log.Warn("a backup request without the operator token was refused (logged at most once a minute)", "remote", r.RemoteAddr)
		})
		return
	}
	if !s.backingUp.CompareAndSwap(false, true) {
		http.Error(w, "a backup is already being taken; try again when it is done", http.StatusTooManyRequests)
		return
	}
	defer s.backingUp.Store(false)
	// An authorized backup is never closed to make room for other connections.
	if c, ok := r.Context().Value(connKey{}).(*limitedConn); ok {
		s.mu.Lock()
		ln := s.ln
		s.mu.Unlock()
		if ln != nil && !ln.protect(c) {
			http.Error(w, "the endpoint is making room; try again", http.StatusServiceUnavailable)
			return
		}
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.backup.MaxDuration))
	tmp, err := os.CreateTemp(s.backup.TempDir, backupTempPattern)
	if err != nil {
		s.log.Error("backup: creating the temporary copy failed", "error", err)
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	n, err := s.backup.Snapshot(name)
	var f *os.File
	if err == nil {
		f, err = os.Open(name)
	}
	if err != nil {
		s.log.Error("backup: taking the snapshot failed", "error", err)
		http.Error(w, "backup failed", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="newsbot-backup.db"`)
	w.Header().Set("Content-Length", fmt.Sprint(n))
	if _, err := io.Copy(w, f); err != nil {
		s.log.Warn("backup: sending the snapshot failed", "error", err)
		return
	}
	s.log.Info("backup sent", "bytes", n, "remote", r.RemoteAddr)
}

// Problems lists what makes the process not ready (empty when ready).
func (s *Server) Problems() []string {
	var out []string
	if s.checks.DB != nil {
		if err := s.checks.DB(); err != nil {
			// The error names files and paths: the log has it, not the open endpoint.
			out = append(out, "database: not readable (see the log)")
			s.dbLog.Do(func() { s.log.Error("readiness: the database is not readable", "error", err) })
		}
	}
	now := s.checks.Now()
	if s.checks.Loops != nil {
		loops := s.checks.Loops()
		names := make([]string, 0, len(loops))
		for n := range loops {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			l := loops[n]
			if l.Last.IsZero() || now.Sub(l.Last) > 2*l.Every+s.checks.MaxStall {
				out = append(out, fmt.Sprintf("loop %s stalled (last turn %s ago)", n, durationSince(now, l.Last)))
			}
		}
	}
	if s.checks.Telegram != nil {
		if t := s.checks.Telegram(); t.IsZero() || now.Sub(t) > s.checks.TelegramStale {
			out = append(out, fmt.Sprintf("telegram not reached for %s", durationSince(now, t)))
		}
	}
	return out
}

func durationSince(now, t time.Time) string {
	if t.IsZero() {
		return "ever"
	}
	return now.Sub(t).Round(time.Second).String()
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if p := s.Problems(); len(p) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready:\n"+strings.Join(p, "\n"))
		return
	}
	fmt.Fprintln(w, "ready")
}

// Start listens on addr (e.g. 127.0.0.1:9090) and serves until Shutdown.
func (s *Server) Start(addr string) (string, error) {
	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("operator endpoint: listen %s: %w", addr, err)
	}
	ln := newLimitListener(tcp)
	// Every phase of a request is bounded; /backup extends its own write deadline.
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10, ConnState: ln.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }}
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			s.log.Error("operator endpoint stopped", "error", err)
		}
	}()
	return ln.Addr().String(), nil
}

// Shutdown stops the endpoint.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// FetchBackup downloads a backup from a running newsbot's operator endpoint at addr
// (host:port or a URL), sending token, and writes it to w. It returns the URL used and
// the bytes written; an endpoint without a token (404) or a wrong token (401) is a
// clear error.
func FetchBackup(ctx context.Context, addr, token string, w io.Writer) (string, int64, error) {
	url := addr
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = "http://" + url
	}
	url += "/backup"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("backup from the running bot: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return "", 0, fmt.Errorf("backup from the running bot: its /backup is off (it has no NEWSBOT_OPS_TOKEN)")
	case http.StatusUnauthorized:
		return "", 0, fmt.Errorf("backup from the running bot: the operator token was refused (NEWSBOT_OPS_TOKEN must match the bot's)")
	default:
		return "", 0, fmt.Errorf("backup from the running bot: HTTP %d", resp.StatusCode)
	}
	n, err := io.Copy(w, resp.Body)
	return url, n, err
}
