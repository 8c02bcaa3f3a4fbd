package stories

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/newsbot/newsbot/digest"
	"github.com/newsbot/newsbot/feed"
)

// Source reads one thing to summarize into an item: "-" (stdin), an http(s) URL
// (fetched with the safe fetcher), a stored item's ID (a number that is not a file),
// an HTML file (its article extracted as in ingestion), or a text file (its first line
// the title when a blank line follows).
func (s *Service) Source(ctx context.Context, src string, stdin io.Reader) (digest.Item, error) {
	switch {
	case src == "-":
		data, err := io.ReadAll(io.LimitReader(stdin, 10<<20))
		if err != nil {
			return digest.Item{}, err
		}
		return textItem(src, data), nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		if s.fetch == nil {
			return digest.Item{}, fmt.Errorf("%s: no fetcher", src)
		}
		art, err := s.fetch.FetchArticle(ctx, src)
		if err != nil {
			return digest.Item{}, err
		}
		return digest.Item{Title: art.Title, Text: art.Text, URL: src, Source: art.SiteName, Published: art.Published}, nil
	}
	if id, err := strconv.ParseUint(src, 10, 64); err == nil {
		if _, statErr := os.Stat(src); statErr != nil { // a number that is not a file: an item ID
			it, err := s.store.Item(ctx, id)
			if err != nil {
				return digest.Item{}, err
			}
			return ToDigestItem(it), nil
		}
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return digest.Item{}, err
	}
	if looksLikeHTML(src, data) {
		art, err := feed.ExtractArticle(data, "", "file://"+filepath.ToSlash(src))
		if err != nil {
			return digest.Item{}, err
		}
		return digest.Item{Title: art.Title, Text: art.Text, Source: art.SiteName, Published: art.Published}, nil
	}
	return textItem(src, data), nil
}

func textItem(src string, data []byte) digest.Item {
	title, body := digest.SplitTitle(feed.DecodeText(data))
	return digest.Item{Title: title, Text: body, Source: src}
}

func looksLikeHTML(name string, data []byte) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".html" || ext == ".htm" || ext == ".xhtml" {
		return true
	}
	head := strings.ToLower(string(bytes.TrimSpace(data[:min(len(data), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}
