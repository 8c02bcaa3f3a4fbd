package bot

import (
	"context"
	"time"

	"github.com/newsbot/newsbot/bot/queue"
	"github.com/newsbot/newsbot/storage"
	"github.com/newsbot/newsbot/stories"
)

// Store is everything the bot keeps: *storage.DB in production, a real database in a
// temporary directory in tests. Which news a reader sees is not here: that is the
// story service's (Stories).
type Store interface {
	queue.InboxStore  // updates, before they are handled
	queue.OutboxStore // messages, until Telegram has them
	// stories.Store lets New build the story service when Options.Stories is nil.
	stories.Store

	// Subscribers and their settings.
	Subscriber(ctx context.Context, chatID int64) (storage.Subscriber, error)
	Subscribers(ctx context.Context, fn func(storage.Subscriber) error) error
	UpdateSubscriber(ctx context.Context, chatID int64, create func() storage.Subscriber, fn func(*storage.Subscriber) error) (storage.Subscriber, error)
	ActivateChat(ctx context.Context, chatID int64, create func() storage.Subscriber) (storage.Subscriber, error)
	ReturnErasures(ctx context.Context, chatID int64) (int, error)
	LeaveChat(ctx context.Context, chatID int64) error
	SetFeedLimits(lim storage.FeedLimits)
	AddOwnFeeds(ctx context.Context, chatID, by int64, create func() storage.Subscriber, urls, catalogue []string, lim storage.FeedLimits) (storage.Subscriber, []string, error)
	AccountFeeds(ctx context.Context, account int64) ([]string, error)
	ReaderFeedCount(ctx context.Context) (int, error)
	FeedUsage(ctx context.Context, chat int64, day string) (storage.FeedUsage, error)
	DueSubscribersExcept(ctx context.Context, now time.Time, limit int, skip func(chat int64) bool) ([]storage.Subscriber, error)
	// The slow lane's chats (slowlane.go).
	MarkSlow(ctx context.Context, chat int64, until time.Time) error
	SlowChats(ctx context.Context, now time.Time) (map[int64]time.Time, error)
	// What readers spent of their allowances, kept over a restart (spend.go).
	SaveReaderSpend(ctx context.Context, put map[int64]storage.ReaderSpend, drop []int64) error
	ReaderSpends(ctx context.Context) (spends map[int64]storage.ReaderSpend, damaged []int64, err error)
	CommitDigest(ctx context.Context, chatID int64, msgs []storage.OutMessage, expectLast, last, next time.Time, through uint64, held map[uint64][]uint64) error
	EnqueueCopyChanges(ctx context.Context, comment uint64, rev int, msgs []storage.OutMessage, now time.Time) error
	MarkStale(ctx context.Context, comment uint64) error
	EraseChat(ctx context.Context, chat, user int64, opts storage.EraseOptions) (storage.Erasure, error)

	// What was sent, and what it was.
	Enqueue(ctx context.Context, msgs []storage.OutMessage, now time.Time) error
	MessageRecordFor(ctx context.Context, chatID int64, messageID int) (storage.MessageRecord, error)
	OutboxStats(ctx context.Context, now time.Time) (depth int, oldest time.Duration, err error)

	// Readers' profiles, names and moderation.
	Profile(ctx context.Context, userID int64, firstName, firstKey string, now time.Time) (storage.Profile, error)
	SetName(ctx context.Context, userID int64, name, key string) error
	ReindexNames(ctx context.Context, version string, key func(string) string) (int, error)
	SetBanned(ctx context.Context, userID int64, banned bool) error
	Block(ctx context.Context, user, author int64) error
	Blocked(ctx context.Context, user, author int64) (bool, error)
	AddReport(ctx context.Context, id uint64, reporter int64, now time.Time, notify func(storage.Comment, int) []storage.OutMessage) (int, error)

	// Discussions.
	AddComment(ctx context.Context, c storage.Comment) (stored storage.Comment, created bool, err error)
	Comment(ctx context.Context, id uint64) (storage.Comment, error)
	UpdateComment(ctx context.Context, id uint64, fn func(*storage.Comment) error) (storage.Comment, error)
	ThreadOutline(ctx context.Context, itemID uint64) ([]storage.ThreadNode, error)
	CommentsByID(ctx context.Context, ids []uint64) ([]storage.Comment, error)
	ThreadCommentCount(ctx context.Context, itemID uint64) (int, error)
	ThreadFull(ctx context.Context, itemID, parent uint64) (bool, error)
	MarkReplies(ctx context.Context, c storage.Comment) (int, error)
	RelayComment(ctx context.Context, id uint64, msgs, passedBy []storage.OutMessage, now time.Time) (int, error)
	Unrelayed(ctx context.Context, after uint64, before time.Time, limit int) ([]storage.Comment, error)
	Copies(ctx context.Context, commentID uint64) ([][2]int64, error)
	RewriteQueuedCopies(ctx context.Context, comment uint64, rev int, rewrite func(*storage.OutMessage) (keep bool)) (int, error)
	StaleCopiesAfter(ctx context.Context, after uint64, limit int) ([]storage.StaleCopy, error)
	ClearStaleCopy(ctx context.Context, s storage.StaleCopy) error
	TakeDownPages(ctx context.Context, item, comment uint64) (int, error)
	ThreadPageListed(ctx context.Context, item uint64, chat int64, msg int) (bool, error)
	Followers(ctx context.Context, itemID uint64) ([]storage.Follower, error)
	FeedOwners(ctx context.Context, url string) ([]int64, error)
	SetFollow(ctx context.Context, itemID uint64, chat int64, muted bool) error
	AddPending(ctx context.Context, p storage.PendingComment, expired time.Time, perAuthor, perChat int) (storage.PendingComment, error)
	Pending(ctx context.Context, chat int64, id uint64, author int64, expired time.Time) (storage.PendingComment, error)
	DeletePending(ctx context.Context, chat int64, id uint64) error
	EditPending(ctx context.Context, chat int64, msg int, author int64, edit func() (string, error)) error

	// Followed stories.
	FollowStory(ctx context.Context, chat int64, story uint64, now, lapsedBefore time.Time, limit int) (storage.Story, error)
	UnfollowStory(ctx context.Context, chat int64, story uint64) error
	FollowedStories(ctx context.Context, chat int64) ([]storage.FollowedStory, error)
	FollowedThreads(ctx context.Context, chat int64) (map[uint64]bool, error)
	DueStoryUpdates(ctx context.Context, now time.Time, limit int) ([]storage.FollowedStory, error)
	CommitStoryUpdates(ctx context.Context, ss []storage.StorySettlement, now time.Time) (conflicts []int, err error)
	StoryCards(ctx context.Context, story uint64, since time.Time) ([]storage.StoryCard, error)

	Stats(ctx context.Context) (storage.Stats, error)
}

var _ Store = (*storage.DB)(nil)
