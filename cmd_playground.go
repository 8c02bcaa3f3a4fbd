package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/playground"
	"github.com/newsbot/newsbot/storage"
)

// cmdPlayground runs the real bot against the built-in Bot API simulator and serves a
// web chat, so newsbot can be tried without a Telegram account.
func cmdPlayground(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("playground", env)
	addr := fs.String("addr", "127.0.0.1:8080", "where the web chat listens")
	offline := fs.Bool("offline", false, "use the bundled fictional demo feeds even when online")
	dbPath := fs.String("db", "", "database file to keep (default: a temporary one, removed at exit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	path := *dbPath
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
	if !*offline && playground.Online(ctx, cfg.Feeds) {
		feeds = cfg.Feeds
		log.Info("online: the playground reads the built-in feeds")
	} else {
		log.Info("offline: the playground reads the bundled fictional demo feeds")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	p, err := playground.New(runCtx, playground.Options{DB: db, Feeds: feeds, Logger: log})
	if err != nil {
		return err
	}
	defer p.Close()
	listen, srv, err := p.Listen(*addr)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	if _, err := p.Ingest(ctx); err != nil {
		log.Warn("first ingest failed", "error", err)
	}
	fmt.Fprintf(env.Stdout, "newsbot playground: open http://%s in a browser (Ctrl-C to stop)\n", listen)
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = srv.Shutdown(sctx)
	scancel()
	cancel()
	<-done
	return nil
}
