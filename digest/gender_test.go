package digest

import "testing"

func TestGuessGender(t *testing.T) {
	for _, tc := range []struct {
		name, role string
		want       byte
	}{
		{"Kate Morris", "", 'f'},
		{"Andy Keller", "", 'm'},
		{"Jo Wilde", "", 0}, // used for both
		{"Tom Wright", "Bishop of Durham", 'm'},
		{"Alex Morgan", "the team's spokeswoman", 'f'},
		{"Олена Петренко", "", 'f'},
		{"Оленою Петренко", "", 'f'},
		{"Михайла Подоляка", "", 'm'},
		{"Сергію Коваль", "", 'm'},
		{"Валентина Ким", "", 0}, // the woman, or the genitive of Валентин
		{"Микола Точицький", "", 'm'},
		{"Ганна Ткач", "", 'f'},
		{"Ткач", "нардепка", 'f'},
		{"Ткач", "міністр", 0}, // a masculine role names women too
	} {
		if got := guessGender(tc.name, tc.role); got != tc.want {
			t.Errorf("guessGender(%q, %q) = %q, want %q", tc.name, tc.role, got, tc.want)
		}
	}
}

func TestCueGender(t *testing.T) {
	for cue, want := range map[string]byte{
		"заявила": 'f', "сказала": 'f', "поділилася": 'f', "призналась": 'f',
		"заявив": 'm', "заявил": 'm', "поділився": 'm', "признался": 'm',
		"заявили": 0, "говорит": 0, "said": 0, "according to": 0, "—": 0,
	} {
		if got := cueGender(cue); got != want {
			t.Errorf("cueGender(%q) = %q, want %q", cue, got, want)
		}
	}
}
