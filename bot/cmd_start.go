package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

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
		[]telegram.Button{{Text: "Subscribe", Data: subscribeData(true)}, {Text: "Pick feeds", Data: feedListData}})
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
	// Made active first, which fits the chat's own feeds under the readers' cap if it
	// comes back (found by review: this set it active and brought them all back).
	if _, err := b.subscriber(ctx, r); err != nil {
		return storage.Subscriber{}, err
	}
	return b.db.UpdateSubscriber(ctx, r.chatID, nil, func(s *storage.Subscriber) error {
		s.Subscribed = on
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

// cbSubscribe is the Subscribe button under /start.
func cbSubscribe(ctx context.Context, b *Bot, p press) error {
	on := p.args[0] == "on"
	s, err := b.setSubscribed(ctx, p.r, on)
	if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	if on {
		b.answer(ctx, p.q.ID, "Subscribed: next digest at "+s.NextDigest.In(zone(s.TimeZone)).Format("15:04"))
	} else {
		b.answer(ctx, p.q.ID, "Digests are off.")
	}
	return nil
}
