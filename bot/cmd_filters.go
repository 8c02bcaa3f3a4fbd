package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/storage"
)

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
		// A block per line: 30 filters of 200 characters are more than one message holds.
		line := func(html string) block { return block{html: html, plain: stripTags(html)} }
		blocks := []block{line("<b>Filters</b> (RE2 regular expressions, case-insensitive, matched on title and text)")}
		if len(s.Include)+len(s.Exclude) == 0 {
			blocks = append(blocks, line("None yet."))
		}
		var rows [][]telegram.Button
		for i, e := range s.Include {
			blocks = append(blocks, line(fmt.Sprintf("include: <code>%s</code>", escape(e))))
			rows = append(rows, []telegram.Button{{Text: "✕ include " + truncate(e, 30), Data: filterRemoveData(false, i)}})
		}
		for i, e := range s.Exclude {
			blocks = append(blocks, line(fmt.Sprintf("exclude: <code>%s</code>", escape(e))))
			rows = append(rows, []telegram.Button{{Text: "✕ exclude " + truncate(e, 30), Data: filterRemoveData(true, i)}})
		}
		blocks = append(blocks, line("\nAdd: <code>/filters include ukraine|kyiv</code> or <code>/filters exclude football</code>; <code>/filters clear</code> removes all."))
		parts := pack(blocks, "\n")
		parts[len(parts)-1].Buttons = rows
		return b.send(ctx, r.chatID, r.thread, parts, nil)
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

// cbFilterRemove removes include (i) or exclude (e) filter number n.
func cbFilterRemove(ctx context.Context, b *Bot, p press) error {
	i, ok := p.index(1)
	if !ok || (p.args[0] != "i" && p.args[0] != "e") {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if _, err := b.db.UpdateSubscriber(ctx, p.r.chatID, b.newSubscriber(p.r), func(s *storage.Subscriber) error {
		list := &s.Include
		if p.args[0] == "e" {
			list = &s.Exclude
		}
		if i < len(*list) {
			*list = slices.Delete(*list, i, i+1)
		}
		return nil
	}); err != nil {
		b.answer(ctx, p.q.ID, tryAgain)
		return err
	}
	b.answer(ctx, p.q.ID, "Filter removed.")
	return nil
}
