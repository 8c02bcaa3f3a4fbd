package stories

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newsbot/newsbot/digest"
)

// SummaryJSON is the `newsbot summarize --json` contract, one object per source: its
// field names are relied on by scripts and must not change.
type SummaryJSON struct {
	Source     string         `json:"source"`
	Title      string         `json:"title"`
	Language   string         `json:"language"`
	Summary    []string       `json:"summary"`
	Quotes     []QuoteJSON    `json:"quotes"`
	Background BackgroundJSON `json:"background"`
}

type QuoteJSON struct {
	Text     string `json:"text"`
	Speaker  string `json:"speaker"`
	Role     string `json:"role"`
	Cue      string `json:"cue"`
	Fragment bool   `json:"fragment"`
	Key      bool   `json:"key"`
	// InSummary: the summary already carries this quote in a sentence that names its
	// speaker, so a card does not show it again.
	InSummary bool `json:"in_summary"`
}

type BackgroundJSON struct {
	Context []string      `json:"context"`
	Related []RelatedJSON `json:"related"`
}

type RelatedJSON struct {
	ID        uint64    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
}

// CardJSON is a card as `newsbot summarize --json` prints it.
func CardJSON(src string, c digest.StoryCard) SummaryJSON {
	out := SummaryJSON{Source: src, Title: c.Title, Language: c.Language, Summary: c.Summary,
		Quotes: []QuoteJSON{}, Background: BackgroundJSON{Context: c.Background, Related: []RelatedJSON{}}}
	if out.Summary == nil {
		out.Summary = []string{}
	}
	if out.Background.Context == nil {
		out.Background.Context = []string{}
	}
	for _, q := range c.Quotes {
		out.Quotes = append(out.Quotes, QuoteJSON{q.Text, q.Speaker, q.Role, q.Cue, q.Fragment, q.Key, q.InSummary})
	}
	for _, r := range c.Related {
		out.Background.Related = append(out.Background.Related, RelatedJSON{r.ID, r.Title, r.URL, r.Published})
	}
	return out
}

// WriteCard prints a card as `newsbot summarize` does without --json.
func WriteCard(w io.Writer, c SummaryJSON) {
	title := c.Title
	if title == "" {
		title = "(untitled)"
	}
	fmt.Fprintf(w, "%s\n%s\n\n", title, strings.Repeat("=", min(len([]rune(title)), 72)))
	for _, s := range c.Summary {
		fmt.Fprintf(w, "  • %s\n", s)
	}
	for _, q := range c.Quotes {
		if !q.Key || q.InSummary {
			continue // as the bot's card: a quote the summary just gave, speaker and all, is not repeated
		}
		who := q.Speaker
		if q.Role != "" {
			who += ", " + q.Role
		}
		fmt.Fprintf(w, "\n  “%s”\n      — %s\n", q.Text, who)
	}
	if len(c.Background.Context) > 0 || len(c.Background.Related) > 0 {
		fmt.Fprintf(w, "\n  Background:\n")
		for _, s := range c.Background.Context {
			fmt.Fprintf(w, "    %s\n", s)
		}
		for _, r := range c.Background.Related {
			fmt.Fprintf(w, "    earlier (%s): %s\n", r.Published.Format("2 Jan"), r.Title)
		}
	}
	fmt.Fprintln(w)
}

// SummarizeOptions are `newsbot summarize`'s flags and streams.
type SummarizeOptions struct {
	K      int
	Lang   string // auto, en, uk or ru
	JSON   bool
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Summarize prints the card of each source (see Source) as `newsbot summarize` does,
// as the operator sees them (every feed), and returns how many sources failed; each
// failure is reported on Stderr and the others still print.
func (s *Service) Summarize(ctx context.Context, sources []string, o SummarizeOptions) (failed int) {
	enc := json.NewEncoder(o.Stdout)
	enc.SetEscapeHTML(false)
	for _, src := range sources {
		it, err := s.Source(ctx, src, o.Stdin)
		if err == nil {
			if o.Lang != "auto" && o.Lang != "" {
				it.Lang = o.Lang
			}
			var card digest.StoryCard
			if card, err = s.Card(ctx, it, o.K, Reader{Operator: true}); err == nil {
				if o.JSON {
					err = enc.Encode(CardJSON(src, card))
				} else {
					WriteCard(o.Stdout, CardJSON(src, card))
				}
			}
		}
		if err != nil {
			failed++
			fmt.Fprintf(o.Stderr, "newsbot summarize: %s: %v\n", src, err)
		}
	}
	return failed
}
