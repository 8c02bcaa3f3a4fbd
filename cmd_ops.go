package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/newsbot/newsbot/config"
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
	tmp := dest + ".partial"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp)
	source, n, err := writeBackup(ctx, cfg, *from, out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// A backup that does not open is no backup.
	check, err := storage.Open(tmp, storage.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("backup: the copy does not open: %w", err)
	}
	cerr := check.Check()
	check.Close()
	if cerr != nil {
		return fmt.Errorf("backup: the copy is damaged: %w", cerr)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
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
	url := from
	if !hasScheme(url) {
		url = "http://" + url
	}
	url += "/backup"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", 0, err
	}
	if cfg.OpsToken != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.OpsToken.Reveal())
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

func hasScheme(s string) bool {
	return len(s) > 7 && (s[:7] == "http://" || (len(s) > 8 && s[:8] == "https://"))
}
