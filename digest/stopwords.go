package digest

import "strings"

// stopwords per language: function words that carry no topic.
var stopwords = map[string]map[string]bool{
	LangEnglish: set(`a about above after again against all also am an and any are aren't as at be because been
		before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
		down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
		here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
		let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out
		over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs
		them themselves then there there's these they they'd they'll they're they've this those through to too under
		until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
		while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself
		yourselves s t just now will said says say told mr mrs ms would also one two new year years last first
		many much may might must shall us get got like well even back still way since however whether yet though
		per cent via around`),
	LangRussian: set(`и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
		мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
		нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была
		сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь
		этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой
		хоть после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою
		этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это также который
		которые которых которая которой котором сказал сказала заявил заявила отметил году года также`),
	LangUkrainian: set(`і й та в у на з із зі до від по за про для при без над під через між що як але або
		чи не ні так це цей ця ці цього цієї цих той та те ті того тієї тих він вона воно вони ми ви я ти його
		її їх їм йому їй нам вам мене тебе себе свій своя своє свої був була було були буде будуть є бути
		який яка яке які якого якої яких котрий також ще вже лише тільки навіть де коли тому бо якщо щоб
		адже проте однак тут там всі все весь вся усі усе його ж же б би ось от теж може можна треба
		сказав сказала заявив заявила зазначив зазначила році року також`),
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
