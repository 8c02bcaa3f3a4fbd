package digest

import (
	"strings"
	"testing"
)

func TestCleanHeadline(t *testing.T) {
	tests := []struct {
		title, source, link string
		repeated            map[string]bool
		want                string
	}{
		{"UPDATE 7-Oil sinks on weak China data", "", "", nil, "Oil sinks on weak China data"},
		{"REFILE-UPDATE 2-ECB to reveal bad loan hurdles", "", "", nil, "ECB to reveal bad loan hurdles"},
		{"GLOBAL MARKETS-World stocks dip after weak China data", "", "", nil, "World stocks dip after weak China data"},
		{"ECB FOCUS-Stronger euro drowns out ECB's message", "", "", nil, "Stronger euro drowns out ECB's message"},
		{"BREAKING: iOS 7.1 released for two new iPad models", "", "", nil, "iOS 7.1 released for two new iPad models"},
		{"Titanfall launch hit by outage [VIDEO]", "", "", nil, "Titanfall launch hit by outage"},
		{"Noyer says strong euro creates pressure (1)", "", "", nil, "Noyer says strong euro creates pressure"},
		{"Grownups put down the smartphones at mealtime - WFSB 3 Connecticut", "", "http://www.wfsb.com/story/1", nil, "Grownups put down the smartphones at mealtime"},
		{"Ferry sinks off Lesbos | Reuters", "Reuters", "", nil, "Ferry sinks off Lesbos"},
		{"Ferry sinks off Lesbos - news.example.org", "", "", nil, "Ferry sinks off Lesbos"},
		{"Ferry sinks off Lesbos - Daily Planet", "", "", map[string]bool{"dailyplanet": true}, "Ferry sinks off Lesbos"},
		// Not packaging: kept as they are.
		{"COVID-19 cases rise in Voronezh", "", "", nil, "COVID-19 cases rise in Voronezh"},
		{"US-China talks resume in Geneva", "", "", nil, "US-China talks resume in Geneva"},
		{"Forex - Pound drops to one-month lows against euro", "", "", nil, "Forex - Pound drops to one-month lows against euro"},
		{"Fed's Plosser - taper pace may be too slow", "Moneynews", "http://www.moneynews.com/x", nil, "Fed's Plosser - taper pace may be too slow"},
		{"BREAKING:", "", "", nil, "BREAKING:"},
	}
	for _, tc := range tests {
		if got := cleanHeadline(tc.title, tc.source, tc.link, tc.repeated); got != tc.want {
			t.Errorf("cleanHeadline(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

func TestTrailingTag(t *testing.T) {
	for title, want := range map[string]string{
		"Ferry sinks off Lesbos - Daily Planet":           "dailyplanet",
		"Ferry sinks off Lesbos":                          "",
		"Ferry sinks - and twelve are missing in the sea": "",
	} {
		if got := trailingTag(title); got != want {
			t.Errorf("trailingTag(%q) = %q, want %q", title, got, want)
		}
	}
}

// FuzzCleanHeadline: whatever the headline, cleaning only cuts packaging off its ends,
// so the result is a part of it, and never empty when the headline was not.
func FuzzCleanHeadline(f *testing.F) {
	for _, s := range []string{"UPDATE 2-Oil falls - Reuters", "BREAKING: x [VIDEO]", "a - b - c", "REFILE-", " - "} {
		f.Add(s, "Reuters", "http://www.reuters.com/x")
	}
	f.Fuzz(func(t *testing.T, title, source, link string) {
		got := cleanHeadline(title, source, link, map[string]bool{"reuters": true})
		if !strings.Contains(title, got) {
			t.Fatalf("cleanHeadline(%q) = %q, not a part of it", title, got)
		}
		if strings.TrimSpace(title) != "" && got == "" {
			t.Fatalf("cleanHeadline(%q) is empty", title)
		}
	})
}
