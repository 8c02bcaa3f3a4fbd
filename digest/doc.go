// Package digest turns article text into what a reader wants in a news digest: an
// extractive summary, the key quotes with who said them, background (in-article context
// and earlier related stories), and groups of items that report the same story.
//
// It works on text alone: no network, no database, no Telegram, no mutable globals.
// What it caches (features of items already seen) lives in a Grouper or Composer the
// caller owns.
// English, Ukrainian and Russian are supported; other languages get language-neutral
// behaviour (no stopwords or stemming).
package digest
