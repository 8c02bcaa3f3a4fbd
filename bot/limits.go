package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/bot/telegram"
	"github.com/newsbot/newsbot/storage"
	"golang.org/x/time/rate"
)

// Per-reader limits. Every update a reader sends (command, message, reply, edit, button)
// spends from one token bucket; comments have their own, stricter count on top, and
// page fetches on a reader's behalf are few at once.

// userLimits are one reader's limiters.
type userLimits struct {
	updates   *rate.Limiter // every update
	summaries *rate.Limiter // pages fetched for /summary
	feedAdds  *rate.Limiter // feeds added, over all of the reader's chats
	comments  *rate.Limiter // comments and edits of comments
	day       string        // comments counted today (UTC)
	today     int
	// noticed is when the reader was last told they are going too fast, so that a flood
	// gets one notice, not one per message.
	noticed time.Time
	// forgot is when the reader last used /forget: erasing is a large write, so it may
	// not be repeated at the rate of ordinary commands. (The limits themselves survive
	// /forget: forgetting must not reset them.)
	forgot time.Time
	// seen is when the reader last sent anything, for evicting idle readers.
	seen time.Time
	// digest is when the chat last asked for /digest (keyed by chat).
	digest time.Time
	// posts are the messages buttons made the bot post into groups: keyed by a group,
	// its own; keyed by a reader, theirs over all groups. Made on first use.
	posts *rate.Limiter
}

// Button presses in a group are no messages: slow mode and a member's "cannot send
// messages" do not hold them back. The messages they make the bot post or edit there
// (a story card, a discussion page) are bounded per member and per group, well inside
// the group's 20 a minute, so that no member can take the group's whole budget, nor
// keep the others' buttons from working.
const (
	memberPostsEvery = 20 * time.Second
	memberPostsBurst = 3
	groupPostsEvery  = 6 * time.Second
	groupPostsBurst  = 10
)

// groupPostAllowed reports whether a button pressed by user may make the bot post into
// chat now: any private chat; in a group, within the member's and the group's bounds.
func (b *Bot) groupPostAllowed(chat, user int64) bool {
	if chat > 0 {
		return true
	}
	member := b.postLimiter(user, memberPostsEvery, memberPostsBurst)
	group := b.postLimiter(chat, groupPostsEvery, groupPostsBurst)
	now := time.Now()
	// The member's token is taken only for a post that goes out: pressing while the
	// group is busy costs the member nothing.
	if member.TokensAt(now) < 1 || !group.AllowN(now, 1) {
		return false
	}
	member.AllowN(now, 1)
	return true
}

// postLimiter is the posts limiter kept for key (a group or a reader).
func (b *Bot) postLimiter(key int64, every time.Duration, burst int) *rate.Limiter {
	l := b.limiter(key)
	b.mu.Lock()
	defer b.mu.Unlock()
	if l.posts == nil {
		l.posts = rate.NewLimiter(rate.Every(every), burst)
	}
	return l.posts
}

// groupPostsBusy answers a button whose post a group's bound holds back.
const groupPostsBusy = "Several cards were opened here just now; try again in a minute, or open it in a private chat with me."

// digestAllowed reports whether chat may ask for /digest now (once a minute), and if so
// records it.
func (b *Bot) digestAllowed(chat int64, now time.Time) bool {
	l := b.limiter(chat)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !l.digest.IsZero() && now.Sub(l.digest) < time.Minute && !now.Before(l.digest) {
		return false
	}
	l.digest = now
	return true
}

// feedAddsPerDay bounds the feeds one reader adds per day over all chats: the per-chat
// cap alone would let one account fill the global cap through many groups.
const feedAddsPerDay = 40

// feedAddAllowance is how many feeds the reader may still add now (whole tokens).
func (b *Bot) feedAddAllowance(user int64, now time.Time) int {
	l := b.limiter(user)
	return int(l.feedAdds.TokensAt(now))
}

// spendFeedAdds records that the reader added n feeds.
func (b *Bot) spendFeedAdds(user int64, n int, now time.Time) {
	if n > 0 {
		b.limiter(user).feedAdds.ReserveN(now, n)
	}
}

// forgetEvery is how often one reader may use /forget at most.
const forgetEvery = 10 * time.Minute

// forgetAllowed reports whether the reader may /forget now, and if so records it.
func (b *Bot) forgetAllowed(user int64, now time.Time) bool {
	l := b.limiter(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !l.forgot.IsZero() && now.Sub(l.forgot) < forgetEvery {
		return false
	}
	l.forgot = now
	return true
}

// maxLimiters bounds the readers whose limits are kept in memory.
const maxLimiters = 200_000

// limiter returns the limiters of a user.
func (b *Bot) limiter(user int64) *userLimits {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Admission and idle eviction run on the wall clock, like the update limiter's
	// token bucket: they defend against floods in real time, whatever clock the news
	// runs on (tests and the playground freeze or jump that one).
	now := time.Now()
	l, ok := b.limiters[user]
	if !ok {
		if len(b.limiters) >= maxLimiters {
			b.evictLimiters(now)
		}
		l = &userLimits{
			updates:   rate.NewLimiter(rate.Limit(b.opts.CommandRate), b.opts.CommandBurst),
			summaries: rate.NewLimiter(rate.Limit(b.opts.SummaryRate), 3),
			comments:  rate.NewLimiter(rate.Every(12*time.Second), 5),
			feedAdds:  rate.NewLimiter(rate.Every(24*time.Hour/feedAddsPerDay), feedAddsPerDay),
		}
		b.limiters[user] = l
	}
	l.seen = now
	return l
}

// evictLimiters makes room: first the readers idle for a day (their buckets are full
// and their day's comment count is over), then, if that is not enough, the idlest half.
// Called with b.mu held.
func (b *Bot) evictLimiters(now time.Time) {
	for id, l := range b.limiters {
		if now.Sub(l.seen) > 24*time.Hour {
			delete(b.limiters, id)
		}
	}
	if len(b.limiters) < maxLimiters*9/10 {
		return
	}
	seen := make([]time.Time, 0, len(b.limiters))
	for _, l := range b.limiters {
		seen = append(seen, l.seen)
	}
	slices.SortFunc(seen, time.Time.Compare)
	cut := seen[len(seen)/2]
	for id, l := range b.limiters {
		if l.seen.Before(cut) {
			delete(b.limiters, id)
		}
	}
}

// noticeDue reports whether the reader should be told about a limit now, and if so
// records that they were.
func (b *Bot) noticeDue(user int64, now time.Time) bool {
	l := b.limiter(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(l.noticed) < noticeEvery {
		return false
	}
	l.noticed = now
	return true
}

// noticeEvery is how often one reader is told at most that a limit stopped them.
const noticeEvery = 10 * time.Minute

// allowComment counts a comment (or an edit of one) against the reader's limits: 5 a
// minute and 50 a day. It returns the refusal to show, if any.
func (b *Bot) allowComment(user int64, now time.Time) (bool, string) {
	l := b.limiter(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	day := now.UTC().Format("2006-01-02")
	if l.day != day {
		l.day, l.today = day, 0
	}
	if l.today >= 50 {
		return false, "You have posted 50 comments today, the daily limit. Your comment was not posted; you can post again tomorrow (UTC)."
	}
	if !l.comments.AllowN(now, 1) {
		return false, "You are commenting very fast (5 comments a minute at most). Your comment was not posted; send it again in a minute."
	}
	l.today++
	return true, ""
}

// admit is the dispatcher's gate. Group chatter the bot has nothing to do with is
// confirmed unhandled and costs the sender nothing; everything else spends from the
// sender's bucket, and a sender over the rate has the update dropped, with one notice
// in a private chat.
func (b *Bot) admit(ctx context.Context, u telegram.Update) queue.Admission {
	var user, chat int64
	private := false
	switch {
	case u.Message != nil && u.Message.MigrateToChatID != 0, u.MyChatMember != nil:
		return queue.Always // a change of the chat itself, one per real change
	case u.Message != nil:
		m := u.Message
		if !fromReader(m) {
			return queue.Ignore
		}
		user, chat, private = m.From.ID, m.Chat.ID, m.Chat.Type == "private"
		if !private && !b.mayConcernUs(ctx, m) {
			return queue.Ignore
		}
	case u.EditedMessage != nil:
		m := u.EditedMessage
		if !fromReader(m) {
			return queue.Ignore
		}
		// Only edits of messages that posted a comment matter.
		rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.MessageID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			// As mayConcernUs does: during a database fault an edit is not admitted,
			// so unrelated edits cost nobody their rate budget.
			b.log.Warn("admit edit: look up message", "error", err)
			return queue.Ignore
		}
		if err != nil || rec.Kind != storage.KindCommentSource {
			return queue.Ignore
		}
		user, chat, private = m.From.ID, m.Chat.ID, m.Chat.Type == "private"
	case u.CallbackQuery != nil:
		user = u.CallbackQuery.From.ID
	default:
		return queue.Ignore
	}
	if b.limiter(user).updates.Allow() {
		return queue.Admit
	}
	if private && b.noticeDue(user, b.opts.Now()) {
		if err := b.say(ctx, chat, 0, "You are sending messages faster than I can answer, so I am skipping some of them. Please wait a minute, then send again what you need."); err != nil {
			b.log.Warn("queuing a rate-limit notice failed", "chat", chat, "error", err)
		}
	}
	return queue.Refuse
}

// mayConcernUs reports whether a group message may be for the bot: a command, or a reply
// to one of our messages or to a message that posted a comment.
func (b *Bot) mayConcernUs(ctx context.Context, m *telegram.Message) bool {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if strings.HasPrefix(text, "/") {
		return !otherBotsCommand(text, m.Entities, b.Username())
	}
	t := m.ReplyToMessage
	if t == nil {
		return false
	}
	if b.isOurs(t) {
		return true
	}
	_, err := b.db.MessageRecordFor(ctx, m.Chat.ID, t.MessageID)
	return err == nil
}

// fetchGate bounds the pages fetched on readers' behalf (/add, /summary, /import): a
// few at once over all readers, one at a time per reader. Waiting for a slot is short;
// a reader who cannot get one is told to try again instead of holding a worker.
type fetchGate struct {
	slots chan struct{}
	mu    sync.Mutex
	users map[int64]bool
}

var (
	errFetchBusy     = errors.New("all page fetches are in use")
	errFetchYourTurn = errors.New("this reader's previous page fetch is still running")
)

func newFetchGate(n int) *fetchGate {
	return &fetchGate{slots: make(chan struct{}, n), users: map[int64]bool{}}
}

// acquire takes a slot for user, waiting at most wait; release it when done.
func (g *fetchGate) acquire(ctx context.Context, user int64, wait time.Duration) (release func(), err error) {
	g.mu.Lock()
	if g.users[user] {
		g.mu.Unlock()
		return nil, errFetchYourTurn
	}
	g.users[user] = true
	g.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() {
			<-g.slots
			g.mu.Lock()
			delete(g.users, user)
			g.mu.Unlock()
		}, nil
	case <-t.C:
		err = errFetchBusy
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	delete(g.users, user)
	g.mu.Unlock()
	return nil, err
}

// fetchRefusal is what a reader is told when the gate refuses.
func fetchRefusal(err error) string {
	if errors.Is(err, errFetchYourTurn) {
		return "I am still reading your previous link. Send this one again when that is done."
	}
	return "I am reading many pages for readers right now. Please try again in a minute."
}
