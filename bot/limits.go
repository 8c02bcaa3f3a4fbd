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
	adding    sync.Mutex    // held from reading feedAdds to spending them (addFeeds)
	comments  *rate.Limiter // comments and edits of comments
	day       string        // comments counted today (UTC)
	today     int
	// noticed is when the reader was last told they are going too fast, so that a flood
	// gets one notice, not one per message; whichAsked when a group last asked them which
	// story a reply was about (its own clock: review 77 found a real reply unanswered
	// after a notice elsewhere).
	noticed, whichAsked time.Time
	// forgot is when the reader last used /forget: erasing is a large write, so it may
	// not be repeated at the rate of ordinary commands. (The limits themselves survive
	// /forget: forgetting must not reset them.)
	forgot time.Time
	// seen is when the reader last sent anything, for evicting idle readers.
	seen time.Time
	// digest is when the chat last asked for /digest (keyed by chat); asked when the
	// reader last did, in any chat (keyed by user).
	digest, asked time.Time
	// posts are the messages buttons made the bot post into groups: keyed by a group,
	// its own; keyed by a reader, theirs over all groups. Made on first use.
	posts *rate.Limiter
	// fetchTime and cardTime are the reader's hour of page fetching and of composing
	// cards, in milliseconds (hourBudget).
	fetchTime, cardTime *rate.Limiter
}

// hourBudget is a bucket of d in milliseconds, refilled over an hour: a reader's share
// of a costly resource all readers share, spent as it is used.
func hourBudget(d time.Duration) *rate.Limiter {
	ms := max(1, int(d.Milliseconds()))
	return rate.NewLimiter(rate.Limit(float64(ms)/3600), ms)
}

// left reports whether any of budget is left now.
func left(budget *rate.Limiter) bool { return budget.TokensAt(time.Now()) >= 1 }

// budgetLeft is left, counting a refusal (newsbot_reader_budget_refusals_total) when
// the budget is spent.
func (b *Bot) budgetLeft(budget *rate.Limiter) bool {
	if left(budget) {
		return true
	}
	b.stats.budgetRefusals.add(1)
	return false
}

// spend takes d from budget: at least a millisecond (a cached card costs little, not
// nothing), at most the whole bucket (what is left may go below zero, and refills).
func spend(budget *rate.Limiter, d time.Duration) {
	budget.ReserveN(time.Now(), min(max(1, int(d.Milliseconds())), budget.Burst()))
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

// digestAllowed reports whether user may ask for /digest in chat now (once a minute in
// a chat, and once a minute over all of the reader's chats: found by review, a reader
// running twenty groups could compose twenty digests a minute), and if so records it.
func (b *Bot) digestAllowed(chat, user int64, now time.Time) bool {
	c, u := b.limiter(chat), b.limiter(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	recent := func(t time.Time) bool { return !t.IsZero() && now.Sub(t) < time.Minute && !now.Before(t) }
	if recent(c.digest) || recent(u.asked) {
		return false
	}
	c.digest, u.asked = now, now
	return true
}

// feedAddsPerDay bounds the feeds one reader adds per day over all chats: the per-chat
// cap alone would let one account fill the global cap through many groups.
const feedAddsPerDay = 40

// addFeeds runs add with how many feeds the reader may still add now (whole tokens),
// and spends the number it returns, one add of the reader's at a time: three imports
// in three chats at once each read the whole allowance and added 60 in a day (audit
// 62). add writes to the store only; it must not wait for the network.
func (b *Bot) addFeeds(user int64, now time.Time, add func(allowed int) (used int)) {
	l := b.limiter(user)
	l.adding.Lock()
	defer l.adding.Unlock()
	if used := add(max(0, int(l.feedAdds.TokensAt(now)))); used > 0 {
		l.feedAdds.ReserveN(now, used)
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
			fetchTime: hourBudget(b.opts.ReaderFetchTime),
			cardTime:  hourBudget(b.opts.ReaderCardTime),
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
	return b.onceEvery(user, now, func(l *userLimits) *time.Time { return &l.noticed })
}

// whichDue reports whether a group may ask the reader which story a reply is about
// now, and if so marks it asked.
func (b *Bot) whichDue(user int64, now time.Time) bool {
	return b.onceEvery(user, now, func(l *userLimits) *time.Time { return &l.whichAsked })
}

// onceEvery reports whether noticeEvery has passed since the reader's time at, and if
// so sets it to now.
func (b *Bot) onceEvery(user int64, now time.Time, at func(*userLimits) *time.Time) bool {
	l := b.limiter(user)
	b.mu.Lock()
	defer b.mu.Unlock()
	last := at(l)
	if now.Sub(*last) < noticeEvery {
		return false
	}
	*last = now
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
		// Only edits of messages that posted a comment matter, and of replies to a
		// digest (a comment waiting for its story to be picked).
		rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.MessageID)
		if errors.Is(err, storage.ErrNotFound) && m.ReplyToMessage != nil {
			if rec, err = b.db.MessageRecordFor(ctx, m.Chat.ID, m.ReplyToMessage.MessageID); err == nil && rec.Kind == storage.KindDigest {
				rec.Kind = storage.KindCommentSource // perhaps one: editPending looks
			}
		}
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
// few at once over all readers, one at a time per reader. A fetch that has run for
// yield gives up its slot to a reader waiting for one (found by review: eight accounts
// pointing /add at pages that never answer held every slot, and everyone else was
// refused); a page slower than that is read only while nobody waits. So that waiting
// cannot be turned against others' slow pages (found by review), a reader makes another
// give way at most once per yieldEvery, the fetch that gave way costs its reader
// nothing, and that reader's next fetch within yieldEvery does not give way. Waiting
// is short (yield and a second): a reader who cannot get a slot is told to try again
// instead of holding a worker.
type fetchGate struct {
	slots chan struct{}
	yield time.Duration
	mu    sync.Mutex
	users map[int64]bool
	held  map[*fetchHold]bool
	// asked is when each reader last made a fetch give way; spared when each reader's
	// fetch last gave way. Both forget entries older than yieldEvery.
	asked, spared map[int64]time.Time
}

// yieldEvery is how often one reader may make another's fetch give way, and how long
// a reader whose fetch gave way is spared.
const yieldEvery = 10 * time.Minute

// fetchHold is one fetch holding a slot.
type fetchHold struct {
	since  time.Time
	cancel context.CancelCauseFunc
	spared bool      // its reader's last fetch gave way: this one does not
	asked  time.Time // when it was asked to give way (zero: not asked)
}

var (
	errFetchBusy     = errors.New("all page fetches are in use")
	errFetchYourTurn = errors.New("this reader's previous page fetch is still running")
	errFetchSpent    = errors.New("this reader's hour of page fetches is spent")
	errFetchYielded  = errors.New("the page was slow, and other readers were waiting")
)

func newFetchGate(n int, yield time.Duration) *fetchGate {
	return &fetchGate{slots: make(chan struct{}, n), yield: yield, users: map[int64]bool{}, held: map[*fetchHold]bool{},
		asked: map[int64]time.Time{}, spared: map[int64]time.Time{}}
}

// acquireFetch takes a page-fetch slot for user if the hour of page fetching they may
// use is not spent; the fetch runs in fctx (cancelled with errFetchYielded when it is
// asked to give up its slot). release takes the fetch's outcome, and may be called
// more than once (defer release(nil) too: a panic must not keep the slot); the first
// call counts. A fetch gave way when it failed after being asked: that costs its reader
// nothing and spares their next. One that was asked but finished anyway is charged in
// full, and spares nothing (found by review: it was free, and earned the spare).
func (b *Bot) acquireFetch(ctx context.Context, user int64) (fctx context.Context, release func(error), err error) {
	budget := b.limiter(user).fetchTime
	if !b.budgetLeft(budget) {
		return nil, nil, errFetchSpent
	}
	fctx, free, err := b.fetches.acquire(ctx, user)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	var once sync.Once
	return fctx, func(err error) {
		once.Do(func() {
			gaveWay := err != nil && yielded(fctx)
			free(gaveWay)
			if !gaveWay {
				spend(budget, time.Since(start))
			}
		})
	}, nil
}

// acquire takes a slot for user, waiting at most yield and a second, and meanwhile
// asking the oldest fetch past yield to give up its slot; release says whether the
// fetch gave way (which spares the reader's next).
func (g *fetchGate) acquire(ctx context.Context, user int64) (fctx context.Context, release func(gaveWay bool), err error) {
	g.mu.Lock()
	if g.users[user] {
		g.mu.Unlock()
		return nil, nil, errFetchYourTurn
	}
	g.users[user] = true
	g.mu.Unlock()
	deadline := time.NewTimer(g.yield + time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(min(g.yield/4+time.Millisecond, 250*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case g.slots <- struct{}{}:
			fctx, cancel := context.WithCancelCause(ctx)
			now := time.Now()
			h := &fetchHold{since: now, cancel: cancel}
			g.mu.Lock()
			if at, ok := g.spared[user]; ok && now.Sub(at) < yieldEvery {
				delete(g.spared, user)
				// At most all slots but one are spared: one always gives way (review).
				h.spared = g.sparedHolds() < cap(g.slots)-1
			}
			g.held[h] = true
			g.mu.Unlock()
			var once sync.Once
			return fctx, func(gaveWay bool) {
				once.Do(func() {
					cancel(nil)
					g.mu.Lock()
					delete(g.held, h)
					delete(g.users, user)
					if gaveWay {
						now := time.Now()
						forget(g.spared, now, cap(g.slots))
						g.spared[user] = now
					}
					g.mu.Unlock()
					<-g.slots
				})
			}, nil
		case <-tick.C:
			g.askOldestToYield(user)
			continue
		case <-deadline.C:
			err = errFetchBusy
		case <-ctx.Done():
			err = ctx.Err()
		}
		break
	}
	g.mu.Lock()
	delete(g.users, user)
	g.mu.Unlock()
	return nil, nil, err
}

// sparedHolds counts the fetches in progress that are spared. Called with g.mu held.
func (g *fetchGate) sparedHolds() int {
	n := 0
	for h := range g.held {
		if h.spared {
			n++
		}
	}
	return n
}

// askOldestToYield cancels, for waiting reader by, the oldest fetch that has held its
// slot for yield and is not spared, unless by did so within yieldEvery, or a fetch
// asked within yield has not let go yet (one waiter frees one slot at a time; one that
// does not let go stops no one for long).
func (g *fetchGate) askOldestToYield(by int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if at, ok := g.asked[by]; ok && now.Sub(at) < yieldEvery {
		return
	}
	var oldest *fetchHold
	for h := range g.held {
		if !h.asked.IsZero() {
			if now.Sub(h.asked) < g.yield {
				return
			}
			continue
		}
		if !h.spared && now.Sub(h.since) >= g.yield && (oldest == nil || h.since.Before(oldest.since)) {
			oldest = h
		}
	}
	if oldest != nil {
		oldest.asked = now
		oldest.cancel(errFetchYielded)
		forget(g.asked, now, cap(g.slots))
		g.asked[by] = now
	}
}

// forget drops the entries of m older than yieldEvery when m has grown past a few
// thousand (a reader's entry is only a guard against repeats within yieldEvery), and
// all of them if that is not enough.
func forget(m map[int64]time.Time, now time.Time, slots int) {
	if len(m) < 4096+slots {
		return
	}
	for k, at := range m {
		if now.Sub(at) >= yieldEvery {
			delete(m, k)
		}
	}
	if len(m) >= 4096+slots {
		clear(m)
	}
}

// yielded reports whether fctx's fetch was asked to give up its slot to a waiting
// reader (it gave way if it then failed).
func yielded(fctx context.Context) bool { return errors.Is(context.Cause(fctx), errFetchYielded) }

// yieldedNote is what a reader whose fetch gave up its slot is told.
const yieldedNote = "That page was slow to answer while other readers were waiting, so I stopped reading it. It cost you nothing; send it again, and this time it may take longer."

// fetchRefusal is what a reader is told when the gate refuses.
func fetchRefusal(err error) string {
	if errors.Is(err, errFetchYourTurn) {
		return "I am still reading your previous link. Send this one again when that is done."
	}
	if errors.Is(err, errFetchSpent) {
		return "I have read many pages for you in the last hour. Please try again in a few minutes."
	}
	return "I am reading many pages for readers right now. Please try again in a minute."
}
