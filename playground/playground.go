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
	"strconv"
	"strings"
	"sync"
	"time"

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

// Playground is a running playground: simulator, bot, demo feeds and web UI.
type Playground struct {
	opts   Options
	tg     *telegramtest.Server
	bot    *bot.Bot
	demo   *httptest.Server
	feeds  []string
	fetch  *feed.Fetcher
	poller *feed.Poller
	log    *slog.Logger

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
	p.fetch = feed.NewFetcher(fo)
	p.poller = feed.NewPoller(opts.DB, p.fetch, feed.PollerOptions{Interval: time.Minute, Logger: p.log})
	for _, f := range p.feeds {
		if _, err := opts.DB.AddFeed(ctx, f, time.Now()); err != nil {
			return nil, err
		}
	}
	b, err := bot.New(ctx, opts.DB, p.fetch, bot.Options{
		APIURL: p.tg.APIURL(), Token: p.tg.Token, Admins: []int64{Readers[0].ID}, Catalogue: p.feeds,
		Logger: p.log, ScheduleEvery: time.Hour, PollTimeout: 5,
		Send: queue.SenderOptions{PrivateEvery: 250 * time.Millisecond},
	})
	if err != nil {
		p.Close()
		return nil, err
	}
	p.bot = b
	return p, nil
}

// Run runs the bot until ctx ends.
func (p *Playground) Run(ctx context.Context) error { return p.bot.Run(ctx) }

// Close stops the simulator and the demo server.
func (p *Playground) Close() {
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
	var feeds []storage.Feed
	for _, u := range p.feeds {
		f, err := p.opts.DB.Feed(ctx, u)
		if err != nil {
			return 0, err
		}
		feeds = append(feeds, f)
	}
	n := 0
	for _, r := range p.poller.PollFeeds(ctx, feeds) {
		n += r.NewItems
	}
	return n, nil
}

// DigestNow makes every subscriber due and runs the scheduler once.
func (p *Playground) DigestNow(ctx context.Context) error {
	now := time.Now()
	var due []int64
	if err := p.opts.DB.Subscribers(ctx, func(s storage.Subscriber) error {
		if s.Subscribed && s.Active {
			due = append(due, s.ChatID)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range due {
		if _, err := p.opts.DB.UpdateSubscriber(ctx, id, nil, func(s *storage.Subscriber) error {
			s.NextDigest = now.Add(-time.Second)
			return nil
		}); err != nil {
			return err
		}
	}
	return p.bot.RunDue(ctx)
}

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
