// Package bot is newsbot's conversation with its readers on Telegram: commands and
// buttons (one file per command family), discussion threads under stories with their
// moderation, the digest scheduler, the per-reader limits a public bot needs, and the
// rendering of digests and story cards to Telegram HTML.
//
// Which news a reader sees is asked of the story service (Stories); what the bot keeps
// goes through the Store it declares; messages reach Telegram through package queue's
// outbox and come back through its inbox; package telegram is the Bot API client.
package bot
