package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

// Followed stories (issue 15): a reader follows a story from its card or its digest,
// and hears when it develops: at once for the first development, then at most once
// per update window, never in their quiet hours (those wait for the digest).

// maxFollowedStories bounds what one chat follows.
const maxFollowedStories = 50

// Followed-story settings a reader sees.
const defaultQuiet = "22:00-07:00"

// cbFollowStory follows the story of a stored item the chat may see.
func cbFollowStory(ctx context.Context, b *Bot, p press) error {
	item, ok := p.id(0)
	if !ok {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if _, err := b.visibleItem(ctx, p.r.chatID, item); errors.Is(err, storage.ErrNotFound) {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	} else if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	story, err := b.stories.StoryOf(ctx, item)
	if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	if story == 0 {
		b.answer(ctx, p.q.ID, "Only stories from the public feeds can be followed.")
		return nil
	}
	// Updates go to chats the bot knows (time zone, quiet hours, topic): a reader who
	// follows before anything else gets a record, as /start would make.
	if _, err := b.subscriber(ctx, p.r); err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	now := b.opts.Now()
	st, err := b.db.FollowStory(ctx, p.r.chatID, story, now, now.Add(-b.stories.Tracking().FollowFor), maxFollowedStories)
	switch {
	case errors.Is(err, storage.ErrTooManyFollows):
		b.answer(ctx, p.q.ID, fmt.Sprintf("You follow %d stories already: unfollow one in /following first.", maxFollowedStories))
		return nil
	case errors.Is(err, storage.ErrNotFound):
		b.answer(ctx, p.q.ID, "That story has ended.")
		return nil
	case err != nil:
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, "Following: you will hear when this story develops.")
	return b.swapFollowButton(ctx, p, followStoryData(item), func(suffix string) telegram.Button {
		return followButton(st.ID, item, suffix, true)
	})
}

// cbUnfollowStory stops the chat following a story (us:STORY:ITEM; the item redraws
// the follow button).
func cbUnfollowStory(ctx context.Context, b *Bot, p press) error {
	story, ok1 := p.id(0)
	item, ok2 := p.id(1)
	if !ok1 || !ok2 {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if err := b.db.UnfollowStory(ctx, p.r.chatID, story); err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, "You no longer follow this story.")
	old := unfollowStoryData(story, item)
	if strings.Contains(p.q.Message.Text, followingUntil) {
		return b.swapFollowButton(ctx, p, old, nil) // a part of /following loses the row
	}
	return b.swapFollowButton(ctx, p, old, func(suffix string) telegram.Button {
		return followButton(story, item, suffix, false)
	})
}

// swapFollowButton redraws the pressed message's keyboard with the button whose data is
// old replaced by make's (keeping its number), or removed when make is nil.
func (b *Bot) swapFollowButton(ctx context.Context, p press, old string, make func(suffix string) telegram.Button) error {
	rows := p.q.Message.ReplyMarkup.Buttons()
	var out [][]telegram.Button
	found := false
	for _, row := range rows {
		var r []telegram.Button
		for _, btn := range row {
			if btn.Data != old {
				r = append(r, btn)
				continue
			}
			found = true
			if make != nil {
				suffix := strings.TrimPrefix(strings.TrimPrefix(btn.Text, "🔔 Follow story"), "Unfollow story")
				r = append(r, make(suffix))
			}
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	if !found {
		return nil
	}
	return b.editKeyboard(ctx, p.r.chatID, p.q.Message.MessageID, out)
}

// followingTitle starts the /following list, and every story in it says followingUntil.
const (
	followingTitle = "Stories you follow"
	followingUntil = "following until"
)

// cmdFollowing lists the stories the chat follows, each with a button to stop.
func cmdFollowing(ctx context.Context, b *Bot, r *request) error {
	follows, err := b.db.FollowedStories(ctx, r.chatID)
	if err != nil {
		return err
	}
	now := b.opts.Now()
	head := "<b>" + followingTitle + "</b> · following ends by itself a week after a story's last report"
	blocks := []block{{html: head, plain: stripTags(head)}}
	unfollow := map[uint64]telegram.Button{}
	for _, f := range follows {
		if b.stories.Lapsed(f.Story, now) {
			continue
		}
		n := len(blocks)
		until := f.Story.Last.Add(b.stories.Tracking().FollowFor)
		html := fmt.Sprintf("%d. <b>%s</b>\n<i>last report %s · "+followingUntil+" %s</i>", n,
			escape(truncate(cmp.Or(f.Follow.Title, f.Story.Title), 150)), f.Story.Last.UTC().Format("2 Jan 15:04"), until.UTC().Format("2 Jan"))
		blocks = append(blocks, block{html: html, plain: stripTags(html), item: f.Story.ID})
		item := uint64(0)
		if len(f.Story.Reports) > 0 {
			item = f.Story.Reports[len(f.Story.Reports)-1]
		}
		unfollow[f.Story.ID] = telegram.Button{Text: fmt.Sprintf("Unfollow story %d", n), Data: unfollowStoryData(f.Story.ID, item)}
	}
	if len(blocks) == 1 {
		return b.say(ctx, r.chatID, r.thread, "You follow no stories. Press <b>Follow story</b> under a story card or a digest to hear when a story develops.")
	}
	// Fifty follows do not fit one message: each part carries its own buttons.
	parts := pack(blocks, "\n\n")
	for i := range parts {
		for _, id := range parts[i].Items {
			parts[i].Buttons = append(parts[i].Buttons, []telegram.Button{unfollow[id]})
		}
		parts[i].Items = nil
	}
	return b.send(ctx, r.chatID, r.thread, parts, nil)
}

var quietRE = regexp.MustCompile(`^([01]?\d|2[0-3])[:.]([0-5]\d)\s*[-–]\s*([01]?\d|2[0-3])[:.]([0-5]\d)$`)

// parseQuiet reads "/settings quiet 23:00-07:30", "off", or "on" (the default hours).
func parseQuiet(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "off", "none":
		return "off", nil
	case "on", "default":
		return "", nil
	}
	m := quietRE.FindStringSubmatch(s)
	if m == nil {
		return "", errors.New("give quiet hours as 23:00-07:30, or off")
	}
	h1, _ := strconv.Atoi(m[1])
	h2, _ := strconv.Atoi(m[3])
	q := fmt.Sprintf("%02d:%s-%02d:%s", h1, m[2], h2, m[4])
	if q[:5] == q[6:] {
		return "", errors.New("quiet hours must start and end at different times")
	}
	return q, nil
}

// quietText is the quiet hours as a reader reads them.
func (b *Bot) quietText(q string) string {
	switch q {
	case "":
		return b.opts.DefaultQuiet
	case "off":
		return "off"
	}
	return q
}

// quietEnd is when the chat's quiet hours that hold now end (a minute past, on the
// bot's clock).
func (b *Bot) quietEnd(ctx context.Context, chat int64, now time.Time) time.Time {
	sub, err := b.db.Subscriber(ctx, chat)
	if err != nil {
		return now.Add(time.Hour)
	}
	t := now.Truncate(time.Minute)
	for i := 0; i < 24*60 && b.quietNow(sub, t); i++ {
		t = t.Add(time.Minute)
	}
	return t
}

// quietNow reports whether now falls in the subscriber's quiet hours, in their zone.
func (b *Bot) quietNow(s storage.Subscriber, now time.Time) bool {
	q := b.quietText(s.Quiet)
	if q == "off" || len(q) != 11 {
		return false
	}
	mins := func(hhmm string) int {
		h, _ := strconv.Atoi(hhmm[:2])
		m, _ := strconv.Atoi(hhmm[3:5])
		return h*60 + m
	}
	from, to := mins(q[:5]), mins(q[6:])
	local := now.In(zone(s.TimeZone))
	m := local.Hour()*60 + local.Minute()
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// FollowUp places new reports into stories, redraws the recent cards of stories that
// developed, and tells followers whose update is due. The scheduler runs it every
// tick; the App after every batch of polls.
func (b *Bot) FollowUp(ctx context.Context) (err error) {
	// It runs on new reports' text in the scheduler's and the poller's loops: a panic
	// is this pass's error, not the end of the process.
	defer caught("follow up", &err)
	res, err := b.stories.Track(ctx)
	if err != nil {
		return fmt.Errorf("follow up: %w", err)
	}
	if err := b.editStoryCards(ctx, res.Developed, res.Threads); err != nil {
		b.log.Warn("follow up: redraw cards", "error", err)
	}
	return b.deliverStoryUpdates(ctx)
}

// cardEditWindow is how long Telegram lets a bot edit its message.
const cardEditWindow = 48 * time.Hour

// maxCardEdits bounds the cards one pass redraws (each is a card composed anew), and
// maxCardChecks the card records it looks at.
const (
	maxCardEdits  = 500
	maxCardChecks = 4 * maxCardEdits
)

// editStoryCards redraws, in place, the cards of the developed stories sent within the
// edit window (an edit does not notify: the card simply reads the new timeline), one
// per story and chat, to chats the bot may still write to; then the cards of the
// stories they carry on (threads), for the chats that follow the thread, whose cards
// list its developments. At most maxCardEdits a pass, the developed stories' first.
func (b *Bot) editStoryCards(ctx context.Context, developed []uint64, threads map[uint64][]uint64) error {
	now := b.opts.Now()
	var msgs []storage.OutMessage
	type redraw struct {
		story   uint64
		onlyFor []uint64 // only chats following one of these; nil: every chat
	}
	var work []redraw
	for _, story := range developed {
		work = append(work, redraw{story: story})
	}
	for _, story := range slices.Sorted(maps.Keys(threads)) {
		work = append(work, redraw{story, threads[story]})
	}
	// Each chat's follows are read once a pass, each card message redrawn once, and
	// no more than maxCardChecks card records are looked at: opening cards is cheap
	// for a reader, so it must not make every pass expensive.
	follows := map[int64]map[uint64]bool{}
	seen := map[[2]int64]bool{}
	checked := 0
	// Composing runs on the scheduler's loop, before the next pass's digests: many
	// readers each with feeds of their own open cards that each compose anew (found by
	// review: up to 500 of half a second). Past the budget only cards composed already
	// (for a reader who sees the same feeds) are redrawn, so those who came first do not
	// hold up the rest (found by review).
	composing, warned := time.Duration(0), false
pass:
	for _, w := range work {
		cards, err := b.db.StoryCards(ctx, w.story, now.Add(-cardEditWindow))
		if err != nil {
			return err
		}
		for _, c := range cards {
			if len(msgs) >= maxCardEdits || checked >= maxCardChecks {
				b.log.Warn("redrawing cards: too many for one pass; the rest stay as they are", "edits", maxCardEdits, "checks", maxCardChecks)
				break pass
			}
			checked++
			if key := [2]int64{c.Chat, int64(c.Message)}; seen[key] {
				continue
			} else {
				seen[key] = true
			}
			if w.onlyFor != nil {
				fs, ok := follows[c.Chat]
				if !ok {
					if fs, err = b.followedStories(ctx, c.Chat); err != nil {
						return err
					}
					follows[c.Chat] = fs
				}
				if !slices.ContainsFunc(w.onlyFor, func(id uint64) bool { return fs[id] }) {
					continue // its card shows the story's own timeline, unchanged
				}
			}
			sub, err := b.db.Subscriber(ctx, c.Chat)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			if err == nil && !sub.Active {
				continue // it blocked the bot
			}
			rec, err := b.db.MessageRecordFor(ctx, c.Chat, c.Message)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if rec.Kind != storage.KindCard || len(rec.Items) == 0 {
				continue
			}
			spent := composing > b.opts.CardRedrawBudget
			if spent && !warned {
				b.log.Warn("redrawing cards: the pass's time is spent; only cards composed already are redrawn", "budget", b.opts.CardRedrawBudget, "edits", len(msgs))
				warned = true
			}
			start := time.Now()
			parts, err := b.cardPartsOf(ctx, c.Chat, rec.Items[0], spent, nil)
			composing += time.Since(start)
			if err != nil {
				if errors.Is(err, storage.ErrNotFound) || errors.Is(err, stories.ErrNotComposed) || errors.Is(err, stories.ErrBusy) {
					continue // readers' cards hold every composer: this one keeps its last drawing
				}
				return err
			}
			if len(parts) != 1 {
				continue // a card of several messages keeps its first; editing would lose the rest
			}
			msgs = append(msgs, edit(c.Chat, int64(c.Message), parts[0], storage.ClassDigest, nil))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.db.Enqueue(ctx, msgs, now); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

// deliverStoryUpdates settles every follow whose update is due: sent, held for the
// digest (quiet hours), or dropped (the chat is gone, or following lapsed).
func (b *Bot) deliverStoryUpdates(ctx context.Context) error {
	now := b.opts.Now()
	sent := 0
	for range 20 { // each pass settles what it read; a bound in case commits keep conflicting
		due, err := b.db.DueStoryUpdates(ctx, now, 200)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			break
		}
		ss := make([]storage.StorySettlement, 0, len(due))
		for _, f := range due {
			outcome, msgs, err := b.storyUpdate(ctx, f, now)
			if err != nil {
				return err
			}
			s := storage.StorySettlement{Follow: f.Follow, Outcome: outcome, Msgs: msgs}
			if outcome == storage.UpdatePostponed {
				s.Until = b.quietEnd(ctx, f.Follow.Chat, now)
			}
			ss = append(ss, s)
		}
		conflicts, err := b.db.CommitStoryUpdates(ctx, ss, now)
		if err != nil {
			return err
		}
		// A follow that changed meanwhile is read again by the next pass.
		skip := map[int]bool{}
		for _, k := range conflicts {
			skip[k] = true
		}
		for k, s := range ss {
			if !skip[k] && s.Outcome == storage.UpdateSent {
				sent++
			}
		}
		if len(conflicts) == len(ss) {
			break
		}
	}
	if sent > 0 {
		b.stats.storyUpdates.add(int64(sent))
		b.sender.Wake()
	}
	return nil
}

// storyUpdate decides what becomes of a due update and renders it.
func (b *Bot) storyUpdate(ctx context.Context, f storage.FollowedStory, now time.Time) (storage.StoryUpdateOutcome, []storage.OutMessage, error) {
	sub, err := b.db.Subscriber(ctx, f.Follow.Chat)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.UpdateDropped, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if !sub.Active || b.stories.Lapsed(f.Story, now) || len(f.Follow.Pending) == 0 {
		return storage.UpdateDropped, nil, nil
	}
	if b.quietNow(sub, now) {
		if !sub.Subscribed {
			// No digest will carry it: it goes out when the quiet hours end.
			return storage.UpdatePostponed, nil, nil
		}
		return storage.UpdateHeld, nil, nil
	}
	// The title the reader followed, though the story carrying it on may have its own.
	r := RenderStoryUpdate(cmp.Or(f.Follow.Title, f.Story.Title), stories.TimelineOf(f.Follow.Pending))
	// A reply to the update comments on the story's latest report.
	rec := &storage.MessageRecord{Kind: storage.KindDigest, Items: r.Items, First: 1}
	m := message(sub.ChatID, sub.ThreadID, r, rec)
	m.Class = storage.ClassDigest
	return storage.UpdateSent, []storage.OutMessage{m}, nil
}

// followedStories is the set of stories chat follows, with the earlier stories of
// their threads (storage.FollowedThreads).
func (b *Bot) followedStories(ctx context.Context, chat int64) (map[uint64]bool, error) {
	return b.db.FollowedThreads(ctx, chat)
}
