// Package ops is newsbot's operator surface: Prometheus metrics, liveness and
// readiness checks (a stalled loop turns readiness red), and hot backups of the
// database over HTTP.
package ops

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/feed"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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

// Server is the operator HTTP endpoint.
type Server struct {
	metrics *Metrics
	checks  Checks
	backup  func(w http.ResponseWriter) error
	log     *slog.Logger

	mu  sync.Mutex
	srv *http.Server
	ln  net.Listener
}

// NewServer builds the endpoint: /metrics, /healthz, /readyz and /backup.
func NewServer(m *Metrics, checks Checks, backup func(w http.ResponseWriter) error, log *slog.Logger) *Server {
	if checks.Now == nil {
		checks.Now = time.Now
	}
	if checks.MaxStall == 0 {
		checks.MaxStall = 30 * time.Second
	}
	if checks.TelegramStale == 0 {
		checks.TelegramStale = 10 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{metrics: m, checks: checks, backup: backup, log: log}
}

// Handler returns the endpoint's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		if s.backup == nil {
			http.Error(w, "backup not available", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="newsbot-backup.db"`)
		if err := s.backup(w); err != nil {
			s.log.Error("backup over HTTP failed", "error", err)
		}
	})
	return mux
}

// Problems lists what makes the process not ready (empty when ready).
func (s *Server) Problems() []string {
	var out []string
	if s.checks.DB != nil {
		if err := s.checks.DB(); err != nil {
			out = append(out, "database: "+err.Error())
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("operator endpoint: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
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
