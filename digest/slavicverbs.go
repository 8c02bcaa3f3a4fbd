package digest

import (
	"slices"
	"strings"
)

// Ukrainian and Russian speech verbs agree with their subject in gender and number,
// and news writes both aspects ("заявив" and "заявляв", "сказал" and "говорил"), so
// a list of single forms misses most of them. The cue vocabulary lists each verb
// once, by its masculine past (and, for the present, its third person singular and
// plural), and the other forms are generated: a closed word class written out by
// rule, like the outcome words of develop.go, not fitted to any example.

// slavicPastMasculine are speech verbs' masculine past forms; reflexive ones end in
// "вся" (uk) or "лся" (ru).
var slavicPastMasculine = strings.Fields(`
	сказав заявив зазначив наголосив додав повідомив написав пояснив підкреслив відповів
	розповів запевнив зауважив уточнив визнав попередив закликав назвав нагадав відзначив
	прокоментував пообіцяв констатував підтвердив резюмував підсумував стверджував
	заявляв говорив казав зазначав наголошував підкреслював пояснював розповідав повідомляв
	відповідав додавав писав вважав запевняв нагадував коментував відзначав попереджав
	поділився висловився зізнався поскаржився висловив передав проінформував спростував
	сказал заявил отметил подчеркнул добавил сообщил написал пояснил ответил рассказал
	заверил уточнил признал предупредил призвал назвал напомнил прокомментировал пообещал
	указал констатировал заметил продолжил подтвердил объяснил резюмировал подытожил
	заявлял говорил отмечал подчеркивал пояснял рассказывал сообщал отвечал добавлял писал
	считал утверждал уверял напоминал комментировал указывал предупреждал призывал
	поделился высказался признался пожаловался высказал выразил передал проинформировал опроверг`)

// slavicPresent are speech verbs' present third person forms, singular and plural.
var slavicPresent = strings.Fields(`
	каже кажуть говорить говорять вважає вважають зазначає зазначають наголошує наголошують
	підкреслює підкреслюють пояснює пояснюють розповідає розповідають повідомляє повідомляють
	відповідає відповідають додає додають пише пишуть стверджує стверджують заявляє заявляють
	нагадує нагадують передає передають спростовує спростовують переконаний переконана переконані впевнений впевнена впевнені
	говорит говорят считает считают отмечает отмечают подчеркивает подчеркивают поясняет
	поясняют рассказывает рассказывают сообщает сообщают отвечает отвечают добавляет добавляют
	передает передают пишет пишут утверждает утверждают опровергает опровергают заявляет заявляют напоминает напоминают полагает полагают
	уверяет уверяют уверен уверена уверены убежден убеждена убеждены`)

// slavicGerunds are the Russian adverbial participles of perfective speech verbs
// ("…, заверив, что …": said while doing the rest), which slavicSpeechVerbs also lists.
// A form that is also a Ukrainian past ("сказав", "заявив", "пояснив") is left out:
// there it is a finite verb with its own subject.
var slavicGerunds = func() map[string]bool {
	ukrainian := map[string]bool{}
	for _, v := range slavicPastMasculine {
		if strings.HasSuffix(v, "в") {
			ukrainian[v] = true
		}
	}
	out := map[string]bool{}
	for _, v := range russianPerfectiveSpeech {
		if g := strings.TrimSuffix(v, "л") + "в"; !ukrainian[g] {
			out[g] = true
		}
	}
	return out
}()

// slavicSpeechVerbs returns every generated form: past masculine, feminine, neuter
// and plural, the Russian participles, and the present forms as listed.
func slavicSpeechVerbs() map[string]bool {
	out := map[string]bool{}
	for _, v := range slavicPastMasculine {
		switch {
		case strings.HasSuffix(v, "вся"): // uk reflexive: поділився, поділилася, поділилися
			stem := strings.TrimSuffix(v, "вся")
			for _, end := range []string{"вся", "лася", "лися", "лося"} {
				out[stem+end] = true
			}
		case strings.HasSuffix(v, "лся"): // ru reflexive: поделился, поделилась, поделились
			stem := strings.TrimSuffix(v, "лся")
			for _, end := range []string{"лся", "лась", "лись", "лось"} {
				out[stem+end] = true
			}
		case strings.HasSuffix(v, "в"): // uk: заявив, заявила, заявили, заявило
			stem := strings.TrimSuffix(v, "в")
			for _, end := range []string{"в", "ла", "ли", "ло"} {
				out[stem+end] = true
			}
		case strings.HasSuffix(v, "л"): // ru: заявил, заявила, заявили, заявило
			for _, end := range []string{"", "а", "и", "о"} {
				out[v+end] = true
			}
		}
	}
	for _, v := range slavicPresent {
		out[v] = true
	}
	for v := range slavicGerunds {
		out[v] = true
	}
	for _, v := range slices.Concat(russianPerfectiveSpeech, russianImperfectiveSpeech) {
		// The active participle in every case ("Головченко, заявившего, что …": the
		// one who said it).
		stem := strings.TrimSuffix(v, "л")
		for _, end := range []string{"вший", "вшего", "вшему", "вшим", "вшем", "вшая", "вшей", "вшую", "вшие", "вших", "вшими"} {
			out[stem+end] = true
		}
	}
	return out
}

// russianPerfectiveSpeech and russianImperfectiveSpeech are the Russian speech verbs
// whose participles say nothing but speech: not "отметивший" (who celebrated),
// "передав" (passing a ball), "подтвердивший" (a title), "добавив", "заметивший",
// "написав". Only perfective verbs make their adverbial participle in "-в".
var (
	russianPerfectiveSpeech = strings.Fields(`сказал заявил подчеркнул сообщил пояснил ответил
		рассказал заверил уточнил предупредил призвал напомнил прокомментировал пообещал
		констатировал объяснил резюмировал подытожил`)
	russianImperfectiveSpeech = strings.Fields(`заявлял говорил рассказывал сообщал утверждал уверял`)
)

// union merges word sets.
func union(sets ...map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, s := range sets {
		for w := range s {
			out[w] = true
		}
	}
	return out
}
