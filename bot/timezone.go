package bot

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // IANA zones on machines without a zoneinfo database
)

// cityZones maps common city and country names to IANA zones, so "/settings tz Kyiv"
// works; anything else is tried as an IANA name or a UTC offset.
var cityZones = map[string]string{
	"kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "київ": "Europe/Kyiv", "киев": "Europe/Kyiv", "ukraine": "Europe/Kyiv",
	"lviv": "Europe/Kyiv", "kharkiv": "Europe/Kyiv", "odesa": "Europe/Kyiv", "odessa": "Europe/Kyiv",
	"london": "Europe/London", "uk": "Europe/London", "dublin": "Europe/Dublin", "lisbon": "Europe/Lisbon",
	"paris": "Europe/Paris", "berlin": "Europe/Berlin", "madrid": "Europe/Madrid", "rome": "Europe/Rome",
	"warsaw": "Europe/Warsaw", "prague": "Europe/Prague", "vienna": "Europe/Vienna", "amsterdam": "Europe/Amsterdam",
	"brussels": "Europe/Brussels", "stockholm": "Europe/Stockholm", "oslo": "Europe/Oslo", "helsinki": "Europe/Helsinki",
	"athens": "Europe/Athens", "istanbul": "Europe/Istanbul", "bucharest": "Europe/Bucharest", "vilnius": "Europe/Vilnius",
	"riga": "Europe/Riga", "tallinn": "Europe/Tallinn", "chisinau": "Europe/Chisinau", "moscow": "Europe/Moscow",
	"tbilisi": "Asia/Tbilisi", "dubai": "Asia/Dubai", "delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
	"singapore": "Asia/Singapore", "hong kong": "Asia/Hong_Kong", "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai",
	"tokyo": "Asia/Tokyo", "seoul": "Asia/Seoul", "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne",
	"auckland": "Pacific/Auckland", "new york": "America/New_York", "nyc": "America/New_York", "washington": "America/New_York",
	"toronto": "America/Toronto", "montreal": "America/Toronto", "ottawa": "America/Toronto", "chicago": "America/Chicago",
	"denver": "America/Denver", "los angeles": "America/Los_Angeles", "la": "America/Los_Angeles",
	"san francisco": "America/Los_Angeles", "vancouver": "America/Vancouver", "mexico city": "America/Mexico_City",
	"sao paulo": "America/Sao_Paulo", "buenos aires": "America/Argentina/Buenos_Aires", "utc": "UTC", "gmt": "UTC",
}

var offsetRE = regexp.MustCompile(`^(?i:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$`)

// ParseZone understands an IANA name, a city, or a UTC offset ("+2", "UTC-05:00") and
// returns the zone name to store and what it understood, for the reply, which shows the
// local time at now.
func ParseZone(s string, now time.Time) (name, understood string, err error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return "", "", fmt.Errorf("give a city, an IANA zone such as Europe/Kyiv, or an offset such as +2")
	}
	if z, ok := cityZones[strings.ToLower(in)]; ok {
		loc, err := time.LoadLocation(z)
		if err != nil { // no time zone database on this machine
			return "", "", fmt.Errorf("parse zone: load %s: %w", z, err)
		}
		return z, fmt.Sprintf("%s (%s, now %s)", z, in, now.In(loc).Format("15:04")), nil
	}
	if m := offsetRE.FindStringSubmatch(in); m != nil {
		h, _ := strconv.Atoi(m[2])
		mins := 0
		if m[3] != "" {
			mins, _ = strconv.Atoi(m[3])
		}
		if h > 14 || mins >= 60 {
			return "", "", fmt.Errorf("%q is not a valid UTC offset", in)
		}
		off := h*3600 + mins*60
		if m[1] == "-" {
			off = -off
		}
		name := fmt.Sprintf("UTC%s%02d:%02d", m[1], h, mins)
		return name, fmt.Sprintf("a fixed offset of %s (no daylight saving)", name), nil
	}
	// One spelling per zone: LoadLocation also opens "Europe/./Kyiv" or "Europe//Kyiv",
	// and each such name would be a zone of its own to cache (review 72).
	if loc, err := time.LoadLocation(in); err == nil && in != "Local" && path.Clean(in) == in && !strings.HasPrefix(in, "/") && !strings.HasPrefix(in, ".") {
		return loc.String(), fmt.Sprintf("%s (now %s)", loc.String(), now.In(loc).Format("15:04")), nil
	}
	return "", "", fmt.Errorf("%q is not a time zone I know: give a city (Kyiv, London, New York), an IANA name (Europe/Kyiv) or an offset (+2)", in)
}

// zones caches loaded zones by stored name: time.LoadLocation reads and parses the
// zone's file at every call, and quiet hours ask a reader's zone for every minute they
// scan (review 70: 32 ms for one postponed update, with the poller waiting). Stored
// names are IANA names or fixed offsets, a few thousand at most; maxZones bounds the
// cache all the same.
var zones sync.Map // name -> *time.Location

// zoneCount counts what zones holds.
var zoneCount atomic.Int64

const maxZones = 8192

// zone loads a stored zone name (an IANA name or UTC±hh:mm).
func zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	name = path.Clean(name) // as ParseZone stores names now; an older record may not be
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc := loadZone(name)
	if zoneCount.Load() < maxZones {
		if _, loaded := zones.LoadOrStore(name, loc); !loaded {
			zoneCount.Add(1)
		}
	}
	return loc
}

// loadZone is zone, uncached.
func loadZone(name string) *time.Location {
	if strings.HasPrefix(name, "UTC") && len(name) == 9 {
		h, _ := strconv.Atoi(name[4:6])
		m, _ := strconv.Atoi(name[7:9])
		off := h*3600 + m*60
		if name[3] == '-' {
			off = -off
		}
		return time.FixedZone(name, off)
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

var timeRE = regexp.MustCompile(`^([01]?\d|2[0-3])[:.]?([0-5]\d)?$`)

// ParseTimes reads "8:00, 18:30" into sorted "HH:MM" strings.
func ParseTimes(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		m := timeRE.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, fmt.Errorf("%q is not a time of day such as 08:00", part)
		}
		h, _ := strconv.Atoi(m[1])
		mm := 0
		if m[2] != "" {
			mm, _ = strconv.Atoi(m[2])
		}
		t := fmt.Sprintf("%02d:%02d", h, mm)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("give one or more times of day, such as 08:00 or 08:00, 18:30")
	}
	if len(out) > 6 {
		return nil, fmt.Errorf("at most 6 digests a day")
	}
	sort.Strings(out)
	return out, nil
}

// NextDigest returns the first of times (HH:MM in zone) strictly after now.
func NextDigest(times []string, zoneName string, now time.Time) time.Time {
	loc := zone(zoneName)
	local := now.In(loc)
	var best time.Time
	for day := 0; day < 3; day++ {
		d := local.AddDate(0, 0, day)
		for _, t := range times {
			h, _ := strconv.Atoi(t[:2])
			m, _ := strconv.Atoi(t[3:])
			at := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
			if at.After(now) && (best.IsZero() || at.Before(best)) {
				best = at
			}
		}
		if !best.IsZero() {
			return best.UTC()
		}
	}
	return now.Add(24 * time.Hour).UTC()
}
