package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

func storedItem(t *testing.T, db *storage.DB) storage.Item {
	t.Helper()
	db.AddFeed(context.Background(), "f", t0)
	added, err := db.AddItems(context.Background(), "f", []storage.Item{item("k", "A story", t0)}, t0)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	return added[0]
}

// addComment stores c, failing the test if it cannot.
func addComment(t *testing.T, db *storage.DB, c storage.Comment) storage.Comment {
	t.Helper()
	added, _, err := db.AddComment(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

// A replayed update finds the comment it created; relaying happens once.
func TestAddCommentIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "first", SrcChat: 5, SrcMsg: 77, Created: t0}
	first, created, err := db.AddComment(ctx, c)
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	again, created, err := db.AddComment(ctx, c)
	if err != nil || created || again.ID != first.ID {
		t.Fatalf("replay: %+v created=%v %v", again, created, err)
	}
	if cs, _ := db.ThreadComments(ctx, it.ID); len(cs) != 1 {
		t.Fatalf("%d comments after a replay", len(cs))
	}
	msg := []storage.OutMessage{{ChatID: 9, Method: "sendMessage", Params: map[string]string{"chat_id": "9"}}}
	if _, err := db.RelayComment(ctx, first.ID, msg, nil, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RelayComment(ctx, first.ID, msg, nil, t0); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("second relay: %v", err)
	}
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 1 {
		t.Fatalf("%d queued, want 1", len(q))
	}
}

func TestPendingCommentsAreFewShortLivedAndTheAuthors(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	var ids []uint64
	for i := range 5 {
		p, err := db.AddPending(ctx, storage.PendingComment{AuthorID: 5, Chat: -100, Msg: i + 1, Text: "x", Created: t0.Add(time.Duration(i) * time.Minute)}, t0.Add(-time.Hour), 3, 30)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// Only the newest three are kept.
	for i, id := range ids {
		_, err := db.Pending(ctx, -100, id, 5, t0.Add(-time.Hour))
		if kept := i >= 2; kept != (err == nil) {
			t.Errorf("pending %d: kept=%v err=%v", i, kept, err)
		}
	}
	// A bystander can neither see nor destroy it.
	if _, err := db.Pending(ctx, -100, ids[4], 6, t0.Add(-time.Hour)); !errors.Is(err, storage.ErrNotYours) {
		t.Fatalf("bystander: %v", err)
	}
	if _, err := db.Pending(ctx, -100, ids[4], 5, t0.Add(-time.Hour)); err != nil {
		t.Fatalf("the author's pending comment is gone after a bystander's try: %v", err)
	}
	// Another chat's key does not reach it; expiry does.
	if _, err := db.Pending(ctx, -200, ids[4], 5, t0.Add(-time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("other chat: %v", err)
	}
	if _, err := db.Pending(ctx, -100, ids[4], 5, t0.Add(time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("expired: %v", err)
	}
	if n, err := db.PrunePending(ctx, t0.Add(time.Hour)); err != nil || n != 3 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	// One member's replies cannot push out another's.
	other, _ := db.AddPending(ctx, storage.PendingComment{AuthorID: 6, Chat: -100, Msg: 50, Text: "mine", Created: t0}, t0.Add(-time.Hour), 3, 30)
	for i := range 10 {
		db.AddPending(ctx, storage.PendingComment{AuthorID: 5, Chat: -100, Msg: 60 + i, Text: "x", Created: t0}, t0.Add(-time.Hour), 3, 30)
	}
	if _, err := db.Pending(ctx, -100, other.ID, 6, t0.Add(-time.Hour)); err != nil {
		t.Fatalf("another member's pending comment was pushed out: %v", err)
	}
}

func TestReportsOncePerReaderAndNeverForGoneComments(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c, _, _ := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "x", SrcChat: 5, SrcMsg: 1})
	if n, err := db.AddReport(ctx, c.ID, 8, t0, nil); err != nil || n != 1 {
		t.Fatalf("first report %v %v", n, err)
	}
	if n, err := db.AddReport(ctx, c.ID, 8, t0, nil); err != nil || n != 0 {
		t.Fatalf("repeat report %v %v", n, err)
	}
	// The moderators' notice is queued in the report's transaction (audit 50: a crash
	// between the two lost it, and the replayed press answered "reported already"); a
	// repeat queues none.
	notice := func(c storage.Comment, n int) []storage.OutMessage {
		return []storage.OutMessage{{ChatID: 900, Method: "sendMessage", Params: map[string]string{"chat_id": "900", "text": fmt.Sprintf("report %d of %d", n, c.ID)}}}
	}
	if n, _ := db.AddReport(ctx, c.ID, 9, t0, notice); n != 2 {
		t.Fatal("another reader's report was not counted")
	}
	if n, _ := db.AddReport(ctx, c.ID, 9, t0, notice); n != 0 {
		t.Fatal("a repeat was counted")
	}
	if q, err := db.Outbox(ctx, 0, 0); err != nil || len(q) != 1 || q[0].Params["text"] != fmt.Sprintf("report 2 of %d", c.ID) {
		t.Fatalf("queued with the report: %+v (%v)", q, err)
	}
	db.UpdateComment(ctx, c.ID, func(c *storage.Comment) error { c.Deleted = true; return nil })
	if _, err := db.AddReport(ctx, c.ID, 10, t0, nil); !errors.Is(err, storage.ErrGone) {
		t.Fatalf("report on a deleted comment: %v", err)
	}
	if _, err := db.AddReport(ctx, 999, 10, t0, nil); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("report on no comment: %v", err)
	}
}

func TestNameClaims(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	key := strings.ToLower
	ann, _ := db.Profile(ctx, 1, "Ann", key("Ann"), t0)
	if ann.DisplayName() != "Ann" {
		t.Fatalf("first Ann shows %q", ann.DisplayName())
	}
	other, _ := db.Profile(ctx, 2, "Ann", key("Ann"), t0)
	if d := other.DisplayName(); d == "Ann" || !strings.HasPrefix(d, "Ann #") {
		t.Fatalf("second Ann shows %q", d)
	}
	if err := db.SetName(ctx, 3, "ANN", key("ANN")); !errors.Is(err, storage.ErrNameTaken) {
		t.Fatalf("a chosen name like a first name in use: %v", err)
	}
	if err := db.SetName(ctx, 3, "admin", ""); !errors.Is(err, storage.ErrNameTaken) {
		t.Fatalf("a name without a key (reserved): %v", err)
	}
	// Ann renames herself on Telegram: the name frees up for the next Ann.
	db.Profile(ctx, 1, "Anna", key("Anna"), t0)
	if p, _ := db.Profile(ctx, 2, "Ann", key("Ann"), t0); p.DisplayName() != "Ann" {
		t.Fatalf("after the name freed up: %q", p.DisplayName())
	}
	// Reindexing with a stricter key drops a chosen name that now clashes.
	db.SetName(ctx, 4, "Bob", key("Bob"))
	db.SetName(ctx, 5, "B0b", key("B0b"))
	strict := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "0", "o") }
	if n, err := db.ReindexNames(ctx, "v-test", strict); err != nil || n != 1 {
		t.Fatalf("reindex dropped %d, %v", n, err)
	}
	if n, _ := db.ReindexNames(ctx, "v-test", strict); n != 0 {
		t.Fatal("a second reindex with the same version ran again")
	}
	if p, _ := db.Profile(ctx, 5, "Robert", strict("Robert"), t0); p.Name != "" {
		t.Fatalf("user 5 kept the clashing name %q", p.Name)
	}
}

// Queued copies of a comment are rewritten or dropped in place, other messages are
// left alone; and a copy that was in flight when its comment went is deleted as soon
// as it is recorded, not kept as a copy of a comment that is gone.
func TestQueuedCopiesFollowTheirComment(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "secret", SrcChat: 5, SrcMsg: 1, Created: t0})
	cp := func(chat int64, kind storage.RecordKind) storage.OutMessage {
		return storage.OutMessage{ChatID: chat, Method: "sendMessage", Params: map[string]string{"text": "secret"},
			Record: &storage.MessageRecord{Kind: kind, Items: []uint64{it.ID}, Comment: c.ID}}
	}
	other := storage.OutMessage{ChatID: 7, Method: "sendMessage", Params: map[string]string{"text": "a digest"},
		Record: &storage.MessageRecord{Kind: storage.KindDigest, Items: []uint64{it.ID}}}
	if err := db.Enqueue(ctx, []storage.OutMessage{cp(7, storage.KindComment), cp(8, storage.KindReport), other, cp(9, storage.KindComment)}, t0); err != nil {
		t.Fatal(err)
	}
	// An edit: copies get the new text, the report stays as reported.
	dropped, err := db.RewriteQueuedCopies(ctx, c.ID, c.Rev, func(m *storage.OutMessage) bool {
		if m.Record.Kind == storage.KindComment {
			m.Params["text"] = "edited"
		}
		return true
	})
	q, _ := db.Outbox(ctx, 0, 0)
	if err != nil || dropped != 0 || len(q) != 4 || q[0].Params["text"] != "edited" || q[1].Params["text"] != "secret" || q[2].Params["text"] != "a digest" {
		t.Fatalf("edit: dropped %d, %v, queue %+v", dropped, err, q)
	}
	// The first copy is in flight (the sender read it) when the comment is deleted.
	inFlight := q[0]
	deleted, err := db.UpdateComment(ctx, c.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil })
	if err != nil {
		t.Fatal(err)
	}
	// Rendered from the revision before: refused, nothing changed.
	if dropped, err = db.RewriteQueuedCopies(ctx, c.ID, c.Rev, func(*storage.OutMessage) bool { return false }); !errors.Is(err, storage.ErrStale) || dropped != 0 {
		t.Fatalf("a stale rewrite: dropped %d, %v", dropped, err)
	}
	if err := db.EnqueueCopyChanges(ctx, c.ID, c.Rev, []storage.OutMessage{storage.Deletion(7, 1)}, t0); !errors.Is(err, storage.ErrStale) {
		t.Fatalf("stale changes queued: %v", err)
	}
	if q, _ = db.Outbox(ctx, 0, 0); len(q) != 4 {
		t.Fatalf("a stale rewrite changed the queue: %+v", q)
	}
	if dropped, err = db.RewriteQueuedCopies(ctx, c.ID, deleted.Rev, func(*storage.OutMessage) bool { return false }); err != nil || dropped != 3 {
		t.Fatalf("delete: dropped %d, %v", dropped, err)
	}
	if q, _ = db.Outbox(ctx, 0, 0); len(q) != 1 || q[0].Params["text"] != "a digest" {
		t.Fatalf("after delete: %+v", q)
	}
	if _, err := db.OutMessage(ctx, inFlight.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a dropped copy is still readable: %v", err)
	}
	if got, err := db.Sent(ctx, inFlight.ID, 7, 4242, inFlight.Record); err != nil || !got.Deleted {
		t.Fatalf("sent a copy of a deleted comment: %+v, %v", got, err)
	}
	if copies, _ := db.Copies(ctx, c.ID); len(copies) != 0 {
		t.Fatalf("a copy of a deleted comment was recorded: %v", copies)
	}
	q, _ = db.Outbox(ctx, 0, 0)
	if len(q) != 2 || q[1].Method != "deleteMessage" || q[1].Params["chat_id"] != "7" || q[1].Params["message_id"] != "4242" {
		t.Fatalf("the copy sent in flight is not deleted: %+v", q)
	}
}

// A copy sent from an older revision of its comment is recorded and reported stale; a
// retry or a plain fallback works on the stored message, never on the sender's older
// copy; /forget keeps queued deletions of the erased comments' copies.
func TestCopiesKnowTheirRevision(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "first", SrcChat: 5, SrcMsg: 1, Created: t0})
	rec := &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}
	cp := storage.OutMessage{ChatID: 7, Method: "sendMessage", Params: map[string]string{"text": "<b>first</b>", "parse_mode": "HTML"}, Plain: "first", Record: rec}
	del := storage.OutMessage{ChatID: 8, Method: "deleteMessage", Params: map[string]string{"message_id": "3"}, Record: rec}
	if err := db.Enqueue(ctx, []storage.OutMessage{cp, del}, t0); err != nil {
		t.Fatal(err)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	stale := q[0] // the sender's copy, read before the edit
	edited, err := db.UpdateComment(ctx, c.ID, func(c *storage.Comment) error { c.Text = "second"; return nil })
	if err != nil || edited.Rev != c.Rev+1 {
		t.Fatalf("an edit is no new revision: %+v %v", edited, err)
	}
	if _, err := db.RewriteQueuedCopies(ctx, c.ID, edited.Rev, func(m *storage.OutMessage) bool {
		if m.Method == "sendMessage" {
			m.Params = map[string]string{"text": "<b>second</b>", "parse_mode": "HTML"}
			m.Plain, m.Record.Rev = "second", edited.Rev
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Retry(ctx, stale.ID, 2); err != nil {
		t.Fatal(err)
	}
	plain, err := db.PlainFallback(ctx, stale.ID)
	if err != nil || plain.Params["text"] != "second" || plain.Params["parse_mode"] != "" || plain.Attempts != 2 {
		t.Fatalf("the retry and fallback undid the rewrite: %+v, %v", plain, err)
	}
	got, err := db.Sent(ctx, stale.ID, 7, 40, stale.Record) // the older copy went out after all
	if err != nil || got.Stale != c.ID || got.Deleted {
		t.Fatalf("a copy of an older revision: %+v, %v", got, err)
	}
	if copies, _ := db.Copies(ctx, c.ID); len(copies) != 1 {
		t.Fatalf("the stale copy is not recorded: %v", copies)
	}
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	// The queued deletion stays, and the recorded copy's deletion joins it.
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 2 || q[0].Method != "deleteMessage" || q[1].Method != "deleteMessage" || q[1].Params["message_id"] != "40" {
		t.Fatalf("after /forget the queue holds %+v, want the two deletions", q)
	}
}

// Discussion pages are listed one per story and chat, replaced with a deletion of the
// older, taken down by a comment's deletion, and unlisted with their pruned story.
func TestThreadPagesAreBounded(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "x", SrcChat: 5, SrcMsg: 1, Created: t0})
	rec := &storage.MessageRecord{Kind: storage.KindThreadPage, Items: []uint64{it.ID}, Comments: []uint64{c.ID}}
	for msg := 10; msg < 15; msg++ {
		got, err := db.Sent(ctx, 0, 7, msg, rec)
		if err != nil || got.Deleted != (msg > 10) {
			t.Fatalf("page %d: %+v, %v", msg, got, err)
		}
	}
	if listed, _ := db.ThreadPageListed(ctx, it.ID, 7, 14); !listed {
		t.Fatal("the last page is not listed")
	}
	if listed, _ := db.ThreadPageListed(ctx, it.ID, 7, 13); listed {
		t.Fatal("a replaced page is still listed")
	}
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 4 {
		t.Fatalf("%d deletions queued for 4 replaced pages", len(q))
	}
	if n, err := db.TakeDownPages(ctx, it.ID, c.ID); err != nil || n != 1 {
		t.Fatalf("took down %d pages: %v", n, err)
	}
	// A page of a story with no comment goes with the story when it is pruned.
	added, err := db.AddItems(ctx, "f", []storage.Item{item("k2", "Another story", t0)}, t0)
	if err != nil || len(added) != 1 {
		t.Fatal(err)
	}
	empty := &storage.MessageRecord{Kind: storage.KindThreadPage, Items: []uint64{added[0].ID}}
	if _, err := db.Sent(ctx, 0, 7, 30, empty); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Prune(ctx, t0.Add(365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if listed, _ := db.ThreadPageListed(ctx, added[0].ID, 7, 30); listed {
		t.Fatal("a pruned story's page is still listed")
	}
}

// Two copies of one revision reported stale apart are two marks: a refresh that read
// the first (and may have listed the copies before the second was recorded) does not
// clear the second (found by a CI run under -race: a reply's copy kept quoting its
// deleted parent).
func TestStaleMarksAreNumbered(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "x", SrcChat: 5, SrcMsg: 1, Created: t0})
	rec := &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}
	if _, err := db.UpdateComment(ctx, c.ID, func(*storage.Comment) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Sent(ctx, 0, 7, 1, rec); err != nil || got.Stale != c.ID {
		t.Fatalf("first copy: %+v, %v", got, err)
	}
	first, _ := db.StaleCopies(ctx, 10)
	if got, err := db.Sent(ctx, 0, 8, 1, rec); err != nil || got.Stale != c.ID {
		t.Fatalf("second copy: %+v, %v", got, err)
	}
	if err := db.ClearStaleCopy(ctx, first[0]); err != nil {
		t.Fatal(err)
	}
	if left, _ := db.StaleCopies(ctx, 10); len(left) != 1 {
		t.Fatalf("the second report was cleared with the first: %v", left)
	}
}

// EraseChat queues its notice ahead of the deletions it queues, and keeps it through
// its own sweep of the chat's queue; a reported comment's moderators' copies come back
// apart from its other copies, with what a rewritten report needs and no text.
func TestEraseChatNoticeAndReports(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	mine := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, AuthorName: "Five", Text: "reported words", SrcChat: 5, SrcMsg: 1, Created: t0})
	theirs := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 6, Text: "another reader's", SrcChat: 6, SrcMsg: 1, Created: t0})
	sent := func(chat int64, msg int, kind storage.RecordKind, c storage.Comment) {
		t.Helper()
		if _, err := db.Sent(ctx, 0, chat, msg, &storage.MessageRecord{Kind: kind, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
			t.Fatal(err)
		}
	}
	sent(7, 20, storage.KindComment, mine)   // a reader's copy
	sent(900, 21, storage.KindReport, mine)  // the moderator's report
	sent(5, 22, storage.KindComment, theirs) // relayed to the chat being erased
	for _, reporter := range []int64{7, 8} {
		if _, err := db.AddReport(ctx, mine.ID, reporter, t0, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 5, Method: "sendMessage", Params: map[string]string{"text": "queued digest"}}}, t0); err != nil {
		t.Fatal(err)
	}
	notice := storage.OutMessage{ChatID: 5, Method: "sendMessage", Params: map[string]string{"text": "deleted"}}
	rewrite := func(r storage.ErasedReport) []storage.OutMessage {
		var out []storage.OutMessage
		for _, cp := range r.Copies {
			out = append(out, storage.OutMessage{ChatID: cp[0], Method: "editMessageText",
				Params: map[string]string{"message_id": fmt.Sprint(cp[1]), "text": fmt.Sprintf("erased by %d", r.Author)}})
		}
		return out
	}
	er, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{Notice: []storage.OutMessage{notice}, Report: rewrite})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(er.Copies, [][2]int64{{7, 20}}) {
		t.Fatalf("copies to delete %v, want the reader's only", er.Copies)
	}
	want := storage.ErasedReport{Comment: mine.ID, Item: it.ID, Author: 5, Reporters: 2, Copies: [][2]int64{{900, 21}}}
	if len(er.Reports) != 1 || !reflect.DeepEqual(er.Reports[0], want) {
		t.Fatalf("reports %+v, want %+v", er.Reports, want)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	var texts []string
	for _, m := range q {
		texts = append(texts, fmt.Sprint(m.ChatID, " ", m.Method, " ", m.Params["text"], "#", m.Params["message_id"]))
	}
	if !slices.Equal(texts, []string{"5 sendMessage deleted#", "5 deleteMessage #22", "7 deleteMessage #20", "900 editMessageText erased by 5#21"}) {
		t.Fatalf("the queue after erasing: %q; want the notice, the deletions, the report's rewrite", texts)
	}
}

// A reported comment stays reported when its author erases it, even after every reader
// who reported it was forgotten: the moderators' report is rewritten, not deleted.
func TestErasedReportOutlivesItsReporters(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "reported words", SrcChat: 5, SrcMsg: 1, Created: t0})
	if _, err := db.Sent(ctx, 0, 900, 21, &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddReport(ctx, c.ID, 7, t0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, 7, 7, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	er, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Copies) != 0 || len(er.Reports) != 1 || !slices.Equal(er.Reports[0].Copies, [][2]int64{{900, 21}}) {
		t.Fatalf("copies %v, reports %+v; want the report kept as one", er.Copies, er.Reports)
	}
}

// A report in flight when its author deletes the comment (sent as it was, its queued
// row rewritten meanwhile) is kept and marked stale, to be rewritten without the text:
// the moderators keep a report and a ban button.
func TestReportInFlightOfDeletedCommentStays(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "reported words", SrcChat: 5, SrcMsg: 1, Created: t0})
	rec := &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}
	if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 900, Method: "sendMessage", Params: map[string]string{"text": "reported words"}, Record: rec}}, t0); err != nil {
		t.Fatal(err)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	inFlight := q[0]
	deleted, err := db.UpdateComment(ctx, c.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RewriteQueuedCopies(ctx, c.ID, deleted.Rev, func(m *storage.OutMessage) bool {
		m.Params, m.Record.Rev = map[string]string{"text": "deleted by its author"}, deleted.Rev
		return true
	}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sent(ctx, inFlight.ID, 900, 31, inFlight.Record)
	if err != nil || got.Deleted || got.Stale != c.ID {
		t.Fatalf("the report in flight: %+v, %v; want it kept and stale", got, err)
	}
	if copies, _ := db.Copies(ctx, c.ID); !slices.Equal(copies, [][2]int64{{900, 31}}) {
		t.Fatalf("copies %v: the report is not recorded", copies)
	}
	if marks, _ := db.StaleCopies(ctx, 10); len(marks) != 1 || marks[0].Comment != c.ID {
		t.Fatalf("stale marks %+v", marks)
	}
	// A report rewritten while it waited, sent afterwards, is kept as it is.
	if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 901, Method: "sendMessage", Params: map[string]string{"text": "deleted by its author"},
		Record: &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: deleted.Rev}}}, t0); err != nil {
		t.Fatal(err)
	}
	q, _ = db.Outbox(ctx, 0, 0)
	for _, m := range q {
		if m.Method == "deleteMessage" {
			t.Fatalf("a report's deletion is queued: %+v", m)
		}
	}
	if got, err := db.Sent(ctx, q[len(q)-1].ID, 901, 32, q[len(q)-1].Record); err != nil || got.Deleted || got.Stale != 0 {
		t.Fatalf("the rewritten report: %+v, %v", got, err)
	}
}

// /forget drops from the queue what still names the author: a rewrite of a report
// queued by an earlier /delete (it names the author) goes with the comment's erasure.
func TestForgetDropsQueuedReportRewrites(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, AuthorName: "Five", Text: "w", SrcChat: 5, SrcMsg: 1, Created: t0})
	if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 900, Method: "editMessageText",
		Params: map[string]string{"message_id": "21", "text": "comment by Five (id 5) deleted by its author"},
		Record: &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev, Rewrite: true}}}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 0 {
		t.Fatalf("after /forget the queue holds %q", q[0].Params["text"])
	}
}

// /delete's rewrite of a report, in flight when the author's /forget comes, leaves the
// report to the rewrite EraseChat queued: it is neither deleted nor recorded.
func TestReportEditInFlightAtForget(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, AuthorName: "Five", Text: "w", SrcChat: 5, SrcMsg: 1, Created: t0})
	if _, err := db.Sent(ctx, 0, 900, 21, &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddReport(ctx, c.ID, 7, t0, nil); err != nil {
		t.Fatal(err)
	}
	deleted, err := db.UpdateComment(ctx, c.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil })
	if err != nil {
		t.Fatal(err)
	}
	rec := &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: deleted.Rev, Rewrite: true}
	if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: 900, Method: "editMessageText", Params: map[string]string{"message_id": "21", "text": "by Five, deleted"}, Record: rec}}, t0); err != nil {
		t.Fatal(err)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	inFlight := q[0]
	rewrite := func(r storage.ErasedReport) []storage.OutMessage {
		return []storage.OutMessage{{ChatID: 900, Method: "editMessageText", Params: map[string]string{"message_id": "21", "text": "erased"}}}
	}
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{Report: rewrite}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sent(ctx, inFlight.ID, 900, 21, inFlight.Record)
	if err != nil || got.Deleted {
		t.Fatalf("the edit in flight: %+v, %v; the report must stay", got, err)
	}
	q, _ = db.Outbox(ctx, 0, 0)
	if len(q) != 1 || q[0].Params["text"] != "erased" {
		t.Fatalf("the queue holds %+v, want the rewrite only", q)
	}
	// Nor when its comment is gone altogether (pruned with its story).
	gone := &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: 99999, Rev: 1, Rewrite: true}
	if got, err := db.Sent(ctx, 0, 900, 22, gone); err != nil || got.Deleted {
		t.Fatalf("a rewrite of a report of a comment gone: %+v, %v", got, err)
	}
	if q, _ = db.Outbox(ctx, 0, 0); len(q) != 1 {
		t.Fatalf("the queue holds %+v, want the rewrite only", q)
	}
}

// A queued copy of a reply whose parent /forget erased is rendered again in the
// erasure's transaction: sent at any moment after, it never quotes the erased words.
// Queued edits of it go (the refresh, marked, edits what was sent); deletions stay.
func TestQueuedRepliesAreRewrittenAtErasure(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	parent := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "erased words", SrcChat: 5, SrcMsg: 1, Created: t0})
	reply := addComment(t, db, storage.Comment{ItemID: it.ID, ParentID: parent.ID, AuthorID: 6, Text: "a reply", SrcChat: 6, SrcMsg: 1, Created: t0})
	rec := func() *storage.MessageRecord {
		return &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{it.ID}, Comment: reply.ID, Rev: reply.Rev}
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{
		{ChatID: 7, Method: "sendMessage", Params: map[string]string{"text": "a reply, quoting: erased words", "reply_markup": "{}"}, Plain: "erased words", Record: rec()},
		{ChatID: 8, Method: "editMessageText", Params: map[string]string{"message_id": "3", "text": "a reply, quoting: erased words"}, Record: rec()},
		{ChatID: 9, Method: "deleteMessage", Params: map[string]string{"message_id": "4"}, Record: rec()},
	}, t0); err != nil {
		t.Fatal(err)
	}
	var rendered []string
	er, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{Reply: func(r, p storage.Comment, title string) (string, string) {
		rendered = append(rendered, fmt.Sprintf("%s|%v|%s", r.Text, p.Gone(), title))
		return "<b>a reply</b>, to a deleted comment", "a reply, to a deleted comment"
	}})
	if err != nil || !slices.Equal(er.Replies, []uint64{reply.ID}) {
		t.Fatalf("replies %v, %v", er.Replies, err)
	}
	if !slices.Equal(rendered, []string{"a reply|true|A story"}) {
		t.Fatalf("rendered %q", rendered)
	}
	now, _ := db.Comment(ctx, reply.ID)
	q, _ := db.Outbox(ctx, 0, 0)
	var got []string
	for _, m := range q {
		got = append(got, fmt.Sprint(m.ChatID, " ", m.Method, " ", m.Params["text"], " ", m.Plain, " ", m.Record.Rev == now.Rev, " ", m.Params["reply_markup"]))
	}
	want := []string{"7 sendMessage <b>a reply</b>, to a deleted comment a reply, to a deleted comment true {}", "9 deleteMessage   false "}
	if !slices.Equal(got, want) {
		t.Fatalf("the queue after the erasure:\n%q\nwant\n%q", got, want)
	}
	if marks, _ := db.StaleCopies(ctx, 10); len(marks) != 1 || marks[0].Comment != reply.ID {
		t.Fatalf("the reply's sent copies are not marked for the refresh: %+v", marks)
	}
}

// A comment's deleted copies are unlisted with their deletions: a later refresh of its
// copies finds only what still shows.
func TestDeletedCopiesAreUnlisted(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "w", SrcChat: 5, SrcMsg: 1, Created: t0})
	var dels []storage.OutMessage
	for chat := int64(10); chat < 60; chat++ {
		if _, err := db.Sent(ctx, 0, chat, 3, &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
			t.Fatal(err)
		}
		dels = append(dels, storage.Deletion(chat, 3))
	}
	if _, err := db.Sent(ctx, 0, 900, 4, &storage.MessageRecord{Kind: storage.KindReport, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}); err != nil {
		t.Fatal(err)
	}
	report := storage.OutMessage{ChatID: 900, Method: "editMessageText", Params: map[string]string{"message_id": "4", "text": "deleted"}}
	if err := db.EnqueueCopyChanges(ctx, c.ID, c.Rev, append(dels, report), t0); err != nil {
		t.Fatal(err)
	}
	if copies, _ := db.Copies(ctx, c.ID); !slices.Equal(copies, [][2]int64{{900, 4}}) {
		t.Fatalf("listed after the deletions: %v, want the report only", copies)
	}
	if _, err := db.MessageRecordFor(ctx, 10, 3); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a deleted copy's record: %v", err)
	}
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 51 {
		t.Fatalf("%d queued, want 51", len(q))
	}
}

// A discussion page still queued when a comment it shows goes never shows it: /forget
// drops it with the erasure, /delete and removal (TakeDownPages) drop it, and one
// rendered after those ran is refused to the sender (ErrWithdrawn).
func TestQueuedPagesOfGoneCommentsAreDropped(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	add := func(author int64, text string) storage.Comment {
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, AuthorName: "Ava", Text: text, SrcChat: author, SrcMsg: 1, Created: t0})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	erased, deleted, other := add(5, "erased words"), add(6, "deleted words"), add(7, "other words")
	page := func(chat int64, shows ...uint64) storage.OutMessage {
		return storage.OutMessage{ChatID: chat, Method: "sendMessage", Params: map[string]string{"text": fmt.Sprint("page of ", shows)},
			Record: &storage.MessageRecord{Kind: storage.KindThreadPage, Items: []uint64{it.ID}, Comments: shows}}
	}
	if err := db.Enqueue(ctx, []storage.OutMessage{page(8, erased.ID, other.ID), page(9, deleted.ID), page(10, other.ID)}, t0); err != nil {
		t.Fatal(err)
	}
	queued := func() []int64 {
		q, _ := db.Outbox(ctx, 0, 0)
		var chats []int64
		for _, m := range q {
			chats = append(chats, m.ChatID)
		}
		return chats
	}
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := queued(); !slices.Equal(got, []int64{9, 10}) {
		t.Fatalf("after /forget pages queued for %v, want 9 and 10", got)
	}
	if _, err := db.UpdateComment(ctx, deleted.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeDownPages(ctx, it.ID, deleted.ID); err != nil {
		t.Fatal(err)
	}
	if got := queued(); !slices.Equal(got, []int64{10}) {
		t.Fatalf("after /delete pages queued for %v, want 10", got)
	}
	// Rendered before the deletion, queued after it: the sender is refused it.
	if err := db.Enqueue(ctx, []storage.OutMessage{page(11, deleted.ID)}, t0); err != nil {
		t.Fatal(err)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	if _, err := db.OutMessage(ctx, q[0].ID); err != nil {
		t.Fatalf("a page of comments that show: %v", err)
	}
	if _, err := db.OutMessage(ctx, q[1].ID); !errors.Is(err, storage.ErrWithdrawn) {
		t.Fatalf("a page of a deleted comment: %v, want ErrWithdrawn", err)
	}
}

// A name someone's comments show stays theirs after they rename: nobody else can take
// it and answer in the thread as them (found by review). It goes free when its owner
// erases their data, or once they have commented under MaxShownNames newer names.
func TestNamesCommentsShowStayTheirs(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	key := strings.ToLower
	it := storedItem(t, db)
	comment := func(user int64, msg int) storage.Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: user, AuthorName: "stale", Text: "x", SrcChat: user, SrcMsg: msg, Created: t0})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	db.Profile(ctx, 1, "Zoe", key("Zoe"), t0)
	if err := db.SetName(ctx, 1, "Doctor Zed", key("Doctor Zed")); err != nil {
		t.Fatal(err)
	}
	if c := comment(1, 1); c.AuthorName != "Doctor Zed" {
		t.Fatalf("the comment shows %q, want the name read with it", c.AuthorName)
	}
	db.SetName(ctx, 1, "Zed Two", key("Zed Two"))
	if err := db.SetName(ctx, 2, "Doctor Zed", key("Doctor Zed")); !errors.Is(err, storage.ErrNameTaken) {
		t.Fatalf("another reader took a name Zoe's comment shows: %v", err)
	}
	// The same through a Telegram first name, commented under and then changed.
	db.Profile(ctx, 3, "Ann", key("Ann"), t0)
	comment(3, 2)
	db.Profile(ctx, 3, "Anna", key("Anna"), t0)
	if p, _ := db.Profile(ctx, 4, "Ann", key("Ann"), t0); p.DisplayName() == "Ann" {
		t.Fatal("a new Ann shows as the Ann whose comment is in the thread")
	}
	// A name never commented under frees at once.
	db.SetName(ctx, 1, "Passing Name", key("Passing Name"))
	db.SetName(ctx, 1, "", "")
	if err := db.SetName(ctx, 2, "Passing Name", key("Passing Name")); err != nil {
		t.Fatalf("a name no comment shows was kept: %v", err)
	}
	// Its owner goes back to it at will.
	if err := db.SetName(ctx, 1, "Doctor Zed", key("Doctor Zed")); err != nil {
		t.Fatal(err)
	}
	// Bounded: the least recently used of more than MaxShownNames goes free. "Zed Two"
	// (never commented under) is not one of them; "Doctor Zed" is, and is used again
	// last, so "Name 0" is the one to go.
	for i := range storage.MaxShownNames {
		name := fmt.Sprint("Name ", i)
		if err := db.SetName(ctx, 1, name, key(name)); err != nil {
			t.Fatal(err)
		}
		comment(1, 10+i)
		if i == 0 {
			db.SetName(ctx, 1, "Doctor Zed", key("Doctor Zed"))
			comment(1, 9)
		}
	}
	if err := db.SetName(ctx, 2, "Name 0", key("Name 0")); err != nil {
		t.Fatalf("the least recently used of %d names was kept: %v", storage.MaxShownNames+1, err)
	}
	if err := db.SetName(ctx, 2, "Doctor Zed", key("Doctor Zed")); !errors.Is(err, storage.ErrNameTaken) {
		t.Fatalf("a name used again went free: %v", err)
	}
	// Reindexing keeps them; /forget frees them (its comments show no name any more).
	if _, err := db.ReindexNames(ctx, "v-shown", key); err != nil {
		t.Fatal(err)
	}
	if err := db.SetName(ctx, 5, "Name 1", key("Name 1")); !errors.Is(err, storage.ErrNameTaken) {
		t.Fatalf("a shown name went free on reindexing: %v", err)
	}
	if _, err := db.EraseChat(ctx, 1, 1, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetName(ctx, 5, "Name 1", key("Name 1")); err != nil {
		t.Fatalf("a name stayed claimed after its owner's erasure: %v", err)
	}
}

// A story's discussion holds at most Options.MaxThreadComments; counting them, as
// every card does, reads no comment, and a page lays the thread out from the index
// alone (found by review JJ: every page, card and redraw read the whole thread).
func TestThreadsAreBounded(t *testing.T) {
	const full = 50
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{MaxThreadComments: full})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it := storedItem(t, db)
	var first storage.Comment
	for i := range full {
		c := storage.Comment{ItemID: it.ID, AuthorID: int64(1000 + i), Text: "x", Created: t0}
		if i%2 == 1 {
			c.ParentID = first.ID // every other comment replies to the first
		}
		stored, _, err := db.AddComment(ctx, c)
		if err != nil {
			t.Fatalf("comment %d: %v", i, err)
		}
		if i == 0 {
			first = stored
		}
	}
	if isFull, err := db.ThreadFull(ctx, it.ID, 0); err != nil || !isFull {
		t.Fatalf("ThreadFull %v (%v), want true", isFull, err)
	}
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 5, Text: "one more", Created: t0}); !errors.Is(err, storage.ErrThreadFull) {
		t.Fatalf("a comment past the bound: %v, want ErrThreadFull", err)
	}
	if n, err := db.ThreadCommentCount(ctx, it.ID); err != nil || n != full {
		t.Fatalf("count %d (%v), want %d", n, err, full)
	}
	nodes, err := db.ThreadOutline(ctx, it.ID)
	if err != nil || len(nodes) != full {
		t.Fatalf("%d nodes (%v), want %d", len(nodes), err, full)
	}
	cs, err := db.ThreadComments(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		if n.ID != cs[i].ID || n.Parent != cs[i].ParentID {
			t.Fatalf("node %d is %+v, its comment %d replies to %d", i, n, cs[i].ID, cs[i].ParentID)
		}
	}
	ids := []uint64{nodes[3].ID, nodes[1].ID}
	if got, err := db.CommentsByID(ctx, ids); err != nil || len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("CommentsByID %v: %+v, %v", ids, got, err)
	}
	other, err := db.AddItems(ctx, "f", []storage.Item{item("k2", "Another story", t0)}, t0)
	if err != nil || len(other) != 1 {
		t.Fatal(err)
	}
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: other[0].ID, AuthorID: 5, Text: "elsewhere", Created: t0}); err != nil {
		t.Fatalf("another story's discussion: %v", err)
	}
}

// A story's outline holds what its pages show: a gone comment holding no reply leaves
// it, with each gone parent it leaves without replies, and a removal reopens a full
// discussion (found by review KK: removed comments stayed in the outline, so a filled
// discussion stayed full). A reply to a comment that left brings it back.
func TestGoneCommentsLeaveTheOutline(t *testing.T) {
	ctx := context.Background()
	const full = 6
	db, err := storage.Open(filepath.Join(t.TempDir(), "db"), storage.Options{MaxThreadComments: full})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it := storedItem(t, db)
	add := func(author int64, parent uint64) storage.Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, ParentID: parent, Text: "words", Created: t0})
		if err != nil {
			t.Fatalf("comment by %d under %d: %v", author, parent, err)
		}
		return c
	}
	gone := func(id uint64, how func(*storage.Comment)) {
		t.Helper()
		if _, err := db.UpdateComment(ctx, id, func(c *storage.Comment) error { how(c); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	removed := func(c *storage.Comment) { c.Removed = true }
	deleted := func(c *storage.Comment) { c.Deleted, c.Text = true, "" }
	outline := func() []storage.ThreadNode {
		t.Helper()
		nodes, err := db.ThreadOutline(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		return nodes
	}

	root := add(1, 0) // answered, then removed: stays while answered
	reply := add(2, root.ID)
	leaf := add(3, 0)   // removed unanswered: leaves
	chainA := add(4, 0) // a chain of the same author's comments, all deleted
	chainB := add(4, chainA.ID)
	kept := add(5, 0)
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 6, Text: "x", Created: t0}); !errors.Is(err, storage.ErrThreadFull) {
		t.Fatalf("a seventh comment: %v, want ErrThreadFull", err)
	}

	gone(leaf.ID, removed)
	if n, _ := db.ThreadCommentCount(ctx, it.ID); n != full-1 {
		t.Fatalf("after removing an unanswered comment the count is %d, want %d", n, full-1)
	}
	add(6, 0) // the removal made room
	gone(root.ID, removed)
	gone(chainA.ID, deleted) // answered by chainB: stays
	if n, _ := db.ThreadCommentCount(ctx, it.ID); n != full {
		t.Fatalf("answered comments left the outline: count %d, want %d", n, full)
	}
	gone(chainB.ID, deleted) // chainA is left unanswered: both leave
	gone(reply.ID, deleted)  // root is left unanswered: both leave
	want := map[uint64]bool{kept.ID: true}
	nodes := outline()
	if len(nodes) != 2 || !want[nodes[0].ID] {
		t.Fatalf("outline %+v, want %d and the comment added after the first removal", nodes, kept.ID)
	}

	// A reply to the removed root (its copies still show it as removed) brings it back
	// under its place, counted.
	back := add(7, root.ID)
	nodes = outline()
	if len(nodes) != 4 || nodes[0] != (storage.ThreadNode{ID: root.ID}) || nodes[len(nodes)-1] != (storage.ThreadNode{ID: back.ID, Parent: root.ID}) {
		t.Fatalf("outline after a reply to a removed comment: %+v", nodes)
	}
	// A reply to chainB brings back chainB and chainA above it: with 4 of 6 taken,
	// the reply and its two parents do not fit, and the bot's check before it spends
	// the reader's rates says so.
	if full, err := db.ThreadFull(ctx, it.ID, chainB.ID); err != nil || !full {
		t.Fatalf("ThreadFull under a chain that left: %v (%v), want full", full, err)
	}
	if full, err := db.ThreadFull(ctx, it.ID, root.ID); err != nil || full {
		t.Fatalf("ThreadFull under a comment in the outline: %v (%v), want room", full, err)
	}
	if _, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: 8, ParentID: chainB.ID, Text: "x", Created: t0}); !errors.Is(err, storage.ErrThreadFull) {
		t.Fatalf("a reply whose parents take the last room: %v, want ErrThreadFull", err)
	}
	gone(back.ID, deleted) // root and back leave again: 2 of 6
	deep := add(8, chainB.ID)
	nodes = outline()
	if len(nodes) != 5 || nodes[0] != (storage.ThreadNode{ID: chainA.ID}) || nodes[1] != (storage.ThreadNode{ID: chainB.ID, Parent: chainA.ID}) ||
		nodes[len(nodes)-1] != (storage.ThreadNode{ID: deep.ID, Parent: chainB.ID}) {
		t.Fatalf("outline after a reply under a chain that left: %+v", nodes)
	}
}

// /forget's erasure leaves the outline what the others' replies still hold.
func TestErasedCommentsLeaveTheOutline(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	add := func(author int64, parent uint64) storage.Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, ParentID: parent, Text: "words", Created: t0, SrcChat: author})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	answered := add(5, 0)
	add(5, 0)
	mine := add(5, 0)
	add(5, mine.ID) // the author's own reply: erased too
	other := add(6, answered.ID)
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	nodes, err := db.ThreadOutline(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []storage.ThreadNode{{ID: answered.ID}, {ID: other.ID, Parent: answered.ID}}
	if !slices.Equal(nodes, want) {
		t.Fatalf("outline after an erasure %+v, want %+v", nodes, want)
	}
}

// A pending comment is posted in the transaction that takes it: one erased by its
// author's /forget meanwhile is not posted (found by review 47: a press read it, the
// erasure ran, and the post brought the words back), nor one taken by someone else,
// and a replayed press finds the comment it posted.
func TestPendingCommentsPostOnce(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	pend := func(msg int) storage.PendingComment {
		t.Helper()
		p, err := db.AddPending(ctx, storage.PendingComment{AuthorID: 5, Chat: -100, Msg: msg, Text: "said in the group", Items: []uint64{it.ID}, Created: t0}, t0.Add(-time.Hour), 3, 30)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	post := func(p storage.PendingComment, author int64) (storage.Comment, bool, error) {
		return db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, Text: p.Text, Created: t0, SrcChat: -100, SrcMsg: p.Msg, FromPending: p.ID})
	}
	p := pend(1)
	c, created, err := post(p, 5)
	if err != nil || !created {
		t.Fatalf("post: %v %v", created, err)
	}
	if _, err := db.Pending(ctx, -100, p.ID, 5, t0.Add(-time.Hour)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the posted comment still waits: %v", err)
	}
	if again, created, err := post(p, 5); err != nil || created || again.ID != c.ID {
		t.Fatalf("a replayed press: %+v %v %v", again, created, err)
	}
	erased := pend(2)
	if _, err := db.EraseChat(ctx, 5, 5, storage.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := post(erased, 5); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("posting a pending comment erased meanwhile: %v, want ErrNotFound", err)
	}
	theirs := pend(3)
	if _, _, err := post(theirs, 6); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("posting another's pending comment: %v, want ErrNotFound", err)
	}
	cs, err := db.ThreadComments(ctx, it.ID)
	if err != nil || len(cs) != 0 {
		// The first was erased with its author; nothing else was posted.
		t.Fatalf("the thread holds %d comments (%v), want none", len(cs), err)
	}
}

// Comments stored and not yet relayed are listed for the relay to finish (audit 50);
// a relayed, gone or erased one is not, and the list forgets it.
func TestUnrelayedComments(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	var ids []uint64
	for i := range 4 {
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: int64(5 + i), Text: "x", Created: t0.Add(time.Duration(i) * time.Minute), SrcChat: int64(5 + i), SrcMsg: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if _, err := db.RelayComment(ctx, ids[0], nil, nil, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateComment(ctx, ids[1], func(c *storage.Comment) error { c.Deleted = true; return nil }); err != nil {
		t.Fatal(err)
	}
	got := func(after uint64, before time.Time) []uint64 {
		t.Helper()
		cs, err := db.Unrelayed(ctx, after, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if g := got(0, t0.Add(time.Hour)); !slices.Equal(g, ids[2:]) {
		t.Fatalf("unrelayed %v, want %v", g, ids[2:])
	}
	if g := got(0, t0.Add(3*time.Minute)); !slices.Equal(g, ids[2:3]) {
		t.Fatalf("unrelayed before the fourth's minute: %v, want %v", g, ids[2:3])
	}
	if g := got(ids[2], t0.Add(time.Hour)); !slices.Equal(g, ids[3:]) {
		t.Fatalf("unrelayed after %d: %v, want %v", ids[2], g, ids[3:])
	}
	if _, err := db.EraseChat(ctx, 7, 7, storage.EraseOptions{}); err != nil { // the third's author
		t.Fatal(err)
	}
	if g := got(0, t0.Add(time.Hour)); !slices.Equal(g, ids[3:]) {
		t.Fatalf("unrelayed after an erasure %v, want %v", g, ids[3:])
	}
}

// A comment gone, or whose author was banned, before its relay goes to nobody and is
// done (review 51: a relay cut off and finished later sent "(comment deleted)" to every
// follower); a damaged record listed for a relay holds back no other.
func TestRelaysOfGoneOrBannedComments(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	add := func(author int64) storage.Comment {
		t.Helper()
		c, _, err := db.AddComment(ctx, storage.Comment{ItemID: it.ID, AuthorID: author, Text: "x", Created: t0, SrcChat: author, SrcMsg: 1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	copyOf := func(c storage.Comment) []storage.OutMessage {
		return []storage.OutMessage{{ChatID: 9, Method: "sendMessage", Params: map[string]string{"chat_id": "9", "text": "copy"},
			Record: &storage.MessageRecord{Kind: storage.KindComment, Comment: c.ID, Rev: c.Rev}}}
	}
	deleted := add(5)
	deleted, err := db.UpdateComment(ctx, deleted.ID, func(c *storage.Comment) error { c.Deleted, c.Text = true, ""; return nil })
	if err != nil {
		t.Fatal(err)
	}
	banned := add(6)
	if err := db.SetBanned(ctx, 6, true); err != nil {
		t.Fatal(err)
	}
	fine := add(7)
	for _, c := range []storage.Comment{deleted, banned} {
		if _, err := db.RelayComment(ctx, c.ID, copyOf(c), nil, t0); err != nil {
			t.Fatalf("relay of comment %d: %v", c.ID, err)
		}
	}
	if q, _ := db.Outbox(ctx, 0, 0); len(q) != 0 {
		t.Fatalf("queued for a deleted or banned author's comment: %+v", q)
	}
	if _, err := db.RelayComment(ctx, banned.ID, copyOf(banned), nil, t0); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("relayed again: %v", err)
	}
	cs, err := db.Unrelayed(ctx, 0, t0.Add(time.Hour), 10)
	if err != nil || len(cs) != 1 || cs[0].ID != fine.ID {
		t.Fatalf("unrelayed %+v (%v), want only comment %d", cs, err, fine.ID)
	}
}

// anotherItem stores a second story beside storedItem's.
func anotherItem(t *testing.T, db *storage.DB) storage.Item {
	t.Helper()
	added, err := db.AddItems(context.Background(), "f", []storage.Item{item("k2", "Another story", t0)}, t0)
	if err != nil || len(added) != 1 {
		t.Fatal(added, err)
	}
	return added[0]
}

// relayTo queues one copy of each comment for each chat, as the bot relays them, with
// a note for those passed by.
func relayTo(t *testing.T, db *storage.DB, c storage.Comment, chats ...int64) int {
	t.Helper()
	var msgs, notes []storage.OutMessage
	for _, chat := range chats {
		id := fmt.Sprint(chat)
		msgs = append(msgs, storage.OutMessage{ChatID: chat, Method: "sendMessage", Class: storage.ClassCopy,
			Params: map[string]string{"chat_id": id, "text": "copy"},
			Record: &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{c.ItemID}, Comment: c.ID, Rev: c.Rev}})
		notes = append(notes, storage.OutMessage{ChatID: chat, Method: "sendMessage", Class: storage.ClassCopy,
			Params: map[string]string{"chat_id": id, "text": "passed by"}, Record: &storage.MessageRecord{Kind: storage.KindPassedBy, Items: []uint64{c.ItemID}}})
	}
	n, err := db.RelayComment(context.Background(), c.ID, msgs, notes, t0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// queuedCopies counts the comments' copies queued for chat, by comment author.
func queuedCopies(t *testing.T, db *storage.DB, chat int64) map[int64]int {
	t.Helper()
	ctx := context.Background()
	q, err := db.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for _, m := range q {
		if m.ChatID == chat && m.Record != nil && m.Record.Kind == storage.KindComment {
			c, err := db.Comment(ctx, m.Record.Comment)
			if err != nil {
				t.Fatal(err)
			}
			out[c.AuthorID]++
		}
	}
	return out
}

// A follower for whom MaxQueuedForCopies copies of one discussion wait gets no more of
// it, only a note that says so, one while it waits; other discussions' copies and the
// chat's digests are not held back (review 75: K accounts in one discussion queued K²
// copies; review 77: counting the chat's whole queue let one discussion's flood pass
// the reader by in every other).
func TestCopiesPassByAFollowerFarBehind(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	other := anotherItem(t, db)
	const reader, fresh = 501, 502
	for range 3 { // a digest of three parts waits for the reader
		if err := db.Enqueue(ctx, []storage.OutMessage{{ChatID: reader, Method: "sendMessage", Class: storage.ClassDigest,
			Params: map[string]string{"chat_id": "501", "text": "digest"}}}, t0); err != nil {
			t.Fatal(err)
		}
	}
	msg := 0
	comment := func(story uint64, chats ...int64) int {
		msg++
		c := addComment(t, db, storage.Comment{ItemID: story, AuthorID: int64(100 + msg), Text: "x", Created: t0, SrcChat: int64(100 + msg), SrcMsg: msg})
		return relayTo(t, db, c, chats...)
	}
	queued := 0
	for range storage.MaxQueuedForCopies + 5 {
		queued += comment(it.ID, reader, fresh)
	}
	count := func(chat int64) (copies, notes int, ids []uint64) {
		q, err := db.Outbox(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range q {
			if m.ChatID != chat {
				continue
			}
			ids = append(ids, m.ID)
			switch {
			case m.Params["text"] == "passed by":
				notes++
			case m.Record != nil && m.Record.Kind == storage.KindComment:
				copies++
			}
		}
		return copies, notes, ids
	}
	for _, chat := range []int64{reader, fresh} {
		if copies, notes, _ := count(chat); copies != storage.MaxQueuedForCopies || notes != 1 {
			t.Errorf("chat %d: %d copies and %d notes queued, want %d and 1", chat, copies, notes, storage.MaxQueuedForCopies)
		}
	}
	if queued != 2*storage.MaxQueuedForCopies {
		t.Errorf("RelayComment said %d queued, want %d", queued, 2*storage.MaxQueuedForCopies)
	}
	// Another discussion's copy still goes in.
	if n := comment(other.ID, reader); n != 1 {
		t.Errorf("a copy of another discussion: %d queued, want 1", n)
	}
	// One copy sent: the next takes its place, and the note waiting is not repeated.
	_, _, ids := count(fresh)
	if err := db.Drop(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	comment(it.ID, fresh)
	comment(it.ID, fresh)
	if copies, notes, _ := count(fresh); copies != storage.MaxQueuedForCopies || notes != 1 {
		t.Errorf("after one was sent and two came: %d copies and %d notes, want %d and 1", copies, notes, storage.MaxQueuedForCopies)
	}
	// Everything sent: copies come again.
	_, _, ids = count(fresh)
	for _, id := range ids {
		if err := db.Drop(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := comment(it.ID, fresh); n != 1 {
		t.Errorf("after the queue went, %d copies queued, want 1", n)
	}
	if err := db.CheckOutbox(ctx); err != nil {
		t.Error(err)
	}
}

// Muting a discussion drops its copies still queued for the chat, and blocking an
// author drops theirs; the rest stay, and so do erasures (review 75: a muted flood
// stayed queued ahead of the reader's answer and digest).
func TestMuteAndBlockDropQueuedCopies(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	other := anotherItem(t, db)
	const reader, neighbour = 601, 602
	msg := 0
	post := func(item uint64, author int64) storage.Comment {
		msg++
		c := addComment(t, db, storage.Comment{ItemID: item, AuthorID: author, Text: "x", Created: t0, SrcChat: author, SrcMsg: msg})
		relayTo(t, db, c, reader, neighbour)
		return c
	}
	post(it.ID, 701)
	post(it.ID, 702)
	post(other.ID, 701)
	post(other.ID, 703)
	erasure := storage.Deletion(reader, 42)
	if err := db.Enqueue(ctx, []storage.OutMessage{erasure}, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetFollow(ctx, it.ID, reader, true); err != nil {
		t.Fatal(err)
	}
	if got := queuedCopies(t, db, reader); !reflect.DeepEqual(got, map[int64]int{701: 1, 703: 1}) {
		t.Errorf("after muting the first story, the reader's copies by author: %v", got)
	}
	if err := db.Block(ctx, reader, 701); err != nil {
		t.Fatal(err)
	}
	if got := queuedCopies(t, db, reader); !reflect.DeepEqual(got, map[int64]int{703: 1}) {
		t.Errorf("after blocking 701, the reader's copies by author: %v", got)
	}
	if got := queuedCopies(t, db, neighbour); !reflect.DeepEqual(got, map[int64]int{701: 2, 702: 1, 703: 1}) {
		t.Errorf("another follower's copies changed: %v", got)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	if !slices.ContainsFunc(q, func(m storage.OutMessage) bool { return m.Method == "deleteMessage" && m.ChatID == reader }) {
		t.Error("the reader's queued deletion was dropped")
	}
	if err := db.CheckOutbox(ctx); err != nil {
		t.Error(err)
	}
}

// A chat follows at most MaxFollowedDiscussions discussions: a new follow lets go of
// the oldest story's (review 75).
func TestFollowedDiscussionsAreBounded(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	db.AddFeed(ctx, "f", t0)
	var batch []storage.Item
	for i := range storage.MaxFollowedDiscussions + 2 {
		batch = append(batch, item(fmt.Sprint("k", i), fmt.Sprint("Story ", i), t0))
	}
	items, err := db.AddItems(ctx, "f", batch, t0)
	if err != nil || len(items) != len(batch) {
		t.Fatal(len(items), err)
	}
	const chat = 77
	for _, it := range items[:storage.MaxFollowedDiscussions] {
		if err := db.SetFollow(ctx, it.ID, chat, false); err != nil {
			t.Fatal(err)
		}
	}
	followed := func() map[uint64]bool {
		out := map[uint64]bool{}
		for _, it := range items {
			fs, err := db.Followers(ctx, it.ID)
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(fs, func(f storage.Follower) bool { return f.ChatID == chat }) {
				out[it.ID] = true
			}
		}
		return out
	}
	// Following one again changes nothing; a new one lets the oldest go.
	if err := db.SetFollow(ctx, items[5].ID, chat, true); err != nil {
		t.Fatal(err)
	}
	if f := followed(); len(f) != storage.MaxFollowedDiscussions || !f[items[0].ID] {
		t.Fatalf("after a mute of one followed: %d followed, the first %v", len(f), f[items[0].ID])
	}
	newest := items[len(items)-1]
	c := addComment(t, db, storage.Comment{ItemID: newest.ID, AuthorID: chat, Text: "x", Created: t0, SrcChat: chat, SrcMsg: 1})
	if f := followed(); len(f) != storage.MaxFollowedDiscussions || f[items[0].ID] || !f[c.ItemID] {
		t.Fatalf("after commenting on a new story: %d followed, the first still %v, the new %v", len(f), f[items[0].ID], f[c.ItemID])
	}
}

// Edits bringing new words to a reader the copies pass by are left out (one edit per
// delivered copy queued without bound: review 79); edits that take words away, and
// deletions, always go.
func TestEditsOfCopiesPastTheBoundAreLeftOut(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	const reader = 503
	var sent []storage.Comment
	for i := range storage.MaxQueuedForCopies + 5 {
		c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: 9, Text: "x", Created: t0, SrcChat: 9, SrcMsg: i + 1})
		relayTo(t, db, c, reader)
		q, _ := db.Outbox(ctx, 0, 0)
		for _, m := range q { // delivered at once
			if _, err := db.Sent(ctx, m.ID, m.ChatID, 1000+i, m.Record); err != nil {
				t.Fatal(err)
			}
		}
		sent = append(sent, c)
	}
	change := func(class storage.MessageClass, method string) {
		for i, c := range sent {
			e := storage.OutMessage{ChatID: reader, Method: method, Class: class,
				Params: map[string]string{"chat_id": "503", "message_id": fmt.Sprint(1000 + i), "text": "changed"},
				Record: &storage.MessageRecord{Kind: storage.KindComment, Items: []uint64{it.ID}, Comment: c.ID, Rev: c.Rev}}
			if err := db.EnqueueCopyChanges(ctx, c.ID, c.Rev, []storage.OutMessage{e}, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	queued := func() (n int) {
		q, _ := db.Outbox(ctx, 0, 0)
		return len(q)
	}
	change(storage.ClassCopy, "editMessageText")
	if n := queued(); n != storage.MaxQueuedForCopies {
		t.Errorf("%d edits queued, want %d", n, storage.MaxQueuedForCopies)
	}
	change(storage.ClassErase, "editMessageText")
	if n := queued(); n != storage.MaxQueuedForCopies+len(sent) {
		t.Errorf("%d queued after edits that take words away, want %d", n, storage.MaxQueuedForCopies+len(sent))
	}
	if err := db.CheckOutbox(ctx); err != nil {
		t.Error(err)
	}
}

// A chat with more listings than are read for the count is full, and noted: each
// comment queued a note there (review 79).
func TestNotesPastTheScanAreNotRepeated(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, filepath.Join(t.TempDir(), "db"))
	it := storedItem(t, db)
	const chat = 504
	var backlog []storage.OutMessage
	for range 2001 {
		backlog = append(backlog, storage.OutMessage{ChatID: chat, Method: "sendMessage", Params: map[string]string{"chat_id": "504", "text": "answer"}})
	}
	if err := db.Enqueue(ctx, backlog, t0); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		c := addComment(t, db, storage.Comment{ItemID: it.ID, AuthorID: int64(100 + i), Text: "x", Created: t0, SrcChat: int64(100 + i), SrcMsg: i + 1})
		relayTo(t, db, c, chat)
	}
	q, _ := db.Outbox(ctx, 0, 0)
	if len(q) != len(backlog) {
		t.Errorf("%d queued past a backlog of %d, want nothing more", len(q)-len(backlog), len(backlog))
	}
}
