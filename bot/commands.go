package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

// request is one command or message being handled.
type request struct {
	msg      *telegram.Message
	chatID   int64
	userID   int64
	thread   int
	group    bool
	command  string // without "/" and "@bot"
	args     string
	fromName string
	// manager is set once a group's administrator is known to have sent it: only then
	// may it choose, by being sent there, the topic a new group record posts to.
	manager bool
}

// command is one entry of the command list that feeds /help and setMyCommands.
type command struct {
	name, desc string
	// admin: only NEWSBOT_ADMINS; manage: in groups only the group's administrators.
	admin, manage, hidden bool
	run                   func(ctx context.Context, b *Bot, r *request) error
}

func commandList() []command {
	return []command{
		{name: "start", desc: "What this bot does, and how to begin", run: cmdStart},
		{name: "subscribe", desc: "Get digests on your schedule", manage: true, run: cmdSubscribe},
		{name: "unsubscribe", desc: "Stop digests", manage: true, run: cmdUnsubscribe},
		{name: "stop", desc: "Stop digests (same as /unsubscribe)", manage: true, hidden: true, run: cmdUnsubscribe},
		{name: "feeds", desc: "Pick feeds from the catalogue and see your own", manage: true, run: cmdFeeds},
		{name: "add", desc: "Add a feed: /add <url of a feed or a page>", manage: true, run: cmdAdd},
		{name: "remove", desc: "Remove one of your feeds", manage: true, run: cmdRemove},
		{name: "import", desc: "Import feeds: send an OPML file with /import as caption", manage: true, run: cmdImport},
		{name: "export", desc: "Export your feeds as OPML", manage: true, run: cmdExport},
		{name: "filters", desc: "Keyword filters: /filters include|exclude <RE2>, /filters clear", manage: true, run: cmdFilters},
		{name: "settings", desc: "Delivery times, time zone, stories per digest, summary length", manage: true, run: cmdSettings},
		{name: "digest", desc: "Send my digest now", manage: true, run: cmdDigest},
		{name: "summary", desc: "Summarize a story: /summary <url or item id>", run: cmdSummary},
		{name: "following", desc: "Stories you follow, to hear when they develop", run: cmdFollowing},
		{name: "thread", desc: "Show a story's discussion: /thread <story id>", run: cmdThread},
		{name: "name", desc: "Your name in discussions: /name Your Name", run: cmdName},
		{name: "delete", desc: "Delete your comment (reply to it)", run: cmdDelete},
		{name: "mute", desc: "Stop a discussion's comments (reply to a comment or card)", manage: true, run: cmdMute},
		{name: "block", desc: "Hide a commenter (reply to their comment)", run: cmdBlock},
		{name: "forget", desc: "Delete everything stored about this chat", manage: true, run: cmdForget},
		{name: "help", desc: "List the commands", run: cmdHelp},
		{name: "stats", desc: "Operator statistics", admin: true, hidden: true, run: cmdStats},
	}
}

func (b *Bot) isAdmin(id int64) bool { return slices.Contains(b.opts.Admins, id) }

// handle dispatches one update.
func (b *Bot) handle(ctx context.Context, u telegram.Update) error {
	switch {
	case u.CallbackQuery != nil:
		return b.handleCallback(ctx, u.CallbackQuery)
	case u.Message != nil:
		return b.handleMessage(ctx, u.Message)
	case u.EditedMessage != nil:
		if err := b.handleEdit(ctx, u.EditedMessage); err != nil {
			return fmt.Errorf("edit: %w", err)
		}
	case u.MyChatMember != nil:
		if err := b.handleMembership(ctx, u.MyChatMember); err != nil {
			return fmt.Errorf("membership: %w", err)
		}
	}
	return nil
}

// handleMembership follows the bot's own status in a chat. Removed from a group (or
// blocked in a private chat), the chat is inactive, as when a send is refused: a group
// that never had a digest is never sent anything, so without this it stayed active, its
// feeds polled and counted against the members who added them, however long ago it
// went (found by review). Added back, a chat it knows is active again, with its feeds
// as far as the readers' cap allows (storage.DB.ActivateChat). What is queued for the
// chat stays, and goes when Telegram refuses it: adding and removing the bot costs no
// scan of the outbox.
func (b *Bot) handleMembership(ctx context.Context, c *telegram.ChatMemberUpdated) error {
	var active bool
	switch c.NewChatMember.Status {
	case "left", "kicked":
	case "member", "administrator", "creator":
		active = true
	case "restricted":
		active = c.NewChatMember.IsMember // still in the chat, perhaps unable to post
	default:
		return nil
	}
	var err error
	if active {
		_, err = b.db.ActivateChat(ctx, c.Chat.ID, nil)
		b.sender.Wake() // it may have told the chat which feeds found no room
		b.staleCopy(0)  // or marked copies there to be drawn again (ReturnErasures)
	} else {
		// Its follows of discussions and stories go (review 70: followed stories were
		// kept open a week, for a chat nothing can reach).
		err = b.db.LeaveChat(ctx, c.Chat.ID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// checkMembership asks Telegram whether the bot is still in a supergroup a group just
// became, and marks the moved record gone if not: a removal from the supergroup handled
// before the old group's upgrade message found no record to mark (the two chats'
// updates are handled apart), and a group that is sent nothing would stay active.
func (b *Bot) checkMembership(ctx context.Context, chat int64) error {
	if b.api.Self.ID == 0 {
		return nil // not known (a client made without getMe)
	}
	raw, err := b.api.Call(ctx, "getChatMember", map[string]string{"chat_id": strconv.FormatInt(chat, 10), "user_id": strconv.FormatInt(b.api.Self.ID, 10)})
	var apiErr *telegram.Error
	var member telegram.ChatMember
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == 403:
		// Not a member, or kicked. A 400 "chat not found" may be the Bot API not yet
		// knowing a supergroup minutes old: that is no verdict (found by review).
	case err != nil:
		b.log.Warn("upgrade: check the bot's membership", "chat", chat, "error", err)
		return nil
	case json.Unmarshal(raw, &member) != nil:
		return nil
	case member.Status == "left" || member.Status == "kicked" || member.Status == "restricted" && !member.IsMember:
	default:
		return nil
	}
	_, err = b.db.UpdateSubscriber(ctx, chat, nil, func(s *storage.Subscriber) error { s.Active = false; return nil })
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

var (
	urlRE         = regexp.MustCompile(`https?://[^\s<>"]+`)
	commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
)

// fromReader reports whether a reader sent m in person: not a bot, and not on behalf
// of a chat, whose sender is a placeholder every such chat shares (Telegram's 777000,
// which brings a linked channel's posts into its group, is not even flagged a bot).
func fromReader(m *telegram.Message) bool {
	return m.From != nil && !m.From.IsBot && m.SenderChat == nil && !m.IsAutomaticForward
}

func (b *Bot) handleMessage(ctx context.Context, m *telegram.Message) error {
	if m.MigrateToChatID != 0 {
		// The group became a supergroup: its record, feeds and queue move with it, or
		// the old record would stay active (and its feeds counted) for good, a group
		// without a digest never being sent anything (found by review).
		if err := b.db.MigrateChat(ctx, m.Chat.ID, m.MigrateToChatID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("migrate %d: %w", m.Chat.ID, err)
		}
		b.slow.move(m.Chat.ID, m.MigrateToChatID) // its filters moved with it (review 60)
		return b.checkMembership(ctx, m.MigrateToChatID)
	}
	if !fromReader(m) {
		return nil
	}
	// A chat that writes is back: what was parked for it while it was gone (its copies'
	// deletions) goes now, even if nothing it says makes it active again.
	if n, err := b.db.ReturnErasures(ctx, m.Chat.ID); err != nil {
		return err
	} else if n > 0 {
		b.sender.Wake()
		b.staleCopy(0)
	}
	r := &request{msg: m, chatID: m.Chat.ID, userID: m.From.ID, group: m.Chat.Type != "private",
		fromName: m.From.FirstName}
	if m.IsTopicMessage {
		r.thread = m.MessageThreadID
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if otherBotsCommand(text, m.Entities, b.Username()) {
		return nil
	}
	cmd, args, ok := parseCommand(text, m.Entities, b.Username())
	if !ok && m.ReplyToMessage != nil {
		if handled, err := b.handleReply(ctx, r); err != nil {
			return fmt.Errorf("reply: %w", err)
		} else if handled {
			return nil
		}
	}
	if !ok {
		// In private chats a bare URL asks for its story card.
		if !r.group {
			if u := urlRE.FindString(text); u != "" {
				r.command, r.args = "summary", u
				return b.runCommand(ctx, r, findCommand(b.cmds, "summary"))
			}
			if m.Document != nil {
				return b.say(ctx, r.chatID, r.thread, "To import feeds, send the OPML file with <code>/import</code> as its caption.")
			}
			return b.say(ctx, r.chatID, r.thread, "Send /help for what I can do, or just send me a link to summarize.")
		}
		return nil
	}
	r.command, r.args = cmd, args
	c := findCommand(b.cmds, cmd)
	if c == nil {
		if r.group {
			return nil
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("I don't know /%s. Send /help for the list.", escape(cmd)))
	}
	return b.runCommand(ctx, r, c)
}

func findCommand(cmds []command, name string) *command {
	for i := range cmds {
		if cmds[i].name == name {
			return &cmds[i]
		}
	}
	return nil
}

// runCommand checks a command's permissions and runs it (the rate was checked when the
// update was admitted).
func (b *Bot) runCommand(ctx context.Context, r *request, c *command) error {
	if c.admin && !b.isAdmin(r.userID) {
		return b.say(ctx, r.chatID, r.thread, "This command is for the bot's operators.")
	}
	if c.manage && r.group {
		ok, err := b.isGroupAdmin(ctx, r.chatID, r.userID)
		if err != nil {
			b.log.Warn("command: check group admin", "command", c.name, "error", err)
			return b.say(ctx, r.chatID, r.thread, "I could not check your permissions in this group; please try again later.")
		}
		if !ok {
			return b.say(ctx, r.chatID, r.thread, "Only the group's administrators can change its settings.")
		}
		r.manager = true
	}
	// Handlers return their store's and Telegram's errors as they are; the command
	// names the operation once, here.
	if err := c.run(ctx, b, r); err != nil {
		return fmt.Errorf("/%s: %w", c.name, err)
	}
	return nil
}

// parseCommand reads "/cmd@botname args" using the bot_command entity at offset 0;
// a command addressed to another bot is not ours.
func parseCommand(text string, ents []telegram.Entity, botName string) (cmd, args string, ok bool) {
	name, target, args, isCommand := splitCommand(text, ents)
	if !isCommand || target != nil && !strings.EqualFold(*target, botName) {
		return "", "", false
	}
	name = strings.ToLower(name)
	if !commandNameRE.MatchString(name) {
		return "", "", false // Telegram commands are 1-32 of [a-z0-9_]
	}
	return name, args, true
}

// otherBotsCommand reports whether text is a command addressed to another bot
// ("/warn@combot …"): not ours, and not a comment either, even as a reply (found by
// review: a group's moderation commands to its other bots were relayed to strangers).
func otherBotsCommand(text string, ents []telegram.Entity, botName string) bool {
	_, target, _, isCommand := splitCommand(text, ents)
	return isCommand && target != nil && !strings.EqualFold(*target, botName)
}

// splitCommand splits "/name@target args" (target nil: no "@"); isCommand is false
// for text that does not start with "/".
func splitCommand(text string, ents []telegram.Entity) (name string, target *string, args string, isCommand bool) {
	if !strings.HasPrefix(text, "/") {
		return "", nil, "", false
	}
	n := len(text)
	for _, e := range ents {
		if e.Type == "bot_command" && e.Offset == 0 {
			n = utf16Bytes(text, e.Length)
		}
	}
	head := text[:n]
	if i := strings.IndexAny(head, " \n\t"); i >= 0 {
		head = head[:i]
	}
	args = strings.TrimSpace(text[len(head):])
	name, to, addressed := strings.Cut(strings.TrimPrefix(head, "/"), "@")
	if addressed {
		target = &to
	}
	return name, target, args, true
}

// utf16Bytes converts a length in UTF-16 units (Telegram's offsets) to bytes of s.
func utf16Bytes(s string, units int) int {
	n := 0
	for i, r := range s {
		if n >= units {
			return i
		}
		n += len(utf16.Encode([]rune{r}))
	}
	return len(s)
}

// isGroupAdmin asks Telegram whether the user administers the group. The bot's
// operators are no exception: running the bot is no say over a group's settings
// (found by review: operators passed every group's admin check).
func (b *Bot) isGroupAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	raw, err := b.api.Call(ctx, "getChatMember", map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(userID, 10)})
	if err != nil {
		return false, err
	}
	var member struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &member); err != nil {
		return false, fmt.Errorf("getChatMember: %w", err)
	}
	return member.Status == "creator" || member.Status == "administrator", nil
}

// newSubscriber is a subscriber with the defaults.
func (b *Bot) newSubscriber(r *request) func() storage.Subscriber {
	return func() storage.Subscriber {
		s := storage.Subscriber{ChatID: r.chatID, Kind: "private", Active: true,
			TimeZone: b.opts.DefaultZone, Times: b.opts.DefaultTimes, Stories: digest.DefaultMaxStories,
			SummarySentences: digest.DefaultSummarySentences, CreatedAt: b.opts.Now()}
		if r.manager || !r.group {
			// A member's command in some topic creates the record too; the topic digests
			// and relays go to is the administrators' choice (found by review).
			s.ThreadID = r.thread
		}
		if r.group {
			s.Kind = "group" // a group's record names no member: /forget of a member leaves nothing in it
		} else {
			s.UserID = r.userID
		}
		return s
	}
}

func (b *Bot) subscriber(ctx context.Context, r *request) (storage.Subscriber, error) {
	return b.db.ActivateChat(ctx, r.chatID, b.newSubscriber(r)) // they wrote to us: the chat works
}

// ---- commands ----

// errNotAFeed and errNoFeedParses are what discovery says when the page holds no feed,
// errLongAddress when the feed's address is longer than the store keeps.
var (
	errNotAFeed     = errors.New("that page is not a feed and links to none")
	errNoFeedParses = errors.New("the feeds that page links to could not be read")
	errLongAddress  = fmt.Errorf("the feed's address is longer than the %d bytes I take", storage.MaxURLBytes)
)

// tooLongAddress is unusableURL's answer to an address longer than the store keeps.
var tooLongAddress = fmt.Sprintf("That address is too long: I take web addresses of at most %d bytes.", storage.MaxURLBytes)

// userFacing says in a few words why a fetch failed, without any detail of the network
// (addresses, resolver answers, TLS errors), which goes to the debug log instead.
func userFacing(err error) string {
	var fe *feed.FetchError
	switch {
	case errors.Is(err, errNotAFeed), errors.Is(err, errNoFeedParses), errors.Is(err, errLongAddress):
		return err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "the site took too long to answer"
	case errors.As(err, &fe):
		switch fe.Kind {
		case feed.KindTimeout:
			return "the site took too long to answer"
		case feed.KindTooLarge:
			return "the page is too large"
		case feed.KindHTTP:
			return fmt.Sprintf("the site answered HTTP %d", fe.Status)
		case feed.KindParse:
			return "that is not a feed I can read"
		}
		return "the site could not be reached"
	}
	return "something went wrong on my side"
}
