package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

// callback is parsed, validated callback data: "verb:arg[:arg]".
type callback struct {
	verb string
	args []string
}

var callbackVerbs = map[string]int{ // verb -> number of arguments
	"card": 1, "sub": 1, "feeds": 1, "feed": 1, "rm": 1, "set": 2, "forget": 1, "flt": 2,
	"fl": 1, "th": 2, "mt": 1, "rp": 1, "mod": 2, "pc": 2,
}

// parseCallback validates data; anything unknown, malformed or over 64 bytes is
// refused (it may be stale, or forged: callback data comes from the client).
func parseCallback(data string) (callback, bool) {
	if data == "" || len(data) > telegram.MaxCallbackData {
		return callback{}, false
	}
	parts := strings.Split(data, ":")
	n, ok := callbackVerbs[parts[0]]
	if !ok || len(parts)-1 != n {
		return callback{}, false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 24 {
			return callback{}, false
		}
	}
	return callback{verb: parts[0], args: parts[1:]}, true
}

func (b *Bot) handleCallback(ctx context.Context, q *telegram.CallbackQuery) error {
	cb, ok := parseCallback(q.Data)
	if !ok || q.Message == nil {
		b.answer(ctx, q.ID, "This button is no longer valid.")
		return nil
	}
	chat := q.Message.Chat
	r := &request{msg: q.Message, chatID: chat.ID, userID: q.From.ID, group: chat.Type != "private", fromName: q.From.FirstName}
	if q.Message.IsTopicMessage {
		r.thread = q.Message.MessageThreadID
	}
	switch cb.verb {
	case "fl", "th", "mt", "rp", "mod", "pc":
		return b.handleDiscussionCallback(ctx, q, r, cb)
	}
	// Everything else but opening a card changes settings: in groups, admins only.
	if r.group && cb.verb != "card" {
		ok, err := b.isGroupAdmin(ctx, chat.ID, q.From.ID)
		if err != nil || !ok {
			b.answer(ctx, q.ID, "Only the group's administrators can change its settings.")
			return nil
		}
	}
	switch cb.verb {
	case "card":
		id, err := strconv.ParseUint(cb.args[0], 10, 64)
		if err != nil {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		b.answer(ctx, q.ID, "")
		return b.sendCard(ctx, r, id)
	case "sub":
		on := cb.args[0] == "on"
		s, err := b.setSubscribed(ctx, r, on)
		if err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		if on {
			b.answer(ctx, q.ID, "Subscribed: next digest at "+s.NextDigest.In(zone(s.TimeZone)).Format("15:04"))
		} else {
			b.answer(ctx, q.ID, "Digests are off.")
		}
		return nil
	case "feeds":
		b.answer(ctx, q.ID, "")
		return cmdFeeds(ctx, b, r)
	case "feed", "rm":
		i, err := strconv.Atoi(cb.args[0])
		if err != nil || i < 0 {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		var note string
		s, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			note = ""
			if cb.verb == "rm" {
				if i >= len(s.OwnFeeds) {
					note = "That feed is already gone."
					return nil
				}
				note = "Removed " + feedLabel(s.OwnFeeds[i])
				s.OwnFeeds = slices.Delete(s.OwnFeeds, i, i+1)
				return nil
			}
			if i >= len(b.opts.Catalogue) {
				note = "This button is no longer valid."
				return nil
			}
			f := b.opts.Catalogue[i]
			if len(s.Feeds) == 0 {
				s.Feeds = append([]string{}, b.opts.Catalogue...) // all were on
			}
			if j := slices.Index(s.Feeds, f); j >= 0 {
				s.Feeds = slices.Delete(s.Feeds, j, j+1)
				note = "Off: " + feedLabel(f)
				if len(s.Feeds) == 0 && len(s.OwnFeeds) == 0 {
					s.Feeds = []string{f} // keep at least one; an empty list means all
					note = "At least one feed must stay on."
				}
			} else {
				s.Feeds = append(s.Feeds, f)
				note = "On: " + feedLabel(f)
			}
			if len(s.Feeds) == len(b.opts.Catalogue) {
				s.Feeds = nil
			}
			return nil
		})
		if err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(ctx, q.ID, note)
		return b.editKeyboard(ctx, r.chatID, q.Message.MessageID, feedsKeyboard(b, s))
	case "set":
		n, err := strconv.Atoi(cb.args[1])
		valid := err == nil && ((cb.args[0] == "n" && n >= 1 && n <= 20) || (cb.args[0] == "k" && n >= 1 && n <= 5))
		if !valid {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		s, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			if cb.args[0] == "n" {
				s.Stories = n
			} else {
				s.SummarySentences = n
			}
			return nil
		})
		if err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(ctx, q.ID, "Saved.")
		return b.editText(ctx, r.chatID, q.Message.MessageID, settingsText(s), settingsKeyboard())
	case "forget":
		if cb.args[0] != "yes" {
			b.answer(ctx, q.ID, "Nothing was deleted.")
			return nil
		}
		if !b.forgetAllowed(r.userID, b.opts.Now()) {
			b.answer(ctx, q.ID, "You used /forget a short while ago; please wait a few minutes.")
			return nil
		}
		if err := b.forget(ctx, r); err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(ctx, q.ID, "Deleted.")
		return b.say(ctx, r.chatID, r.thread, "Everything stored about this chat has been deleted. /start to begin again.")
	case "flt":
		i, err := strconv.Atoi(cb.args[1])
		if err != nil || i < 0 || (cb.args[0] != "i" && cb.args[0] != "e") {
			b.answer(ctx, q.ID, "This button is no longer valid.")
			return nil
		}
		if _, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			list := &s.Include
			if cb.args[0] == "e" {
				list = &s.Exclude
			}
			if i < len(*list) {
				*list = slices.Delete(*list, i, i+1)
			}
			return nil
		}); err != nil {
			b.answer(ctx, q.ID, "Something went wrong; please try again.")
			return err
		}
		b.answer(ctx, q.ID, "Filter removed.")
		return nil
	}
	b.answer(ctx, q.ID, "This button is no longer valid.")
	return nil
}

// forget erases everything stored about the chat, and in a private chat about its user:
// the user's comments become tombstones, and their copies in other chats are deleted.
func (b *Bot) forget(ctx context.Context, r *request) error {
	user := int64(0)
	if !r.group {
		user = r.userID
	}
	er, err := b.db.EraseChat(ctx, r.chatID, user)
	if err != nil {
		return err
	}
	var msgs []storage.OutMessage
	for _, cp := range er.Copies {
		msgs = append(msgs, storage.OutMessage{ChatID: cp[0], Method: "deleteMessage",
			Params: map[string]string{"chat_id": strconv.FormatInt(cp[0], 10), "message_id": strconv.FormatInt(cp[1], 10)}})
	}
	if len(msgs) > 0 {
		if err := b.db.Enqueue(ctx, msgs, b.opts.Now()); err != nil {
			return err
		}
	}
	// Replies to the erased comments stop quoting them.
	for _, id := range er.Replies {
		c, err := b.db.Comment(ctx, id)
		if err != nil {
			continue
		}
		if err := b.updateCopies(ctx, c, false); err != nil {
			return err
		}
	}
	b.log.Info("a chat was forgotten", "comments_erased", er.Comments, "copies_deleted", len(er.Copies))
	b.sender.Wake()
	return nil
}

// editKeyboard and editText change an interactive message in place; "not modified"
// is fine.
func (b *Bot) editKeyboard(ctx context.Context, chatID int64, messageID int, rows [][]telegram.Button) error {
	p := map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID)}
	if kb := keyboard(rows); kb != "" {
		p["reply_markup"] = kb
	}
	_, err := b.api.Call(ctx, "editMessageReplyMarkup", p)
	return ignoreNotModified(err)
}

func (b *Bot) editText(ctx context.Context, chatID int64, messageID int, html string, rows [][]telegram.Button) error {
	p := map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID),
		"text": html, "parse_mode": "HTML"}
	if kb := keyboard(rows); kb != "" {
		p["reply_markup"] = kb
	}
	_, err := b.api.Call(ctx, "editMessageText", p)
	return ignoreNotModified(err)
}

func ignoreNotModified(err error) error {
	if e, ok := errors.AsType[*telegram.Error](err); ok && e.Kind == telegram.KindNotModified {
		return nil
	}
	if err != nil {
		return fmt.Errorf("edit message: %w", err)
	}
	return nil
}
