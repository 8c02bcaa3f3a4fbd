package telegramtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const maxLongPoll = 50 * time.Second

func (s *Server) getUpdates(r *http.Request, p map[string]string) (any, *apiError) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, _ := strconv.Atoi(p["limit"])
	limit = min(max(limit, 1), 100)
	if p["limit"] == "" {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	wait := min(max(time.Duration(timeout)*time.Second, 0), maxLongPoll)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.polling {
		return nil, &apiError{code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	}
	// Confirm everything below offset.
	if offset > 0 {
		k := 0
		for k < len(s.updates) && s.updates[k].UpdateID < offset {
			k++
		}
		s.updates = s.updates[k:]
	}
	deadline := time.Now().Add(wait)
	if len(s.updates) == 0 && wait > 0 {
		s.polling = true
		stop := make(chan struct{})
		go func() {
			select {
			case <-r.Context().Done():
			case <-time.After(wait):
			case <-stop:
			}
			s.mu.Lock()
			s.cond.Broadcast()
			s.mu.Unlock()
		}()
		for len(s.updates) == 0 && time.Now().Before(deadline) && r.Context().Err() == nil {
			s.cond.Wait()
		}
		close(stop)
		s.polling = false
	}
	n := min(limit, len(s.updates))
	out := make([]Update, n)
	copy(out, s.updates[:n])
	return out, nil
}

// chat returns the state of a chat the bot can write to, or the API error for it.
func (s *Server) chatFor(p map[string]string) (*chatState, *apiError) {
	raw := p["chat_id"]
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, &apiError{code: 400, description: "Bad Request: chat not found"}
	}
	st, ok := s.chats[id]
	if !ok {
		return nil, &apiError{code: 400, description: "Bad Request: chat not found"}
	}
	if st.chat.Type == "private" {
		switch {
		case s.gone[id]:
			return nil, &apiError{code: 403, description: "Forbidden: user is deactivated"}
		case s.blocked[id]:
			return nil, &apiError{code: 403, description: "Forbidden: bot was blocked by the user"}
		}
	}
	if aerr := notMember(st); aerr != nil {
		return nil, aerr
	}
	if st.chat.Type == "group" && st.chat.Title != "" && strings.HasPrefix(st.chat.Title, "migrated:") {
		to, _ := strconv.ParseInt(strings.TrimPrefix(st.chat.Title, "migrated:"), 10, 64)
		return nil, &apiError{code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: to}
	}
	return st, nil
}

// rateLimit records a send to st or answers 429; called with s.mu held.
func (s *Server) rateLimit(st *chatState) *apiError {
	now := time.Now()
	l := s.limits
	if l.Global > 0 {
		s.sent = dropBefore(s.sent, now.Add(-time.Second))
		if len(s.sent) >= l.Global {
			s.tooMany++
			return tooMany(1)
		}
	}
	switch st.chat.Type {
	case "private":
		if l.PrivateEvery > 0 && !st.lastSend.IsZero() && now.Sub(st.lastSend) < l.PrivateEvery-20*time.Millisecond {
			s.tooMany++
			return tooMany(int(math.Ceil((l.PrivateEvery - now.Sub(st.lastSend)).Seconds())))
		}
	default:
		if l.GroupPerMin > 0 {
			st.minute = dropBefore(st.minute, now.Add(-time.Minute))
			if len(st.minute) >= l.GroupPerMin {
				s.tooMany++
				return tooMany(int(math.Ceil(st.minute[0].Add(time.Minute).Sub(now).Seconds())))
			}
		}
	}
	st.lastSend = now
	st.minute = append(st.minute, now)
	s.sent = append(s.sent, now)
	return nil
}

// dropBefore trims a sliding window: ts is in time order.
func dropBefore(ts []time.Time, cut time.Time) []time.Time {
	k := 0
	for k < len(ts) && ts[k].Before(cut) {
		k++
	}
	return ts[k:]
}

func tooMany(secs int) *apiError {
	secs = max(secs, 1)
	return &apiError{code: 429, description: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
}

// checkText validates text for parse_mode and returns the visible text.
func checkText(text, parseMode string) (string, *apiError) {
	if len(text) > 32768 {
		return "", &apiError{code: 400, description: "Bad Request: text is too long"}
	}
	visible := text
	if strings.EqualFold(parseMode, "HTML") {
		v, err := ParseHTML(text)
		if err != nil {
			return "", &apiError{code: 400, description: "Bad Request: can't parse entities: " + err.Error()}
		}
		visible = v
	} else if parseMode != "" {
		return "", &apiError{code: 400, description: "Bad Request: unsupported parse_mode"}
	}
	if strings.TrimSpace(visible) == "" {
		return "", &apiError{code: 400, description: "Bad Request: message text is empty"}
	}
	if utf16Len(visible) > 4096 {
		return "", &apiError{code: 400, description: "Bad Request: message is too long"}
	}
	return visible, nil
}

func checkMarkup(raw string) (json.RawMessage, *apiError) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var kb struct {
		InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, &apiError{code: 400, description: "Bad Request: can't parse reply keyboard markup JSON object"}
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" && len(b.CallbackData) > 64 {
				return nil, &apiError{code: 400, description: "Bad Request: BUTTON_DATA_INVALID"}
			}
			if b.Text == "" {
				return nil, &apiError{code: 400, description: "Bad Request: text buttons are unallowed in the inline keyboard"}
			}
		}
	}
	return json.RawMessage(raw), nil
}

func (s *Server) sendMessage(p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, aerr := s.chatFor(p)
	if aerr != nil {
		return nil, aerr
	}
	visible, aerr := checkText(p["text"], p["parse_mode"])
	if aerr != nil {
		return nil, aerr
	}
	markup, aerr := checkMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	var reply *Message
	if rid, _ := strconv.Atoi(p["reply_to_message_id"]); rid != 0 {
		if reply = st.find(rid); reply == nil && !truthy(p["allow_sending_without_reply"]) {
			return nil, &apiError{code: 400, description: "Bad Request: message to be replied not found"}
		}
	}
	if aerr := s.rateLimit(st); aerr != nil {
		return nil, aerr
	}
	thread, _ := strconv.Atoi(p["message_thread_id"])
	m := &Message{MessageID: st.next(), MessageThreadID: thread, From: &s.Bot, Date: time.Now().Unix(),
		Chat: st.chat, Text: visible, ReplyMarkup: markup, HTML: p["text"], ParseMode: p["parse_mode"], ReplyToMessage: shallow(reply),
		Preview: previewOn(p)}
	st.messages = append(st.messages, m)
	s.changedLocked()
	return m, nil
}

// previewOn reports whether a send or edit leaves link previews on.
func previewOn(p map[string]string) bool {
	if truthy(p["disable_web_page_preview"]) {
		return false
	}
	var opts struct {
		IsDisabled bool `json:"is_disabled"`
	}
	if json.Unmarshal([]byte(p["link_preview_options"]), &opts) == nil && opts.IsDisabled {
		return false
	}
	return true
}

func shallow(m *Message) *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.ReplyToMessage = nil
	return &c
}

func (s *Server) sendDocument(p map[string]string, files map[string][]byte) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, aerr := s.chatFor(p)
	if aerr != nil {
		return nil, aerr
	}
	data, ok := files["document"]
	if !ok {
		return nil, &apiError{code: 400, description: "Bad Request: there is no document in the request"}
	}
	if utf16Len(p["caption"]) > 1024 {
		return nil, &apiError{code: 400, description: "Bad Request: message caption is too long"}
	}
	if aerr := s.rateLimit(st); aerr != nil {
		return nil, aerr
	}
	id := fmt.Sprintf("doc%d", len(s.files)+1)
	s.files[id] = data
	m := &Message{MessageID: st.next(), From: &s.Bot, Date: time.Now().Unix(), Chat: st.chat, Caption: p["caption"],
		Document: &Document{FileID: id, FileName: p["document#name"], FileSize: len(data)}}
	st.messages = append(st.messages, m)
	s.changedLocked()
	return m, nil
}

func (s *Server) editMessage(p map[string]string, text bool) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.messageFor(p, "edit")
	if aerr != nil {
		return nil, aerr
	}
	if m.From == nil || m.From.ID != s.Bot.ID {
		return nil, &apiError{code: 400, description: "Bad Request: message to edit not found"}
	}
	markup, aerr := checkMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	if text {
		visible, aerr := checkText(p["text"], p["parse_mode"])
		if aerr != nil {
			return nil, aerr
		}
		if visible == m.Text && p["text"] == m.HTML && string(markup) == string(m.ReplyMarkup) {
			return nil, &apiError{code: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}
		}
		m.Shown = append(slices.Clip(m.Shown), m.Text) // a new array: copies handed out never change
		m.Text, m.HTML, m.ParseMode, m.Preview = visible, p["text"], p["parse_mode"], previewOn(p)
	} else if string(markup) == string(m.ReplyMarkup) {
		return nil, &apiError{code: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}
	}
	m.ReplyMarkup = markup
	m.EditDate = time.Now().Unix()
	s.changedLocked()
	return m, nil
}

func (s *Server) deleteMessage(p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, aerr := s.messageFor(p, "delete")
	if aerr != nil {
		return nil, aerr
	}
	m.Deleted = true
	s.changedLocked()
	return true, nil
}

func (s *Server) getChatMember(p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	userID, _ := strconv.ParseInt(p["user_id"], 10, 64)
	st, ok := s.chats[chatID]
	if !ok {
		return nil, &apiError{code: 400, description: "Bad Request: chat not found"}
	}
	if aerr := notMember(st); aerr != nil {
		return nil, aerr
	}
	status := "member"
	switch {
	case st.chat.Type == "private" && chatID == userID:
	case userID == s.Bot.ID && st.botStatus != "":
		status = st.botStatus
	case s.admins[chatID][userID]:
		status = "administrator"
	}
	return map[string]any{"user": User{ID: userID, FirstName: "user"}, "status": status}, nil
}

// messageFor finds the message a call names by chat_id and message_id; a missing one
// gets Telegram's "message to <action> not found". Called with s.mu held.
func (s *Server) messageFor(p map[string]string, action string) (*Message, *apiError) {
	st, aerr := s.chatFor(p)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := st.find(id)
	if m == nil {
		return nil, &apiError{code: 400, description: "Bad Request: message to " + action + " not found"}
	}
	return m, nil
}

func (st *chatState) next() int {
	st.nextID++
	return st.nextID
}

func (st *chatState) find(id int) *Message {
	for _, m := range st.messages {
		if m.MessageID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

// notMember is Telegram's refusal of a call in a group the bot has left or was removed
// from; nil while it is in it. Called with s.mu held.
func notMember(st *chatState) *apiError {
	kind := "group chat"
	if st.chat.Type == "supergroup" {
		kind = "supergroup chat"
	}
	switch st.botStatus {
	case "left":
		return &apiError{code: 403, description: "Forbidden: bot is not a member of the " + kind}
	case "kicked":
		return &apiError{code: 403, description: "Forbidden: bot was kicked from the " + kind}
	}
	return nil
}
