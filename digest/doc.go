// Package digest turns article text into what a reader wants in a news digest: an
// extractive summary, the key quotes with who said them, background (in-article context
// and earlier related stories), and groups of items that report the same story.
//
// Everything here is a pure function over text: no network, no database, no Telegram.
// English, Ukrainian and Russian are supported; other languages get language-neutral
// behaviour (no stopwords or stemming).
package digest
