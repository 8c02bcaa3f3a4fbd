package telegram

import "encoding/json"

// MaxCallbackData is Telegram's limit on a button's callback data, in bytes.
const MaxCallbackData = 64

// Button is an inline keyboard button: a callback or a URL.
type Button struct {
	Text string
	Data string
	URL  string
}

// Buttons are the rows of an inline keyboard Telegram returned (nil for none).
func (k *InlineKeyboard) Buttons() [][]Button {
	if k == nil {
		return nil
	}
	out := make([][]Button, 0, len(k.Rows))
	for _, row := range k.Rows {
		var r []Button
		for _, b := range row {
			r = append(r, Button{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		out = append(out, r)
	}
	return out
}

// Carries reports whether the keyboard has a button whose callback data is data.
func (k *InlineKeyboard) Carries(data string) bool {
	if k == nil {
		return false
	}
	for _, row := range k.Rows {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// Keyboard renders rows of buttons as an inline_keyboard reply_markup, or "" when there
// are none. A button whose data is over Telegram's limit is left out (Telegram would
// refuse the whole message for it).
func Keyboard(rows [][]Button) string {
	type btn struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data,omitempty"`
		URL          string `json:"url,omitempty"`
	}
	var kb [][]btn
	for _, row := range rows {
		var r []btn
		for _, b := range row {
			if b.Data != "" && len(b.Data) > MaxCallbackData {
				continue
			}
			r = append(r, btn{b.Text, b.Data, b.URL})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return ""
	}
	data, _ := json.Marshal(map[string]any{"inline_keyboard": kb})
	return string(data)
}
