// Package config holds newsbot's configuration: built-in defaults that work with no
// file at all, an optional TOML or YAML file, and NEWSBOT_* environment overrides,
// validated once at start so a bad value fails early with the setting's name.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// Secret is a string that never prints itself: fmt, slog and JSON all see a placeholder,
// so a token cannot leak through a log line or an error that formats the config.
type Secret string

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// MarshalText keeps encoders from printing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret itself, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Config is the whole configuration. It is passed around as a plain value; no package
// reads the environment on its own.
type Config struct {
	TelegramToken  Secret
	TelegramAPIURL string
	DBPath         string
	Feeds          []string
	PollInterval   time.Duration
	// AllowPrivateNetworks lifts the SSRF guard (loopback, private, link-local...).
	AllowPrivateNetworks bool
	Admins               []int64

	// Fetching.
	FetchTimeout    time.Duration
	MaxBodyBytes    int64
	UserAgent       string
	Concurrency     int
	PerHostLimit    int
	MaxBackoff      time.Duration
	BrokenAfter     int
	FullTextMinWord int

	// Retention is how long items are kept; 0 keeps them forever.
	Retention time.Duration

	LogLevel  string
	LogFormat string
	HTTPAddr  string
	// OpsToken guards the operator endpoint's /backup (sent as a bearer token); empty
	// turns /backup off.
	OpsToken Secret

	// SendRate is the bot's global message rate per second (Telegram allows ~30).
	SendRate float64
	// ScheduleEvery is how often due digests are looked for.
	ScheduleEvery time.Duration

	// Limits of a public bot (README, "Running a public bot").
	// ReaderRate is how many updates one reader may send per minute, in bursts of
	// ReaderBurst; more are dropped.
	ReaderRate  float64
	ReaderBurst int
	// MaxOwnFeeds caps one chat's own feeds; MaxReaderFeeds all readers' feeds together;
	// MaxUserFeeds the feeds one user keeps over their chat and the groups they add to.
	MaxOwnFeeds    int
	MaxReaderFeeds int
	MaxUserFeeds   int
	// MaxItemsPerPoll and MaxPagesPerPoll bound what one feed brings in one poll: new
	// items stored (newest first) and article pages fetched.
	MaxItemsPerPoll int
	MaxPagesPerPoll int
	// MaxReaderItemsPerDay bounds the items a reader's feed stores per day,
	// MaxReaderBytesPerDay their text (bytes), MaxReaderPagesPerDay the article pages
	// fetched for them.
	MaxReaderItemsPerDay int
	MaxReaderBytesPerDay int
	MaxReaderPagesPerDay int
	// MaxUserItemsPerDay, MaxUserBytesPerDay and MaxUserPagesPerDay bound the same for
	// all of one chat's own feeds together.
	MaxUserItemsPerDay int
	MaxUserBytesPerDay int
	MaxUserPagesPerDay int
	// MaxUserPollTimePerDay bounds the time all of one user's feeds together may take
	// to poll per day; what is left waits for the next day.
	MaxUserPollTimePerDay time.Duration
	// MaxReaderPageTimePerDay bounds the time article pages take for one reader's feed
	// per day, MaxUserPageTimePerDay for all of one user's feeds together; what is
	// left keeps the feed's text.
	MaxReaderPageTimePerDay time.Duration
	MaxUserPageTimePerDay   time.Duration
	// MaxReaderStoreBytes bounds what readers' feeds' items take in the store; past
	// it the oldest go (0: no bound).
	MaxReaderStoreBytes int
	// FilterBudget bounds the time one subscriber's filters may take in one digest.
	FilterBudget time.Duration
	// NewReaderLinkBan refuses links in comments from readers first seen less than a day
	// ago (link spam comes from fresh accounts).
	NewReaderLinkBan bool
}

// DefaultFeeds is the built-in catalogue: reputable world-news feeds, including a
// Ukrainian outlet's English feed.
var DefaultFeeds = []string{
	"https://feeds.bbci.co.uk/news/world/rss.xml",
	"https://www.theguardian.com/world/rss",
	"https://feeds.npr.org/1004/rss.xml",
	"https://www.aljazeera.com/xml/rss/all.xml",
	"https://rss.dw.com/rdf/rss-en-world",
	"https://www.france24.com/en/rss",
	"https://www.ukrinform.net/rss/block-lastnews",
	"https://kyivindependent.com/news-archive/rss/",
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		TelegramAPIURL:          "https://api.telegram.org",
		DBPath:                  "newsbot.db",
		Feeds:                   append([]string(nil), DefaultFeeds...),
		PollInterval:            15 * time.Minute,
		FetchTimeout:            30 * time.Second,
		MaxBodyBytes:            10 << 20,
		Concurrency:             16,
		PerHostLimit:            2,
		MaxBackoff:              24 * time.Hour,
		BrokenAfter:             10,
		FullTextMinWord:         150,
		Retention:               30 * 24 * time.Hour,
		LogLevel:                "info",
		LogFormat:               "text",
		HTTPAddr:                "127.0.0.1:9090",
		SendRate:                25,
		ScheduleEvery:           20 * time.Second,
		ReaderRate:              20,
		ReaderBurst:             10,
		MaxOwnFeeds:             20,
		MaxReaderFeeds:          5000,
		MaxUserFeeds:            100,
		MaxItemsPerPoll:         200,
		MaxPagesPerPoll:         20,
		MaxReaderItemsPerDay:    1000,
		MaxReaderBytesPerDay:    10 << 20,
		MaxReaderPagesPerDay:    200,
		MaxUserItemsPerDay:      2000,
		MaxUserBytesPerDay:      20 << 20,
		MaxUserPagesPerDay:      400,
		MaxUserPollTimePerDay:   time.Hour,
		MaxReaderPageTimePerDay: 10 * time.Minute,
		MaxUserPageTimePerDay:   40 * time.Minute,
		MaxReaderStoreBytes:     4 << 30,
		FilterBudget:            500 * time.Millisecond,
		NewReaderLinkBan:        true,
	}
}

// fileConfig is the on-disk shape. Pointers tell "unset" from zero values.
type fileConfig struct {
	TelegramToken        *string  `toml:"telegram_token" yaml:"telegram_token"`
	TelegramTokenFile    *string  `toml:"telegram_token_file" yaml:"telegram_token_file"`
	TelegramAPIURL       *string  `toml:"telegram_api_url" yaml:"telegram_api_url"`
	DB                   *string  `toml:"db" yaml:"db"`
	Feeds                []string `toml:"feeds" yaml:"feeds"`
	PollInterval         *string  `toml:"poll_interval" yaml:"poll_interval"`
	AllowPrivateNetworks *bool    `toml:"allow_private_networks" yaml:"allow_private_networks"`
	Admins               []int64  `toml:"admins" yaml:"admins"`
	FetchTimeout         *string  `toml:"fetch_timeout" yaml:"fetch_timeout"`
	MaxBodyBytes         *int64   `toml:"max_body_bytes" yaml:"max_body_bytes"`
	UserAgent            *string  `toml:"user_agent" yaml:"user_agent"`
	Concurrency          *int     `toml:"concurrency" yaml:"concurrency"`
	PerHostLimit         *int     `toml:"per_host_limit" yaml:"per_host_limit"`
	Retention            *string  `toml:"retention" yaml:"retention"`
	LogLevel             *string  `toml:"log_level" yaml:"log_level"`
	LogFormat            *string  `toml:"log_format" yaml:"log_format"`
	HTTPAddr             *string  `toml:"http_addr" yaml:"http_addr"`
	OpsToken             *string  `toml:"ops_token" yaml:"ops_token"`
	OpsTokenFile         *string  `toml:"ops_token_file" yaml:"ops_token_file"`
}

// Error names the setting that is wrong and why.
type Error struct {
	Setting string
	Problem string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Setting, e.Problem) }

// Load builds the configuration: defaults, then the file (path, or NEWSBOT_CONFIG when
// path is empty), then the environment, then validation. getenv is os.LookupEnv in
// production and a map in tests.
func Load(path string, getenv func(string) (string, bool)) (Config, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	cfg := Default()
	if path == "" {
		path, _ = getenv("NEWSBOT_CONFIG")
	}
	if path != "" {
		if err := cfg.applyFile(path); err != nil {
			return Config{}, err
		}
	}
	if err := cfg.applyEnv(getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// applyFile reads a TOML or YAML configuration file; an unknown setting is an error.
func (c *Config) applyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{"config file", err.Error()}
	}
	var fc fileConfig
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		// An empty file decodes to io.EOF: it simply sets nothing.
		if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
			return &Error{path, "invalid YAML: " + err.Error()}
		}
	case ".toml", "":
		md, err := toml.Decode(string(data), &fc)
		if err != nil {
			return &Error{path, "invalid TOML: " + err.Error()}
		}
		if und := md.Undecoded(); len(und) > 0 {
			return &Error{path, fmt.Sprintf("unknown setting %q", und[0].String())}
		}
	default:
		return &Error{path, "config file must end in .toml, .yaml or .yml"}
	}
	return c.applyFileSettings(fc)
}

// applyFileSettings copies the settings a file gave over the defaults.
func (c *Config) applyFileSettings(fc fileConfig) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if fc.TelegramToken != nil {
		c.TelegramToken = Secret(*fc.TelegramToken)
	}
	if fc.TelegramTokenFile != nil {
		tok, err := readTokenFile(*fc.TelegramTokenFile)
		if err != nil {
			return &Error{"telegram_token_file", err.Error()}
		}
		c.TelegramToken = tok
	}
	set(&c.TelegramAPIURL, fc.TelegramAPIURL)
	set(&c.DBPath, fc.DB)
	if fc.Feeds != nil {
		c.Feeds = fc.Feeds
	}
	durations := []struct {
		name string
		src  *string
		dst  *time.Duration
	}{
		{"poll_interval", fc.PollInterval, &c.PollInterval},
		{"fetch_timeout", fc.FetchTimeout, &c.FetchTimeout},
		{"retention", fc.Retention, &c.Retention},
	}
	for _, d := range durations {
		if d.src == nil {
			continue
		}
		v, err := parseDuration(*d.src)
		if err != nil {
			return &Error{d.name, err.Error()}
		}
		*d.dst = v
	}
	if fc.AllowPrivateNetworks != nil {
		c.AllowPrivateNetworks = *fc.AllowPrivateNetworks
	}
	if fc.Admins != nil {
		c.Admins = fc.Admins
	}
	if fc.MaxBodyBytes != nil {
		c.MaxBodyBytes = *fc.MaxBodyBytes
	}
	set(&c.UserAgent, fc.UserAgent)
	if fc.Concurrency != nil {
		c.Concurrency = *fc.Concurrency
	}
	if fc.PerHostLimit != nil {
		c.PerHostLimit = *fc.PerHostLimit
	}
	set(&c.LogLevel, fc.LogLevel)
	set(&c.LogFormat, fc.LogFormat)
	set(&c.HTTPAddr, fc.HTTPAddr)
	if fc.OpsToken != nil {
		c.OpsToken = Secret(strings.TrimSpace(*fc.OpsToken))
	}
	if fc.OpsTokenFile != nil {
		tok, err := readTokenFile(*fc.OpsTokenFile)
		if err != nil {
			return &Error{"ops_token_file", err.Error()}
		}
		c.OpsToken = tok
	}
	return nil
}

func readTokenFile(path string) (Secret, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// The path is not secret; the contents are never echoed.
		return "", fmt.Errorf("cannot read token file: %w", err)
	}
	return Secret(strings.TrimSpace(string(data))), nil
}

func (c *Config) applyEnv(getenv func(string) (string, bool)) error {
	for _, apply := range []func(func(string) (string, bool)) error{c.envAccess, c.envNumbers, c.envSwitches} {
		if err := apply(getenv); err != nil {
			return err
		}
	}
	return nil
}

// envAccess reads who and what the bot talks to: tokens, addresses, feeds, admins.
func (c *Config) envAccess(getenv func(string) (string, bool)) error {
	if v, ok := getenv("NEWSBOT_TELEGRAM_TOKEN"); ok && v != "" {
		c.TelegramToken = Secret(strings.TrimSpace(v))
	}
	if v, ok := getenv("NEWSBOT_TELEGRAM_TOKEN_FILE"); ok && v != "" {
		tok, err := readTokenFile(v)
		if err != nil {
			return &Error{"NEWSBOT_TELEGRAM_TOKEN_FILE", err.Error()}
		}
		c.TelegramToken = tok
	}
	if v, ok := getenv("NEWSBOT_TELEGRAM_API_URL"); ok && v != "" {
		c.TelegramAPIURL = v
	}
	if v, ok := getenv("NEWSBOT_DB"); ok && v != "" {
		c.DBPath = v
	}
	if v, ok := getenv("NEWSBOT_FEEDS"); ok {
		c.Feeds = splitList(v)
		if len(c.Feeds) == 0 {
			return &Error{"NEWSBOT_FEEDS", "is set but lists no feed URL"}
		}
	}
	if v, ok := getenv("NEWSBOT_ADMINS"); ok {
		c.Admins = nil
		for _, s := range splitList(v) {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return &Error{"NEWSBOT_ADMINS", fmt.Sprintf("%q is not a numeric Telegram user ID", s)}
			}
			c.Admins = append(c.Admins, id)
		}
	}
	if v, ok := getenv("NEWSBOT_OPS_TOKEN"); ok && v != "" {
		c.OpsToken = Secret(strings.TrimSpace(v))
	}
	if v, ok := getenv("NEWSBOT_OPS_TOKEN_FILE"); ok && v != "" {
		tok, err := readTokenFile(v)
		if err != nil {
			return &Error{"NEWSBOT_OPS_TOKEN_FILE", err.Error()}
		}
		c.OpsToken = tok
	}
	// An empty NEWSBOT_HTTP_ADDR turns the operator endpoint off, so "set" matters here.
	if v, ok := getenv("NEWSBOT_HTTP_ADDR"); ok {
		c.HTTPAddr = v
	}
	return nil
}

// envNumbers reads durations, counts and rates.
func (c *Config) envNumbers(getenv func(string) (string, bool)) error {
	durs := []struct {
		name string
		dst  *time.Duration
	}{
		{"NEWSBOT_POLL_INTERVAL", &c.PollInterval},
		{"NEWSBOT_FETCH_TIMEOUT", &c.FetchTimeout},
		{"NEWSBOT_RETENTION", &c.Retention},
		{"NEWSBOT_SCHEDULE_EVERY", &c.ScheduleEvery},
		{"NEWSBOT_FILTER_BUDGET", &c.FilterBudget},
		{"NEWSBOT_MAX_USER_POLL_TIME_PER_DAY", &c.MaxUserPollTimePerDay},
		{"NEWSBOT_MAX_PAGE_TIME_PER_DAY", &c.MaxReaderPageTimePerDay},
		{"NEWSBOT_MAX_USER_PAGE_TIME_PER_DAY", &c.MaxUserPageTimePerDay},
	}
	for _, d := range durs {
		if v, ok := getenv(d.name); ok && v != "" {
			dur, err := parseDuration(v)
			if err != nil {
				return &Error{d.name, err.Error()}
			}
			*d.dst = dur
		}
	}
	ints := []struct {
		name string
		dst  *int
	}{
		{"NEWSBOT_CONCURRENCY", &c.Concurrency},
		{"NEWSBOT_PER_HOST_LIMIT", &c.PerHostLimit},
		{"NEWSBOT_FULL_TEXT_MIN_WORDS", &c.FullTextMinWord},
		{"NEWSBOT_READER_BURST", &c.ReaderBurst},
		{"NEWSBOT_MAX_OWN_FEEDS", &c.MaxOwnFeeds},
		{"NEWSBOT_MAX_READER_FEEDS", &c.MaxReaderFeeds},
		{"NEWSBOT_MAX_USER_FEEDS", &c.MaxUserFeeds},
		{"NEWSBOT_MAX_ITEMS_PER_POLL", &c.MaxItemsPerPoll},
		{"NEWSBOT_MAX_PAGES_PER_POLL", &c.MaxPagesPerPoll},
		{"NEWSBOT_MAX_ITEMS_PER_DAY", &c.MaxReaderItemsPerDay},
		{"NEWSBOT_MAX_BYTES_PER_DAY", &c.MaxReaderBytesPerDay},
		{"NEWSBOT_MAX_PAGES_PER_DAY", &c.MaxReaderPagesPerDay},
		{"NEWSBOT_MAX_USER_ITEMS_PER_DAY", &c.MaxUserItemsPerDay},
		{"NEWSBOT_MAX_USER_BYTES_PER_DAY", &c.MaxUserBytesPerDay},
		{"NEWSBOT_MAX_USER_PAGES_PER_DAY", &c.MaxUserPagesPerDay},
		{"NEWSBOT_MAX_READER_STORE_BYTES", &c.MaxReaderStoreBytes},
	}
	for _, d := range ints {
		if v, ok := getenv(d.name); ok && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return &Error{d.name, fmt.Sprintf("%q is not a whole number", v)}
			}
			*d.dst = n
		}
	}
	if v, ok := getenv("NEWSBOT_SEND_RATE"); ok && v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1000 {
			return &Error{"NEWSBOT_SEND_RATE", fmt.Sprintf("%q is not a rate between 0 and 1000 messages per second", v)}
		}
		c.SendRate = f
	}
	if v, ok := getenv("NEWSBOT_READER_RATE"); ok && v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 6000 {
			return &Error{"NEWSBOT_READER_RATE", fmt.Sprintf("%q is not a rate between 0 and 6000 updates per minute", v)}
		}
		c.ReaderRate = f
	}
	if v, ok := getenv("NEWSBOT_MAX_BODY_BYTES"); ok && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return &Error{"NEWSBOT_MAX_BODY_BYTES", fmt.Sprintf("%q is not a whole number", v)}
		}
		c.MaxBodyBytes = n
	}
	return nil
}

// envSwitches reads true/false switches and free-form strings.
func (c *Config) envSwitches(getenv func(string) (string, bool)) error {
	if v, ok := getenv("NEWSBOT_NEW_READER_LINK_BAN"); ok && v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return &Error{"NEWSBOT_NEW_READER_LINK_BAN", fmt.Sprintf("%q is not true or false", v)}
		}
		c.NewReaderLinkBan = b
	}
	if v, ok := getenv("NEWSBOT_ALLOW_PRIVATE_NETWORKS"); ok && v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return &Error{"NEWSBOT_ALLOW_PRIVATE_NETWORKS", fmt.Sprintf("%q is not true or false", v)}
		}
		c.AllowPrivateNetworks = b
	}
	strs := []struct {
		name string
		dst  *string
	}{
		{"NEWSBOT_USER_AGENT", &c.UserAgent},
		{"NEWSBOT_LOG_LEVEL", &c.LogLevel},
		{"NEWSBOT_LOG_FORMAT", &c.LogFormat},
	}
	for _, d := range strs {
		if v, ok := getenv(d.name); ok && v != "" {
			*d.dst = v
		}
	}
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a Go duration such as 15m or 1h30m", s)
	}
	return d, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate checks every setting and returns the first problem found.
func (c Config) Validate() error {
	u, err := url.Parse(c.TelegramAPIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{"NEWSBOT_TELEGRAM_API_URL", fmt.Sprintf("%q is not an http(s) URL", c.TelegramAPIURL)}
	}
	if strings.ContainsAny(c.TelegramToken.Reveal(), " \t\r\n/") {
		return &Error{"NEWSBOT_TELEGRAM_TOKEN", "contains whitespace or '/'; a token looks like 123456:ABC-DEF..."}
	}
	if c.DBPath == "" {
		return &Error{"NEWSBOT_DB", "must not be empty"}
	}
	if tok := c.OpsToken.Reveal(); tok != "" && (len(tok) < 16 || strings.ContainsAny(tok, " \t\r\n")) {
		return &Error{"NEWSBOT_OPS_TOKEN", "must be at least 16 characters without spaces (e.g. openssl rand -hex 24)"}
	}
	for _, f := range c.Feeds {
		if err := CheckFeedURL(f); err != nil {
			return &Error{"NEWSBOT_FEEDS", err.Error()}
		}
	}
	if c.PollInterval <= 0 {
		return &Error{"NEWSBOT_POLL_INTERVAL", "must be positive"}
	}
	if c.FetchTimeout <= 0 {
		return &Error{"NEWSBOT_FETCH_TIMEOUT", "must be positive"}
	}
	if c.Retention < 0 {
		return &Error{"NEWSBOT_RETENTION", "must not be negative (0 keeps items forever)"}
	}
	if c.MaxBodyBytes < 1024 {
		return &Error{"NEWSBOT_MAX_BODY_BYTES", "must be at least 1024"}
	}
	if c.ScheduleEvery <= 0 {
		return &Error{"NEWSBOT_SCHEDULE_EVERY", "must be positive"}
	}
	for _, lim := range []struct {
		name string
		v    int
	}{{"NEWSBOT_READER_BURST", c.ReaderBurst}, {"NEWSBOT_MAX_OWN_FEEDS", c.MaxOwnFeeds}, {"NEWSBOT_MAX_READER_FEEDS", c.MaxReaderFeeds},
		{"NEWSBOT_MAX_USER_FEEDS", c.MaxUserFeeds},
		{"NEWSBOT_MAX_ITEMS_PER_POLL", c.MaxItemsPerPoll}, {"NEWSBOT_MAX_PAGES_PER_POLL", c.MaxPagesPerPoll},
		{"NEWSBOT_MAX_ITEMS_PER_DAY", c.MaxReaderItemsPerDay}, {"NEWSBOT_MAX_BYTES_PER_DAY", c.MaxReaderBytesPerDay},
		{"NEWSBOT_MAX_PAGES_PER_DAY", c.MaxReaderPagesPerDay}, {"NEWSBOT_MAX_USER_ITEMS_PER_DAY", c.MaxUserItemsPerDay},
		{"NEWSBOT_MAX_USER_BYTES_PER_DAY", c.MaxUserBytesPerDay}, {"NEWSBOT_MAX_USER_PAGES_PER_DAY", c.MaxUserPagesPerDay}} {
		if lim.v < 1 {
			return &Error{lim.name, "must be at least 1"}
		}
	}
	if c.FilterBudget <= 0 {
		return &Error{"NEWSBOT_FILTER_BUDGET", "must be positive"}
	}
	if c.MaxReaderStoreBytes < 0 {
		return &Error{"NEWSBOT_MAX_READER_STORE_BYTES", "must not be negative (0 sets no bound)"}
	}
	for _, lim := range []struct {
		name string
		v    time.Duration
	}{{"NEWSBOT_MAX_USER_POLL_TIME_PER_DAY", c.MaxUserPollTimePerDay}, {"NEWSBOT_MAX_PAGE_TIME_PER_DAY", c.MaxReaderPageTimePerDay},
		{"NEWSBOT_MAX_USER_PAGE_TIME_PER_DAY", c.MaxUserPageTimePerDay}} {
		if lim.v <= 0 {
			return &Error{lim.name, "must be positive"}
		}
	}
	if c.Concurrency < 1 {
		return &Error{"NEWSBOT_CONCURRENCY", "must be at least 1"}
	}
	if c.PerHostLimit < 1 {
		return &Error{"NEWSBOT_PER_HOST_LIMIT", "must be at least 1"}
	}
	for _, id := range c.Admins {
		if id <= 0 {
			return &Error{"NEWSBOT_ADMINS", fmt.Sprintf("%d is not a Telegram user ID", id)}
		}
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return &Error{"NEWSBOT_LOG_LEVEL", fmt.Sprintf("%q is not one of debug, info, warn, error", c.LogLevel)}
	}
	switch strings.ToLower(c.LogFormat) {
	case "text", "json":
	default:
		return &Error{"NEWSBOT_LOG_FORMAT", fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	return nil
}

// CheckFeedURL reports whether s is an absolute http(s) URL.
func CheckFeedURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: only http and https feeds are supported", s)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", s)
	}
	return nil
}

// IsAdmin reports whether the Telegram user id is listed in NEWSBOT_ADMINS.
func (c Config) IsAdmin(id int64) bool {
	for _, a := range c.Admins {
		if a == id {
			return true
		}
	}
	return false
}
