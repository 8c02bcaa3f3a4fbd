package digest

import "strings"

// Lexicons for speaker attribution that generalise by construction: words that are
// capitalised without being names, nouns that make a document a speaker, and the verbs
// whose object is an audience. All are read-only tables.

// notNames are capitalised words that open a sentence or name a time, never a
// speaker: weekdays, the months that are not also first names or surnames ("May",
// "June", "April", "August" are left out), sentence adverbs and connectors.
var notNames = set(`monday tuesday wednesday thursday friday saturday sunday
	january february march july september october november december
	already also still yet however meanwhile instead indeed nevertheless nonetheless separately
	previously recently later earlier now then today yesterday tomorrow tonight finally
	moreover furthermore besides otherwise thus therefore hence accordingly consequently
	likewise similarly again once anyway perhaps maybe clearly obviously certainly
	apparently reportedly notably importantly ultimately eventually initially overall
	generally usually sometimes often first second third last next soon here there
	speaking asked asking pressed according despite although though while when after before
	during since until unless if because as but and or so yes no not only even just
	update updated watch read related photo video editor note breaking exclusive live
	analysis opinion comment`)

// placePrefixes open multiword place names ("New Orleans", "North Korea"); a run of
// capitalised words starting with one is not taken as a person.
var placePrefixes = set(`new north south east west northern southern eastern western central upper lower
	los las san santa st saint fort lake mount port cape gulf rio el la`)

// documentWords make a noun phrase a legitimate non-person speaker ("the report said",
// "a joint statement read"): returned as the speaker with an empty role.
var documentWords = set(`report reports statement statements survey surveys poll polls study studies
	email emails e-mail letter letters memo memos ruling rulings document documents complaint
	filing lawsuit indictment order decision release post tweet tweets message messages note
	notice video ad advert advertisement analysis review audit investigation assessment bill
	resolution declaration communique communiqué transcript paper website page book article
	editorial column record records data figures estimate estimates forecast guidance warning
	policy plan proposal agreement contract treaty constitution manual guide brief verdict
	judgment judgement opinion text draft summary bulletin briefing presentation petition
	application motion appeal charter law`)

// documentCues are verbs that attribute only when their subject is a document:
// "the survey found", "the email read", "the study shows".
var documentCues = set(`found finds read reads show shows showed concluded concludes described
	describes calls called`)

// recipientCues take their audience as object ("told NBC", "telling the Post",
// "informed the court"): the phrase after them is never the speaker, so they have no
// inverted form ("said Smith" is a speaker, "told Smith" is not).
// ("asked", "warned" and "urged" do invert: "“Why now?” asked Ms. Lee").
var recipientCues = set(`told tells tell telling informed informs assured assures reminded reminds
	advised advises called calls dubbed labeled labelled branded termed described describes
	dismissed praised blasted slammed criticized criticised accused mocked lauded begged pleaded
	assuring reminding calling describing praising accusing informing`)

// invertingCues may come before their subject: "“…,” said the minister".
func invertingCue(w string) bool { return !recipientCues[w] }

// isNotName reports whether a capitalised token is a non-name word (compared lower
// case, trailing period dropped).
func isNotName(w string) bool { return notNames[strings.TrimSuffix(strings.ToLower(w), ".")] }

// isDocumentWord reports whether w (any case) is a document noun.
func isDocumentWord(w string) bool { return documentWords[strings.Trim(strings.ToLower(w), ".,")] }
