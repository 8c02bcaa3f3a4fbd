package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// APIError is an error answer from the Bot API.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  time.Duration
	MigrateTo   int64
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// ChatGone reports errors after which nothing can be sent to the chat again.
func (e *APIError) ChatGone() bool {
	d := strings.ToLower(e.Description)
	return (e.Code == 403 && (strings.Contains(d, "blocked by the user") || strings.Contains(d, "user is deactivated") ||
		strings.Contains(d, "can't initiate conversation") || strings.Contains(d, "kicked") || strings.Contains(d, "not a member"))) ||
		(e.Code == 400 && strings.Contains(d, "chat not found"))
}

// CantParse reports Telegram's "can't parse entities" HTML error.
func (e *APIError) CantParse() bool {
	return e.Code == 400 && strings.Contains(strings.ToLower(e.Description), "can't parse entities")
}

// NotModified reports an edit that changes nothing (harmless).
func (e *APIError) NotModified() bool {
	return e.Code == 400 && strings.Contains(e.Description, "message is not modified")
}

// NetError is a transport failure; its text never contains the token.
type NetError struct {
	Method string
	msg    string
}

func (e *NetError) Error() string { return fmt.Sprintf("telegram %s: %s", e.Method, e.msg) }

// ctxClient applies a base context and a per-request timeout to every call the
// library makes (its MakeRequest has no context parameter).
type ctxClient struct {
	ctx     context.Context
	timeout time.Duration
	http    *http.Client
}

func (c *ctxClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{resp.Body, cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Client calls the Bot API. It is safe for concurrent use.
type Client struct {
	api   *tgbotapi.BotAPI
	token string
	base  string
	Self  tgbotapi.User
	ok    *atomic.Int64 // unix nanos of the last answer from the Bot API (shared by copies)
}

// LastOK is when the Bot API last answered (any answer, errors included: it is up).
func (c *Client) LastOK() time.Time { return time.Unix(0, c.ok.Load()) }

// NewClient connects to the Bot API at base (e.g. https://api.telegram.org) and checks
// the token with getMe. Calls are cancelled when ctx ends and time out after timeout.
func NewClient(ctx context.Context, base, token string, timeout time.Duration) (*Client, error) {
	c := &Client{token: token, base: strings.TrimRight(base, "/"), ok: &atomic.Int64{}}
	hc := &ctxClient{ctx: ctx, timeout: timeout, http: &http.Client{}}
	api, err := tgbotapi.NewBotAPIWithClient(token, c.base+"/bot%s/%s", hc)
	if err != nil {
		return nil, c.wrap("getMe", err)
	}
	c.api = api
	c.Self = api.Self
	c.ok.Store(time.Now().UnixNano())
	return c, nil
}

// WithContext returns a client whose calls are cancelled when ctx ends (the long poll
// must stop at shutdown at once, unlike sends in flight).
func (c *Client) WithContext(ctx context.Context, timeout time.Duration) *Client {
	api := *c.api
	api.Client = &ctxClient{ctx: ctx, timeout: timeout, http: &http.Client{}}
	cc := *c
	cc.api = &api
	return &cc
}

// Username is the bot's @username without the @.
func (c *Client) Username() string { return c.Self.UserName }

// wrap turns library errors into *APIError or *NetError and removes the token.
func (c *Client) wrap(method string, err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		c.ok.Store(time.Now().UnixNano())
		return &APIError{Method: method, Code: te.Code, Description: te.Message,
			RetryAfter: time.Duration(te.RetryAfter) * time.Second, MigrateTo: te.MigrateToChatID}
	}
	msg := err.Error()
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "<token>")
	}
	return &NetError{Method: method, msg: msg}
}

// Call invokes method with params and returns the raw result.
func (c *Client) Call(method string, params map[string]string) (json.RawMessage, error) {
	resp, err := c.api.MakeRequest(method, tgbotapi.Params(params))
	if err != nil {
		return nil, c.wrap(method, err)
	}
	c.ok.Store(time.Now().UnixNano())
	return resp.Result, nil
}

// Upload sends a file with method (sendDocument) under the "document" field.
func (c *Client) Upload(method string, params map[string]string, name string, data []byte) (json.RawMessage, error) {
	resp, err := c.api.UploadFiles(method, tgbotapi.Params(params), []tgbotapi.RequestFile{
		{Name: "document", Data: tgbotapi.FileBytes{Name: name, Bytes: data}},
	})
	if err != nil {
		return nil, c.wrap(method, err)
	}
	return resp.Result, nil
}

// Download fetches a file the bot received, through getFile.
func (c *Client) Download(ctx context.Context, fileID string, max int64) ([]byte, error) {
	raw, err := c.Call("getFile", map[string]string{"file_id": fileID})
	if err != nil {
		return nil, err
	}
	var f struct {
		FilePath string `json:"file_path"`
		FileSize int64  `json:"file_size"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if f.FileSize > max {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit", f.FileSize, max)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/file/bot"+c.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, c.wrap("download", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, c.wrap("download", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download file: HTTP %d", resp.StatusCode)
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, c.wrap("download", err)
	}
	if int64(len(buf)) > max {
		return nil, fmt.Errorf("file is over the %d-byte limit", max)
	}
	return buf, nil
}
