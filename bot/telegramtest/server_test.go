package telegramtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func call(t *testing.T, s *Server, method string, body io.Reader, ctype string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/bot"+s.Token+"/"+method, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func form(v url.Values) (io.Reader, string) {
	return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
}

func TestWireFormatsAndErrors(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetLimits(Limits{})
	u := User{ID: 42, FirstName: "Ann"}
	s.PrivateChat(u)

	// Form body.
	b, ct := form(url.Values{"chat_id": {"42"}, "text": {"<b>hi</b> &amp; bye"}, "parse_mode": {"HTML"}})
	code, out := call(t, s, "sendMessage", b, ct)
	if code != 200 || out["ok"] != true {
		t.Fatalf("form: %d %v", code, out)
	}
	if got := s.Messages(42)[0].Text; got != "hi & bye" {
		t.Fatalf("visible text %q", got)
	}
	// JSON body with a nested object; method names are case-insensitive.
	code, out = call(t, s, "SENDMESSAGE", strings.NewReader(`{"chat_id":42,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"1","callback_data":"card:1"}]]}}`), "application/json")
	if code != 200 {
		t.Fatalf("json: %d %v", code, out)
	}
	if kb := s.Messages(42)[1].Keyboard(); len(kb) != 1 || kb[0][0].CallbackData != "card:1" {
		t.Fatalf("keyboard %v", kb)
	}
	// Multipart with a file.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("chat_id", "42")
	fw, _ := w.CreateFormFile("document", "feeds.opml")
	fw.Write([]byte("<opml/>"))
	w.Close()
	if code, out = call(t, s, "sendDocument", &mp, w.FormDataContentType()); code != 200 {
		t.Fatalf("multipart: %d %v", code, out)
	}

	cases := []struct {
		name   string
		params url.Values
		code   int
		desc   string
	}{
		{"unsupported tag", url.Values{"chat_id": {"42"}, "text": {"a<br>b"}, "parse_mode": {"HTML"}}, 400,
			`Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`},
		{"unclosed tag", url.Values{"chat_id": {"42"}, "text": {"<b>bold"}, "parse_mode": {"HTML"}}, 400,
			`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"too long", url.Values{"chat_id": {"42"}, "text": {strings.Repeat("я", 4097)}}, 400, "Bad Request: message is too long"},
		{"empty", url.Values{"chat_id": {"42"}, "text": {"  "}}, 400, "Bad Request: message text is empty"},
		{"unknown chat", url.Values{"chat_id": {"999"}, "text": {"x"}}, 400, "Bad Request: chat not found"},
		{"long callback", url.Values{"chat_id": {"42"}, "text": {"x"}, "reply_markup": {`{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("x", 65) + `"}]]}`}}, 400, "Bad Request: BUTTON_DATA_INVALID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, ct := form(tc.params)
			code, out := call(t, s, "sendMessage", b, ct)
			if code != tc.code || out["ok"] != false || out["description"] != tc.desc || int(out["error_code"].(float64)) != tc.code {
				t.Fatalf("got %d %v", code, out)
			}
		})
	}
	// 4096 characters exactly is fine.
	b, ct = form(url.Values{"chat_id": {"42"}, "text": {strings.Repeat("я", 4096)}})
	if code, out := call(t, s, "sendMessage", b, ct); code != 200 {
		t.Fatalf("4096: %d %v", code, out)
	}

	s.Block(42)
	b, ct = form(url.Values{"chat_id": {"42"}, "text": {"x"}})
	if code, out := call(t, s, "sendMessage", b, ct); code != 403 || out["description"] != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %d %v", code, out)
	}
	// Wrong token and unknown method.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/botWRONG/getMe", nil)
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	if code, out := call(t, s, "frobnicate", nil, ""); code != 404 || out["description"] != "Not Found: method not found" {
		t.Fatalf("unknown method: %d %v", code, out)
	}
}

func TestRateLimits(t *testing.T) {
	s := New()
	defer s.Close()
	s.SetLimits(Limits{Global: 1000, PrivateEvery: 1e9, GroupPerMin: 20})
	s.PrivateChat(User{ID: 1})
	b, ct := form(url.Values{"chat_id": {"1"}, "text": {"a"}})
	if code, _ := call(t, s, "sendMessage", b, ct); code != 200 {
		t.Fatal("first send refused")
	}
	b, ct = form(url.Values{"chat_id": {"1"}, "text": {"b"}})
	code, out := call(t, s, "sendMessage", b, ct)
	params, _ := out["parameters"].(map[string]any)
	if code != 429 || out["description"] != "Too Many Requests: retry after 1" || params["retry_after"].(float64) != 1 {
		t.Fatalf("second send: %d %v", code, out)
	}
	s.Group(-100, "g", false)
	for i := range 21 {
		b, ct := form(url.Values{"chat_id": {"-100"}, "text": {"x"}})
		code, _ := call(t, s, "sendMessage", b, ct)
		if (i < 20) != (code == 200) {
			t.Fatalf("group message %d: %d", i, code)
		}
	}
}

func TestGetUpdatesOffsets(t *testing.T) {
	s := New()
	defer s.Close()
	u := User{ID: 5, FirstName: "Bo"}
	c := s.PrivateChat(u)
	s.Send(u, c, "/start hello")
	s.Send(u, c, "second")
	b, ct := form(url.Values{"timeout": {"0"}})
	_, out := call(t, s, "getUpdates", b, ct)
	ups := out["result"].([]any)
	if len(ups) != 2 {
		t.Fatalf("%v", out)
	}
	first := ups[0].(map[string]any)
	ents := first["message"].(map[string]any)["entities"].([]any)
	if e := ents[0].(map[string]any); e["type"] != "bot_command" || e["offset"].(float64) != 0 || e["length"].(float64) != 6 {
		t.Fatalf("entity %v", e)
	}
	// Confirming with offset = last+1 removes them.
	last := int(ups[1].(map[string]any)["update_id"].(float64))
	b, ct = form(url.Values{"offset": {itoa(last + 1)}, "timeout": {"0"}})
	_, out = call(t, s, "getUpdates", b, ct)
	if len(out["result"].([]any)) != 0 || s.Pending() != 0 {
		t.Fatalf("not confirmed: %v", out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "<a href=\"http://x\">y</a>", "&amp;&lt;", "<blockquote>q</blockquote>", "<", "&#128512;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseHTML(s)
	})
}
