package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/config"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsNeedNothing(t *testing.T) {
	cfg, err := config.Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBPath != "newsbot.db" || cfg.PollInterval != 15*time.Minute || cfg.TelegramAPIURL != "https://api.telegram.org" {
		t.Fatalf("defaults: %+v", cfg)
	}
	if len(cfg.Feeds) < 6 {
		t.Fatalf("%d built-in feeds, want at least 6", len(cfg.Feeds))
	}
	ukrainian := false
	for _, f := range cfg.Feeds {
		if strings.Contains(f, "ukrinform") || strings.Contains(f, "kyivindependent") {
			ukrainian = true
		}
	}
	if !ukrainian {
		t.Fatal("no Ukrainian outlet among the built-in feeds")
	}
	if cfg.AllowPrivateNetworks {
		t.Fatal("private networks allowed by default")
	}
}

func TestEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token")
	os.WriteFile(tokFile, []byte("123:FROMFILE\n"), 0o600)
	cfg, err := config.Load("", env(map[string]string{
		"NEWSBOT_TELEGRAM_TOKEN_FILE":    tokFile,
		"NEWSBOT_TELEGRAM_API_URL":       "http://127.0.0.1:8081",
		"NEWSBOT_DB":                     "/data/x.db",
		"NEWSBOT_FEEDS":                  " https://a.example/rss , https://b.example/atom ",
		"NEWSBOT_POLL_INTERVAL":          "5m",
		"NEWSBOT_ALLOW_PRIVATE_NETWORKS": "true",
		"NEWSBOT_ADMINS":                 "42, 7",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TelegramToken.Reveal() != "123:FROMFILE" || cfg.TelegramAPIURL != "http://127.0.0.1:8081" || cfg.DBPath != "/data/x.db" ||
		len(cfg.Feeds) != 2 || cfg.Feeds[1] != "https://b.example/atom" || cfg.PollInterval != 5*time.Minute ||
		!cfg.AllowPrivateNetworks || !cfg.IsAdmin(42) || !cfg.IsAdmin(7) || cfg.IsAdmin(8) {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	cfg, _ = config.Load("", env(map[string]string{"NEWSBOT_TELEGRAM_TOKEN": "999:DIRECT"}))
	if cfg.TelegramToken.Reveal() != "999:DIRECT" {
		t.Fatal("NEWSBOT_TELEGRAM_TOKEN not applied")
	}
}

func TestInvalidValuesNameTheSetting(t *testing.T) {
	cases := []struct{ key, val, want string }{
		{"NEWSBOT_POLL_INTERVAL", "often", "NEWSBOT_POLL_INTERVAL"},
		{"NEWSBOT_POLL_INTERVAL", "-5m", "NEWSBOT_POLL_INTERVAL: must be positive"},
		{"NEWSBOT_ALLOW_PRIVATE_NETWORKS", "maybe", "NEWSBOT_ALLOW_PRIVATE_NETWORKS"},
		{"NEWSBOT_ADMINS", "42,bob", `NEWSBOT_ADMINS: "bob" is not a numeric Telegram user ID`},
		{"NEWSBOT_FEEDS", "ftp://x/feed", "NEWSBOT_FEEDS"},
		{"NEWSBOT_FEEDS", " , ", "NEWSBOT_FEEDS"},
		{"NEWSBOT_TELEGRAM_API_URL", "api.telegram.org", "NEWSBOT_TELEGRAM_API_URL"},
		{"NEWSBOT_TELEGRAM_TOKEN_FILE", "/nonexistent/token", "NEWSBOT_TELEGRAM_TOKEN_FILE"},
		{"NEWSBOT_LOG_LEVEL", "loud", "NEWSBOT_LOG_LEVEL"},
		{"NEWSBOT_LOG_FORMAT", "xml", "NEWSBOT_LOG_FORMAT"},
		{"NEWSBOT_OPS_TOKEN", "short", "NEWSBOT_OPS_TOKEN: must be at least 16 characters"},
		{"NEWSBOT_READER_RATE", "0", "NEWSBOT_READER_RATE"},
		{"NEWSBOT_MAX_OWN_FEEDS", "0", "NEWSBOT_MAX_OWN_FEEDS: must be at least 1"},
		{"NEWSBOT_MAX_READER_FEEDS", "many", "NEWSBOT_MAX_READER_FEEDS"},
		{"NEWSBOT_MAX_ITEMS_PER_POLL", "-1", "NEWSBOT_MAX_ITEMS_PER_POLL: must be at least 1"},
		{"NEWSBOT_MAX_USER_BYTES_PER_DAY", "0", "NEWSBOT_MAX_USER_BYTES_PER_DAY: must be at least 1"},
		{"NEWSBOT_FILTER_BUDGET", "0s", "NEWSBOT_FILTER_BUDGET: must be positive"},
		{"NEWSBOT_MAX_USER_POLL_TIME_PER_DAY", "0s", "NEWSBOT_MAX_USER_POLL_TIME_PER_DAY: must be positive"},
		{"NEWSBOT_MAX_USER_PAGE_TIME_PER_DAY", "-1m", "NEWSBOT_MAX_USER_PAGE_TIME_PER_DAY: must be positive"},
		{"NEWSBOT_MAX_READER_STORE_BYTES", "-1", "NEWSBOT_MAX_READER_STORE_BYTES: must not be negative"},
		{"NEWSBOT_OPS_TOKEN_FILE", "/nonexistent/token", "NEWSBOT_OPS_TOKEN_FILE"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.val, func(t *testing.T) {
			_, err := config.Load("", env(map[string]string{tc.key: tc.val}))
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestPublicBotLimits(t *testing.T) {
	cfg, err := config.Load("", env(map[string]string{"NEWSBOT_READER_RATE": "30", "NEWSBOT_READER_BURST": "5",
		"NEWSBOT_MAX_OWN_FEEDS": "3", "NEWSBOT_MAX_READER_FEEDS": "100", "NEWSBOT_MAX_ITEMS_PER_POLL": "50",
		"NEWSBOT_MAX_PAGES_PER_POLL": "2", "NEWSBOT_FILTER_BUDGET": "250ms", "NEWSBOT_MAX_ITEMS_PER_DAY": "300",
		"NEWSBOT_MAX_BYTES_PER_DAY": "1048576", "NEWSBOT_MAX_PAGES_PER_DAY": "30", "NEWSBOT_MAX_USER_ITEMS_PER_DAY": "600",
		"NEWSBOT_MAX_USER_BYTES_PER_DAY": "2097152", "NEWSBOT_MAX_USER_PAGES_PER_DAY": "60",
		"NEWSBOT_MAX_USER_POLL_TIME_PER_DAY": "90m", "NEWSBOT_MAX_PAGE_TIME_PER_DAY": "5m", "NEWSBOT_MAX_USER_PAGE_TIME_PER_DAY": "10m",
		"NEWSBOT_MAX_READER_STORE_BYTES": "1073741824"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReaderRate != 30 || cfg.ReaderBurst != 5 || cfg.MaxOwnFeeds != 3 || cfg.MaxReaderFeeds != 100 ||
		cfg.MaxItemsPerPoll != 50 || cfg.MaxPagesPerPoll != 2 || cfg.FilterBudget.Milliseconds() != 250 ||
		cfg.MaxReaderItemsPerDay != 300 || cfg.MaxReaderBytesPerDay != 1<<20 || cfg.MaxReaderPagesPerDay != 30 ||
		cfg.MaxUserItemsPerDay != 600 || cfg.MaxUserBytesPerDay != 2<<20 || cfg.MaxUserPagesPerDay != 60 ||
		cfg.MaxUserPollTimePerDay != 90*time.Minute || cfg.MaxReaderPageTimePerDay != 5*time.Minute || cfg.MaxUserPageTimePerDay != 10*time.Minute ||
		cfg.MaxReaderStoreBytes != 1<<30 {
		t.Fatalf("limits %+v", cfg)
	}
	d := config.Default()
	if d.ReaderRate != 20 || d.ReaderBurst != 10 || d.MaxOwnFeeds != 20 || d.MaxReaderFeeds != 5000 || d.MaxItemsPerPoll != 200 || d.MaxPagesPerPoll != 20 ||
		d.MaxUserItemsPerDay != 2000 || d.MaxUserBytesPerDay != 20<<20 || d.MaxUserPagesPerDay != 400 ||
		d.MaxUserPollTimePerDay != time.Hour || d.MaxReaderPageTimePerDay != 10*time.Minute || d.MaxUserPageTimePerDay != 40*time.Minute ||
		d.MaxReaderStoreBytes != 4<<30 {
		t.Fatalf("defaults %+v", d)
	}
}

func TestOpsTokenFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ops")
	if err := os.WriteFile(path, []byte("0123456789abcdef0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("", env(map[string]string{"NEWSBOT_OPS_TOKEN": "from-the-variable-1234", "NEWSBOT_OPS_TOKEN_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OpsToken.Reveal() != "0123456789abcdef0123" {
		t.Fatalf("ops token %q: the file wins over the variable", cfg.OpsToken.Reveal())
	}
	if strings.Contains(fmt.Sprintf("%v %+v", cfg, cfg), "0123456789abcdef") {
		t.Fatal("the ops token is printed")
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	const tok = "123456:SECRET-TOKEN-VALUE"
	cfg, err := config.Load("", env(map[string]string{"NEWSBOT_TELEGRAM_TOKEN": tok}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("config", "cfg", cfg, "token", cfg.TelegramToken)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", cfg)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.TelegramToken)
	if strings.Contains(out, "SECRET") {
		t.Fatalf("token leaked: %s", out)
	}
	// A bad token is reported without echoing it.
	_, err = config.Load("", env(map[string]string{"NEWSBOT_TELEGRAM_TOKEN": "12 SECRET"}))
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigFiles(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "newsbot.toml")
	os.WriteFile(toml, []byte(`
db = "from-toml.db"
feeds = ["https://x.example/rss"]
poll_interval = "30m"
admins = [1, 2]
`), 0o600)
	yml := filepath.Join(dir, "newsbot.yaml")
	os.WriteFile(yml, []byte("db: from-yaml.db\npoll_interval: 1h\nallow_private_networks: true\n"), 0o600)

	cfg, err := config.Load(toml, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBPath != "from-toml.db" || cfg.PollInterval != 30*time.Minute || len(cfg.Feeds) != 1 || !cfg.IsAdmin(2) {
		t.Fatalf("toml: %+v", cfg)
	}
	// NEWSBOT_CONFIG picks the file; the environment still wins over it.
	cfg, err = config.Load("", env(map[string]string{"NEWSBOT_CONFIG": yml, "NEWSBOT_DB": "env.db"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DBPath != "env.db" || cfg.PollInterval != time.Hour || !cfg.AllowPrivateNetworks {
		t.Fatalf("yaml: %+v", cfg)
	}

	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("pol_interval = \"5m\"\n"), 0o600)
	if _, err := config.Load(bad, env(nil)); err == nil || !strings.Contains(err.Error(), "pol_interval") {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := config.Load(filepath.Join(dir, "missing.toml"), env(nil)); err == nil {
		t.Fatal("missing file accepted")
	}
	badDur := filepath.Join(dir, "dur.yaml")
	os.WriteFile(badDur, []byte("poll_interval: soon\n"), 0o600)
	if _, err := config.Load(badDur, env(nil)); err == nil || !strings.Contains(err.Error(), "poll_interval") {
		t.Fatalf("bad duration: %v", err)
	}
}

func FuzzConfigFile(f *testing.F) {
	f.Add("db = \"x.db\"\npoll_interval = \"5m\"\n", true)
	f.Add("db: x.db\nadmins: [1, 2]\n", false)
	f.Fuzz(func(t *testing.T, data string, isTOML bool) {
		name := "c.yaml"
		if isTOML {
			name = "c.toml"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, env(nil))
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("Load accepted an invalid config: %v", verr)
			}
		}
	})
}
