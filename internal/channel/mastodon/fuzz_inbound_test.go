// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon_test

import (
	"testing"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
)

// FuzzMastodonNotifications feeds the notification parser what any
// instance may answer: it must not panic, and every message it returns
// has an id, a thread and a visibility.
func FuzzMastodonNotifications(f *testing.F) {
	f.Add([]byte(notificationsPage))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[{"id":"1","type":"mention","status":{"id":"2","content":"<p><a href=\"x\" class=\"mention\">@a</a> <br/>&amp;</p>","mentions":[{"id":"1","url":"x"}]}}]`))
	f.Add([]byte(`[{"id":"1","type":"mention","status":{"id":"2","in_reply_to_id":"","visibility":"direct","media_attachments":[{"type":"image","url":null}],"content":"<a"}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs, err := mastodon.ParseNotifications(body)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.RemoteID == "" || m.Thread == "" || (m.Visibility != channel.Public && m.Visibility != channel.Private) {
				t.Fatalf("incomplete message %+v", m)
			}
			if utf8.ValidString(string(body)) && !utf8.ValidString(m.Text) {
				t.Fatalf("invalid UTF-8 text %q from valid input", m.Text)
			}
		}
		_ = mastodon.PlainText(string(body), func(string) bool { return true })
	})
}
