package telegram

// Wire types of incoming updates: the fields newsbot reads (message_thread_id is newer
// than the library's types).
type (
	// Update is one incoming update.
	Update struct {
		UpdateID      int64          `json:"update_id"`
		Message       *Message       `json:"message,omitempty"`
		EditedMessage *Message       `json:"edited_message,omitempty"`
		CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
		// MyChatMember says the bot's own status in a chat changed: added, removed,
		// blocked by a user.
		MyChatMember *ChatMemberUpdated `json:"my_chat_member,omitempty"`
	}
	// ChatMemberUpdated is a change of a chat member's status, made by From.
	ChatMemberUpdated struct {
		Chat          Chat       `json:"chat"`
		From          User       `json:"from"`
		Date          int64      `json:"date"`
		OldChatMember ChatMember `json:"old_chat_member"`
		NewChatMember ChatMember `json:"new_chat_member"`
	}
	// ChatMember is a member's status in a chat: creator, administrator, member,
	// restricted, left or kicked.
	ChatMember struct {
		User   User   `json:"user"`
		Status string `json:"status"`
		// IsMember tells, for a restricted member, whether it is still in the chat.
		IsMember bool `json:"is_member"`
	}
	// User is a Telegram user.
	User struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		UserName  string `json:"username"`
	}
	// Chat is a Telegram chat.
	Chat struct {
		ID      int64  `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		IsForum bool   `json:"is_forum"`
	}
	// Entity is a message entity.
	Entity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
	// Document is an attached file.
	Document struct {
		FileID   string `json:"file_id"`
		FileName string `json:"file_name"`
		FileSize int64  `json:"file_size"`
	}
	// Message is a Telegram message.
	Message struct {
		MessageID       int       `json:"message_id"`
		MessageThreadID int       `json:"message_thread_id"`
		IsTopicMessage  bool      `json:"is_topic_message"`
		From            *User     `json:"from"`
		Date            int64     `json:"date"` // Unix seconds, Telegram's clock
		Chat            Chat      `json:"chat"`
		Text            string    `json:"text"`
		Caption         string    `json:"caption"`
		Entities        []Entity  `json:"entities"`
		Document        *Document `json:"document"`
		ReplyToMessage  *Message  `json:"reply_to_message"`
		// SenderChat is set on a message sent on behalf of a chat (an anonymous group
		// admin, a channel, a linked channel's automatic forward): From is then a
		// placeholder that every such chat shares.
		SenderChat         *Chat `json:"sender_chat"`
		IsAutomaticForward bool  `json:"is_automatic_forward"`
		// MigrateToChatID is set on the service message a group gets when it becomes a
		// supergroup with that ID.
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
		// ReplyMarkup is the message's inline keyboard (on messages the bot sent).
		ReplyMarkup *InlineKeyboard `json:"reply_markup"`
	}
	// InlineKeyboard is an inline keyboard as Telegram returns it.
	InlineKeyboard struct {
		Rows [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
			URL          string `json:"url"`
		} `json:"inline_keyboard"`
	}
	// CallbackQuery is a pressed inline button.
	CallbackQuery struct {
		ID      string   `json:"id"`
		From    User     `json:"from"`
		Message *Message `json:"message"`
		Data    string   `json:"data"`
	}
)

// Private reports whether the chat is a private chat with one user.
func (c Chat) Private() bool { return c.Type == "private" }

// ChatOf returns the chat an update belongs to, for ordering per chat.
func (u Update) ChatOf() int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// SenderID returns the user an update comes from (0 when none).
func (u Update) SenderID() int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.EditedMessage != nil && u.EditedMessage.From != nil:
		return u.EditedMessage.From.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.From.ID
	}
	return 0
}
