package bot

import (
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
)

// Discussion limits.
const (
	MaxCommentLen   = 2000
	commentsPerPage = 15
)

// storyNumberRE reads "2 …" at the start of a reply to a digest: the comment is on
// its second story. (?s): the comment may run over several lines (review 75).
var storyNumberRE = regexp.MustCompile(`(?s)^#?(\d{1,2})[\s.:)]+(.*)$`)

// isOurs reports whether m was sent by this bot.
func (b *Bot) isOurs(m *telegram.Message) bool {
	return m != nil && m.From != nil && m.From.IsBot && strings.EqualFold(m.From.UserName, b.Username())
}

// handleReply turns a reply to one of our messages into a comment. It reports
// whether the message was a discussion reply.
func (b *Bot) handleReply(ctx context.Context, r *request) (bool, error) {
	m := r.msg
	target := m.ReplyToMessage
	if target == nil {
		return false, nil
	}
	rec, err := b.recordOfReply(ctx, r.chatID, m)
	if errors.Is(err, errStillSending) && !r.group {
		return true, b.say(ctx, r.chatID, r.thread, "That message is still on its way to you. Reply to it again in a moment.")
	}
	if errors.Is(err, storage.ErrNotFound) {
		if b.isOurs(target) && !r.group {
			return true, b.say(ctx, r.chatID, r.thread, "To discuss a story, reply to its card or to a comment. Open a card with the number buttons under a digest.")
		}
		return false, nil // not about a story
	}
	if err != nil {
		return true, fmt.Errorf("look up the message replied to: %w", err)
	}
	if r.group && rec.Kind == storage.KindCommentSource && (target.From == nil || target.From.ID != r.userID) {
		// A member answering another member's comment in the group is talking to them,
		// not to every follower of the story (review 75: a phone number meant for the
		// group went to strangers). Replies to the bot's copies still nest.
		return false, nil
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		if r.group {
			return true, nil // a sticker under the group's digest is chatter, not a comment (review 75)
		}
		return true, b.say(ctx, r.chatID, r.thread, "Comments are text only.")
	}
	switch rec.Kind {
	case storage.KindCard:
		return true, b.postComment(ctx, r, rec.Items[0], 0, text)
	case storage.KindComment, storage.KindCommentSource:
		return true, b.postComment(ctx, r, rec.Items[0], rec.Comment, text)
	case storage.KindDigest:
		if mm := storyNumberRE.FindStringSubmatch(text); mm != nil {
			n, _ := strconv.Atoi(mm[1])
			idx := n - max(rec.First, 1) // numbers continue across the parts of a long digest
			if idx >= 0 && idx < len(rec.Items) && strings.TrimSpace(mm[2]) != "" {
				return true, b.postComment(ctx, r, rec.Items[idx], 0, strings.TrimSpace(mm[2]))
			}
		}
		if len(rec.Items) == 1 {
			return true, b.postComment(ctx, r, rec.Items[0], 0, text)
		}
		return true, b.askWhichStory(ctx, r, rec, text)
	}
	return false, nil
}

// A reply can reach us before the sender has recorded the message it answers: Telegram
// shows a sent message to the reader before the bot hears its ID back and stores it.
const (
	// recordWait bounds how long a reply waits for that record; a slow fsync takes
	// tens of milliseconds, a slow link a few hundred.
	recordWait = 3 * time.Second
	// justSentSecs is how young (by Telegram's clock) the message replied to must be
	// for its missing record to be worth waiting for, so that replies to old messages
	// of ours that never had a record are answered at once.
	justSentSecs = 10
)

// justSent reports whether reply answers a message sent moments before it, by the
// dates Telegram put on both (which no reader can set).
func justSent(reply, target *telegram.Message) bool {
	return target.Date > 0 && reply.Date >= target.Date && reply.Date-target.Date <= justSentSecs
}

// recordOfReply returns the record of the message reply answers. When that is a
// message of ours sent moments before, it may wait for the record (see recordOf). Only
// this chat's queue waits: updates of other chats go on.
func (b *Bot) recordOfReply(ctx context.Context, chatID int64, reply *telegram.Message) (storage.MessageRecord, error) {
	target := reply.ReplyToMessage
	return b.recordOf(ctx, chatID, target.MessageID, b.isOurs(target) && justSent(reply, target))
}

// errStillSending: the message answered was still being sent when the wait for its
// record gave up (a slow link). It is a kind of storage.ErrNotFound.
var errStillSending = fmt.Errorf("the message answered is still being sent: %w", storage.ErrNotFound)

// recordWaiters bounds the handlers that wait for a record at once, so that a slow
// Telegram cannot hold every handler slot; a handler that finds none free does not wait.
const recordWaiters = 4

// recordOf returns the record of message messageID in chatID. With mayWait, a missing
// record is waited for while the sender is sending a message with a record to the chat
// (only that send: a group's later sends do not prolong it), at most recordWait.
func (b *Bot) recordOf(ctx context.Context, chatID int64, messageID int, mayWait bool) (storage.MessageRecord, error) {
	rec, err := b.db.MessageRecordFor(ctx, chatID, messageID)
	if !errors.Is(err, storage.ErrNotFound) || !mayWait {
		return rec, err
	}
	token, sending := b.sender.Recording(chatID)
	if !sending {
		return rec, err
	}
	select {
	case b.recordWaitSlots <- struct{}{}:
		defer func() { <-b.recordWaitSlots }()
	default:
		return rec, err
	}
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(recordWait)
	for {
		select {
		case <-ctx.Done():
			return storage.MessageRecord{}, fmt.Errorf("wait for the record of message %d: %w", messageID, ctx.Err())
		case <-giveUp:
			return storage.MessageRecord{}, errStillSending
		case <-tick.C:
		}
		// Read "over" before the record: a send that ends between the two reads has
		// stored its record by then, so this look finds it.
		over := b.sender.Recorded(chatID, token)
		if rec, err = b.db.MessageRecordFor(ctx, chatID, messageID); !errors.Is(err, storage.ErrNotFound) || over {
			return rec, err
		}
	}
}

// pressedFresh reports whether a button's message is recent enough (by Telegram's date
// on it) for its missing record to be worth waiting for: not an old button whose record
// /forget erased or pruning removed.
func pressedFresh(m *telegram.Message) bool {
	return m.Date > 0 && time.Since(time.Unix(m.Date, 0)) <= 30*time.Second
}

// askWhichStory keeps a reply to a multi-story digest for a while (a few per chat) and
// asks which story it is about.
func (b *Bot) askWhichStory(ctx context.Context, r *request, rec storage.MessageRecord, text string) error {
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	if why := b.commentRefusal(prof, text, r.msg.Entities, now); why != "" {
		return b.refuseComment(ctx, r, why)
	}
	if r.group && !b.whichDue(r.userID, now) {
		// Members chatting under the group's digest: asked once in a while, not at every
		// reply (review 75: five replies, five questions in the group).
		return nil
	}
	p, err := b.db.AddPending(ctx, storage.PendingComment{AuthorID: r.userID, Chat: r.chatID, Msg: r.msg.MessageID, Text: text,
		Items: rec.Items, Created: now},
		now.Add(-b.opts.PendingTTL), b.opts.PendingPerReader, 10*b.opts.PendingPerReader)
	if err != nil {
		return err
	}
	var row []telegram.Button
	var rows [][]telegram.Button
	for i := range rec.Items {
		row = append(row, telegram.Button{Text: strconv.Itoa(i + max(rec.First, 1)), Data: pickCommentData(p.ID, rec.Items[i])})
		if len(row) == 8 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return b.say(ctx, r.chatID, r.thread, "Which story is your comment about? (Next time start it with the number, like “2 …”.)", rows...)
}

// profile returns the reader's profile, recording their current Telegram first name
// under the same rules as chosen names.
func (b *Bot) profile(ctx context.Context, r *request) (storage.Profile, error) {
	first := normalizeName(r.fromName)
	return b.db.Profile(ctx, r.userID, first, b.nameKey(first), b.opts.Now())
}

// commentRefusal says why text may not be posted by this reader now ("" when it may),
// before any rate is spent: banned, too long, or a link from a reader new today.
// ents are Telegram's entities on the reader's message (nil when there is none).
func (b *Bot) commentRefusal(prof storage.Profile, text string, ents []telegram.Entity, now time.Time) string {
	if prof.Banned {
		return "You can no longer comment here."
	}
	if n := textLen(text); n > MaxCommentLen {
		return fmt.Sprintf("Your comment has %d characters; the limit is %d. It was not posted — please shorten it and send it again.", n, MaxCommentLen)
	}
	if b.opts.NewUserLinkBan && now.Sub(prof.FirstSeen) < 24*time.Hour && hasLink(text, ents) {
		return "New readers can post links after their first day. Your comment was not posted; send it without the link."
	}
	return ""
}

// refuseComment tells the reader why a comment was refused: in a private chat each
// time (it costs only that reader's own rate), in a group at most once per noticeEvery,
// so that refusals cannot fill the group (20 messages a minute at most).
func (b *Bot) refuseComment(ctx context.Context, r *request, why string) error {
	if r.group && !b.noticeDue(r.userID, b.opts.Now()) {
		return nil
	}
	return b.say(ctx, r.chatID, r.thread, escape(why))
}

// postComment checks limits, stores the comment, confirms it and relays it.
func (b *Bot) postComment(ctx context.Context, r *request, item, parent uint64, text string) error {
	return b.postFrom(ctx, r, item, parent, text, 0)
}

// postFrom is postComment of pending, when not 0: the pending comment is taken with
// the post, so that a /forget meanwhile leaves nothing to post. A replayed update
// finds its comment already stored and only finishes what was left: the relay.
func (b *Bot) postFrom(ctx context.Context, r *request, item, parent uint64, text string, pending uint64) error {
	// Replayed, it finds its comment before any check: the checks may refuse what is
	// posted already (audit 50: the comment that filled a discussion, cut off before
	// its relay, was answered "full" and never relayed).
	if rec, err := b.db.MessageRecordFor(ctx, r.chatID, r.msg.MessageID); err == nil && rec.Kind == storage.KindCommentSource {
		c, err := b.db.Comment(ctx, rec.Comment)
		if err != nil {
			return err
		}
		if c.Relayed || c.Gone() {
			return nil
		}
		return b.relay(ctx, c)
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	if why := b.commentRefusal(prof, text, r.msg.Entities, now); why != "" {
		return b.refuseComment(ctx, r, why)
	}
	// Checked before the comment rates are spent too (review KK: a reader replying to
	// a full discussion used up their day); AddComment checks again, in its write.
	full, err := b.db.ThreadFull(ctx, item, parent)
	if err != nil {
		return err
	}
	if full {
		return b.refuseComment(ctx, r, threadFullNote)
	}
	if ok, why := b.allowComment(r.userID, now); !ok {
		return b.refuseComment(ctx, r, why)
	}
	c, created, err := b.db.AddComment(ctx, storage.Comment{ItemID: item, ParentID: parent, AuthorID: r.userID,
		AuthorName: prof.DisplayName(), Text: text, Created: now, SrcChat: r.chatID, SrcMsg: r.msg.MessageID, FromPending: pending})
	if errors.Is(err, storage.ErrNotFound) {
		return b.say(ctx, r.chatID, r.thread, "That story or comment is no longer available.")
	}
	if errors.Is(err, storage.ErrThreadFull) {
		return b.refuseComment(ctx, r, threadFullNote)
	}
	if err != nil {
		return err
	}
	if created {
		b.confirm(ctx, r)
	}
	if c.Relayed {
		return nil
	}
	return b.relay(ctx, c)
}

// threadFullNote is what a reader commenting on a full discussion is told.
const threadFullNote = "This discussion is full and takes no more comments."

// confirm acknowledges a comment quietly with a reaction, or a short reply when
// reactions are not available.
func (b *Bot) confirm(ctx context.Context, r *request) {
	_, err := b.api.Call(ctx, "setMessageReaction", map[string]string{
		"chat_id": strconv.FormatInt(r.chatID, 10), "message_id": strconv.Itoa(r.msg.MessageID),
		"reaction": `[{"type":"emoji","emoji":"👍"}]`,
	})
	if err != nil {
		b.log.Debug("reaction failed; confirming with a reply", "error", err)
		if err := b.say(ctx, r.chatID, r.thread, "Comment posted."); err != nil {
			b.log.Warn("confirm comment: queue reply", "error", err)
		}
	}
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, n)
}

// relayView renders a comment as followers see it; quotes says whether the copy
// quotes a parent (one standing).
func (b *Bot) relayView(ctx context.Context, c storage.Comment) (html, plain string, quotes bool) {
	title := ""
	switch it, err := b.db.Item(ctx, c.ItemID); {
	case err == nil:
		title = it.Title
	case !errors.Is(err, storage.ErrNotFound):
		// The comment still goes out; only its heading is poorer.
		b.log.Warn("render comment: look up story", "item", c.ItemID, "error", err)
	}
	var parent *storage.Comment
	if c.ParentID != 0 {
		pc, err := b.db.Comment(ctx, c.ParentID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			b.log.Warn("render comment: look up parent", "comment", c.ParentID, "error", err)
		}
		if err == nil {
			parent = &pc
		}
	}
	html, plain = renderRelay(c, parent, title)
	return html, plain, parent != nil && !c.Gone() && !parent.Gone()
}

// renderRelay is relayHTML once its story's title and its parent (nil for none) are
// read: it reads nothing itself, so that EraseChat can call it inside its transaction.
func renderRelay(c storage.Comment, parent *storage.Comment, title string) (string, string) {
	if title == "" {
		title = "a story"
	}
	var h, p strings.Builder
	fmt.Fprintf(&h, "💬 %s on <i>%s</i>", authorHTML(c.AuthorName), escape(truncate(title, 120)))
	fmt.Fprintf(&p, "💬 %s on %s", c.AuthorName, truncate(title, 120))
	// A gone comment quotes nothing: its copies need no redraw when its parent goes
	// (it may have left the outline, where a removal looks for replies to redraw).
	if parent != nil && !c.Gone() {
		if parent.Gone() {
			h.WriteString("\n↪ replying to a deleted comment")
			p.WriteString("\n↪ replying to a deleted comment")
		} else {
			quoted := excerpt(parent.Text, 80)
			fmt.Fprintf(&h, "\n↪ replying to %s: “%s”", authorHTML(parent.AuthorName), escape(quoted))
			fmt.Fprintf(&p, "\n↪ replying to %s: “%s”", parent.AuthorName, quoted)
		}
	}
	body := c.Text
	switch {
	case c.Removed:
		body = "(removed by a moderator)"
	case c.Deleted || c.Erased:
		body = "(comment deleted)"
	}
	fmt.Fprintf(&h, "\n\n%s", escape(body))
	fmt.Fprintf(&p, "\n\n%s", body)
	return h.String(), p.String()
}

func relayButtons(c storage.Comment) [][]telegram.Button {
	return [][]telegram.Button{{{Text: "Report", Data: reportData(c.ID)}, {Text: "Mute thread", Data: muteData(c.ItemID)}}}
}

// staleCopy is the sender's word that a copy of a comment went out from an older
// revision (edited, removed, or its parent gone while it was in flight). The mark is
// stored (storage.DB.Sent); this only wakes refreshStaleCopies, without blocking.
func (b *Bot) staleCopy(uint64) {
	select {
	case b.stale <- struct{}{}:
	default:
	}
}

// finishChange brings a changed comment's copies to its stored revision: its own
// copies redrawn (or deleted), then, if it went, its replies' marked for the refresh
// (their copies quote it; a comment may have thousands of replies, which one handler
// redrew, and a failure midway left the rest quoting it for good: found by review).
// A handler calls it after its change, and the refresh of stale copies from the mark
// the change wrote: one at a time per comment.
func (b *Bot) finishChange(ctx context.Context, id uint64) error {
	mu := &b.commentLocks[id%uint64(len(b.commentLocks))]
	mu.Lock()
	defer mu.Unlock()
	c, err := b.db.Comment(ctx, id)
	if err != nil {
		return err
	}
	err = b.updateCopies(ctx, c, c.Deleted || c.Erased)
	if c.Gone() && c.RepliesPending {
		// Even when its own copies failed: a damaged one must not keep the replies
		// quoting it (review 49).
		n, merr := b.db.MarkReplies(ctx, c)
		if n > 0 {
			b.staleCopy(0)
		}
		err = errors.Join(err, merr)
	}
	return err
}

// staleBatch bounds the comments refreshed in one turn.
const staleBatch = 100

// refreshStaleCopies renders again, until ctx ends, the copies of the comments whose
// copies went out from an older revision: at start (marks survive a restart), when the
// sender tells, and every minute (a failed refresh is tried again). Each round pages
// through all the marks, so marks that keep failing hold back none after them.
func (b *Bot) refreshStaleCopies(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	after := uint64(0)
	for {
		marks, err := b.db.StaleCopiesAfter(ctx, after, staleBatch)
		if err != nil && ctx.Err() == nil {
			b.log.Error("reading stale copies failed", "error", err)
		}
		for _, m := range marks {
			err := func() (err error) {
				defer caught("refresh copies", &err) // a comment's text must not end the process
				return b.finishChange(ctx, m.Comment)
			}()
			if err == nil || errors.Is(err, storage.ErrNotFound) {
				err = b.db.ClearStaleCopy(ctx, m)
			}
			if err != nil && ctx.Err() == nil {
				b.log.Error("refreshing a comment's copies failed", "comment", m.Comment, "error", err)
			}
		}
		if len(marks) == staleBatch && ctx.Err() == nil {
			after = marks[len(marks)-1].Comment // the next page of this round
			continue
		}
		after = 0
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.stale:
		case <-tick.C:
		}
	}
}

// relayLeftOver relays the comments stored but not relayed: at start, every one (a
// crash came between; the replayed update may find nothing left to do), and then every
// minute those a minute old (an error came between; a handler still at work has its
// minute), until ctx ends.
func (b *Bot) relayLeftOver(ctx context.Context) error {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	before := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // at start: all
	for {
		for after := uint64(0); ; {
			left, err := b.db.Unrelayed(ctx, after, before, staleBatch)
			if err != nil && ctx.Err() == nil {
				b.log.Error("reading unrelayed comments failed", "error", err)
			}
			for _, c := range left {
				err := func() (err error) {
					defer caught("relay", &err) // a comment's text must not end the process
					return b.relay(ctx, c)
				}()
				if err != nil && ctx.Err() == nil {
					b.log.Error("relaying a comment left over failed", "comment", c.ID, "error", err)
				}
				after = c.ID
			}
			if len(left) < staleBatch || err != nil || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			before = b.opts.Now().Add(-time.Minute)
		}
	}
}

// relay queues a comment for the thread's followers: not its author, not those who
// muted the thread or blocked the author, and groups only when they opted in. The
// copies and the comment's relayed mark are written together, so it happens once.
func (b *Bot) relay(ctx context.Context, c storage.Comment) error {
	for range 3 {
		err := b.relayOnce(ctx, c)
		if !errors.Is(err, storage.ErrStale) {
			return err
		}
		// The comment or its parent changed while the copies were rendered.
		if c, err = b.db.Comment(ctx, c.ID); err != nil {
			return err
		}
		if c.Relayed {
			return nil
		}
	}
	return fmt.Errorf("relay comment %d: it keeps changing", c.ID)
}

// passedByNote is what a follower with storage.MaxQueuedForCopies copies of the
// discussion waiting gets instead of the next copy (once while it waits): a discussion
// livelier than they can be sent to is read on its page.
const passedByNote = "More comments arrived than can be sent to you one by one. Read the newest on the discussion's page."

// relayOnce renders the comment's copies from its revision c.Rev and queues them.
func (b *Bot) relayOnce(ctx context.Context, c storage.Comment) error {
	followers, err := b.db.Followers(ctx, c.ItemID)
	if err != nil {
		return err
	}
	// A private feed's item is relayed only to chats that still keep the feed: one that
	// removed it no longer sees the item, nor what its readers say of it (found by
	// review).
	private, err := b.privateFeedOf(ctx, c.ItemID)
	if err != nil {
		return err
	}
	html, plain, quotes := b.relayView(ctx, c)
	note := Rendered{HTML: passedByNote, Plain: stripTags(passedByNote), Buttons: [][]telegram.Button{{
		{Text: "Open the discussion", Data: threadData(c.ItemID, 0)}, {Text: "Mute thread", Data: muteData(c.ItemID)}}}}
	var msgs, notes []storage.OutMessage
	for _, f := range followers {
		if f.Muted || f.ChatID == c.SrcChat || f.ChatID == c.AuthorID {
			continue
		}
		blocked, err := b.db.Blocked(ctx, f.ChatID, c.AuthorID)
		if err != nil {
			return err
		}
		if blocked {
			continue
		}
		thread := 0
		s, err := b.db.Subscriber(ctx, f.ChatID)
		switch {
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return err
		case f.ChatID < 0 && (err != nil || !s.RelayComments || !s.Active):
			continue
		case f.ChatID < 0:
			thread = s.ThreadID
		case err == nil && !s.Active:
			continue
		}
		if private != "" && (err != nil || !slices.Contains(s.OwnFeeds, private)) {
			continue
		}
		m := message(f.ChatID, thread, Rendered{HTML: html, Plain: plain, Buttons: relayButtons(c)},
			&storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{c.ItemID}, Comment: c.ID, Rev: c.Rev, Unquoted: !quotes})
		m.Class = storage.ClassCopy
		msgs = append(msgs, m)
		n := message(f.ChatID, thread, note, &storage.MessageRecord{Kind: storage.KindPassedBy, Items: []uint64{c.ItemID}})
		n.Class = storage.ClassCopy
		notes = append(notes, n)
	}
	queued, err := b.db.RelayComment(ctx, c.ID, msgs, notes, b.opts.Now())
	if err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil // relayed already (a replayed update)
		}
		return err
	}
	b.stats.commentsRelayed.add(int64(queued))
	b.stats.copiesPassedBy.add(int64(len(msgs) - queued))
	b.sender.Wake()
	return nil
}

// updateCopies rewrites every relayed copy of a comment (after an edit or removal), or
// deletes them all (after its author deleted it). An edit leaves the moderators' reports
// as they were: a moderator judges what was reported. A deletion rewrites them without
// the text (reportGone). Copies still waiting in the outbox are rewritten or dropped
// there, so none goes out as it was.
func (b *Bot) updateCopies(ctx context.Context, c storage.Comment, del bool) error {
	for range 3 {
		err := b.updateCopiesOnce(ctx, c, del)
		if !errors.Is(err, storage.ErrStale) {
			return err
		}
		// The comment moved on while its copies were rendered (its parent erased by
		// /forget, say): render again, or the old render would quote what is gone.
		if c, err = b.db.Comment(ctx, c.ID); err != nil {
			return err
		}
		del = del || c.Deleted || c.Erased
	}
	// Left to the refresh of stale copies, which keeps trying: the comment is stored
	// at its new revision, and its copies must follow.
	if err := b.db.MarkStale(ctx, c.ID); err != nil {
		return err
	}
	b.staleCopy(c.ID)
	return fmt.Errorf("update copies of comment %d: it keeps changing; left to the refresh", c.ID)
}

// privateFeedOf is the feed of item when only the chats that keep it may see it, ""
// when every reader may (threads pin their items: a missing one is a thread of none).
func (b *Bot) privateFeedOf(ctx context.Context, item uint64) (string, error) {
	it, err := b.db.Item(ctx, item)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case b.stories.Public(it.FeedURL):
		return "", nil
	}
	return it.FeedURL, nil
}

// feedKeepers reports, for a private feed, whether a chat keeps it now (every chat
// does for ""). The chats are read before: it is called inside a write transaction.
func (b *Bot) feedKeepers(ctx context.Context, feed string) (func(chat int64) bool, error) {
	if feed == "" {
		return func(int64) bool { return true }, nil
	}
	owners, err := b.db.FeedOwners(ctx, feed)
	if err != nil {
		return nil, err
	}
	return func(chat int64) bool { return slices.Contains(owners, chat) }, nil
}

// updateCopiesOnce is updateCopies from one revision of the comment; it fails with
// storage.ErrStale, changing nothing it would have changed since, if the comment moves on.
// Of a private feed's item, an edit reaches only the chats that still keep the feed
// (found by review: it reached those that had removed it); in the others the copy is
// taken down, as a deletion takes it down everywhere.
func (b *Bot) updateCopiesOnce(ctx context.Context, c storage.Comment, del bool) error {
	private, err := b.privateFeedOf(ctx, c.ItemID)
	if err != nil {
		return err
	}
	keeps, err := b.feedKeepers(ctx, private)
	if err != nil {
		return err
	}
	withheld := func(chat int64) bool { return !keeps(chat) }
	html, plain, quotes := b.relayView(ctx, c)
	record := func() *storage.MessageRecord {
		return &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{c.ItemID}, Comment: c.ID, Rev: c.Rev, Unquoted: !quotes}
	}
	gone := reportGone(c, 0, false)
	// Queued, unsent messages first: copies take the new text (or go), earlier edits
	// go (the edits below replace them), deletions stay.
	if _, err := b.db.RewriteQueuedCopies(ctx, c.ID, c.Rev, func(m *storage.OutMessage) bool {
		if m.Method != "deleteMessage" && m.Record.Kind != storage.KindReport && withheld(m.ChatID) {
			return false // not for a chat that no longer keeps the feed
		}
		switch {
		case m.Method == "deleteMessage":
			return true
		case m.Method == "editMessageText":
			return false
		case del && m.Record.Kind == storage.KindReport:
			// Sent as rewritten: Sent keeps a report of this revision (storage.Sent).
			params := maps.Clone(m.Params)
			params["text"], params["parse_mode"], params["reply_markup"] = gone.HTML, "HTML", keyboard(gone.Buttons)
			m.Params, m.Plain, m.Record.Rev = params, gone.Plain, c.Rev
			return true
		case del:
			return false
		case m.Record.Kind == storage.KindReport:
			return true
		}
		params := maps.Clone(m.Params)
		params["text"], params["parse_mode"] = html, "HTML"
		delete(params, "reply_markup")
		if !c.Gone() {
			params["reply_markup"] = keyboard(relayButtons(c))
		}
		m.Params, m.Plain, m.Record.Rev, m.Record.Unquoted = params, plain, c.Rev, !quotes
		return true
	}); err != nil {
		return err
	}
	if del || c.Gone() {
		// Discussion pages show no removed text either (an edited comment's page keeps
		// the words it was opened with).
		if _, err := b.db.TakeDownPages(ctx, c.ItemID, c.ID); err != nil {
			return err
		}
	}
	copies, err := b.db.Copies(ctx, c.ID)
	if err != nil {
		return err
	}
	var msgs []storage.OutMessage
	shown := Rendered{HTML: html, Plain: plain}
	if !c.Gone() {
		shown.Buttons = relayButtons(c)
	}
	// An edit that takes words off screens (the comment gone, or the parent its copies
	// quote) goes with the deletions, and always; one that brings new words goes with
	// the copies, and only to a reader not far behind (storage.EnqueueCopyChanges;
	// review 79: edits of delivered copies queued without bound).
	// Decided for each copy by what it shows (review 81): a copy still quoting a parent
	// that went (or whose record does not say) is redrawn as an erasure, whoever asked;
	// one drawn without the quote only gets new words.
	parentGone, err := b.takesWordsAway(ctx, c)
	if err != nil {
		return err
	}
	classOf := func(rec storage.MessageRecord, recErr error) storage.MessageClass {
		if c.Gone() || parentGone && (recErr != nil || !rec.Unquoted) {
			return storage.ClassErase
		}
		return storage.ClassCopy
	}
	for _, cp := range copies {
		rec, err := b.db.MessageRecordFor(ctx, cp[0], int(cp[1]))
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("update copies: look up copy: %w", err)
		}
		if del && err == nil && rec.Kind == storage.KindReport {
			// Queued under the comment, so that /forget drops it (storage.MessageRecord.Rewrite).
			rec := record()
			rec.Kind, rec.Rewrite = storage.KindReport, true
			msgs = append(msgs, edit(cp[0], cp[1], gone, storage.ClassErase, rec))
			continue
		}
		if del {
			m := storage.Deletion(cp[0], cp[1])
			m.Record = record()
			msgs = append(msgs, m)
			continue
		}
		if err == nil && (rec.Kind == storage.KindReport || rec.Kind == storage.KindThreadPage) {
			continue // a report shows what was reported; a page is TakeDownPages'
		}
		if withheld(cp[0]) {
			// Taken down rather than left: a reply's copy quotes its parent, which may
			// be going (found by review: a deleted parent stayed quoted there).
			m := storage.Deletion(cp[0], cp[1])
			m.Record = record()
			msgs = append(msgs, m)
			continue
		}
		if err == nil && rec.Kind == storage.KindComment && rec.Rev == c.Rev {
			// Drawn from this revision already (Sent records each edit's): a refresh
			// asked for by one chat redraws no other's (found by review 48: a reader
			// blocking and unblocking the bot had every follower's copy edited again).
			continue
		}
		msgs = append(msgs, edit(cp[0], cp[1], shown, classOf(rec, err), record()))
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := b.db.EnqueueCopyChanges(ctx, c.ID, c.Rev, msgs, b.opts.Now()); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

// takesWordsAway reports whether redrawing c's copies takes words off screens: c is
// gone, or the parent they quote is.
func (b *Bot) takesWordsAway(ctx context.Context, c storage.Comment) (bool, error) {
	if c.Gone() {
		return true, nil
	}
	if c.ParentID == 0 {
		return false, nil
	}
	p, err := b.db.Comment(ctx, c.ParentID)
	if errors.Is(err, storage.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("update copies: parent: %w", err)
	}
	return p.Gone(), nil
}

// handleEdit updates a comment when its author edits the message that posted it. An
// edit passes the checks a new comment does: a banned author cannot edit, and the
// length, link and rate limits apply.
func (b *Bot) handleEdit(ctx context.Context, m *telegram.Message) error {
	if !fromReader(m) {
		return nil
	}
	rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.MessageID)
	r := &request{msg: m, chatID: m.Chat.ID, userID: m.From.ID, group: m.Chat.Type != "private", fromName: m.From.FirstName}
	if errors.Is(err, storage.ErrNotFound) {
		if m.ReplyToMessage == nil {
			return nil // a pending comment answers a digest
		}
		return b.editPending(ctx, r)
	}
	if err == nil && rec.Kind != storage.KindCommentSource {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up the edited message: %w", err)
	}
	now := b.opts.Now()
	prof, err := b.profile(ctx, r)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(m.Text)
	numbered, numberedItem := b.numberedReply(ctx, m)
	if text == "" {
		return b.refuseComment(ctx, r, fmt.Sprintf("The edit was not applied: a comment must have 1 to %d characters.", MaxCommentLen))
	}
	if why := b.commentRefusal(prof, text, m.Entities, now); why != "" {
		return b.refuseComment(ctx, r, "The edit was not applied. "+why)
	}
	if ok, why := b.allowComment(r.userID, now); !ok {
		return b.refuseComment(ctx, r, "The edit was not applied. "+why)
	}
	c, err := b.db.UpdateComment(ctx, rec.Comment, func(c *storage.Comment) error {
		if c.AuthorID != m.From.ID || c.Gone() {
			return errNotYours
		}
		if numbered != "" && c.ItemID == numberedItem {
			text = numbered // "2 …" picked the story when it was posted: not part of it
		}
		if c.Text == text {
			return errUnchanged // a change of formatting only: nothing for the copies
		}
		c.Text, c.Edited = text, now
		return nil
	})
	if errors.Is(err, errNotYours) || errors.Is(err, errUnchanged) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.finishChange(ctx, c.ID)
}

// numberedReply reads an edited reply to a digest that starts with a story's number:
// the text after the number, and the story it names ("" and 0 when it is not one).
func (b *Bot) numberedReply(ctx context.Context, m *telegram.Message) (string, uint64) {
	if m.ReplyToMessage == nil {
		return "", 0
	}
	mm := storyNumberRE.FindStringSubmatch(strings.TrimSpace(m.Text))
	if mm == nil || strings.TrimSpace(mm[2]) == "" {
		return "", 0
	}
	rec, err := b.db.MessageRecordFor(ctx, m.Chat.ID, m.ReplyToMessage.MessageID)
	if err != nil || rec.Kind != storage.KindDigest {
		return "", 0
	}
	n, _ := strconv.Atoi(mm[1])
	if idx := n - max(rec.First, 1); idx >= 0 && idx < len(rec.Items) {
		return strings.TrimSpace(mm[2]), rec.Items[idx]
	}
	return "", 0
}

// editPending applies an edit to a comment still waiting for its story to be picked,
// so that the pick posts what the reader left, not what they took out (review 75). An
// edit that could not be posted withdraws it.
func (b *Bot) editPending(ctx context.Context, r *request) error {
	why := ""
	err := b.db.EditPending(ctx, r.chatID, r.msg.MessageID, r.userID, func() (string, error) {
		text := strings.TrimSpace(r.msg.Text)
		if text == "" {
			why = fmt.Sprintf("A comment must have 1 to %d characters.", MaxCommentLen)
			return "", nil
		}
		prof, err := b.profile(ctx, r)
		if err != nil {
			return "", err
		}
		if why = b.commentRefusal(prof, text, r.msg.Entities, b.opts.Now()); why != "" {
			return "", nil
		}
		return text, nil
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil // not a comment
	}
	if err != nil || why == "" {
		return err
	}
	return b.refuseComment(ctx, r, "The comment was withdrawn. "+why)
}

var (
	errNotYours  = errors.New("not the author's comment")
	errUnchanged = errors.New("text unchanged")
)

// commentOf finds the comment a command replies to: the user's own message that
// posted it, or a relayed copy. A database error is an error, not "no comment".
func (b *Bot) commentOf(ctx context.Context, r *request) (storage.Comment, bool, error) {
	if r.msg.ReplyToMessage == nil {
		return storage.Comment{}, false, nil
	}
	rec, err := b.recordOfReply(ctx, r.chatID, r.msg)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Comment{}, false, nil
	}
	if err != nil {
		return storage.Comment{}, false, fmt.Errorf("find comment: look up message: %w", err)
	}
	if rec.Comment == 0 {
		return storage.Comment{}, false, nil
	}
	c, err := b.db.Comment(ctx, rec.Comment)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Comment{}, false, nil
	}
	if err != nil {
		return storage.Comment{}, false, fmt.Errorf("find comment: %w", err)
	}
	return c, true, nil
}

// cbPickComment posts a pending comment under the story the reader picked. Only its
// author may pick, and only a story the comment was offered for.
func cbPickComment(ctx context.Context, b *Bot, p press) error {
	pendingID, ok1 := p.id(0)
	item, ok2 := p.id(1)
	if !ok1 || !ok2 {
		b.answer(ctx, p.q.ID, staleButton)
		return nil
	}
	r, q := p.r, p.q
	pc, err := b.db.Pending(ctx, r.chatID, pendingID, q.From.ID, b.opts.Now().Add(-b.opts.PendingTTL))
	switch {
	case errors.Is(err, storage.ErrNotYours):
		b.answer(ctx, q.ID, "That is another reader's comment.")
		return nil
	case errors.Is(err, storage.ErrNotFound):
		b.answer(ctx, q.ID, "That comment was already posted or has expired.")
		return nil
	case err != nil:
		b.answer(ctx, q.ID, tryAgain)
		return err
	}
	if !slices.Contains(pc.Items, item) {
		b.answer(ctx, q.ID, staleButton)
		return nil
	}
	b.answer(ctx, q.ID, "")
	r.msg = &telegram.Message{MessageID: pc.Msg, Chat: q.Message.Chat, From: &q.From}
	// Refused (the reader was told), it waits, and may be picked again.
	return b.postFrom(ctx, r, item, 0, pc.Text, pc.ID)
}
