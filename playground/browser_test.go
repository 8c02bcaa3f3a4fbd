package playground

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/newsbot/newsbot/storage"
)

func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("NEWSBOT_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found, and NEWSBOT_REQUIRE_BROWSER is set (CI installs Debian's chromium)")
	}
	t.Skip("no Chromium on this machine; .ci/run installs Debian's chromium for this test")
	return ""
}

const (
	digestMsg = `(//div[contains(@class,'msg')][contains(., 'Your news digest')])[last()]`
	cardMsg   = `(//div[contains(@class,'msg')][contains(., 'comments · reply')])[last()]`
)

func button(scope, text string) string {
	return scope + `//div[@class='kb']//button[normalize-space()='` + text + `']`
}

// TestPlaygroundInBrowser drives headless Chromium through the playground: two readers
// subscribe, get a digest, open a story; one replies to the card and the other sees the
// relayed comment. The screenshot is the README image (UPDATE_SCREENSHOT=1 rewrites it).
func TestPlaygroundInBrowser(t *testing.T) {
	chrome := findChromium(t)
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "pg.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runCtx, cancelRun := context.WithCancel(context.Background())
	p, err := New(runCtx, Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	addr, srv, err := p.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	defer func() { cancelRun(); <-done }()
	if _, err := p.Ingest(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr

	// Chromium may still write to its profile for a moment after it is told to quit,
	// so the profile lives outside t.TempDir and is removed on a best-effort basis.
	profile, err := os.MkdirTemp("", "newsbot-chromium")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(430, 900))
	defer cancelAlloc()
	alice, cancelA := chromedp.NewContext(allocCtx)
	defer cancelA()
	// The first Run binds the browser and tab to the context it is given: start them
	// on the long-lived contexts, not on the per-step timeouts below.
	if err := chromedp.Run(alice); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	timeout := func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, 30*time.Second)
	}
	run := func(ctx context.Context, what string, actions ...chromedp.Action) {
		t.Helper()
		c, cancel := timeout(ctx)
		defer cancel()
		if err := chromedp.Run(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	start := func(ctx context.Context, who string) {
		run(ctx, who+" opens the page",
			chromedp.Navigate(base+"/?reader="+who),
			chromedp.WaitVisible("#text", chromedp.ByID),
			chromedp.SendKeys("#text", "/start\n", chromedp.ByID),
			chromedp.WaitVisible(`//div[contains(@class,'msg')][contains(., "I'm newsbot")]`, chromedp.BySearch),
			chromedp.Click(button(`(//div[contains(@class,'msg')][contains(., "I'm newsbot")])[last()]`, "Subscribe"), chromedp.BySearch),
		)
	}
	start(alice, "alice")
	// A second tab in the same (now running) browser: the second reader.
	bob, cancelB := chromedp.NewContext(alice)
	defer cancelB()
	if err := chromedp.Run(bob); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	start(bob, "bob")
	// Both subscriptions are stored before the digest is asked for.
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, errA := db.Subscriber(context.Background(), 1001)
		b, errB := db.Subscriber(context.Background(), 1002)
		if errA == nil && errB == nil && a.Subscribed && b.Subscribed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscriptions not stored")
		}
		time.Sleep(50 * time.Millisecond)
	}
	run(alice, "digest now", chromedp.Click("#digest", chromedp.ByID))
	for _, tab := range []context.Context{alice, bob} {
		run(tab, "digest arrives", chromedp.WaitVisible(digestMsg, chromedp.BySearch))
	}
	// Bob opens story 1 and follows its discussion.
	run(bob, "bob opens story 1",
		chromedp.Click(button(digestMsg, "1"), chromedp.BySearch),
		chromedp.WaitVisible(cardMsg, chromedp.BySearch),
		chromedp.Click(button(cardMsg, "Follow discussion"), chromedp.BySearch),
	)
	deadline = time.Now().Add(10 * time.Second)
	for {
		items, _ := db.Items(context.Background(), 0)
		following := false
		for _, it := range items {
			fs, _ := db.Followers(context.Background(), it.ID)
			for _, f := range fs {
				following = following || f.ChatID == 1002
			}
		}
		if following {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Bob's follow was not stored")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Alice opens the same story and replies to its card.
	run(alice, "alice replies to the card",
		chromedp.Click(button(digestMsg, "1"), chromedp.BySearch),
		chromedp.WaitVisible(cardMsg, chromedp.BySearch),
		chromedp.Click(cardMsg+`//button[@class='reply']`, chromedp.BySearch),
		chromedp.SendKeys("#text", "Finally! The east side was cut off for two years.\n", chromedp.ByID),
	)
	var shot []byte
	run(bob, "bob sees the relayed comment",
		chromedp.WaitVisible(`//div[contains(@class,'msg')][contains(., 'Alice on')][contains(., 'east side was cut off')]`, chromedp.BySearch),
		chromedp.Sleep(2700*time.Millisecond), // let the "you follow" notice fade for the picture
		chromedp.FullScreenshot(&shot, 100),   // 100: PNG
	)
	if len(shot) < 10000 {
		t.Fatalf("screenshot of %d bytes", len(shot))
	}
	out := filepath.Join(dir, "playground.png")
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		out = filepath.Join("..", "docs", "playground.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
