package stories

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/newsbot/newsbot/digest"
)

// groupOutput is the `newsbot group --json` contract: one line per input item.
type groupOutput struct {
	ID    json.RawMessage `json:"id"`
	Story int             `json:"story"`
	Size  int             `json:"size"`
}

// WriteGroups prints a grouping as `newsbot group` does: JSON Lines of
// {"id","story","size"} in input order, or the stories biggest first.
func WriteGroups(w io.Writer, items []digest.Item, ids []json.RawMessage, assign []int, asJSON bool) error {
	size := map[int]int{}
	for _, s := range assign {
		size[s]++
	}
	if asJSON {
		enc := json.NewEncoder(w)
		for i := range items {
			if err := enc.Encode(groupOutput{ID: ids[i], Story: assign[i], Size: size[assign[i]]}); err != nil {
				return err
			}
		}
		return nil
	}
	members := map[int][]int{}
	var order []int
	for i, s := range assign {
		if _, ok := members[s]; !ok {
			order = append(order, s)
		}
		members[s] = append(members[s], i)
	}
	sort.SliceStable(order, func(a, b int) bool { return len(members[order[a]]) > len(members[order[b]]) })
	multi := 0
	for _, s := range order {
		if len(members[s]) > 1 {
			multi++
		}
	}
	fmt.Fprintf(w, "%d items, %d stories (%d with more than one report)\n\n", len(items), len(order), multi)
	for _, s := range order {
		fmt.Fprintf(w, "story %d (%d):\n", s, len(members[s]))
		for _, i := range members[s] {
			src := ""
			if items[i].Source != "" {
				src = " — " + items[i].Source
			}
			fmt.Fprintf(w, "  %s%s\n", items[i].Title, src)
		}
	}
	return nil
}
