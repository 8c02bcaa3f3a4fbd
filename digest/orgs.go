package digest

import (
	"strings"
)

// Organisations: "the company said", "the firm added", "the station said" name again an
// organisation the story is about, as "he" names a person. A reader is better told which
// ("EMI"), so such a speaker is resolved to the organisation last named as a sentence's
// subject before the quote ("EMI said …", "Novartis has announced …", "Radio 1 said …").
// English only: Ukrainian and Russian write the institution's name again.

// orgAnaphors are the heads of a definite noun phrase that names again an organisation.
var orgAnaphors = set(`company firm group bank lender insurer carrier airline retailer chain maker
	manufacturer carmaker drugmaker broadcaster station channel network paper newspaper magazine
	club agency charity organisation organization federation association union body`)

// orgReach is how far back (bytes, a few paragraphs) the organisation an anaphor names
// may have been named; further, the story has moved on.
const orgReach = 2000

// maxOrgSubjects bounds the organisations orgSubjects notes in one text.
const maxOrgSubjects = 400

// orgMention is an organisation named as a sentence's subject, at a byte offset;
// spoke: the subject of a speech verb ("EMI said"), which a person-like name ("Ras
// Kwame will …") may be too, but less often is.
type orgMention struct {
	name  string
	at    int
	spoke bool
	verb  bool // an auxiliary or speech verb follows, not just a lower-case word
	// once: named once, taken because its name says it is an organisation ("The Food
	// Standards Agency"); an "it" may mean it, "the company" need not.
	once bool
}

// plainVerbAfter reports whether t, after a sentence's capitalised opening, may be its
// verb ("The EU sought", "Renault sold"): a lower-case word that is no function word,
// preposition or number.
func plainVerbAfter(t tok) bool {
	lw := t.lower()
	return !t.punct && !t.capitalised() && hasLetter(lw) && !isFunctionWord(lw) && !prepositions[lw] && !npConnectors[lw]
}

// orgAnaphor reports whether a speaker phrase is "the company", "the firm", … : "the"
// (or "the two"), at most one modifier, and an organisation noun.
func orgAnaphor(speaker string) bool {
	ws := strings.Fields(strings.ToLower(speaker))
	if len(ws) < 2 || len(ws) > 3 || ws[0] != "the" {
		return false
	}
	return orgAnaphors[ws[len(ws)-1]]
}

// orgSubjects finds the organisations a text names as a sentence's subject: a
// capitalised name of one to four words that opens a sentence (after an opening "But"
// or "However"), followed by an auxiliary or a speech verb ("EMI said", "Novartis has
// announced"), named more than once, and no person the text names (people) nor a word
// that is never a name.
func orgSubjects(text string, people []person) []orgMention {
	var out []orgMention
	seen := map[string]bool{} // a name's verdict, counted once: a crafted text repeats one
	starts := append([]int{0}, sentenceEnds(text)...)
	for _, s := range starts {
		if len(out) >= maxOrgSubjects {
			break
		}
		end := min(len(text), s+160) // a subject opens its sentence
		ts := lexTokens(text[s:end])
		k := 0
		for k < len(ts) && ts[k].capitalised() && isNotName(ts[k].s) {
			k++ // "But", "However"
		}
		if k < len(ts) && ts[k].s == "," {
			k++
		}
		if k+1 < len(ts) && ts[k].s == "The" && ts[k+1].capitalised() {
			k++ // "The EU sought …": the organisation's name is what follows
		}
		j := k
		for j < len(ts) && j-k < 4 && !ts[j].punct && (ts[j].capitalised() || j > k && ts[j].s == "&" || j > k && isNumber(ts[j].s)) && !isNotName(ts[j].s) {
			j++
		}
		if j == k || j >= len(ts) {
			continue
		}
		run := ts[k:j]
		defined := j+3 < len(ts) && ts[j].s == "(" && ts[j+2].s == ")" && strings.ToUpper(ts[j+1].s) == ts[j+1].s
		if defined {
			j += 3 // "The American Film Institute (AFI) hailed …"
		}
		if possessiveTok(run[len(run)-1]) {
			continue
		}
		verb := finiteOrCue(ts[j])
		if !verb && !plainVerbAfter(ts[j]) {
			continue // "Generic drugs are …", "Spain, France and …": no verb after the name
		}
		name := joinToks(run)
		like, known := seen[name]
		if !known {
			like = orgLike(name, people)
			seen[name] = like
		}
		if !like {
			continue
		}
		// The text around the mention, as far as an anaphor may reach: a crafted text
		// of thousands of names must not cost a search of the whole text for each.
		at := s + run[0].at
		window := text[max(0, at-orgReach):min(len(text), at+orgReach)]
		if len(run) == 1 && strings.ToUpper(name) != name && strings.Contains(window, " "+strings.ToLower(name)) {
			continue // "Airlines have …": a common noun that opens a sentence, written lower case nearby
		}
		once := !defined && strings.Count(window, name) < 2
		if once && !isOrgName(name) {
			// Named once (or with its acronym spelt out), it is no organisation the story
			// is about, unless its name says it is one ("The Food Standards Agency").
			continue
		}
		out = append(out, orgMention{name: name, at: at, spoke: isCue(ts[j]), verb: verb, once: once})
	}
	return out
}

// orgLike reports whether a capitalised subject may be an organisation: no person the
// text names (by name or surname), no title, demonym or role word, no single letter.
func orgLike(name string, people []person) bool {
	ws := strings.Fields(name)
	if len(ws) == 0 || len([]rune(name)) < 2 {
		return false
	}
	first := strings.ToLower(ws[0])
	if titleWords[first] || demonyms[first] && len(ws) == 1 || isRoleWord(first) || isFunctionWord(first) || guessGender(name, "") != 0 {
		return false
	}
	if places[strings.ToLower(name)] || len(ws) > 1 && placePrefixes[first] {
		return false // "Spain has won", "New Zealand have …": a country or its team
	}
	for _, p := range people {
		if (p.known() || p.spoke) && (sharesSurname(p.name, name) || strings.EqualFold(p.name, name)) {
			return false
		}
	}
	return true
}

// places are the countries, continents and unions news names as a sentence's subject,
// in English: the states of the UN, and the names papers use for them.
var places = set(strings.ToLower(`Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria
	Azerbaijan Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Bosnia
	Botswana Brazil Britain Brunei Bulgaria Burkina Burma Burundi Cambodia Cameroon Canada Chad Chile China
	Colombia Comoros Congo Croatia Cuba Cyprus Czechia Denmark Djibouti Dominica Ecuador Egypt England
	Eritrea Estonia Eswatini Ethiopia Europe Africa Asia America Fiji Finland France Gabon Gambia Georgia
	Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti Holland Honduras Hungary Iceland India
	Indonesia Iran Iraq Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Kiribati Kosovo Kuwait
	Kyrgyzstan Laos Latvia Lebanon Lesotho Liberia Libya Liechtenstein Lithuania Luxembourg Madagascar
	Malawi Malaysia Maldives Mali Malta Mauritania Mauritius Mexico Moldova Monaco Mongolia Montenegro
	Morocco Mozambique Myanmar Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria Norway Oman
	Pakistan Palau Palestine Panama Paraguay Peru Philippines Poland Portugal Qatar Romania Russia Rwanda
	Samoa Scotland Senegal Serbia Seychelles Singapore Slovakia Slovenia Somalia Spain Sudan Suriname
	Sweden Switzerland Syria Taiwan Tajikistan Tanzania Thailand Togo Tonga Tunisia Turkey Turkmenistan
	Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Vatican Venezuela Vietnam Wales Yemen Zambia Zimbabwe
	US USA UK UAE Korea Gaza Crimea Kashmir Tibet Chechnya Kurdistan Ulster Hong Kong Macau Beijing
	Moscow London Paris Washington Berlin Tokyo Brussels Kyiv Kiev`))

// isNumber reports whether w is written in digits: "Radio 1".
func isNumber(w string) bool { return w != "" && strings.Trim(w, "0123456789") == "" }

// sentenceEnds are the offsets where a sentence starts after another, at most
// maxOrgSubjects*4 of them.
func sentenceEnds(text string) []int {
	var out []int
	for _, m := range sentenceStartRE.FindAllStringIndex(text, maxOrgSubjects*4) {
		out = append(out, m[1])
	}
	return out
}

// orgBefore is the organisation last named as a subject before at, within reach bytes:
// the last credited with speech, if any one was, else the last. With anyVerb, a subject
// followed by any plain word counts ("It added" after "The EU sought …"); without, only
// one followed by an auxiliary or a speech verb ("the company said" needs more: a noun
// phrase could name anything capitalised), and no organisation named only once.
func orgBefore(orgs []orgMention, at, reach int, anyVerb bool) (string, bool) {
	last := ""
	for k := len(orgs) - 1; k >= 0; k-- {
		o := orgs[k]
		if o.at >= at || !o.verb && !anyVerb || o.once && !anyVerb {
			continue // "the company" is no agency named once in passing
		}
		if at-o.at > reach {
			break
		}
		if o.spoke {
			return o.name, true
		}
		if last == "" {
			last = o.name
		}
	}
	return last, last != ""
}

// orgNamedWith finds the organisation whose own name has an anaphor's noun for head,
// named within orgReach before at: "the airline" after "Malaysia Airlines", "the bank"
// after "the Bank of England". A name need not have opened a sentence, as orgBefore's
// do: its head word says what it is. Only nouns that head firms' and bodies' names
// are read (namedOrgNouns: a "union" or a "channel" heads places and other things
// too), the noun must be the name's head ("British Airline Pilots Association" is no
// airline), and two different names with the noun are two candidates: no answer.
func orgNamedWith(text, noun string, at int) (string, bool) {
	if !namedOrgNouns[noun] {
		return "", false
	}
	ts := lexTokens(text[max(0, at-orgReach):at])
	found := ""
	for k, t := range ts {
		lw := t.lower()
		if !t.capitalised() || lw != noun && lw != noun+"s" {
			continue
		}
		end := k + 1
		if end < len(ts) && ts[end].capitalised() && !ts[end].punct {
			continue // a modifier: "Airline Pilots"
		}
		if end+1 < len(ts) && ts[end].lower() == "of" && ts[end+1].capitalised() {
			// "Bank of England", but not its "Governor Andrew Bailey".
			e := end + 1
			for e < len(ts) && e-end <= 3 && ts[e].capitalised() && !ts[e].punct && !isRoleWord(ts[e].lower()) {
				e++
			}
			if e > end+1 {
				end = e
			}
		}
		start := k
		for start > 0 && k-start < 4 && ts[start-1].capitalised() && !ts[start-1].punct && !isNotName(ts[start-1].s) && !isRoleWord(ts[start-1].lower()) {
			start--
		}
		if start == k && end == k+1 {
			continue // the noun alone: "Bank said"
		}
		name := strings.TrimSuffix(strings.TrimSuffix(joinToks(ts[start:end]), "'s"), "’s")
		name = strings.TrimPrefix(name, "The ")
		if found != "" && found != name {
			return "", false // "Deutsche Bank … the Bank of England": which bank?
		}
		found = name
	}
	return found, found != ""
}

// namedOrgNouns head the names of the organisations they name again.
var namedOrgNouns = set(`airline bank agency federation association`)
