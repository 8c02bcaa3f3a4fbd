package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// PrivateChat registers (or returns) the private chat with u.
func (s *Server) PrivateChat(u User) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chatLocked(Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, UserName: u.UserName}).chat
}

// Group registers a group (or a forum supergroup) with the given administrators.
func (s *Server) Group(id int64, title string, forum bool, admins ...int64) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := "group"
	if forum {
		typ = "supergroup"
	}
	st := s.chatLocked(Chat{ID: id, Type: typ, Title: title, IsForum: forum})
	if s.admins[id] == nil {
		s.admins[id] = map[int64]bool{}
	}
	for _, a := range admins {
		s.admins[id][a] = true
	}
	return st.chat
}

func (s *Server) chatLocked(c Chat) *chatState {
	st, ok := s.chats[c.ID]
	if !ok {
		st = &chatState{chat: c}
		s.chats[c.ID] = st
	}
	return st
}

func (s *Server) push(u Update) {
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.updates = append(s.updates, u)
	s.cond.Broadcast()
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// userMessage builds a message from a user, with a bot_command entity at offset 0 for
// commands (the library's IsCommand relies on it).
func (s *Server) userMessage(from User, chat Chat, text string) *Message {
	st := s.chatLocked(chat)
	m := &Message{MessageID: st.next(), From: &from, Date: time.Now().Unix(), Chat: st.chat, Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []Entity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
	}
	st.messages = append(st.messages, m)
	s.changedLocked()
	return m
}

// Send makes from write text in chat; it returns the message.
func (s *Server) Send(from User, chat Chat, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(from, chat, text)
	s.push(Update{Message: m})
	return *m
}

// Placeholder senders of messages sent on behalf of a chat, as Telegram sends them.
var (
	// AnonymousAdmin is the sender of an anonymous group administrator's messages.
	AnonymousAdmin = User{ID: 1087968824, IsBot: true, FirstName: "Group", UserName: "GroupAnonymousBot"}
	// ChannelSender is the sender of a message a user posts in a group as a channel.
	ChannelSender = User{ID: 136817688, IsBot: true, FirstName: "Channel", UserName: "Channel_Bot"}
	// ServiceNotifications sends a linked channel's posts into its discussion group
	// (automatic forwards); it is not flagged as a bot.
	ServiceNotifications = User{ID: 777000, FirstName: "Telegram"}
)

// SendAs is Send on behalf of chat as: from is one of the placeholder senders, and a
// message from ServiceNotifications is an automatic forward.
func (s *Server) SendAs(from User, as, chat Chat, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(from, chat, text)
	m.SenderChat = &as
	m.IsAutomaticForward = from.ID == ServiceNotifications.ID
	s.push(Update{Message: m})
	return *m
}

// SendInThread is Send inside a forum topic.
func (s *Server) SendInThread(from User, chat Chat, thread int, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.userMessage(from, chat, text)
	m.MessageThreadID, m.IsTopicMessage = thread, true
	s.push(Update{Message: m})
	return *m
}

// Reply makes from reply to message replyTo in chat.
func (s *Server) Reply(from User, chat Chat, replyTo int, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chatLocked(chat)
	orig := st.find(replyTo)
	if orig == nil {
		return Message{}, fmt.Errorf("message %d not found in chat %d", replyTo, chat.ID)
	}
	m := s.userMessage(from, chat, text)
	m.ReplyToMessage = shallow(orig)
	s.push(Update{Message: m})
	return *m, nil
}

// Edit makes from edit their own message, producing an edited_message update.
func (s *Server) Edit(from User, chat Chat, messageID int, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chatLocked(chat)
	m := st.find(messageID)
	if m == nil || m.From == nil || m.From.ID != from.ID {
		return fmt.Errorf("message %d of user %d not found", messageID, from.ID)
	}
	m.Text = text
	m.EditDate = time.Now().Unix()
	s.changedLocked()
	c := *m
	s.push(Update{EditedMessage: &c})
	return nil
}

// SendFile makes from send a document (e.g. an OPML file) with an optional caption.
func (s *Server) SendFile(from User, chat Chat, name string, data []byte, caption string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("up%d", len(s.files)+1)
	s.files[id] = data
	st := s.chatLocked(chat)
	m := &Message{MessageID: st.next(), From: &from, Date: time.Now().Unix(), Chat: st.chat, Caption: caption,
		Document: &Document{FileID: id, FileName: name, FileSize: len(data)}}
	if strings.HasPrefix(caption, "/") {
		cmd, _, _ := strings.Cut(caption, " ")
		m.Entities = nil
		_ = cmd
	}
	st.messages = append(st.messages, m)
	s.changedLocked()
	s.push(Update{Message: m})
	return *m
}

// Press makes from press the inline button with data under message messageID; it
// returns the callback query ID.
func (s *Server) Press(from User, chat Chat, messageID int, data string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chatLocked(chat)
	m := st.find(messageID)
	if m == nil {
		return "", fmt.Errorf("message %d not found in chat %d", messageID, chat.ID)
	}
	id := fmt.Sprintf("cb%d", s.nextUpd)
	c := *m
	s.push(Update{CallbackQuery: &CallbackQuery{ID: id, From: from, Message: &c, Data: data}})
	return id, nil
}

// Block makes user id block the bot: sends to them fail with 403.
func (s *Server) Block(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[id] = true
}

// Unblock makes user id unblock the bot: sends to them work again. Telegram also sends
// a my_chat_member update (SetBotStatus from "kicked" to "member").
func (s *Server) Unblock(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, id)
}

// Deactivate deletes user id's account.
func (s *Server) Deactivate(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[id] = true
}

// Upgrade makes from upgrade group id to a supergroup with newID, as Migrate does, and
// sends the old group the service message that tells of it (migrate_to_chat_id).
func (s *Server) Upgrade(from User, id, newID int64) {
	s.Migrate(id, newID)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chatLocked(Chat{ID: id, Type: "group"})
	m := &Message{MessageID: st.next(), From: &from, Date: time.Now().Unix(), Chat: st.chat, MigrateToChatID: newID}
	st.messages = append(st.messages, m)
	s.changedLocked()
	s.push(Update{Message: m})
}

// Migrate upgrades group id to a supergroup with newID: sends to the old ID fail with
// migrate_to_chat_id.
func (s *Server) Migrate(id, newID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.chatLocked(Chat{ID: id, Type: "group"})
	old.chat.Title = fmt.Sprintf("migrated:%d", newID)
	st := s.chatLocked(Chat{ID: newID, Type: "supergroup", Title: "upgraded"})
	s.admins[newID] = s.admins[id]
	_ = st
}

// Messages returns the bot's messages in chat, oldest first, without deleted ones.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.chats[chatID]
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range st.messages {
		if m.From != nil && m.From.ID == s.Bot.ID && !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns one message of chat by ID (bot's or user's, deleted included).
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.chats[chatID]; ok {
		for _, m := range st.messages {
			if m.MessageID == id {
				return *m, true
			}
		}
	}
	return Message{}, false
}

// WaitMessages waits until chat has at least n bot messages and returns them.
func (s *Server) WaitMessages(chatID int64, n int, timeout time.Duration) ([]Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		ms := s.Messages(chatID)
		if len(ms) >= n {
			return ms, nil
		}
		if time.Now().After(deadline) {
			return ms, fmt.Errorf("chat %d: %d bot messages after %s, want %d", chatID, len(ms), timeout, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor waits until a bot message in chat satisfies ok.
func (s *Server) WaitFor(chatID int64, timeout time.Duration, ok func(Message) bool) (Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range s.Messages(chatID) {
			if ok(m) {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, m := range s.Messages(chatID) {
				texts = append(texts, m.Text)
			}
			return Message{}, fmt.Errorf("chat %d: no matching message after %s; got %q", chatID, timeout, texts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Answered reports whether callback query id was answered, and with what text.
func (s *Server) Answered(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.answered[id]
	return t, ok
}

// WaitAnswered waits for callback query id to be answered.
func (s *Server) WaitAnswered(id string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		if t, ok := s.Answered(id); ok {
			return t, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("callback %s not answered within %s", id, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Calls returns how often method (lower case) was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// TooMany returns how many 429 answers the rate limiter gave.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// Commands returns the command list set with setMyCommands.
func (s *Server) Commands() []struct{ Command, Description string } {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []struct{ Command, Description string }
	_ = json.Unmarshal(s.commands, &out)
	return out
}

// Pending returns the number of updates not yet confirmed by the bot.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// FileData returns an uploaded or sent file by ID.
func (s *Server) FileData(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.files[id]
	return d, ok
}

// ForgetMessages drops the messages the fake keeps (long soak tests would otherwise
// measure the fake's memory, not the bot's). Chats stay registered.
func (s *Server) ForgetMessages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.chats {
		st.messages = nil
	}
	s.sent = nil
}

// SetBotStatus makes from change the bot's status in chat (left, kicked, member,
// administrator): Telegram then sends the bot a my_chat_member update.
func (s *Server) SetBotStatus(from User, chat Chat, old, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.chatLocked(chat)
	st.botStatus = status
	if status == "member" || status == "administrator" {
		st.botStatus = ""
	}
	bot := s.Bot
	// Plain maps of plain values: marshalling cannot fail.
	raw, _ := json.Marshal(map[string]any{
		"chat": st.chat, "from": from, "date": time.Now().Unix(),
		"old_chat_member": map[string]any{"user": bot, "status": old},
		"new_chat_member": map[string]any{"user": bot, "status": status},
	})
	s.push(Update{MyChatMember: raw})
}
