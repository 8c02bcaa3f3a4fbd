package telegram

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what a caller decides on when the Bot API refuses a call.
type Kind int

// Error kinds.
const (
	// KindOther is any refusal not below: a request Telegram will never accept as it is.
	KindOther Kind = iota
	// KindRetryLater: 429, wait RetryAfter.
	KindRetryLater
	// KindMigrated: the group became a supergroup with the ID MigrateTo.
	KindMigrated
	// KindChatGone: nothing can be sent to the chat again (blocked, deactivated, kicked,
	// not found).
	KindChatGone
	// KindBadMarkup: Telegram could not parse the HTML.
	KindBadMarkup
	// KindNotModified: an edit that changes nothing (harmless).
	KindNotModified
	// KindMessageGone: the message to edit, delete or reply to no longer exists.
	KindMessageGone
	// KindQueryExpired: a callback query too old to answer.
	KindQueryExpired
	// KindServer: a 5xx, worth retrying.
	KindServer
	// KindCannotDelete: the message exists but may no longer be deleted (older than
	// Telegram's 48 hours); it may still be edited.
	KindCannotDelete
)

func (k Kind) String() string {
	return [...]string{"other", "retry_later", "migrated", "chat_gone", "bad_markup", "not_modified",
		"message_gone", "query_expired", "server", "cannot_delete"}[k]
}

// classification is the one table of Telegram's errors newsbot decides on: the error
// code, and for the codes that cover several cases the start of the documented
// description (shared/docs/TELEGRAM.md). Parameters (retry_after, migrate_to_chat_id)
// are decided on first, in newError.
var classification = []struct {
	code   int
	prefix string // lower case; "" matches any description
	kind   Kind
}{
	{403, "", KindChatGone}, // blocked, deactivated, kicked, can't initiate conversation
	{400, "bad request: chat not found", KindChatGone},
	{400, "bad request: can't parse entities", KindBadMarkup},
	{400, "bad request: message is not modified", KindNotModified},
	{400, "bad request: message to edit not found", KindMessageGone},
	{400, "bad request: message to delete not found", KindMessageGone},
	{400, "bad request: message can't be deleted", KindCannotDelete},
	{400, "bad request: message can't be edited", KindMessageGone},
	{400, "bad request: message to be replied not found", KindMessageGone},
	{400, "bad request: query is too old", KindQueryExpired},
	{429, "", KindRetryLater},
}

// Error is an error answer from the Bot API.
type Error struct {
	Method      string
	Code        int
	Description string
	Kind        Kind
	RetryAfter  time.Duration
	MigrateTo   int64
}

func newError(method string, code int, desc string, retryAfter int, migrateTo int64) *Error {
	e := &Error{Method: method, Code: code, Description: desc, RetryAfter: time.Duration(retryAfter) * time.Second, MigrateTo: migrateTo}
	switch {
	case migrateTo != 0:
		e.Kind = KindMigrated
	case retryAfter > 0 || code == 429:
		e.Kind = KindRetryLater
	case code >= 500:
		e.Kind = KindServer
	default:
		d := strings.ToLower(desc)
		for _, c := range classification {
			if c.code == code && strings.HasPrefix(d, c.prefix) {
				e.Kind = c.kind
				break
			}
		}
	}
	return e
}

func (e *Error) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// NetError is a transport failure; its text never contains the token.
type NetError struct {
	Method string
	msg    string
	cause  error
}

func (e *NetError) Error() string { return fmt.Sprintf("telegram %s: %s", e.Method, e.msg) }

// Unwrap lets callers see a context's end (the cause's text may hold the token, its
// identity does not).
func (e *NetError) Unwrap() error { return e.cause }
