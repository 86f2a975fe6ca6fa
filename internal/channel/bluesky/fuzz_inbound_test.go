// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky_test

import (
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
)

// FuzzBlueskyNotifications feeds the notification parser what any AppView
// may answer: it must not panic, and every message it returns has its
// references for a reply.
func FuzzBlueskyNotifications(f *testing.F) {
	f.Add([]byte(notificationsPage))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"notifications":[{"uri":"at://a/b/c","reason":"reply","record":{"reply":{"root":{},"parent":{}}}}]}`))
	f.Add([]byte(`{"notifications":[{"uri":"u","reason":"mention","record":{"text":"x","embed":{"media":{"media":{"images":[{"image":{"ref":{"$link":"b"}}}]}}}}}]}`))
	f.Add([]byte(`{"notifications":[{"uri":"u","reason":"mention","record":null,"indexedAt":"bad"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		msgs, err := bluesky.ParseNotifications(body)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if m.RemoteID == "" || m.Thread == "" || m.Visibility != channel.Public || m.Raw["uri"] != m.RemoteID || m.Raw["root_uri"] == "" {
				t.Fatalf("incomplete message %+v", m)
			}
		}
	})
}
