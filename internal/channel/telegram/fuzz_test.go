// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
)

// FuzzParseUpdate feeds ParseUpdate what a webhook may receive from
// anyone: it must never panic, and a message it accepts must be one the
// desk can store and answer.
func FuzzParseUpdate(f *testing.F) {
	for _, p := range updatePayloads {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := telegram.ParseUpdate(body)
		if err != nil {
			if u.HasMsg || u.Callback != nil || u.ID != 0 {
				t.Errorf("error %v with a result %+v", err, u)
			}
			return
		}
		if !u.HasMsg {
			if u.Callback != nil {
				t.Errorf("callback without its message: %+v", u)
			}
			return
		}
		m := u.Msg
		if m.RemoteID == "" || m.Thread == "" || m.AuthorID == "" || m.Visibility != channel.Private {
			t.Errorf("incomplete message %+v", m)
		}
		if m.Raw["chat_id"] != m.Thread {
			t.Errorf("chat %q, thread %q", m.Raw["chat_id"], m.Thread)
		}
		if u.Callback == nil && !strings.HasPrefix(m.RemoteID, m.Thread+":") {
			t.Errorf("remote id %q outside its chat %q", m.RemoteID, m.Thread)
		}
		if u.Callback != nil && !m.Bot {
			t.Errorf("a button press for the desk: %+v", u)
		}
	})
}
