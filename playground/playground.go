// Package playground runs the real bot against the built-in Bot API simulator
// (bot/telegramtest) and serves a small web chat, so anyone can try newsbot in a
// browser without a Telegram account. Feeds are the built-in list when the machine is
// online, or a bundled set of fictional demo articles served locally.
package playground

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/app"
	"github.com/newsbot/newsbot/bot"
	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegramtest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

//go:embed web
var webFS embed.FS

//go:embed demo/articles.json
var demoArticles []byte

// Reader is a simulated Telegram user.
type Reader struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Readers are the simulated users the page can switch between.
var Readers = []Reader{{1001, "Alice"}, {1002, "Bob"}, {1003, "Cleo"}}

// Options configure the playground.
type Options struct {
	DB *storage.DB
	// Feeds are real feed URLs to use; empty means the bundled demo feeds.
	Feeds  []string
	Logger *slog.Logger
}

// Playground is a running playground: simulator, newsbot (the same App as `newsbot
// run`), demo feeds and web UI.
type Playground struct {
	opts  Options
	tg    *telegramtest.Server
	app   *app.App
	demo  *httptest.Server
	feeds []string
	log   *slog.Logger

	mu   sync.Mutex
	wave int // demo articles released so far
}

type demoArticle struct {
	Feed, ID, Title, Text string
	Wave                  int
}

// New starts the simulator, the demo feed server (when offline) and the bot.
func New(ctx context.Context, opts Options) (*Playground, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Playground{opts: opts, tg: telegramtest.New(), log: opts.Logger}
	p.tg.SetLimits(telegramtest.Limits{Global: 30, PrivateEvery: 200 * time.Millisecond, GroupPerMin: 20})
	for _, r := range Readers {
		p.tg.PrivateChat(telegramtest.User{ID: r.ID, FirstName: r.Name})
	}
	fo := feed.FetcherOptions{}
	if len(opts.Feeds) == 0 {
		var arts []demoArticle
		if err := json.Unmarshal(demoArticles, &arts); err != nil {
			return nil, fmt.Errorf("playground demo content: %w", err)
		}
		p.demo = httptest.NewServer(p.demoHandler(arts))
		ap := netip.MustParseAddrPort(p.demo.Listener.Addr().String())
		fo.AllowAddr = func(a netip.AddrPort) bool { return a == ap } // only the demo server
		p.feeds = []string{p.demo.URL + "/harbor-times.xml", p.demo.URL + "/valley-post.xml"}
	} else {
		p.feeds = opts.Feeds
	}
	a, err := app.Open(ctx, app.Options{
		DB: opts.DB, Feeds: p.feeds, TelegramAPIURL: p.tg.APIURL(), TelegramToken: p.tg.Token,
		Admins: []int64{Readers[0].ID}, Fetch: fo, Poll: feed.PollerOptions{Interval: time.Minute},
		// No quiet hours by default: "New items arrive" shows a followed story's update
		// at any hour (at night it would wait for the next digest).
		Bot:          bot.Options{ScheduleEvery: time.Hour, PollTimeout: 5, DefaultQuiet: "off", Send: queue.SenderOptions{PrivateEvery: 250 * time.Millisecond}},
		PollManually: true, // "New items arrive" polls
		Logger:       p.log,
	})
	if err != nil {
		p.Close()
		return nil, err
	}
	p.app = a
	return p, nil
}

// Run runs newsbot until ctx ends.
func (p *Playground) Run(ctx context.Context) error { return p.app.Run(ctx) }

// Close stops newsbot, the simulator and the demo server.
func (p *Playground) Close() {
	if p.app != nil {
		p.app.Close()
	}
	p.tg.Close()
	if p.demo != nil {
		p.demo.Close()
	}
}

// demoHandler serves the released demo articles as two RSS feeds and as pages.
func (p *Playground) demoHandler(arts []demoArticle) http.Handler {
	titles := map[string]string{"harbor-times": "Harbor Times (fictional)", "valley-post": "Valley Post (fictional)"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		wave := p.wave
		p.mu.Unlock()
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".xml")
		if strings.HasPrefix(name, "a/") {
			for _, a := range arts {
				if "a/"+a.ID == name && a.Wave <= wave {
					fmt.Fprintf(w, "<html><head><title>%s</title></head><body><article><h1>%s</h1>", html.EscapeString(a.Title), html.EscapeString(a.Title))
					for _, para := range strings.Split(a.Text, "\n\n") {
						fmt.Fprintf(w, "<p>%s</p>", html.EscapeString(para))
					}
					fmt.Fprint(w, "</article></body></html>")
					return
				}
			}
			http.NotFound(w, r)
			return
		}
		title, ok := titles[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		base := "http://" + r.Host
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>%s</link>`, title, base)
		for i, a := range arts {
			if a.Feed != name || a.Wave > wave {
				continue
			}
			var paras []string
			for _, para := range strings.Split(a.Text, "\n\n") {
				paras = append(paras, "<p>"+html.EscapeString(para)+"</p>")
			}
			fmt.Fprintf(&b, `<item><title>%s</title><link>%s/a/%s</link><guid>%s</guid><pubDate>%s</pubDate><description><![CDATA[%s]]></description></item>`,
				html.EscapeString(a.Title), base, a.ID, a.ID, time.Now().Add(-time.Duration(len(arts)-i)*time.Hour).Format(time.RFC1123Z), strings.Join(paras, ""))
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, b.String())
	})
}

// Ingest releases the next wave of demo articles (offline) and polls every feed now.
func (p *Playground) Ingest(ctx context.Context) (int, error) {
	p.mu.Lock()
	if p.demo != nil {
		p.wave++
	}
	p.mu.Unlock()
	results, err := p.app.PollFeeds(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range results {
		n += r.NewItems
	}
	return n, nil
}

// DigestNow makes every subscriber due and runs the scheduler once.
func (p *Playground) DigestNow(ctx context.Context) error { return p.app.DigestNow(ctx) }

// Handler serves the web UI and its API.
func (p *Playground) Handler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(webFS, "web")
	mux.Handle("GET /", http.FileServer(http.FS(sub)))
	mux.HandleFunc("GET /api/readers", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, Readers) })
	mux.HandleFunc("GET /api/commands", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, p.tg.Commands()) })
	mux.HandleFunc("GET /api/messages", p.messages)
	mux.HandleFunc("POST /api/send", p.send)
	mux.HandleFunc("POST /api/press", p.press)
	mux.HandleFunc("POST /api/upload", p.upload)
	mux.HandleFunc("POST /api/action", p.action)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Playground) reader(r *http.Request, id string) (telegramtest.User, telegramtest.Chat, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return telegramtest.User{}, telegramtest.Chat{}, errors.New("unknown reader")
	}
	for _, rd := range Readers {
		if rd.ID == n {
			u := telegramtest.User{ID: rd.ID, FirstName: rd.Name}
			return u, p.tg.PrivateChat(u), nil
		}
	}
	return telegramtest.User{}, telegramtest.Chat{}, errors.New("unknown reader")
}

// uiMessage is a chat message as the page draws it.
type uiMessage struct {
	ID       int                           `json:"id"`
	FromBot  bool                          `json:"from_bot"`
	HTML     string                        `json:"html,omitempty"` // Telegram HTML (bot)
	Text     string                        `json:"text"`
	Buttons  [][]telegramtest.InlineButton `json:"buttons,omitempty"`
	ReplyTo  int                           `json:"reply_to,omitempty"`
	Quote    string                        `json:"quote,omitempty"`
	Document string                        `json:"document,omitempty"`
	FileID   string                        `json:"file_id,omitempty"`
	Reaction bool                          `json:"reaction,omitempty"`
	Edited   bool                          `json:"edited,omitempty"`
	Time     int64                         `json:"time"`
}

func (p *Playground) messages(w http.ResponseWriter, r *http.Request) {
	_, chat, err := p.reader(r, r.URL.Query().Get("reader"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	ctx, cancel := context.WithTimeout(r.Context(), 25*time.Second)
	defer cancel()
	v := p.tg.WaitChange(ctx, since)
	var out []uiMessage
	for _, m := range p.tg.AllMessages(chat.ID) {
		if m.Deleted {
			continue
		}
		um := uiMessage{ID: m.MessageID, FromBot: m.From != nil && m.From.IsBot, Text: m.Text, Buttons: m.Keyboard(),
			Reaction: m.Reaction != "", Edited: m.EditDate != 0, Time: m.Date}
		if um.FromBot && m.ParseMode == "HTML" {
			um.HTML = m.HTML
		}
		if m.Caption != "" && um.Text == "" {
			um.Text = m.Caption
		}
		if m.Document != nil {
			um.Document, um.FileID = m.Document.FileName, m.Document.FileID
		}
		if m.ReplyToMessage != nil {
			um.ReplyTo = m.ReplyToMessage.MessageID
			um.Quote = truncate(firstLine(m.ReplyToMessage.Text), 80)
		}
		out = append(out, um)
	}
	writeJSON(w, map[string]any{"version": v, "messages": out, "answers": p.tg.Answers()})
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func (p *Playground) send(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reader  string `json:"reader"`
		Text    string `json:"text"`
		ReplyTo int    `json:"reply_to"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || strings.TrimSpace(req.Text) == "" {
		http.Error(w, "a message needs text", http.StatusBadRequest)
		return
	}
	u, chat, err := p.reader(r, req.Reader)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if req.ReplyTo != 0 {
		if _, err := p.tg.Reply(u, chat, req.ReplyTo, req.Text); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	} else {
		p.tg.Send(u, chat, req.Text)
	}
	writeJSON(w, map[string]bool{"ok": true})
}

func (p *Playground) press(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reader    string `json:"reader"`
		MessageID int    `json:"message_id"`
		Data      string `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	u, chat, err := p.reader(r, req.Reader)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, err := p.tg.Press(u, chat, req.MessageID, req.Data)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]string{"query": id})
}

func (p *Playground) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		http.Error(w, "upload at most 1 MB", http.StatusBadRequest)
		return
	}
	u, chat, err := p.reader(r, r.FormValue("reader"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	p.tg.SendFile(u, chat, hdr.Filename, data, r.FormValue("caption"))
	writeJSON(w, map[string]bool{"ok": true})
}

func (p *Playground) action(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Action string `json:"action"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
	defer cancel()
	switch req.Action {
	case "ingest":
		n, err := p.Ingest(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"new_items": n})
	case "digest":
		if err := p.DigestNow(ctx); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]bool{"ok": true})
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}

// Online reports whether the first built-in feed can be fetched quickly.
func Online(ctx context.Context, feeds []string) bool {
	if len(feeds) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	_, err := feed.NewFetcher(feed.FetcherOptions{Timeout: 4 * time.Second}).Fetch(ctx, feed.Request{URL: feeds[0]})
	return err == nil
}

// Listen starts the web server on addr and returns its address.
func (p *Playground) Listen(addr string) (string, *http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("playground: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), srv, nil
}

// ServeOptions configure Serve (`newsbot playground`).
type ServeOptions struct {
	// Addr is where the web chat listens.
	Addr string
	// Offline uses the bundled demo feeds even when Feeds can be reached.
	Offline bool
	// DBPath keeps the database there ("": a temporary one, removed at the end).
	DBPath string
	Feeds  []string
	Logger *slog.Logger
	// Stdout is told where to point the browser.
	Stdout io.Writer
}

// Serve runs a playground until ctx ends: the database, newsbot over the simulator,
// the first ingest, and the web chat.
func Serve(ctx context.Context, so ServeOptions) error {
	path := so.DBPath
	if path == "" {
		dir, err := os.MkdirTemp("", "newsbot-playground")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "playground.db")
	}
	db, err := storage.Open(path, storage.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	var feeds []string
	if !so.Offline && Online(ctx, so.Feeds) {
		feeds = so.Feeds
		so.Logger.Info("online: the playground reads the built-in feeds")
	} else {
		so.Logger.Info("offline: the playground reads the bundled fictional demo feeds")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	p, err := New(runCtx, Options{DB: db, Feeds: feeds, Logger: so.Logger})
	if err != nil {
		return err
	}
	defer p.Close()
	listen, srv, err := p.Listen(so.Addr)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	if _, err := p.Ingest(ctx); err != nil {
		so.Logger.Warn("first ingest failed", "error", err)
	}
	fmt.Fprintf(so.Stdout, "newsbot playground: open http://%s in a browser (Ctrl-C to stop)\n", listen)
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = srv.Shutdown(sctx)
	scancel()
	cancel()
	return <-done
}
