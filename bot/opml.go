package bot

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newsbot/newsbot/feed"
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

// ParseOPML returns the feed URLs of an OPML document (nested outlines included).
func ParseOPML(data []byte) ([]string, error) {
	var doc opmlDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not an OPML file: %w", err)
	}
	var out []string
	var walk func([]opmlEntry)
	walk = func(es []opmlEntry) {
		for _, e := range es {
			if u := strings.TrimSpace(e.XMLURL); u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
			walk(e.Children)
		}
	}
	walk(doc.Body)
	if len(out) == 0 {
		return nil, errors.New("the OPML file lists no feeds (no xmlUrl attributes)")
	}
	return out, nil
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
	if err := b.db.Enqueue(ctx, []storage.OutMessage{m}, time.Now()); err != nil {
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
	data, err := b.api.Download(ctx, doc.FileID, 1<<20)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, "I could not read that file: "+escape(userFacing(err)))
	}
	urls, err := ParseOPML(data)
	if err != nil {
		return b.say(ctx, r.chatID, r.thread, escape(err.Error()))
	}
	var added, skipped, invalid int
	var toAdd []string
	s, err := b.db.UpdateSubscriber(ctx, r.chatID, b.newSubscriber(r), func(s *storage.Subscriber) error {
		added, skipped, invalid, toAdd = 0, 0, 0, nil
		for _, u := range urls {
			if _, err := feed.CheckURL(u); err != nil {
				invalid++
				continue
			}
			if slices.Contains(s.OwnFeeds, u) || slices.Contains(b.opts.Catalogue, u) {
				skipped++
				continue
			}
			if len(s.OwnFeeds) >= b.opts.MaxOwnFeeds {
				skipped++
				continue
			}
			s.OwnFeeds = append(s.OwnFeeds, u)
			toAdd = append(toAdd, u)
			added++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, u := range toAdd {
		if _, err := b.db.AddFeed(ctx, u, b.opts.Now()); err != nil {
			return err
		}
	}
	msg := fmt.Sprintf("Imported %d feeds (%d already there or over the limit of %d, %d not valid web addresses). You now have %d feeds of your own; they are checked on the next poll.",
		added, skipped, b.opts.MaxOwnFeeds, invalid, len(s.OwnFeeds))
	return b.say(ctx, r.chatID, r.thread, msg)
}
