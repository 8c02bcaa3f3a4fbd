// Package telegramtest is a fake Telegram Bot API for tests and the playground: an
// httptest server that speaks the real wire format (query, form, JSON and multipart
// parameters; the {ok, result} envelope; the real error codes and descriptions),
// validates HTML like Telegram, enforces the 4096-character limit and the rate limits,
// and lets a test act as several users and read what each chat received.
package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User is a Telegram user.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	UserName     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a Telegram chat.
type Chat struct {
	ID      int64  `json:"id"`
	Type    string `json:"type"` // private, group, supergroup, channel
	Title   string `json:"title,omitempty"`
	IsForum bool   `json:"is_forum,omitempty"`
	// FirstName mirrors the user in private chats.
	FirstName string `json:"first_name,omitempty"`
	UserName  string `json:"username,omitempty"`
}

// Entity is a message entity.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// Document is a sent file.
type Document struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
	FileSize int    `json:"file_size,omitempty"`
}

// Message is a Telegram message, as the fake stores and returns it.
type Message struct {
	MessageID       int             `json:"message_id"`
	MessageThreadID int             `json:"message_thread_id,omitempty"`
	From            *User           `json:"from,omitempty"`
	Date            int64           `json:"date"`
	EditDate        int64           `json:"edit_date,omitempty"`
	Chat            Chat            `json:"chat"`
	Text            string          `json:"text,omitempty"`
	Entities        []Entity        `json:"entities,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	Document        *Document       `json:"document,omitempty"`
	ReplyToMessage  *Message        `json:"reply_to_message,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
	IsTopicMessage  bool            `json:"is_topic_message,omitempty"`
	MigrateToChatID int64           `json:"migrate_to_chat_id,omitempty"`
	// SenderChat: sent on behalf of a chat (see SendAs).
	SenderChat         *Chat `json:"sender_chat,omitempty"`
	IsAutomaticForward bool  `json:"is_automatic_forward,omitempty"`

	// Fields the fake keeps for tests; not sent on the wire.
	HTML      string `json:"-"` // the text as the bot sent it, with its markup
	Reaction  string `json:"-"` // a reaction the bot set on the message (raw JSON)
	ParseMode string `json:"-"`
	// Preview: the bot left link previews on (it sent neither disable_web_page_preview
	// nor link_preview_options with is_disabled), on the last send or edit.
	Preview bool `json:"-"`
	Deleted bool `json:"-"`
	// Shown are the texts it showed before its edits, oldest first: what a reader saw.
	Shown []string `json:"-"`
}

// CallbackQuery is a pressed inline button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data"`
}

// Update is one incoming update.
type Update struct {
	UpdateID      int             `json:"update_id"`
	Message       *Message        `json:"message,omitempty"`
	EditedMessage *Message        `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery  `json:"callback_query,omitempty"`
	MyChatMember  json.RawMessage `json:"my_chat_member,omitempty"`
}

// InlineButton is a button of an inline keyboard.
type InlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Keyboard decodes a message's inline keyboard.
func (m Message) Keyboard() [][]InlineButton {
	var kb struct {
		InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
	}
	_ = json.Unmarshal(m.ReplyMarkup, &kb)
	return kb.InlineKeyboard
}

// Limits are the rate limits the fake enforces, answering 429 with retry_after.
type Limits struct {
	Global       int           // messages per second over all chats (Telegram: ~30)
	PrivateEvery time.Duration // minimum gap between messages to one private chat (1s)
	GroupPerMin  int           // messages per minute to one group (20)
}

// DefaultLimits are Telegram's documented broadcast limits.
var DefaultLimits = Limits{Global: 30, PrivateEvery: time.Second, GroupPerMin: 20}

// Fault lets a test make the next requests fail: return a status and description to
// answer with, or delay to hang, or nothing to let the request through.
type Fault func(method string) (status int, description string, retryAfter int, delay time.Duration)

// Server is the fake Bot API.
type Server struct {
	*httptest.Server
	Token string
	Bot   User

	mu       sync.Mutex
	cond     *sync.Cond
	limits   Limits
	updates  []Update
	nextUpd  int
	chats    map[int64]*chatState
	blocked  map[int64]bool // users who blocked the bot
	gone     map[int64]bool // deactivated users
	admins   map[int64]map[int64]bool
	files    map[string][]byte
	answered map[string]string
	commands json.RawMessage
	calls    map[string]int
	tooMany  int
	sent     []time.Time // global send times, for the rate window
	fault    Fault
	lag      func(method string) time.Duration // after a call took effect, before the bot hears
	polling  bool
	topics   int
	version  uint64
	changed  chan struct{} // closed and replaced on every change to stored messages
}

type chatState struct {
	chat Chat
	// botStatus is the bot's status in a group ("" while it is a member): "left" and
	// "kicked" refuse the bot's calls as Telegram does.
	botStatus string
	messages  []*Message
	nextID    int
	lastSend  time.Time
	minute    []time.Time
}

// New starts a fake Bot API with a bot token; Close it when done.
func New() *Server {
	s := &Server{
		Token:    "123456:TEST-token_" + strconv.FormatInt(time.Now().UnixNano()%100000, 10),
		Bot:      User{ID: 7000000001, IsBot: true, FirstName: "newsbot", UserName: "newsbot_test_bot"},
		limits:   DefaultLimits,
		nextUpd:  500000, // real update IDs are large and only grow
		chats:    map[int64]*chatState{},
		blocked:  map[int64]bool{},
		gone:     map[int64]bool{},
		admins:   map[int64]map[int64]bool{},
		files:    map[string][]byte{},
		answered: map[string]string{},
		calls:    map[string]int{},
	}
	s.cond = sync.NewCond(&s.mu)
	s.changed = make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// APIURL is the value for NEWSBOT_TELEGRAM_API_URL.
func (s *Server) APIURL() string { return s.URL }

// SetLimits changes the enforced rate limits.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
}

// SetLag makes the bot hear of a call's result lag(method) after the call took effect:
// users already see a sent message while the bot waits for its ID, as on a slow link.
// Nil removes it.
func (s *Server) SetLag(lag func(method string) time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = lag
}

// SetFault installs (or, with nil, removes) a fault injector.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

type apiError struct {
	code        int
	description string
	retryAfter  int
	migrateTo   int64
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(path, "file/bot"+s.Token+"/documents/"); ok {
		s.mu.Lock()
		data, found := s.files[rest]
		s.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
		return
	}
	tokenPart, method, ok := strings.Cut(path, "/")
	if !ok || !strings.HasPrefix(tokenPart, "bot") {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	if strings.TrimPrefix(tokenPart, "bot") != s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	params, files, err := readParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: " + err.Error()})
		return
	}
	method = strings.ToLower(method)
	s.mu.Lock()
	s.calls[method]++
	fault := s.fault
	s.mu.Unlock()
	if fault != nil {
		if status, desc, retry, delay := fault(method); delay > 0 || status != 0 {
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				}
			}
			if status != 0 {
				writeError(w, &apiError{code: status, description: desc, retryAfter: retry})
				return
			}
		}
	}
	result, aerr := s.call(r, method, params, files)
	s.mu.Lock()
	lag := s.lag
	s.mu.Unlock()
	if lag != nil {
		if d := lag(method); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.description}
	params := map[string]any{}
	if e.retryAfter > 0 {
		params["retry_after"] = e.retryAfter
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.migrateTo != 0 {
		params["migrate_to_chat_id"] = e.migrateTo
	}
	if len(params) > 0 {
		body["parameters"] = params
	}
	writeJSON(w, e.code, body)
}

// readParams merges query, form, multipart and JSON parameters into strings; nested
// JSON values arrive as raw JSON text, as on the real server.
func readParams(r *http.Request) (map[string]string, map[string][]byte, error) {
	out := map[string]string{}
	files := map[string][]byte{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	if r.Method != http.MethodPost {
		return out, files, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			return nil, nil, err
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, nil, fmt.Errorf("can't parse JSON object")
			}
		}
		for k, v := range m {
			var str string
			if json.Unmarshal(v, &str) == nil {
				out[k] = str
			} else {
				out[k] = string(v)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(20 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			data, _ := io.ReadAll(f)
			f.Close()
			files[k] = data
			out[k+"#name"] = fhs[0].Filename
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			out[k] = v[0]
		}
	}
	return out, files, nil
}

func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true
	}
	return false
}

func (s *Server) call(r *http.Request, method string, p map[string]string, files map[string][]byte) (any, *apiError) {
	switch method {
	case "getme":
		return s.Bot, nil
	case "getupdates":
		return s.getUpdates(r, p)
	case "sendmessage":
		return s.sendMessage(p)
	case "senddocument":
		return s.sendDocument(p, files)
	case "editmessagetext":
		return s.editMessage(p, true)
	case "editmessagereplymarkup":
		return s.editMessage(p, false)
	case "deletemessage":
		return s.deleteMessage(p)
	case "answercallbackquery":
		s.mu.Lock()
		defer s.mu.Unlock()
		id := p["callback_query_id"]
		if _, ok := s.answered[id]; ok || id == "" {
			return nil, &apiError{code: 400, description: "Bad Request: query is too old and response timeout expired or query ID is invalid"}
		}
		if utf16Len(p["text"]) > 200 {
			return nil, &apiError{code: 400, description: "Bad Request: MESSAGE_TOO_LONG"}
		}
		s.answered[id] = p["text"]
		s.changedLocked()
		return true, nil
	case "setmycommands":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.commands = json.RawMessage(p["commands"])
		return true, nil
	case "getmycommands":
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.commands == nil {
			return []any{}, nil
		}
		return s.commands, nil
	case "getchatmember":
		return s.getChatMember(p)
	case "getfile":
		s.mu.Lock()
		defer s.mu.Unlock()
		id := p["file_id"]
		data, ok := s.files[id]
		if !ok {
			return nil, &apiError{code: 400, description: "Bad Request: invalid file_id"}
		}
		return map[string]any{"file_id": id, "file_unique_id": id, "file_size": len(data), "file_path": "documents/" + id}, nil
	case "setmessagereaction":
		s.mu.Lock()
		defer s.mu.Unlock()
		m, aerr := s.messageFor(p, "react")
		if aerr != nil {
			return nil, aerr
		}
		m.Reaction = p["reaction"]
		s.changedLocked()
		return true, nil
	case "createforumtopic":
		s.mu.Lock()
		defer s.mu.Unlock()
		chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
		st, ok := s.chats[chatID]
		if !ok {
			return nil, &apiError{code: 400, description: "Bad Request: chat not found"}
		}
		if !st.chat.IsForum {
			return nil, &apiError{code: 400, description: "Bad Request: the chat is not a forum"}
		}
		s.topics++
		return map[string]any{"message_thread_id": 100 + s.topics, "name": p["name"], "icon_color": 7322096}, nil
	}
	return nil, &apiError{code: 404, description: "Not Found: method not found"}
}

// changedLocked records a change to stored messages; called with s.mu held.
func (s *Server) changedLocked() {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitChange returns the message-store version once it is greater than since, or the
// current version when ctx ends first (for a long-polling UI).
func (s *Server) WaitChange(ctx context.Context, since uint64) uint64 {
	for {
		s.mu.Lock()
		v, ch := s.version, s.changed
		s.mu.Unlock()
		if v > since {
			return v
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return v
		}
	}
}

// Answers returns the text of every answered callback query, by query ID.
func (s *Server) Answers() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.answered))
	for k, v := range s.answered {
		out[k] = v
	}
	return out
}

// AllMessages returns every message in a chat (the user's and the bot's), oldest first.
func (s *Server) AllMessages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	out := make([]Message, 0, len(st.messages))
	for _, m := range st.messages {
		out = append(out, *m)
	}
	return out
}
