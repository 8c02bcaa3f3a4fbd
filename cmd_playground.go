package main

import (
	"context"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/playground"
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
	return playground.Serve(ctx, playground.ServeOptions{Addr: *addr, Offline: *offline, DBPath: *dbPath,
		Feeds: cfg.Feeds, Logger: newLogger(cfg, env.Stderr), Stdout: env.Stdout})
}
