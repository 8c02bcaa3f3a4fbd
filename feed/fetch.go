// Package feed fetches and ingests news feeds: one SSRF-safe HTTP client for everything
// newsbot downloads, feed parsing (RSS, Atom, JSON Feed) that survives broken input,
// item dedup, full-text article extraction, and the poller that schedules it all.
package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrorKind classifies fetch failures for callers and metrics.
type ErrorKind string

// Fetch error kinds.
const (
	KindBlocked  ErrorKind = "blocked"   // SSRF guard or scheme refused the URL
	KindTimeout  ErrorKind = "timeout"   // connect, header or total deadline exceeded
	KindTooLarge ErrorKind = "too_large" // body over the cap
	KindHTTP     ErrorKind = "http"      // non-2xx status
	KindNetwork  ErrorKind = "network"   // DNS, connection refused, TLS...
	KindParse    ErrorKind = "parse"     // body is not a feed
)

// FetchError is returned by Fetcher.Fetch and Poller results.
type FetchError struct {
	Kind       ErrorKind
	URL        string
	Status     int           // for KindHTTP
	RetryAfter time.Duration // from a 429/503 Retry-After header
	Err        error
}

func (e *FetchError) Error() string {
	switch e.Kind {
	case KindHTTP:
		return fmt.Sprintf("fetch %s: HTTP %d", e.URL, e.Status)
	default:
		return fmt.Sprintf("fetch %s: %s: %v", e.URL, e.Kind, e.Err)
	}
}

func (e *FetchError) Unwrap() error { return e.Err }

// BlockedError says what the SSRF guard refused and why.
type BlockedError struct {
	Addr   string
	Reason string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s address (private networks are not allowed)", e.Addr, e.Reason)
}

// FetcherOptions configures a Fetcher.
type FetcherOptions struct {
	UserAgent            string
	Timeout              time.Duration // whole request, including the body (default 30s)
	ConnectTimeout       time.Duration // default 10s
	MaxBodyBytes         int64         // default 10 MiB, counted while reading
	MaxRedirects         int           // default 5
	AllowPrivateNetworks bool
	// AllowAddr, if set, is consulted before the SSRF guard: tests use it to allow one
	// loopback server while still proving that others are refused.
	AllowAddr func(netip.AddrPort) bool
	// Transport lets benchmarks raise connection limits; nil uses a fresh one.
	MaxIdleConnsPerHost int
}

// Fetcher is the one HTTP client newsbot uses for feeds, article pages and URLs that
// users send. It is safe for concurrent use.
type Fetcher struct {
	opts   FetcherOptions
	client *http.Client
}

// Request is one conditional GET.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	Accept       string
}

// Response is a fetched (or not-modified) resource.
type Response struct {
	URL          string // final URL after redirects
	Status       int
	NotModified  bool
	Body         []byte
	ContentType  string
	ETag         string
	LastModified string
	MaxAge       time.Duration // Cache-Control max-age, or time to Expires
	RetryAfter   time.Duration
}

// DefaultUserAgent identifies the bot to publishers.
const DefaultUserAgent = "newsbot/1.0 (+https://github.com/newsbot/newsbot; feed reader)"

// WithDefaults fills the zero fields of o with the defaults (the same as config.Default).
func (o FetcherOptions) WithDefaults() FetcherOptions {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = 5
	}
	if o.MaxIdleConnsPerHost == 0 {
		o.MaxIdleConnsPerHost = 2
	}
	return o
}

// NewFetcher builds a Fetcher.
func NewFetcher(opts FetcherOptions) *Fetcher {
	opts = opts.WithDefaults()
	f := &Fetcher{opts: opts}
	dialer := &net.Dialer{
		Timeout:   opts.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		// Control runs after DNS resolution for every address actually dialled, so DNS
		// rebinding and redirects cannot sneak past the guard.
		Control: f.control,
	}
	const maxHeaderBytes = 64 << 10
	transport := &http.Transport{
		// No proxy: an environment proxy would connect on our behalf and bypass the guard.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   opts.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
		// Go's default is 10 MiB of headers, which a hostile server sends to every fetch
		// (83 MB of heap for one, found by review); real ones are a few KB.
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", opts.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return &BlockedError{Addr: req.URL.String(), Reason: "non-HTTP redirect"}
			}
			return nil
		},
	}
	return f
}

// control is the dialer hook: it sees the resolved IP and refuses non-public ones.
func (f *Fetcher) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Addr: address, Reason: "unparseable"}
	}
	if f.opts.AllowAddr != nil && f.opts.AllowAddr(ap) {
		return nil
	}
	if f.opts.AllowPrivateNetworks {
		return nil
	}
	if reason := nonPublicReason(ap.Addr()); reason != "" {
		return &BlockedError{Addr: ap.Addr().String(), Reason: reason}
	}
	return nil
}

var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	benchmark   = netip.MustParsePrefix("198.18.0.0/15")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	// localNAT64 (RFC 8215) translates to whatever IPv4 network the operator chose, so
	// the embedded address says nothing about where the packet goes.
	localNAT64 = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	// Teredo tunnels IPv4 through a relay; the client address is obfuscated, so the
	// destination cannot be judged.
	teredo = netip.MustParsePrefix("2001::/32")
	// IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291): some stacks still route
	// it to the embedded IPv4 address.
	ipv4Compatible = netip.MustParsePrefix("::/96")
	globalUnicast  = netip.MustParsePrefix("2000::/3")
	// Special-purpose ranges that are not the public internet (RFC 6890 and friends).
	special = []struct {
		prefix netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"},
		{netip.MustParsePrefix("192.0.2.0/24"), "documentation (192.0.2.0/24)"},
		{netip.MustParsePrefix("198.51.100.0/24"), "documentation (198.51.100.0/24)"},
		{netip.MustParsePrefix("203.0.113.0/24"), "documentation (203.0.113.0/24)"},
		{netip.MustParsePrefix("fec0::/10"), "site-local (fec0::/10)"},
		{netip.MustParsePrefix("100::/64"), "discard-only (100::/64)"},
		{netip.MustParsePrefix("2001:db8::/32"), "documentation (2001:db8::/32)"},
		{netip.MustParsePrefix("3fff::/20"), "documentation (3fff::/20)"},
		{netip.MustParsePrefix("2001:10::/28"), "ORCHID (2001:10::/28)"},
		{netip.MustParsePrefix("2001:2::/48"), "benchmarking (2001:2::/48)"},
	}
)

// embedded4 returns the IPv4 address in bytes [at, at+4) of a 16-byte address.
func embedded4(addr netip.Addr, at int) netip.Addr {
	b := addr.As16()
	return netip.AddrFrom4([4]byte{b[at], b[at+1], b[at+2], b[at+3]})
}

// NonPublic reports whether addr is not a public unicast address (the addresses the
// fetcher refuses by default).
func NonPublic(addr netip.Addr) bool { return nonPublicReason(addr) != "" }

// Permits reports whether this fetcher may connect to ap.
func (f *Fetcher) Permits(ap netip.AddrPort) bool {
	return f.opts.AllowPrivateNetworks || nonPublicReason(ap.Addr()) == "" ||
		(f.opts.AllowAddr != nil && f.opts.AllowAddr(ap))
}

// nonPublicReason names why addr is not a public unicast address, or returns "".
func nonPublicReason(addr netip.Addr) string {
	if addr.Is4In6() {
		addr = addr.Unmap()
	}
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsUnspecified() || thisNetwork.Contains(addr):
		return "unspecified"
	case addr.IsPrivate():
		return "private"
	case addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast():
		return "link-local"
	case addr.IsMulticast() || addr.IsInterfaceLocalMulticast():
		return "multicast"
	case cgnat.Contains(addr):
		return "carrier-grade NAT (100.64.0.0/10)"
	case benchmark.Contains(addr):
		return "benchmarking (198.18.0.0/15)"
	case addr.Is4() && addr.As4()[0] >= 240:
		return "reserved"
	case nat64.Contains(addr):
		// A NAT64 address embeds an IPv4 one: judge that.
		if r := nonPublicReason(embedded4(addr, 12)); r != "" {
			return r + " via NAT64"
		}
	case localNAT64.Contains(addr):
		return "local-use NAT64 (64:ff9b:1::/48)"
	case teredo.Contains(addr):
		return "Teredo tunnel (2001::/32)"
	case sixToFour.Contains(addr):
		// 6to4 embeds the IPv4 address of the site's router: judge that.
		if r := nonPublicReason(embedded4(addr, 2)); r != "" {
			return r + " via 6to4"
		}
	case addr.Is6() && ipv4Compatible.Contains(addr):
		return "IPv4-compatible IPv6 (::a.b.c.d)"
	}
	for _, sp := range special {
		if sp.prefix.Contains(addr) {
			return sp.reason
		}
	}
	// Of IPv6 outside 2000::/3 only NAT64, judged above by the IPv4 address it carries,
	// reaches the public internet (review 76: ::ffff:0:7f00:1 and 5f00::/16 passed).
	if addr.Is6() && !globalUnicast.Contains(addr) && !nat64.Contains(addr) {
		return "not global unicast (outside 2000::/3)"
	}
	return ""
}

// CheckURL validates a URL before any network access: scheme and host only. The
// address check happens in the dialer.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &FetchError{Kind: KindBlocked, URL: raw, Err: fmt.Errorf("not a URL: %w", err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &FetchError{Kind: KindBlocked, URL: raw, Err: fmt.Errorf("scheme %q is not allowed (only http and https)", u.Scheme)}
	}
	if u.Hostname() == "" {
		return nil, &FetchError{Kind: KindBlocked, URL: raw, Err: errors.New("URL has no host")}
	}
	if u.User != nil {
		return nil, &FetchError{Kind: KindBlocked, URL: raw, Err: errors.New("URLs with credentials are not allowed")}
	}
	return u, nil
}

// Fetch performs one GET with the validators in req. A 304 returns NotModified and no
// body; a non-2xx status returns a *FetchError of KindHTTP (with RetryAfter set from
// the header when present).
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Response, error) {
	u, err := CheckURL(req.URL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &FetchError{Kind: KindBlocked, URL: req.URL, Err: err}
	}
	hreq.Header.Set("User-Agent", f.opts.UserAgent)
	accept := req.Accept
	if accept == "" {
		accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
	}
	hreq.Header.Set("Accept", accept)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}
	// Accept-Encoding is left to the transport: it asks for gzip and decompresses
	// transparently, so the body cap below counts decompressed bytes (gzip bombs stop).
	resp, err := f.client.Do(hreq)
	if err != nil {
		return nil, classify(req.URL, err)
	}
	defer resp.Body.Close()

	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		MaxAge:       cacheMaxAge(resp.Header, time.Now()),
		RetryAfter:   retryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// Drain a little so the connection can be reused, but never much.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		return out, &FetchError{Kind: KindHTTP, URL: req.URL, Status: resp.StatusCode, RetryAfter: out.RetryAfter,
			Err: fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, classify(req.URL, err)
	}
	if int64(len(body)) > f.opts.MaxBodyBytes {
		return nil, &FetchError{Kind: KindTooLarge, URL: req.URL,
			Err: fmt.Errorf("body exceeds the %d-byte limit", f.opts.MaxBodyBytes)}
	}
	out.Body = body
	return out, nil
}

func classify(rawURL string, err error) error {
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return &FetchError{Kind: KindBlocked, URL: rawURL, Err: blocked}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &FetchError{Kind: KindTimeout, URL: rawURL, Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &FetchError{Kind: KindNetwork, URL: rawURL, Err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is already in our message
	}
	return &FetchError{Kind: KindNetwork, URL: rawURL, Err: err}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// cacheMaxAge reads Cache-Control max-age (or s-maxage), falling back to Expires.
func cacheMaxAge(h http.Header, now time.Time) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		for _, prefix := range []string{"s-maxage=", "max-age="} {
			if strings.HasPrefix(part, prefix) {
				if n, err := strconv.Atoi(strings.Trim(part[len(prefix):], `"`)); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		if t, err := http.ParseTime(exp); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	return 0
}

// FetchArticle fetches a page with the safe fetcher and extracts its article; used for
// URLs users send.
func (f *Fetcher) FetchArticle(ctx context.Context, pageURL string) (Article, error) {
	resp, err := f.Fetch(ctx, Request{URL: pageURL, Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	if err != nil {
		return Article{}, err
	}
	return ExtractArticleContext(ctx, resp.Body, resp.ContentType, resp.URL)
}
