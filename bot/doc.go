// Package bot is newsbot's Telegram side: the update loop and commands, rendering of
// digests and story cards to Telegram HTML, the digest scheduler, and the persistent
// outbox sender that respects Telegram's rate limits and loses nothing across crashes.
//
// It talks to the Bot API through github.com/go-telegram-bot-api/telegram-bot-api/v5
// (its raw MakeRequest/UploadFiles calls), reads and writes only through package
// storage, and uses package digest for the text work.
package bot
