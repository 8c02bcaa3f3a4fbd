package bot

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/storage"
)

type opmlDoc struct {
	XMLName xml.Name    `xml:"opml"`
	Version string      `xml:"version,attr"`
	Title   string      `xml:"head>title"`
	Body    []opmlEntry `xml:"body>outline"`
}

type opmlEntry struct {
	Text     string      `xml:"text,attr,omitempty"`
	Type     string      `xml:"type,attr,omitempty"`
	XMLURL   string      `xml:"xmlUrl,attr,omitempty"`
	Children []opmlEntry `xml:"outline"`
}

// maxOPMLFeeds bounds the feeds read from one OPML file: more than any chat may add.
const maxOPMLFeeds = 1000

// ParseOPML returns the feed URLs of an OPML document (nested outlines included), at
// most maxOPMLFeeds, each once, and how many outlines it left out for an address longer
// than the store keeps (storage.MaxURLBytes; a file of 1 MB may hold one of 1 MB).
func ParseOPML(data []byte) (urls []string, tooLong int, err error) {
	var doc opmlDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, 0, fmt.Errorf("not an OPML file: %w", err)
	}
	seen := map[string]bool{}
	var walk func([]opmlEntry)
	walk = func(es []opmlEntry) {
		for _, e := range es {
			if len(urls) >= maxOPMLFeeds {
				return
			}
			switch u := strings.TrimSpace(e.XMLURL); {
			case len(u) > storage.MaxURLBytes:
				tooLong++
			case u != "" && !seen[u]:
				seen[u] = true
				urls = append(urls, u)
			}
			walk(e.Children)
		}
	}
	walk(doc.Body)
	if len(urls) == 0 && tooLong > 0 {
		return nil, tooLong, fmt.Errorf("the OPML file lists no feed address I can take: %d are longer than %d bytes", tooLong, storage.MaxURLBytes)
	}
	if len(urls) == 0 {
		return nil, 0, errors.New("the OPML file lists no feeds (no xmlUrl attributes)")
	}
	return urls, tooLong, nil
}

// BuildOPML writes feeds as an OPML 2.0 document.
func BuildOPML(title string, feeds []string) []byte {
	doc := opmlDoc{Version: "2.0", Title: title}
	for _, f := range feeds {
		doc.Body = append(doc.Body, opmlEntry{Text: feedLabel(f), Type: "rss", XMLURL: f})
	}
	out, _ := xml.MarshalIndent(doc, "", "  ")
	return append([]byte(xml.Header), out...)
}

func cmdExport(ctx context.Context, b *Bot, r *request) error {
	s, err := b.subscriber(ctx, r)
	if err != nil {
		return err
	}
	data := BuildOPML("newsbot feeds", b.subscriberFeeds(s))
	m := storage.OutMessage{ChatID: r.chatID, Method: "sendDocument", FileName: "newsbot-feeds.opml", File: data,
		Params: map[string]string{"chat_id": strconv.FormatInt(r.chatID, 10), "caption": "Your feeds as OPML"}}
	if r.thread != 0 {
		m.Params["message_thread_id"] = strconv.Itoa(r.thread)
	}
	if err := b.db.Enqueue(ctx, []storage.OutMessage{m}, b.opts.Now()); err != nil {
		return err
	}
	b.sender.Wake()
	return nil
}

func cmdImport(ctx context.Context, b *Bot, r *request) error {
	doc := r.msg.Document
	if doc == nil && r.msg.ReplyToMessage != nil {
		doc = r.msg.ReplyToMessage.Document
	}
	if doc == nil {
		return b.say(ctx, r.chatID, r.thread, "Send the OPML file with <code>/import</code> as its caption (or reply /import to the file).")
	}
	if full, err := b.keepsMostFeeds(ctx, r.userID, ""); err != nil {
		return err
	} else if full {
		return b.say(ctx, r.chatID, r.thread, "I could not import any of those feeds. "+b.accountFull())
	}
	fctx, release, err := b.acquireFetch(ctx, r.userID)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, fetchRefusal(err))
	}
	defer release(nil) // a panic must not keep the slot; released below when the fetch ends
	data, err := b.api.Download(fctx, doc.FileID, 1<<20)
	if err != nil {
		release(err)
		if yielded(fctx) {
			return b.say(ctx, r.chatID, r.thread, yieldedNote)
		}
		b.log.Debug("downloading an OPML file failed", "chat", r.chatID, "error", err)
		return b.say(ctx, r.chatID, r.thread, "I could not read that file (an OPML file of at most 1 MB works).")
	}
	// Reading the file (up to 80 ms for 1 MB) is charged to the reader's page fetching
	// too: importing the same file again adds nothing, and so cost nothing (review).
	urls, tooLong, err := ParseOPML(data)
	release(nil)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
	}
	var valid []string
	invalid := 0
	for _, u := range urls {
		if b.unusableURL(u) != "" {
			invalid++
			continue
		}
		valid = append(valid, u)
	}
	var (
		s     storage.Subscriber
		added []string
	)
	b.addFeeds(r.userID, b.opts.Now(), func(allowed int) int {
		if len(valid) > allowed {
			valid = valid[:allowed] // the reader's daily allowance over all chats
		}
		s, added, err = b.db.AddOwnFeeds(ctx, r.chatID, r.userID, b.newSubscriber(r), valid, b.opts.Catalogue, b.feedLimits())
		return max(len(added), refusedAdd(err))
	})
	if errors.Is(err, storage.ErrAccountLimit) {
		return b.say(ctx, r.chatID, r.thread, "I could not import any of those feeds. "+b.accountFull())
	}
	if errors.Is(err, storage.ErrLimit) {
		return b.say(ctx, r.chatID, r.thread, fmt.Sprintf("I could not import any of those feeds: you have %d of your own, the most I keep per chat, or readers have added as many feeds as I can poll.", b.opts.MaxOwnFeeds))
	}
	if err != nil {
		return err
	}
	skipped := len(valid) - len(added)
	long := ""
	if tooLong > 0 {
		long = fmt.Sprintf(", %d longer than the %d bytes I take", tooLong, storage.MaxURLBytes)
	}
	msg := fmt.Sprintf("Imported %d feeds (%d already there or over the limit of %d a chat and %d a reader, %d not valid web addresses%s). You now have %d feeds of your own; they are checked on the next poll.",
		len(added), skipped, b.opts.MaxOwnFeeds, b.opts.MaxUserFeeds, invalid, long, len(s.OwnFeeds))
	return b.say(ctx, r.chatID, r.thread, msg)
}
