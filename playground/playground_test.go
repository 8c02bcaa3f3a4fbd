package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// TestPlaygroundAPI exercises the web chat's API without a browser: the page, the
// readers, sending, pressing buttons, the demo feeds' two waves and "digest now".
func TestPlaygroundAPI(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "pg.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := New(ctx, Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	post := func(path string, body any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(b))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, err, resp.Status)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	messages := func(reader string, want string) []map[string]any {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := http.Get(srv.URL + "/api/messages?reader=" + reader + "&since=0")
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Messages []map[string]any `json:"messages"`
			}
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			for _, m := range out.Messages {
				if strings.Contains(m["text"].(string), want) {
					return out.Messages
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in %v", want, out.Messages)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("page: %v", err)
	}
	resp.Body.Close()

	if n, err := p.Ingest(ctx); err != nil || n != 4 {
		t.Fatalf("first wave: %d %v", n, err)
	}
	if n, err := p.Ingest(ctx); err != nil || n != 3 {
		t.Fatalf("second wave: %d %v", n, err)
	}
	post("/api/send", map[string]any{"reader": "1001", "text": "/subscribe"})
	messages("1001", "Subscribed.")
	post("/api/action", map[string]any{"action": "digest"})
	msgs := messages("1001", "Your news digest")
	var digest map[string]any
	for _, m := range msgs {
		if strings.Contains(m["text"].(string), "Your news digest") {
			digest = m
		}
	}
	text := digest["text"].(string)
	// One story from two outlets appears once, with "also reported by".
	if strings.Contains(text, "Port Avel's Old Harbor Bridge open again") || !strings.Contains(text, "also reported by Valley Post") || strings.Contains(text, "This article is fictional") {
		t.Fatalf("grouping not shown: %s", text)
	}
	if !strings.Contains(digest["html"].(string), "<blockquote>") {
		t.Fatalf("no quote in the digest HTML")
	}
	buttons := digest["buttons"].([]any)[0].([]any)
	first := buttons[0].(map[string]any)
	post("/api/press", map[string]any{"reader": "1001", "message_id": digest["id"], "data": first["callback_data"]})
	card := messages("1001", "comments · reply")
	found := false
	for _, m := range card {
		if strings.Contains(m["text"].(string), "comments · reply") && strings.Contains(m["html"].(string), "Also reported by</i> <a href=") {
			found = true
		}
	}
	if !found {
		t.Fatal("the story card does not link the other outlet's report")
	}

	// A story that develops: Bob follows the warehouse fire from its card, and the next
	// wave's report with new facts reaches him as an update.
	fire, err := db.ItemsAfter(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fireID uint64
	for _, it := range fire {
		if strings.Contains(it.Title, "grain warehouse") {
			fireID = it.ID
		}
	}
	post("/api/send", map[string]any{"reader": "1002", "text": fmt.Sprintf("/summary %d", fireID)})
	var fireCard map[string]any
	for _, m := range messages("1002", "grain warehouse") {
		if strings.Contains(m["text"].(string), "comments · reply") {
			fireCard = m
		}
	}
	var follow string
	for _, row := range fireCard["buttons"].([]any) {
		for _, b := range row.([]any) {
			if strings.Contains(b.(map[string]any)["text"].(string), "Follow story") {
				follow = b.(map[string]any)["callback_data"].(string)
			}
		}
	}
	if follow == "" {
		t.Fatalf("the fire's card offers no Follow story: %v", fireCard["buttons"])
	}
	post("/api/press", map[string]any{"reader": "1002", "message_id": fireCard["id"], "data": follow})
	time.Sleep(300 * time.Millisecond) // the press is handled
	if n, err := p.Ingest(ctx); err != nil || n != 1 {
		t.Fatalf("third wave: %d %v", n, err)
	}
	messages("1002", "Update: Fire breaks out")
	if b, _ := json.Marshal(map[string]any{"reader": "9", "text": "x"}); true {
		resp, _ := http.Post(srv.URL+"/api/send", "application/json", bytes.NewReader(b))
		if resp.StatusCode != 400 {
			t.Fatalf("unknown reader accepted: %d", resp.StatusCode)
		}
	}
}
