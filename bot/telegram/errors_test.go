package telegram

import "testing"

// Telegram's error answers as shared/docs/TELEGRAM.md gives them.
func TestErrorKinds(t *testing.T) {
	cases := []struct {
		code       int
		desc       string
		retryAfter int
		migrateTo  int64
		want       Kind
	}{
		{429, "Too Many Requests: retry after 5", 5, 0, KindRetryLater},
		{403, "Forbidden: bot was blocked by the user", 0, 0, KindChatGone},
		{403, "Forbidden: user is deactivated", 0, 0, KindChatGone},
		{403, "Forbidden: bot can't initiate conversation with a user", 0, 0, KindChatGone},
		{403, "Forbidden: bot was kicked from the group chat", 0, 0, KindChatGone},
		{400, "Bad Request: chat not found", 0, 0, KindChatGone},
		{400, "Bad Request: group chat was upgraded to a supergroup chat", 0, -1001234, KindMigrated},
		{400, `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 5`, 0, 0, KindBadMarkup},
		{400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0, 0, KindNotModified},
		{400, "Bad Request: message to edit not found", 0, 0, KindMessageGone},
		{400, "Bad Request: message to delete not found", 0, 0, KindMessageGone},
		{400, "Bad Request: message can't be deleted", 0, 0, KindCannotDelete},
		{400, "Bad Request: query is too old and response timeout expired or query ID is invalid", 0, 0, KindQueryExpired},
		{400, "Bad Request: message is too long", 0, 0, KindOther},
		{400, "Bad Request: text is too long", 0, 0, KindOther},
		{502, "Bad Gateway", 0, 0, KindServer},
		{401, "Unauthorized", 0, 0, KindOther},
	}
	for _, c := range cases {
		if got := newError("sendMessage", c.code, c.desc, c.retryAfter, c.migrateTo).Kind; got != c.want {
			t.Errorf("%d %q: %v, want %v", c.code, c.desc, got, c.want)
		}
	}
}

func TestKeyboardLeavesOutOverlongData(t *testing.T) {
	long := string(make([]byte, MaxCallbackData+1))
	got := Keyboard([][]Button{{{Text: "ok", Data: "a:1"}, {Text: "too long", Data: long}}, {{Text: "link", URL: "https://x.example"}}})
	want := `{"inline_keyboard":[[{"text":"ok","callback_data":"a:1"}],[{"text":"link","url":"https://x.example"}]]}`
	if got != want {
		t.Fatalf("keyboard %s", got)
	}
	if Keyboard([][]Button{{{Text: "x", Data: long}}}) != "" {
		t.Fatal("a keyboard of refused buttons is not empty")
	}
}
