package bot

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
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
		return b.handleEdit(ctx, u.EditedMessage)
	}
	return nil
}

var (
	urlRE         = regexp.MustCompile(`https?://[^\s<>"]+`)
	commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
)

func (b *Bot) handleMessage(ctx context.Context, m *telegram.Message) error {
	if m.From == nil || m.From.IsBot {
		return nil
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
	cmd, args, ok := parseCommand(text, m.Entities, b.Username())
	if !ok && m.ReplyToMessage != nil {
		if handled, err := b.handleReply(ctx, r); handled || err != nil {
			return err
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
			return b.say(ctx, r.chatID, r.thread, "I could not check your permissions in this group; please try again later.")
		}
		if !ok {
			return b.say(ctx, r.chatID, r.thread, "Only the group's administrators can change its settings.")
		}
	}
	return c.run(ctx, b, r)
}

// parseCommand reads "/cmd@botname args" using the bot_command entity at offset 0;
// a command addressed to another bot is not ours.
func parseCommand(text string, ents []telegram.Entity, botName string) (cmd, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
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
	head = strings.TrimPrefix(head, "/")
	name, target, addressed := strings.Cut(head, "@")
	if addressed && !strings.EqualFold(target, botName) {
		return "", "", false
	}
	name = strings.ToLower(name)
	if !commandNameRE.MatchString(name) {
		return "", "", false // Telegram commands are 1-32 of [a-z0-9_]
	}
	return name, args, true
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

func (b *Bot) isGroupAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	if b.isAdmin(userID) {
		return true, nil
	}
	raw, err := b.api.Call(ctx, "getChatMember", map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(userID, 10)})
	if err != nil {
		return false, err
	}
	s := string(raw)
	return strings.Contains(s, `"status":"creator"`) || strings.Contains(s, `"status":"administrator"`), nil
}

// newSubscriber is a subscriber with the defaults.
func (b *Bot) newSubscriber(r *request) func() storage.Subscriber {
	return func() storage.Subscriber {
		s := storage.Subscriber{ChatID: r.chatID, Kind: "private", Active: true,
			TimeZone: b.opts.DefaultZone, Times: b.opts.DefaultTimes, Stories: digest.DefaultMaxStories,
			SummarySentences: digest.DefaultSummarySentences, CreatedAt: b.opts.Now(), ThreadID: r.thread}
		if r.group {
			s.Kind = "group" // a group's record names no member: /forget of a member leaves nothing in it
		} else {
			s.UserID = r.userID
		}
		return s
	}
}

func (b *Bot) subscriber(ctx context.Context, r *request) (storage.Subscriber, error) {
	return b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
		s.Active = true // they wrote to us: the chat works
		return nil
	})
}

// ---- commands ----

func cmdStart(ctx context.Context, b *Bot, r *request) error {
	if id, ok := strings.CutPrefix(r.args, "s_"); ok {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return b.say(ctx, r.chatID, r.thread, "That story link is not valid.")
		}
		return b.sendCard(ctx, r, n)
	}
	if _, err := b.subscriber(ctx, r); err != nil {
		return err
	}
	text := "<b>Hello! I'm newsbot.</b>\nI read news feeds for you and send a digest on your schedule: " +
		"for each story a short summary, the key quote with who said it, and what came before. " +
		"The same story from several outlets appears once.\n\n" +
		"Send me any news link and I'll summarize it. /help lists everything."
	return b.say(ctx, r.chatID, r.thread, text,
		[]telegram.Button{{Text: "Subscribe", Data: "sub:on"}, {Text: "Pick feeds", Data: "feeds:list"}})
}

func cmdHelp(ctx context.Context, b *Bot, r *request) error {
	var sb strings.Builder
	sb.WriteString("<b>Commands</b>\n")
	for _, c := range b.cmds {
		if c.hidden || (c.admin && !b.isAdmin(r.userID)) {
			continue
		}
		fmt.Fprintf(&sb, "/%s — %s\n", c.name, escape(c.desc))
	}
	if b.isAdmin(r.userID) {
		sb.WriteString("/stats — operator statistics\n")
	}
	sb.WriteString("\nOr just send a link to get its summary.")
	return b.say(ctx, r.chatID, r.thread, sb.String())
}

func cmdSubscribe(ctx context.Context, b *Bot, r *request) error {
	s, err := b.setSubscribed(ctx, r, true)
	if err != nil {
		return err
	}
	return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Subscribed. Your next digest comes at %s (%s). Change it with /settings.",
		s.NextDigest.In(zone(s.TimeZone)).Format("15:04 on Mon 2 Jan"), escape(s.TimeZone)))
}

func (b *Bot) setSubscribed(ctx context.Context, r *request, on bool) (storage.Subscriber, error) {
	now := b.opts.Now()
	return b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
		s.Active, s.Subscribed = true, on
		if on {
			if r.thread != 0 {
				s.ThreadID = r.thread
			}
			s.NextDigest = NextDigest(s.Times, s.TimeZone, now)
			if s.LastDigest.IsZero() {
				s.LastDigest = now.Add(-24 * time.Hour)
			}
		}
		return nil
	})
}

func cmdUnsubscribe(ctx context.Context, b *Bot, r *request) error {
	if _, err := b.setSubscribed(ctx, r, false); err != nil {
		return err
	}
	return b.say(ctx, r.chatID, r.thread, "Digests are off. /subscribe turns them back on; your feeds and settings are kept.")
}

func feedsKeyboard(b *Bot, s storage.Subscriber) [][]telegram.Button {
	var rows [][]telegram.Button
	for i, f := range b.opts.Catalogue {
		on := len(s.Feeds) == 0 || slices.Contains(s.Feeds, f)
		mark := "☐"
		if on {
			mark = "☑"
		}
		rows = append(rows, []telegram.Button{{Text: mark + " " + feedLabel(f), Data: fmt.Sprintf("feed:%d", i)}})
	}
	for i, f := range s.OwnFeeds {
		rows = append(rows, []telegram.Button{{Text: "✕ remove " + feedLabel(f), Data: fmt.Sprintf("rm:%d", i)}})
	}
	return rows
}

// feedLabel is a short readable name for a feed URL.
func feedLabel(u string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if len(s) > 48 {
		s = s[:45] + "..."
	}
	return s
}

func cmdFeeds(ctx context.Context, b *Bot, r *request) error {
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	text := "<b>Feeds</b>\nTap a catalogue feed to switch it on or off. Your own feeds (added with /add) are listed with a remove button."
	if len(s.OwnFeeds) == 0 {
		text += "\nYou have no feeds of your own yet."
	}
	return b.say(ctx, r.chatID, r.thread, text, feedsKeyboard(b, s)...)
}

func cmdRemove(ctx context.Context, b *Bot, r *request) error {
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	if len(s.OwnFeeds) == 0 {
		return b.say(ctx, r.chatID, r.thread, "You have no feeds of your own to remove. Catalogue feeds are switched off in /feeds.")
	}
	var rows [][]telegram.Button
	for i, f := range s.OwnFeeds {
		rows = append(rows, []telegram.Button{{Text: "✕ " + feedLabel(f), Data: fmt.Sprintf("rm:%d", i)}})
	}
	return b.say(ctx, r.chatID, r.thread, "Which feed should I remove?", rows...)
}

// Feed discovery on /add: a page may advertise any number of feeds, and each fetch may
// hang until the fetch timeout, so only the first few candidates are tried, all within
// one time budget (Options.DiscoveryBudget).
const maxFeedCandidates = 4

// errNotAFeed and errNoFeedParses are what discovery says when the page holds no feed.
var (
	errNotAFeed     = errors.New("that page is not a feed and links to none")
	errNoFeedParses = errors.New("the feeds that page links to could not be read")
)

// discoverFeed fetches u: a feed is used as is; an HTML page is searched for
// <link rel="alternate"> feed links, and the first of them that parses wins.
func (b *Bot) discoverFeed(ctx context.Context, u string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.DiscoveryBudget)
	defer cancel()
	resp, err := b.fetch.Fetch(ctx, feed.Request{URL: u})
	if err != nil {
		return "", "", err
	}
	if p, err := feed.Parse(resp.Body, resp.ContentType); err == nil {
		return resp.URL, p.Title, nil
	}
	links := feed.DiscoverFeeds(resp.Body, resp.URL)
	if len(links) == 0 {
		return "", "", errNotAFeed
	}
	var last error
	for _, l := range links[:min(len(links), maxFeedCandidates)] {
		r2, err := b.fetch.Fetch(ctx, feed.Request{URL: l})
		if err != nil {
			last = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if p, err := feed.Parse(r2.Body, r2.ContentType); err == nil {
			return l, p.Title, nil
		}
	}
	if last != nil && ctx.Err() != nil {
		return "", "", last
	}
	return "", "", errNoFeedParses
}

func cmdAdd(ctx context.Context, b *Bot, r *request) error {
	u := strings.TrimSpace(r.args)
	if u == "" {
		return b.say(ctx, r.chatID, r.thread, "Send <code>/add https://example.com/feed.xml</code>; a news site's page works too.")
	}
	if why := b.unusableURL(u); why != "" {
		return b.say(ctx, r.chatID, r.thread, why)
	}
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	if len(s.OwnFeeds) >= b.opts.MaxOwnFeeds {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("You already have %d feeds, the most I keep per chat. Remove one with /remove first.", len(s.OwnFeeds)))
	}
	release, err := b.fetches.acquire(ctx, r.userID, 2*time.Second)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, fetchRefusal(err))
	}
	feedURL, title, err := b.discoverFeed(ctx, u)
	release()
	if err != nil {
		b.log.Debug("adding a feed failed", "chat", r.chatID, "url", u, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not add that feed: "+escape(userFacing(err))+".")
	}
	if slices.Contains(s.OwnFeeds, feedURL) || b.stories.Public(feedURL) {
		return b.say(ctx, r.chatID, r.thread, "You already read that feed.")
	}
	now := b.opts.Now()
	if b.feedAddAllowance(r.userID, now) < 1 {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("You have added %d feeds in the last day, the most I take from one reader. Please try again tomorrow.", feedAddsPerDay))
	}
	_, added, err := b.db.AddOwnFeeds(ctx, r.chatID, b.newSubscriber(r), []string{feedURL}, b.opts.Catalogue,
		storage.FeedLimits{PerChat: b.opts.MaxOwnFeeds, Global: b.opts.MaxReaderFeeds})
	b.spendFeedAdds(r.userID, len(added), now)
	if err != nil {
		if errors.Is(err, storage.ErrLimit) {
			return b.say(ctx, r.chatID, r.thread, "I cannot take on more feeds right now: the limit of feeds readers may add is reached. Please try again later, or pick from /feeds.")
		}
		return err
	}
	name := title
	if name == "" {
		name = feedURL
	}
	return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Added <b>%s</b>. Its stories will be in your next digest.", escape(name)))
}

// unusableURL says why a web address cannot be fetched at all, before any network
// access; "" when it may be tried. Addresses that name a private host are refused
// here, by their text; what a name resolves to is checked by the fetcher and never
// reported in detail (that would make /add a probe of the network newsbot runs in).
func (b *Bot) unusableURL(raw string) string {
	u, err := feed.CheckURL(raw)
	if err != nil {
		return "That is not a web address I can use: only public http:// and https:// addresses work."
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	port := uint16(80)
	if u.Scheme == "https" {
		port = 443
	}
	if p, err := strconv.ParseUint(u.Port(), 10, 16); err == nil {
		port = uint16(p)
	}
	private := host == "localhost" || strings.HasSuffix(host, ".localhost")
	if private && b.fetch.Permits(netip.AddrPortFrom(netip.IPv6Loopback(), port)) {
		private = false // the operator allows private networks (tests, intranets)
	}
	if ip, err := netip.ParseAddr(host); err == nil && !b.fetch.Permits(netip.AddrPortFrom(ip, port)) {
		private = true
	}
	if private {
		return "That address is not on the public internet."
	}
	return ""
}

func cmdFilters(ctx context.Context, b *Bot, r *request) error {
	kind, expr, _ := strings.Cut(strings.TrimSpace(r.args), " ")
	kind = strings.ToLower(kind)
	expr = strings.TrimSpace(expr)
	switch strings.ToLower(kind) {
	case "":
		s, err := b.subscriber(ctx, r)
		if err != nil {
			return err
		}
		var sb strings.Builder
		sb.WriteString("<b>Filters</b> (RE2 regular expressions, case-insensitive, matched on title and text)\n")
		if len(s.Include)+len(s.Exclude) == 0 {
			sb.WriteString("None yet.\n")
		}
		var rows [][]telegram.Button
		for i, e := range s.Include {
			fmt.Fprintf(&sb, "include: <code>%s</code>\n", escape(e))
			rows = append(rows, []telegram.Button{{Text: "✕ include " + truncate(e, 30), Data: fmt.Sprintf("flt:i:%d", i)}})
		}
		for i, e := range s.Exclude {
			fmt.Fprintf(&sb, "exclude: <code>%s</code>\n", escape(e))
			rows = append(rows, []telegram.Button{{Text: "✕ exclude " + truncate(e, 30), Data: fmt.Sprintf("flt:e:%d", i)}})
		}
		sb.WriteString("\nAdd: <code>/filters include ukraine|kyiv</code> or <code>/filters exclude football</code>; <code>/filters clear</code> removes all.")
		return b.say(ctx, r.chatID, r.thread, sb.String(), rows...)
	case "clear":
		if _, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			s.Include, s.Exclude = nil, nil
			return nil
		}); err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, "All filters removed.")
	case "include", "exclude":
		if expr == "" {
			return b.say(ctx, r.chatID, r.thread, "Give an expression, e.g. <code>/filters include ukraine|kyiv</code>.")
		}
		if len(expr) > 200 {
			return b.say(ctx, r.chatID, r.thread, "That expression is too long (200 characters at most).")
		}
		probe := digest.Preferences{}
		if kind == "include" {
			probe.Include = []string{expr}
		} else {
			probe.Exclude = []string{expr}
		}
		if _, err := probe.CompileFilters(); err != nil {
			return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
		}
		if _, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			if len(s.Include)+len(s.Exclude) >= 30 {
				return errTooManyFilters
			}
			if kind == "include" {
				s.Include = append(s.Include, expr)
			} else {
				s.Exclude = append(s.Exclude, expr)
			}
			return nil
		}); err != nil {
			if errors.Is(err, errTooManyFilters) {
				return b.say(ctx, r.chatID, r.thread, "You have 30 filters, the most I keep. Remove some with /filters.")
			}
			return err
		}
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("Added %s filter <code>%s</code>.", kind, escape(expr)))
	}
	return b.say(ctx, r.chatID, r.thread, "Use <code>/filters include &lt;expression&gt;</code>, <code>/filters exclude &lt;expression&gt;</code> or <code>/filters clear</code>.")
}

var errTooManyFilters = errors.New("too many filters")

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

func settingsText(s storage.Subscriber) string {
	state := "off"
	if s.Subscribed {
		state = "on, next at " + s.NextDigest.In(zone(s.TimeZone)).Format("15:04 Mon 2 Jan")
	}
	return fmt.Sprintf("<b>Settings</b>\nDigests: %s\nTimes: %s\nTime zone: %s\nStories per digest: %d\nSummary sentences: %d\n\n"+
		"Change times: <code>/settings time 08:00, 18:30</code>\nChange zone: <code>/settings tz Kyiv</code> (a city, Europe/Kyiv or +2)",
		escape(state), escape(strings.Join(s.Times, ", ")), escape(s.TimeZone), s.Stories, s.SummarySentences)
}

func settingsKeyboard() [][]telegram.Button {
	return [][]telegram.Button{
		{{Text: "3 stories", Data: "set:n:3"}, {Text: "5", Data: "set:n:5"}, {Text: "8", Data: "set:n:8"}, {Text: "12", Data: "set:n:12"}},
		{{Text: "1 sentence", Data: "set:k:1"}, {Text: "2", Data: "set:k:2"}, {Text: "3", Data: "set:k:3"}},
	}
}

func cmdSettings(ctx context.Context, b *Bot, r *request) error {
	what, value, _ := strings.Cut(strings.TrimSpace(r.args), " ")
	value = strings.TrimSpace(value)
	now := b.opts.Now()
	var reply string
	update := func(fn func(s *storage.Subscriber)) (storage.Subscriber, error) {
		return b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
			fn(s)
			if s.Subscribed {
				s.NextDigest = NextDigest(s.Times, s.TimeZone, now)
			}
			return nil
		})
	}
	switch strings.ToLower(what) {
	case "":
		s, err := b.subscriber(ctx, r)
		if err != nil {
			return err
		}
		return b.say(ctx, r.chatID, r.thread, settingsText(s), settingsKeyboard()...)
	case "time", "times":
		times, err := ParseTimes(value)
		if err != nil {
			return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
		}
		s, err := update(func(s *storage.Subscriber) { s.Times = times })
		if err != nil {
			return err
		}
		reply = fmt.Sprintf("Digests at %s (%s).", escape(strings.Join(s.Times, ", ")), escape(s.TimeZone))
	case "tz", "zone", "timezone":
		name, understood, err := ParseZone(value)
		if err != nil {
			return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
		}
		if _, err := update(func(s *storage.Subscriber) { s.TimeZone = name }); err != nil {
			return err
		}
		reply = "Time zone set: " + escape(understood) + "."
	case "stories":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 20 {
			return b.say(ctx, r.chatID, r.thread, "Stories per digest must be a number from 1 to 20.")
		}
		if _, err := update(func(s *storage.Subscriber) { s.Stories = n }); err != nil {
			return err
		}
		reply = fmt.Sprintf("Up to %d stories per digest.", n)
	case "length", "sentences":
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 5 {
			return b.say(ctx, r.chatID, r.thread, "Summary length must be 1 to 5 sentences.")
		}
		if _, err := update(func(s *storage.Subscriber) { s.SummarySentences = n }); err != nil {
			return err
		}
		reply = fmt.Sprintf("Summaries of %d sentences.", n)
	case "relay":
		on := strings.EqualFold(value, "on")
		if !on && !strings.EqualFold(value, "off") {
			return b.say(ctx, r.chatID, r.thread, "Use <code>/settings relay on</code> or <code>off</code>: whether this chat receives discussion comments.")
		}
		if _, err := update(func(s *storage.Subscriber) { s.RelayComments = on }); err != nil {
			return err
		}
		reply = "Discussion comments will " + map[bool]string{true: "be relayed here.", false: "not be relayed here."}[on]
	case "topic":
		if !r.group || r.thread == 0 {
			return b.say(ctx, r.chatID, r.thread, "Send <code>/settings topic</code> inside the forum topic where digests should go.")
		}
		if _, err := update(func(s *storage.Subscriber) { s.ThreadID = r.thread }); err != nil {
			return err
		}
		reply = "Digests will be posted in this topic."
	default:
		return b.say(ctx, r.chatID, r.thread, "I know <code>/settings time</code>, <code>tz</code>, <code>stories</code>, <code>length</code> and <code>topic</code>.")
	}
	return b.say(ctx, r.chatID, r.thread, reply)
}

func cmdDigest(ctx context.Context, b *Bot, r *request) error {
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	now := b.opts.Now()
	if !b.digestAllowed(r.chatID, now) {
		return b.say(ctx, r.chatID, r.thread, "You asked for a digest a moment ago; the next one can be asked for in a minute.")
	}
	msgs, err := b.buildDigest(ctx, s, now)
	if err != nil {
		b.log.Error("building a digest failed", "chat", r.chatID, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not build your digest just now; please try again later.")
	}
	if len(msgs) == 0 {
		when := "yet"
		if !s.LastDigest.IsZero() {
			when = "since your last digest at " + s.LastDigest.In(zone(s.TimeZone)).Format("15:04 Mon 2 Jan")
		}
		return b.say(ctx, r.chatID, r.thread, "Nothing new "+escape(when)+".")
	}
	for i := range msgs {
		if r.thread != 0 {
			msgs[i].Params["message_thread_id"] = strconv.Itoa(r.thread)
		}
	}
	if err := b.db.CommitDigest(ctx, r.chatID, msgs, s.LastDigest, now, s.NextDigest); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return b.say(ctx, r.chatID, r.thread, "Your digest is on its way.")
		}
		return err
	}
	b.sender.Wake()
	return nil
}

// ownFeeds are the feeds the chat of r added (none when it has no subscriber yet).
func (b *Bot) ownFeeds(ctx context.Context, chatID int64) ([]string, error) {
	s, err := b.db.Subscriber(ctx, chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.OwnFeeds, nil
}

// reader is what the chat may see besides the public feeds: its own feeds.
func (b *Bot) reader(ctx context.Context, chatID int64) (stories.Reader, error) {
	own, err := b.ownFeeds(ctx, chatID)
	return stories.Reader{OwnFeeds: own}, err
}

// visibleItem returns stored item id if the chat may see it, else storage.ErrNotFound.
func (b *Bot) visibleItem(ctx context.Context, chatID int64, id uint64) (storage.Item, error) {
	r, err := b.reader(ctx, chatID)
	if err != nil {
		return storage.Item{}, err
	}
	return b.stories.Visible(ctx, id, r)
}

// sendCard sends the story card of a stored item, as the chat may see it.
func (b *Bot) sendCard(ctx context.Context, r *request, id uint64) error {
	reader, err := b.reader(ctx, r.chatID)
	if err != nil {
		return err
	}
	card, err := b.stories.CardFor(ctx, id, reader)
	if errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("I have no story %d (it may have been pruned).", id))
	}
	if err != nil {
		return err
	}
	parts := RenderCard(card)
	comments, err := b.db.ThreadComments(ctx, id)
	if err != nil {
		return err
	}
	if len(parts) > 0 {
		last := &parts[len(parts)-1]
		note := fmt.Sprintf("💬 %d comments · reply to this message to join the discussion", len(comments))
		last.HTML += "\n\n<i>" + escape(note) + "</i>"
		last.Plain += "\n\n" + note
		last.Buttons = append(last.Buttons, []telegram.Button{
			{Text: fmt.Sprintf("Discussion (%d)", len(comments)), Data: fmt.Sprintf("th:%d:0", id)},
			{Text: "Follow discussion", Data: fmt.Sprintf("fl:%d", id)},
		})
		if b.Username() != "" {
			last.Buttons = append(last.Buttons, []telegram.Button{{Text: "Share", URL: fmt.Sprintf("https://t.me/%s?start=s_%d", b.Username(), id)}})
		}
	}
	return b.send(ctx, r.chatID, r.thread, parts, func(Rendered) *storage.MessageRecord {
		return &storage.MessageRecord{Kind: storage.KindCard, Items: []uint64{id}}
	})
}

func cmdSummary(ctx context.Context, b *Bot, r *request) error {
	arg := strings.TrimSpace(r.args)
	if arg == "" {
		return b.say(ctx, r.chatID, r.thread, "Send <code>/summary https://…</code> or <code>/summary 123</code> (a story number from a digest).")
	}
	if id, err := strconv.ParseUint(arg, 10, 64); err == nil {
		return b.sendCard(ctx, r, id)
	}
	if !b.limiter(r.userID).summaries.Allow() {
		return b.say(ctx, r.chatID, r.thread, "You asked for many summaries in a short time. Please wait a minute.")
	}
	u := urlRE.FindString(arg)
	if u == "" {
		return b.say(ctx, r.chatID, r.thread, "That is not a link I can read.")
	}
	canon := feed.CanonicalURL(u)
	if canon == "" {
		return b.say(ctx, r.chatID, r.thread, "That is not a link I can read.")
	}
	if why := b.unusableURL(canon); why != "" {
		return b.say(ctx, r.chatID, r.thread, why)
	}
	release, err := b.fetches.acquire(ctx, r.userID, 2*time.Second)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, fetchRefusal(err))
	}
	card, err := b.stories.CardForURL(ctx, canon)
	release()
	if err != nil {
		b.log.Debug("summary fetch failed", "chat", r.chatID, "url", canon, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not read that page: "+escape(userFacing(err))+".")
	}
	return b.send(ctx, r.chatID, r.thread, RenderCard(card), nil)
}

// userFacing says in a few words why a fetch failed, without any detail of the network
// (addresses, resolver answers, TLS errors), which goes to the debug log instead.
func userFacing(err error) string {
	var fe *feed.FetchError
	switch {
	case errors.Is(err, errNotAFeed), errors.Is(err, errNoFeedParses):
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

func cmdForget(ctx context.Context, b *Bot, r *request) error {
	what := "subscription, feeds, filters and settings"
	if !r.group {
		what += ", and your comments (replies to them stay, under “comment deleted”), your name and your profile"
	}
	return b.say(ctx, r.chatID, r.thread, "Delete everything I store about this chat: "+what+"? This cannot be undone.",
		[]telegram.Button{{Text: "Yes, delete", Data: "forget:yes"}, {Text: "Cancel", Data: "forget:no"}})
}

func cmdStats(ctx context.Context, b *Bot, r *request) error {
	var total, active, subscribed int
	if err := b.db.Subscribers(ctx, func(s storage.Subscriber) error {
		total++
		if s.Active {
			active++
		}
		if s.Active && s.Subscribed {
			subscribed++
		}
		return nil
	}); err != nil {
		return err
	}
	st, err := b.db.Stats(ctx)
	if err != nil {
		return err
	}
	readerFeeds, err := b.db.ReaderFeedCount(ctx)
	if err != nil {
		return err
	}
	depth, oldest, err := b.db.OutboxStats(ctx, b.opts.Now())
	if err != nil {
		return err
	}
	bs := b.Stats()
	var ps feed.PollerStats
	if b.opts.PollerStats != nil {
		ps = b.opts.PollerStats()
	}
	text := fmt.Sprintf("<b>Stats</b>\nChats: %d (active %d, subscribed %d)\nFeeds: %d (broken %d); readers' feeds %d of %d allowed (%d per chat)\n"+
		"Items: %d; left out by the per-poll cap: %d; page fetches over budget: %d\n"+
		"Outbox: %d queued, oldest %s\nSent: %d, failed attempts: %d, 429s: %d, dropped: %d, chats deactivated: %d\n"+
		"Digests queued since start: %d; filters out of time: %d; items left out by window caps: %d\nUpdates dropped (flood or full queue): %d",
		total, active, subscribed, st.Feeds, st.BrokenFeeds, readerFeeds, b.opts.MaxReaderFeeds, b.opts.MaxOwnFeeds,
		st.Items, ps.ItemsCapped, ps.PagesCapped, depth, oldest.Round(time.Second),
		bs.Sent, bs.Failed, bs.TooMany, bs.Dropped, bs.Deactivated, bs.Digests, bs.FilterBudgetHits, bs.WindowDropped, bs.UpdatesDropped)
	return b.say(ctx, r.chatID, r.thread, text)
}
