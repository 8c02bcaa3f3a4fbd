package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/bot/telegram"
)

// Buttons. A button's callback data is "verb:arg[:arg]", at most 64 bytes. It comes
// back from the client, so it may be stale or forged. Each verb is registered once, in
// callbackRoutes, with its number of arguments, who may press it in a group, and its
// handler; the data is built only by the constructors below, so the two cannot drift.

// callback is parsed, validated callback data.
type callback struct {
	verb string
	args []string
}

// press is one button press on its way to a handler.
type press struct {
	q    *telegram.CallbackQuery
	r    *request
	args []string
}

// onItsMessage reports whether the pressed message carries the button: a modified client
// can send any data under any message it sees, and a handler that redraws the pressed
// message as its own view must not turn, say, a digest into a settings panel.
func (p press) onItsMessage() bool { return p.q.Message.ReplyMarkup.Carries(p.q.Data) }

// id parses argument i as a stored ID (an item, a comment, a pending comment).
func (p press) id(i int) (uint64, bool) {
	v, err := strconv.ParseUint(p.args[i], 10, 64)
	return v, err == nil
}

// index parses argument i as a position in one of the chat's lists.
func (p press) index(i int) (int, bool) {
	v, err := strconv.Atoi(p.args[i])
	return v, err == nil && v >= 0
}

// callbackRoute is one verb's registration.
type callbackRoute struct {
	args int
	// groupAdmins, when set, is what a group member who is not an administrator is
	// told: the button changes the group's settings.
	groupAdmins string
	handle      func(ctx context.Context, b *Bot, p press) error
}

// What a press is told when it cannot be served.
const (
	staleButton      = "This button is no longer valid."
	tryAgain         = "Something went wrong; please try again."
	adminsOnly       = "Only the group's administrators can change its settings."
	adminsOnlyFollow = "Only the group's administrators can change what this group follows."
)

var callbackRoutes map[string]callbackRoute

// The table is filled in init because some handlers reach, through the bot, code that
// reads it; a package-level initialiser would be an initialisation cycle.
func init() {
	callbackRoutes = map[string]callbackRoute{
		"card":   {1, "", cbCard},
		"sub":    {1, adminsOnly, cbSubscribe},
		"feeds":  {1, adminsOnly, cbFeedList},
		"feed":   {1, adminsOnly, cbFeedToggle},
		"rm":     {1, adminsOnly, cbFeedRemove},
		"set":    {2, adminsOnly, cbSetting},
		"forget": {1, adminsOnly, cbForget},
		"flt":    {2, adminsOnly, cbFilterRemove},
		"fl":     {1, adminsOnlyFollow, cbFollow},
		"mt":     {1, adminsOnlyFollow, cbMute},
		"th":     {2, "", cbThread},
		"rp":     {1, "", cbReport},
		"mod":    {2, "", cbModerate},
		"pc":     {2, "", cbPickComment},
		"fs":     {1, adminsOnlyFollow, cbFollowStory},
		"us":     {2, adminsOnlyFollow, cbUnfollowStory},
	}
}

// Callback data constructors, one per verb.
func cardData(item uint64) string { return "card:" + strconv.FormatUint(item, 10) }
func subscribeData(on bool) string {
	if on {
		return "sub:on"
	}
	return "sub:off"
}

const feedListData = "feeds:list"

func feedToggleData(i int) string { return "feed:" + strconv.Itoa(i) }
func feedRemoveData(i int) string { return "rm:" + strconv.Itoa(i) }

// setting names what a settings button sets.
type setting string

const (
	settingStories   setting = "n" // stories per digest
	settingSentences setting = "k" // summary sentences per story
)

func settingData(s setting, n int) string { return "set:" + string(s) + ":" + strconv.Itoa(n) }
func forgetData(yes bool) string {
	if yes {
		return "forget:yes"
	}
	return "forget:no"
}
func filterRemoveData(exclude bool, i int) string {
	if exclude {
		return "flt:e:" + strconv.Itoa(i)
	}
	return "flt:i:" + strconv.Itoa(i)
}
func followData(item uint64) string { return "fl:" + strconv.FormatUint(item, 10) }
func muteData(item uint64) string   { return "mt:" + strconv.FormatUint(item, 10) }
func threadData(item uint64, page int) string {
	return "th:" + strconv.FormatUint(item, 10) + ":" + strconv.Itoa(page)
}
func reportData(comment uint64) string { return "rp:" + strconv.FormatUint(comment, 10) }

// banAuthorData bans the author of a comment erased with /forget, whose record no
// longer names them: the ID travels on the moderators' button (only they may press it).
func banAuthorData(user int64) string {
	return "mod:banid:" + strconv.FormatInt(user, 10)
}

func moderateData(ban bool, comment uint64) string {
	action := "rm"
	if ban {
		action = "ban"
	}
	return "mod:" + action + ":" + strconv.FormatUint(comment, 10)
}
func followStoryData(item uint64) string { return "fs:" + strconv.FormatUint(item, 10) }
func unfollowStoryData(story, item uint64) string {
	return "us:" + strconv.FormatUint(story, 10) + ":" + strconv.FormatUint(item, 10)
}
func pickCommentData(pending, item uint64) string {
	return "pc:" + strconv.FormatUint(pending, 10) + ":" + strconv.FormatUint(item, 10)
}

// parseCallback validates data; anything unknown, malformed or over 64 bytes is refused.
func parseCallback(data string) (callback, bool) {
	if data == "" || len(data) > telegram.MaxCallbackData {
		return callback{}, false
	}
	parts := strings.Split(data, ":")
	route, ok := callbackRoutes[parts[0]]
	if !ok || len(parts)-1 != route.args {
		return callback{}, false
	}
	for _, p := range parts[1:] {
		if p == "" || len(p) > 24 {
			return callback{}, false
		}
	}
	return callback{verb: parts[0], args: parts[1:]}, true
}

// handleCallback checks a press against its route and hands it on. Handlers check what
// the data names against the message the button sits on, the reader's rights, or both.
func (b *Bot) handleCallback(ctx context.Context, q *telegram.CallbackQuery) error {
	cb, ok := parseCallback(q.Data)
	if !ok || q.Message == nil {
		b.answer(ctx, q.ID, staleButton)
		return nil
	}
	chat := q.Message.Chat
	r := &request{msg: q.Message, chatID: chat.ID, userID: q.From.ID, group: chat.Type != "private", fromName: q.From.FirstName}
	if q.Message.IsTopicMessage {
		r.thread = q.Message.MessageThreadID
	}
	route := callbackRoutes[cb.verb]
	if r.group && route.groupAdmins != "" {
		ok, err := b.isGroupAdmin(ctx, chat.ID, q.From.ID)
		if err != nil {
			b.log.Warn("callback: check group admin", "error", err)
		}
		if err != nil || !ok {
			b.answer(ctx, q.ID, route.groupAdmins)
			return nil
		}
		r.manager = true
	}
	if err := route.handle(ctx, b, press{q: q, r: r, args: cb.args}); err != nil {
		return fmt.Errorf("button %s: %w", cb.verb, err)
	}
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
