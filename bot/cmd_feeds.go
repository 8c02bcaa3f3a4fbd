package bot

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
)

func feedsKeyboard(b *Bot, s storage.Subscriber) [][]telegram.Button {
	var rows [][]telegram.Button
	for i, f := range b.opts.Catalogue {
		on := len(s.Feeds) == 0 || slices.Contains(s.Feeds, f)
		mark := "☐"
		if on {
			mark = "☑"
		}
		rows = append(rows, []telegram.Button{{Text: mark + " " + feedLabel(f), Data: feedToggleData(i)}})
	}
	for i, f := range s.OwnFeeds {
		rows = append(rows, []telegram.Button{{Text: "✕ remove " + feedLabel(f), Data: feedRemoveData(i)}})
	}
	return rows
}

// feedLabel is a short readable name for a feed URL.
func feedLabel(u string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if len(s) > 48 {
		cut := 45
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // a whole letter: an address may name its host in any script
		}
		s = s[:cut] + "..."
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
	switch {
	case r.chatID < 0 && len(s.OwnFeeds) > 0 && b.opts.FeedsPerDay.Items > 0:
		// A member's use covers their other chats too: theirs to see, not the group's.
		text += "\nA feed added here counts against the daily allowance of the member who added it; /feeds in a private chat with me shows you yours."
	case r.chatID > 0:
		line, err := b.allowanceLine(ctx, r.userID, len(s.OwnFeeds) > 0)
		if err != nil {
			return err
		}
		text += line
	}
	return b.say(ctx, r.chatID, r.thread, text, feedsKeyboard(b, s)...)
}

// allowanceLine tells the reader how much of the day's allowance the feeds they added
// used (in this chat and in groups), so a reader whose feeds stopped bringing news, or
// full texts, knows why. Empty when there is no allowance, or nothing to tell.
func (b *Bot) allowanceLine(ctx context.Context, user int64, ownFeeds bool) (string, error) {
	lim := b.opts.FeedsPerDay
	if lim.Items <= 0 || lim.Bytes <= 0 || lim.Pages <= 0 || user == 0 {
		return "", nil
	}
	u, err := b.db.FeedUsage(ctx, user, b.opts.Now().UTC().Format("2006-01-02"))
	if err != nil {
		return "", err
	}
	if !ownFeeds && u.Items == 0 && u.Pages == 0 && u.PollTime == 0 && u.PageTime == 0 {
		return "", nil // no feeds here, and none added in groups used anything today
	}
	line := fmt.Sprintf("\nToday (UTC) the feeds you added stored %d of your %d items and %s of your %s of text, and had %d of your %d article pages fetched.",
		u.Items, lim.Items, mebibytes(u.Bytes), mebibytes(lim.Bytes), u.Pages, lim.Pages)
	if lim.PollTime > 0 && lim.PageTime > 0 {
		line += fmt.Sprintf(" Polling them took %d of your %d minutes, and their pages %d of your %d.",
			u.PollTime/time.Minute, lim.PollTime/time.Minute, u.PageTime/time.Minute, lim.PageTime/time.Minute)
	}
	switch {
	case lim.PollTime > 0 && u.PollTime >= lim.PollTime:
		line += " That is the day's polling time: they wait until tomorrow (UTC), and what they publish meanwhile comes then, if they still list it."
	case u.Items >= lim.Items || u.Bytes >= lim.Bytes:
		line += " That is the day's allowance: what they publish beyond it waits until tomorrow, if they still list it."
	case u.Pages >= lim.Pages || lim.PageTime > 0 && u.PageTime >= lim.PageTime:
		line += " That is the day's allowance of pages: until tomorrow their items keep the text the feed gives."
	}
	return line, nil
}

// mebibytes renders n bytes as "1.5 MiB".
func mebibytes(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
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
		rows = append(rows, []telegram.Button{{Text: "✕ " + feedLabel(f), Data: feedRemoveData(i)}})
	}
	return b.say(ctx, r.chatID, r.thread, "Which feed should I remove?", rows...)
}

// Feed discovery on /add: a page may advertise any number of feeds, and each fetch may
// hang until the fetch timeout, so only the first few candidates are tried, all within
// one time budget (Options.DiscoveryBudget).
const maxFeedCandidates = 4

// discoverFeed fetches u: a feed is used as is; an HTML page is searched for
// <link rel="alternate"> feed links, and the first of them that parses wins.
func (b *Bot) discoverFeed(ctx context.Context, u string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.DiscoveryBudget)
	defer cancel()
	resp, err := b.fetch.Fetch(ctx, feed.Request{URL: u})
	if err != nil {
		return "", "", err
	}
	if p, err := feed.ParseResponse(ctx, resp); err == nil {
		if len(resp.URL) > storage.MaxURLBytes {
			return "", "", errLongAddress // where the site's redirects ended
		}
		return resp.URL, p.Title, nil
	}
	links, err := feed.DiscoverFeedsContext(ctx, resp.Body, resp.URL)
	if err != nil {
		return "", "", err
	}
	if len(links) == 0 {
		return "", "", errNotAFeed
	}
	links = slices.DeleteFunc(links, func(l string) bool { return len(l) > storage.MaxURLBytes })
	if len(links) == 0 {
		return "", "", errLongAddress
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
		if p, err := feed.ParseResponse(ctx, r2); err == nil {
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
	// Checked again when the feed is added; here so that a reader at the limit does not
	// have pages fetched for nothing (found by review).
	if full, err := b.keepsMostFeeds(ctx, r.userID, u); err != nil {
		return err
	} else if full {
		return b.say(ctx, r.chatID, r.thread, b.accountFull())
	}
	fctx, release, err := b.acquireFetch(ctx, r.userID)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, fetchRefusal(err))
	}
	defer release(nil) // a panic must not keep the slot; released below when the fetch ends
	feedURL, title, err := b.discoverFeed(fctx, u)
	release(err)
	if err != nil && yielded(fctx) {
		return b.say(ctx, r.chatID, r.thread, yieldedNote)
	}
	if err != nil {
		b.log.Debug("adding a feed failed", "chat", r.chatID, "url", u, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not add that feed: "+escape(userFacing(err))+".")
	}
	if slices.Contains(s.OwnFeeds, feedURL) || b.stories.Public(feedURL) {
		return b.say(ctx, r.chatID, r.thread, "You already read that feed.")
	}
	var (
		added    []string
		spentDay bool
	)
	b.addFeeds(r.userID, b.opts.Now(), func(allowed int) int {
		if allowed < 1 {
			spentDay = true
			return 0
		}
		_, added, err = b.db.AddOwnFeeds(ctx, r.chatID, r.userID, b.newSubscriber(r), []string{feedURL}, b.opts.Catalogue, b.feedLimits())
		return max(len(added), refusedAdd(err))
	})
	if spentDay {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("You have added %d feeds in the last day, the most I take from one reader. Please try again tomorrow.", feedAddsPerDay))
	}
	if err != nil {
		if errors.Is(err, storage.ErrAccountLimit) {
			return b.say(ctx, r.chatID, r.thread, b.accountFull())
		}
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

// refusedAdd is what an add refused at a cap costs of the day's allowance: one, since
// with the readers' feeds full it read who keeps which to look for room (found by
// review); nothing when the reader's own count refused it, which is checked first.
func refusedAdd(err error) int {
	if errors.Is(err, storage.ErrLimit) && !errors.Is(err, storage.ErrAccountLimit) {
		return 1
	}
	return 0
}

// feedLimits are the caps AddOwnFeeds keeps to. Over the global cap an add takes a
// feed from readers keeping more than the adder then would and more than
// Options.FeedFloor, and each chat that lost feeds is told once.
func (b *Bot) feedLimits() storage.FeedLimits {
	return storage.FeedLimits{PerChat: b.opts.MaxOwnFeeds, Global: b.opts.MaxReaderFeeds, PerAccount: b.opts.MaxUserFeeds, Floor: b.opts.FeedFloor,
		MakeRoom: func(s storage.Subscriber, urls []string) []storage.OutMessage {
			html := fmt.Sprintf("To make room for another reader's feed, I removed %s from the feeds here: the room for feeds readers add is full, and it is made from readers keeping more feeds than the one adding, none cut below %d. /feeds lists the feeds here.",
				feedLabels(urls), b.opts.FeedFloor)
			m := message(s.ChatID, s.ThreadID, Rendered{HTML: html, Plain: stripTags(html)}, nil)
			m.Created = b.opts.Now()
			return []storage.OutMessage{m}
		},
		Returned: func(s storage.Subscriber, urls []string) []storage.OutMessage {
			html := fmt.Sprintf("While I was away from this chat, the room for feeds readers add filled up, so %s did not come back. /add adds a feed again: it makes room from readers keeping more feeds.",
				feedLabels(urls))
			m := message(s.ChatID, s.ThreadID, Rendered{HTML: html, Plain: stripTags(html)}, nil)
			m.Created = b.opts.Now()
			return []storage.OutMessage{m}
		}}
}

// feedLabels names feeds in bold, joined by commas.
func feedLabels(urls []string) string {
	labels := make([]string, len(urls))
	for i, u := range urls {
		labels[i] = "<b>" + escape(feedLabel(u)) + "</b>"
	}
	return strings.Join(labels, ", ")
}

// keepsMostFeeds reports whether user keeps as many feeds as one reader may, none of
// them on rawURL's site ("" for any): an address on a site of theirs may lead to a
// feed they keep, which costs nothing more, so it is looked up (found by review).
func (b *Bot) keepsMostFeeds(ctx context.Context, user int64, rawURL string) (bool, error) {
	mine, err := b.db.AccountFeeds(ctx, user)
	if err != nil || len(mine) < b.opts.MaxUserFeeds {
		return false, err
	}
	if rawURL == "" {
		return true, nil
	}
	site := siteOf(rawURL)
	return !slices.ContainsFunc(mine, func(u string) bool { return siteOf(u) == site }), nil
}

// siteOf is an address's host (and port, when it names one), lower-case, without
// "www." and a trailing dot.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	site := strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), "www.")
	if p := u.Port(); p != "" {
		site += ":" + p
	}
	return site
}

// accountFull tells a reader who keeps as many feeds as one reader may.
func (b *Bot) accountFull() string {
	return fmt.Sprintf("You keep %d feeds over your chat and the groups you added feeds to, the most I take from one reader. Remove one with /remove where you added it first (in a group, its administrators can); a group I was removed from lets go of its feeds after 30 days.", b.opts.MaxUserFeeds)
}

// unusableURL says why a web address cannot be fetched at all, before any network
// access; "" when it may be tried. Addresses that name a private host are refused
// here, by their text; what a name resolves to is checked by the fetcher and never
// reported in detail (that would make /add a probe of the network newsbot runs in).
func (b *Bot) unusableURL(raw string) string {
	if len(strings.TrimSpace(raw)) > storage.MaxURLBytes {
		return tooLongAddress
	}
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

// cbFeedList is the Pick feeds button under /start.
func cbFeedList(ctx context.Context, b *Bot, p press) error {
	b.answer(ctx, p.q.ID, "")
	return cmdFeeds(ctx, b, p.r)
}

// cbFeedToggle turns catalogue feed i on or off.
func cbFeedToggle(ctx context.Context, b *Bot, p press) error {
	i, ok := p.index(0)
	if !ok {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	return b.editFeeds(ctx, p, func(s *storage.Subscriber) string {
		if i >= len(b.opts.Catalogue) {
			return staleButton
		}
		f := b.opts.Catalogue[i]
		if len(s.Feeds) == 0 {
			s.Feeds = append([]string{}, b.opts.Catalogue...) // all were on
		}
		note := ""
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
		return note
	})
}

// cbFeedRemove removes the chat's own feed i.
func cbFeedRemove(ctx context.Context, b *Bot, p press) error {
	i, ok := p.index(0)
	if !ok {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	return b.editFeeds(ctx, p, func(s *storage.Subscriber) string {
		if i >= len(s.OwnFeeds) {
			return "That feed is already gone."
		}
		note := "Removed " + feedLabel(s.OwnFeeds[i])
		s.OwnFeeds = slices.Delete(s.OwnFeeds, i, i+1)
		return note
	})
}

// editFeeds applies change to the chat's feeds, tells the reader what changed, and
// redraws the feeds keyboard in place.
func (b *Bot) editFeeds(ctx context.Context, p press, change func(*storage.Subscriber) string) error {
	var note string
	s, err := b.db.UpdateSubscriber(ctx, p.r.chatID, b.newSubscriber(p.r), func(s *storage.Subscriber) error {
		note = change(s)
		return nil
	})
	if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, note)
	if !p.onItsMessage() {
		return nil
	}
	return b.editKeyboard(ctx, p.r.chatID, p.q.Message.MessageID, feedsKeyboard(b, s))
}
