// Package telegram is newsbot's Bot API client: calls with a context each, the wire
// types of the updates newsbot reads, one typed classification of Telegram's errors
// (by error code and parameters, and for the 400s that callers decide on, by the
// documented description), and the inline keyboard builder.
//
// It calls the Bot API through github.com/go-telegram-bot-api/telegram-bot-api/v5's raw
// MakeRequest and UploadFiles, so methods newer than the library work too.
package telegram

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

// ctxClient gives one call of the library its context and timeout (the library's
// MakeRequest takes none).
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
	api     *tgbotapi.BotAPI
	http    *http.Client
	token   string
	base    string
	timeout time.Duration
	// Self is the bot's own user, from getMe.
	Self tgbotapi.User
	ok   atomic.Int64 // unix nanos of the last answer from the Bot API
}

// NewClient connects to the Bot API at base (e.g. https://api.telegram.org) and checks
// the token with getMe. timeout bounds every call unless its context ends sooner.
func NewClient(ctx context.Context, base, token string, timeout time.Duration) (*Client, error) {
	c := &Client{token: token, base: strings.TrimRight(base, "/"), timeout: timeout, http: &http.Client{}}
	api, err := tgbotapi.NewBotAPIWithClient(token, c.base+"/bot%s/%s", &ctxClient{ctx: ctx, timeout: timeout, http: c.http})
	if err != nil {
		return nil, c.wrap("getMe", err)
	}
	c.api = api
	c.Self = api.Self
	c.ok.Store(time.Now().UnixNano())
	return c, nil
}

// NewClientAs is a client for tests that never calls the Bot API: it only knows its
// own username.
func NewClientAs(username string) *Client {
	c := &Client{}
	c.Self.UserName = username
	return c
}

// LastOK is when the Bot API last answered (any answer, errors included: it is up).
func (c *Client) LastOK() time.Time { return time.Unix(0, c.ok.Load()) }

// Username is the bot's @username without the @.
func (c *Client) Username() string { return c.Self.UserName }

// with returns the library's client bound to ctx for one call.
func (c *Client) with(ctx context.Context, timeout time.Duration) *tgbotapi.BotAPI {
	api := *c.api
	api.Client = &ctxClient{ctx: ctx, timeout: timeout, http: c.http}
	return &api
}

// wrap turns library errors into *Error or *NetError and removes the token.
func (c *Client) wrap(method string, err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		c.ok.Store(time.Now().UnixNano())
		return newError(method, te.Code, te.Message, te.RetryAfter, te.MigrateToChatID)
	}
	msg := err.Error()
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "<token>")
	}
	return &NetError{Method: method, msg: msg, cause: err}
}

// Call invokes method with params and returns the raw result. It ends when ctx does,
// or after the client's timeout.
func (c *Client) Call(ctx context.Context, method string, params map[string]string) (json.RawMessage, error) {
	return c.CallTimeout(ctx, method, params, c.timeout)
}

// CallTimeout is Call with its own timeout (the long poll waits longer than a send).
func (c *Client) CallTimeout(ctx context.Context, method string, params map[string]string, timeout time.Duration) (json.RawMessage, error) {
	resp, err := c.with(ctx, timeout).MakeRequest(method, tgbotapi.Params(params))
	if err != nil {
		return nil, c.wrap(method, err)
	}
	c.ok.Store(time.Now().UnixNano())
	return resp.Result, nil
}

// Upload sends a file with method (sendDocument) under the "document" field.
func (c *Client) Upload(ctx context.Context, method string, params map[string]string, name string, data []byte) (json.RawMessage, error) {
	resp, err := c.with(ctx, c.timeout).UploadFiles(method, tgbotapi.Params(params), []tgbotapi.RequestFile{
		{Name: "document", Data: tgbotapi.FileBytes{Name: name, Bytes: data}},
	})
	if err != nil {
		return nil, c.wrap(method, err)
	}
	c.ok.Store(time.Now().UnixNano())
	return resp.Result, nil
}

// Download fetches a file the bot received, through getFile, refusing files over max
// bytes.
func (c *Client) Download(ctx context.Context, fileID string, max int64) ([]byte, error) {
	raw, err := c.Call(ctx, "getFile", map[string]string{"file_id": fileID})
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
		return nil, fmt.Errorf("download file: %d bytes, over the %d-byte limit", f.FileSize, max)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/file/bot"+c.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, c.wrap("download", err)
	}
	resp, err := c.http.Do(req)
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
		return nil, fmt.Errorf("download file: over the %d-byte limit", max)
	}
	return buf, nil
}
