package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/newsbot/newsbot/config"
	"github.com/newsbot/newsbot/ops"
	"github.com/newsbot/newsbot/storage"
)

// cmdBackup writes a consistent copy of the database to PATH: straight from the file
// when the bot is not running, otherwise from the running bot's operator endpoint
// (bbolt allows one process at a time).
func cmdBackup(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("backup", env)
	from := fs.String("from", "", "operator endpoint to take the backup from (default: NEWSBOT_HTTP_ADDR when the database is in use)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{"backup needs exactly one argument: the destination file"}
	}
	dest := fs.Arg(0)
	cfg, err := config.Load(*cfgPath, env.Getenv)
	if err != nil {
		return err
	}
	var source string
	n, err := storage.SaveBackup(dest, func(w io.Writer) (int64, error) {
		var n int64
		var err error
		source, n, err = writeBackup(ctx, cfg, *from, w)
		return n, err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up %d bytes from %s to %s\n", n, source, dest)
	return nil
}

func writeBackup(ctx context.Context, cfg config.Config, from string, w io.Writer) (string, int64, error) {
	if from == "" {
		db, err := storage.Open(cfg.DBPath, storage.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
		if err == nil {
			defer db.Close()
			n, err := db.Backup(w)
			return cfg.DBPath, n, err
		}
		if !errors.Is(err, storage.ErrInUse) {
			return "", 0, err
		}
		if cfg.HTTPAddr == "" || cfg.OpsToken == "" {
			return "", 0, fmt.Errorf("the database is in use by the running bot, and its /backup needs the operator endpoint (NEWSBOT_HTTP_ADDR) and its token (NEWSBOT_OPS_TOKEN or NEWSBOT_OPS_TOKEN_FILE): set both for the bot and for this command, or stop the bot")
		}
		from = cfg.HTTPAddr
	}
	return ops.FetchBackup(ctx, from, cfg.OpsToken.Reveal(), w)
}

// cmdCheck checks a database file: bbolt's own consistency check, and the store's
// indexes against the records they index (storage.DB.CheckIndexes). An index out of
// step would let readers' feeds past their cap or a queued message outlive its comment;
// the tests check after each of theirs, and this lets an operator check a live store's
// backup (it holds the file's shared lock while it reads: a bot starting meanwhile waits
// for it). It exits 1 on any problem found.
func cmdCheck(ctx context.Context, env Env, args []string) error {
	fs, cfgPath := newFlags("check", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return &usageError{"check takes at most one argument: the file to check (default: the configured database)"}
	}
	path := fs.Arg(0)
	if path == "" {
		cfg, err := config.Load(*cfgPath, env.Getenv)
		if err != nil {
			return err
		}
		path = cfg.DBPath
	}
	db, err := storage.Open(path, storage.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
	if errors.Is(err, storage.ErrInUse) {
		return fmt.Errorf("%s is in use by the running bot: check a backup of it (newsbot backup DEST, then newsbot check DEST): %w", path, err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		return &exitError{1, fmt.Errorf("%s: %w", path, err)}
	}
	if err := db.CheckIndexes(ctx); errors.Is(err, storage.ErrOtherSchema) {
		// A backup from before an upgrade: its pages hold, and this binary's indexes
		// are not its indexes (review 59: the check dereferenced buckets it lacks).
		fmt.Fprintf(env.Stdout, "%s: its pages are sound; %v\n", path, err)
		return nil
	} else if err != nil {
		return &exitError{1, fmt.Errorf("%s: the indexes differ from what they index: %w", path, err)}
	}
	fmt.Fprintf(env.Stdout, "%s: no problems found\n", path)
	return nil
}
