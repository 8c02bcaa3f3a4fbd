package stories

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/newsbot/newsbot/storage"
)

// itemJSON is the `newsbot items --json` contract.
type itemJSON struct {
	ID        uint64    `json:"id"`
	Feed      string    `json:"feed"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Words     int       `json:"words"`
}

// WriteItems prints stored items as `newsbot items` does: a JSON array, or two lines
// per item.
func WriteItems(w io.Writer, items []storage.Item, asJSON bool) error {
	if asJSON {
		out := make([]itemJSON, 0, len(items))
		for _, it := range items {
			out = append(out, itemJSON{it.ID, it.FeedURL, it.Title, it.URL, it.Published, it.Words})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, it := range items {
		if _, err := fmt.Fprintf(w, "%6d  %s  %5dw  %s\n        %s\n", it.ID, it.Published.Format("2006-01-02 15:04"), it.Words, it.Title, it.URL); err != nil {
			return err
		}
	}
	return nil
}
