package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
)

func (b *Bot) settingsText(s storage.Subscriber) string {
	state := "off"
	if s.Subscribed {
		state = "on, next at " + s.NextDigest.In(zone(s.TimeZone)).Format("15:04 Mon 2 Jan")
	}
	return fmt.Sprintf("<b>Settings</b>\nDigests: %s\nTimes: %s\nTime zone: %s\nStories per digest: %d\nSummary sentences: %d\nQuiet hours for story updates: %s\n\n"+
		"Change times: <code>/settings time 08:00, 18:30</code>\nChange zone: <code>/settings tz Kyiv</code> (a city, Europe/Kyiv or +2)\n"+
		"Quiet hours: <code>/settings quiet 23:00-07:30</code> or <code>quiet off</code>",
		escape(state), escape(strings.Join(s.Times, ", ")), escape(s.TimeZone), s.Stories, s.SummarySentences, escape(b.quietText(s.Quiet)))
}

func settingsKeyboard() [][]telegram.Button {
	return [][]telegram.Button{
		{{Text: "3 stories", Data: settingData(settingStories, 3)}, {Text: "5", Data: settingData(settingStories, 5)}, {Text: "8", Data: settingData(settingStories, 8)}, {Text: "12", Data: settingData(settingStories, 12)}},
		{{Text: "1 sentence", Data: settingData(settingSentences, 1)}, {Text: "2", Data: settingData(settingSentences, 2)}, {Text: "3", Data: settingData(settingSentences, 3)}},
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
		return b.say(ctx, r.chatID, r.thread, b.settingsText(s), settingsKeyboard()...)
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
		name, understood, err := ParseZone(value, b.opts.Now())
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
	case "quiet":
		q, err := parseQuiet(value)
		if err != nil {
			return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
		}
		if _, err := update(func(s *storage.Subscriber) { s.Quiet = q }); err != nil {
			return err
		}
		reply = "Quiet hours for story updates: " + escape(b.quietText(q)) + "."
	case "topic":
		if !r.group || r.thread == 0 {
			return b.say(ctx, r.chatID, r.thread, "Send <code>/settings topic</code> inside the forum topic where digests should go.")
		}
		if _, err := update(func(s *storage.Subscriber) { s.ThreadID = r.thread }); err != nil {
			return err
		}
		reply = "Digests will be posted in this topic."
	default:
		return b.say(ctx, r.chatID, r.thread, "I know <code>/settings time</code>, <code>tz</code>, <code>stories</code>, <code>length</code>, <code>quiet</code> and <code>topic</code>.")
	}
	return b.say(ctx, r.chatID, r.thread, reply)
}

// cbSetting sets stories per digest (n, 1–20) or summary sentences (k, 1–5).
func cbSetting(ctx context.Context, b *Bot, p press) error {
	which := setting(p.args[0])
	n, err := strconv.Atoi(p.args[1])
	valid := err == nil && ((which == settingStories && n >= 1 && n <= 20) || (which == settingSentences && n >= 1 && n <= 5))
	if !valid {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	s, err := b.db.UpdateSubscriber(ctx, p.r.chatID, b.newSubscriber(p.r), func(s *storage.Subscriber) error {
		if which == settingStories {
			s.Stories = n
		} else {
			s.SummarySentences = n
		}
		return nil
	})
	if err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, "Saved.")
	if !p.onItsMessage() {
		return nil
	}
	return b.editText(ctx, p.r.chatID, p.q.Message.MessageID, b.settingsText(s), settingsKeyboard())
}
