package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/feed"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

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
// Composing a card takes half a second of a core, so each reader has an hour's share
// of it (Options.ReaderCardTime), charged by the time composing takes, not waiting.
func (b *Bot) sendCard(ctx context.Context, r *request, id uint64) error {
	budget := b.limiter(r.userID).cardTime
	if !b.budgetLeft(budget) {
		return b.say(ctx, r.chatID, r.thread, "You opened many stories in the last hour, and each takes me a moment to prepare. Please try again in a few minutes.")
	}
	var composing time.Duration // waits are not charged (found by review: a reader refused as busy paid)
	parts, err := b.cardPartsOf(ctx, r.chatID, id, false, &composing)
	spend(budget, composing)
	if errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("I have no story %d (it may have been pruned).", id))
	}
	if errors.Is(err, stories.ErrBusy) {
		return b.say(ctx, r.chatID, r.thread, "Many stories are being prepared for readers right now. Please try again in a minute.")
	}
	if err != nil {
		return err
	}
	return b.send(ctx, r.chatID, r.thread, parts, func(Rendered) *storage.MessageRecord {
		return &storage.MessageRecord{Kind: storage.KindCard, Items: []uint64{id}}
	})
}

// cardPartsOf renders the card of stored item id as chat may see it, with its
// discussion and follow buttons (sent, or redrawn in place when the story develops).
// cachedOnly refuses, with stories.ErrNotComposed, a card that would be composed anew;
// composing, when set, is added the time composing took.
func (b *Bot) cardPartsOf(ctx context.Context, chat int64, id uint64, cachedOnly bool, composing *time.Duration) ([]Rendered, error) {
	reader, err := b.reader(ctx, chat)
	if err != nil {
		return nil, err
	}
	reader.Composing = composing
	// Following a story of the card's thread shows the thread's developments and
	// offers to unfollow (the follow may have moved to a story that carries it on).
	reader.Follows, err = b.followedStories(ctx, chat)
	if err != nil {
		return nil, err
	}
	cardFor := b.stories.CardFor
	if cachedOnly {
		cardFor = b.stories.CachedCardFor
	}
	card, err := cardFor(ctx, id, reader)
	if err != nil {
		return nil, err
	}
	followed := card.StoryID != 0 && reader.Follows[card.StoryID]
	parts := RenderCardFor(card, followed)
	comments, err := b.db.ThreadCommentCount(ctx, id) // not the comments: a redraw pass draws hundreds of cards
	if err != nil {
		return nil, err
	}
	if len(parts) > 0 {
		last := &parts[len(parts)-1]
		note := fmt.Sprintf("💬 %d comments · reply to this message to join the discussion", comments)
		last.HTML += "\n\n<i>" + escape(note) + "</i>"
		last.Plain += "\n\n" + note
		last.Buttons = append(last.Buttons, []telegram.Button{
			{Text: fmt.Sprintf("Discussion (%d)", comments), Data: threadData(id, 0)},
			{Text: "Follow discussion", Data: followData(id)},
		})
		if b.Username() != "" {
			last.Buttons = append(last.Buttons, []telegram.Button{{Text: "Share", URL: fmt.Sprintf("https://t.me/%s?start=s_%d", b.Username(), id)}})
		}
	}
	return parts, nil
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
	fctx, release, err := b.acquireFetch(ctx, r.userID)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, fetchRefusal(err))
	}
	defer release(nil) // a panic must not keep the slot; released below when the fetch ends
	card, err := b.stories.CardForURL(fctx, canon)
	release(err)
	if err != nil && yielded(fctx) {
		return b.say(ctx, r.chatID, r.thread, yieldedNote)
	}
	if err != nil {
		b.log.Debug("summary fetch failed", "chat", r.chatID, "url", canon, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not read that page: "+escape(userFacing(err))+".")
	}
	return b.send(ctx, r.chatID, r.thread, RenderCard(card), nil)
}

// cbCard opens a story card from a digest's number buttons.
func cbCard(ctx context.Context, b *Bot, p press) error {
	id, ok := p.id(0)
	if !ok {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	if !b.groupPostAllowed(p.r.chatID, p.r.userID) {
		b.answer(ctx, p.q.ID, groupPostsBusy)
		return nil
	}
	b.answer(ctx, p.q.ID, "")
	return b.sendCard(ctx, p.r, id)
}
