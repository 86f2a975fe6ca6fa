// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodontest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

func TestNotifications(t *testing.T) {
	s, c := newFake(t, mastodontest.Options{})
	code, post := c.postJSON("/api/v1/statuses", map[string]any{"status": "Avviso"}, nil)
	if code != http.StatusOK {
		t.Fatalf("post: %d %v", code, post)
	}
	var ids []string
	for i, m := range []mastodontest.Mention{
		{From: "mario@altro.example", DisplayName: "Mario", Text: "quali?", InReplyTo: post["id"].(string)},
		{From: "lucia", Text: "privato", Visibility: "direct", Media: []mastodontest.MentionMedia{{Type: "image", Description: "buca"}}},
		{From: "anna", Text: "terza"},
	} {
		id, err := s.AddMention(m)
		if err != nil {
			t.Fatalf("mention %d: %v", i, err)
		}
		ids = append(ids, id)
	}
	if _, err := s.AddMention(mastodontest.Mention{From: "x", InReplyTo: "1"}); err == nil {
		t.Error("a reply to an unknown status")
	}

	list := func(query string) (int, http.Header, []any) {
		t.Helper()
		code, h, out := c.do(http.MethodGet, "/api/v1/notifications?"+query, "", nil, nil)
		items, _ := out.([]any)
		return code, h, items
	}
	statusID := func(n any) string { return n.(map[string]any)["status"].(map[string]any)["id"].(string) }
	code, h, items := list("types[]=mention&limit=2")
	if code != http.StatusOK || len(items) != 2 || statusID(items[0]) != ids[2] || statusID(items[1]) != ids[1] ||
		!strings.Contains(h.Get("Link"), `rel="next"`) {
		t.Fatalf("newest page: %d %v %v", code, h, items)
	}
	first := items[0].(map[string]any)
	st := first["status"].(map[string]any)
	if !strings.HasPrefix(st["content"].(string), `<p><span class="h-card" translate="no"><a href="`) ||
		!strings.Contains(st["content"].(string), `class="u-url mention">@<span>comune_vallebella</span></a></span> terza</p>`) {
		t.Errorf("content %v", st["content"])
	}
	oldest := items[1].(map[string]any)["id"].(string)
	if _, _, items = list("max_id=" + oldest); len(items) != 1 || statusID(items[0]) != ids[0] {
		t.Errorf("max_id: %v", items)
	}
	if _, _, items = list("since_id=0&limit=1"); len(items) != 1 || statusID(items[0]) != ids[2] {
		t.Errorf("since_id: %v", items)
	}
	if _, _, items = list("min_id=0&limit=1"); len(items) != 1 || statusID(items[0]) != ids[0] {
		t.Errorf("min_id: %v", items)
	}
	reply := items[0].(map[string]any)["status"].(map[string]any)
	if reply["in_reply_to_id"] != post["id"] || reply["account"].(map[string]any)["acct"] != "mario@altro.example" {
		t.Errorf("reply %v", reply)
	}
	if _, _, items = list("types[]=favourite"); len(items) != 0 {
		t.Errorf("types: %v", items)
	}

	// Replies name a status the account may see.
	code, out := c.postJSON("/api/v1/statuses", map[string]any{"status": "@lucia ricevuto", "in_reply_to_id": ids[1], "visibility": "direct"}, nil)
	if code != http.StatusOK || out["in_reply_to_id"] != ids[1] {
		t.Errorf("reply: %d %v", code, out)
	}
	if info, _ := s.Status(out["id"].(string)); info.InReplyToID != ids[1] || len(info.Mentions) != 1 || info.Mentions[0] != "lucia" {
		t.Errorf("stored %+v", info)
	}
	code, out = c.postJSON("/api/v1/statuses", map[string]any{"status": "x", "in_reply_to_id": "123"}, nil)
	if code != http.StatusNotFound || out["error"] != "The post you are trying to reply to does not appear to exist." {
		t.Errorf("unknown parent: %d %v", code, out)
	}

	// A bad token is Doorkeeper's 401.
	c.token = "nope"
	if code, _, _ := list(""); code != http.StatusUnauthorized {
		t.Errorf("bad token: %d", code)
	}
}
