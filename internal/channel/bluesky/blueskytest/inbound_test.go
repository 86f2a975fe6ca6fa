// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package blueskytest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNotifications(t *testing.T) {
	s, c := start(t, Options{Now: func() time.Time { return time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC) }})
	access, _, did := c.login()
	status, out := c.post("com.atproto.repo.createRecord", access, map[string]any{"repo": did, "collection": "app.bsky.feed.post",
		"rkey": "3lbfgzzzzzz2a", "record": map[string]any{"text": "Avviso", "createdAt": "2026-03-14T09:00:00Z"}})
	if status != http.StatusOK {
		t.Fatalf("post: %d %v", status, out)
	}
	ours := out["uri"].(string)
	reply, _, err := s.AddPost(Post{Handle: "mario.bsky.social", Text: "Quali?", ReplyTo: ours})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddPost(Post{Handle: "mario.bsky.social", Text: "x", ReplyTo: ours + "x"}); err == nil {
		t.Error("reply to an unknown post")
	}
	if _, _, err := s.AddPost(Post{Handle: "lucia.bsky.social", Text: "@" + DefaultHandle + " ciao"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddPost(Post{Handle: "anna.bsky.social", Text: "nessuno citato"}); err != nil {
		t.Fatal(err)
	}

	list := func(query, token string) (int, map[string]any) {
		t.Helper()
		status, _, out := c.do(http.MethodGet, "app.bsky.notification.listNotifications?"+query, token, "", nil)
		return status, out
	}
	status, out = list("limit=1", access)
	items, _ := out["notifications"].([]any)
	if status != http.StatusOK || len(items) != 1 || out["cursor"] == nil {
		t.Fatalf("first page: %d %v", status, out)
	}
	if n := items[0].(map[string]any); n["reason"] != "mention" || n["indexedAt"] != "2026-03-14T09:00:00.001Z" {
		t.Errorf("newest: %v", n)
	}
	status, out = list("limit=1&cursor="+out["cursor"].(string), access)
	items, _ = out["notifications"].([]any)
	if n := items[0].(map[string]any); status != http.StatusOK || n["reason"] != "reply" || n["uri"] != reply || n["reasonSubject"] != ours {
		t.Errorf("second page: %d %v", status, out)
	}
	status, out = list("limit=1&cursor="+out["cursor"].(string), access)
	if items, _ := out["notifications"].([]any); status != http.StatusOK || len(items) != 0 || out["cursor"] != nil {
		t.Errorf("past the end: %d %v", status, out)
	}
	if status, out = list("reasons=like", access); len(out["notifications"].([]any)) != 0 {
		t.Errorf("reasons: %d %v", status, out)
	}
	for _, tt := range []struct {
		query, token string
		status       int
		name         string
	}{
		{"", "", http.StatusUnauthorized, "AuthMissing"},
		{"", "nope", http.StatusBadRequest, "InvalidToken"},
		{"limit=101", access, http.StatusBadRequest, "InvalidRequest"},
		{"cursor=abc", access, http.StatusBadRequest, "InvalidRequest"},
	} {
		if status, out := list(tt.query, tt.token); status != tt.status || out["error"] != tt.name {
			t.Errorf("%q: %d %v", tt.query, status, out)
		}
	}

	// A reply must name posts the fake holds, at their CID.
	for _, tt := range []struct {
		reply map[string]any
		want  string
	}{
		{map[string]any{"root": map[string]any{"uri": ours, "cid": "bafyreiaaaaaaaaaa"}, "parent": map[string]any{"uri": ours, "cid": "bafyreiaaaaaaaaaa"}}, "has CID"},
		{map[string]any{"root": map[string]any{"uri": ours + "z", "cid": "bafyreiaaaaaaaaaa"}, "parent": map[string]any{"uri": ours + "z", "cid": "bafyreiaaaaaaaaaa"}}, "could not be found"},
		{map[string]any{"parent": map[string]any{"uri": ours, "cid": "bafyreiaaaaaaaaaa"}}, `Missing required key "root"`},
		{map[string]any{"root": map[string]any{"uri": "https://x", "cid": "b"}, "parent": map[string]any{"uri": ours, "cid": "b"}}, "Invalid AT-URI"},
	} {
		status, out := c.post("com.atproto.repo.createRecord", access, map[string]any{"repo": did, "collection": "app.bsky.feed.post",
			"record": map[string]any{"text": "r", "createdAt": "2026-03-14T09:00:00Z", "reply": tt.reply}})
		if msg, _ := out["message"].(string); status != http.StatusBadRequest || !strings.Contains(msg, tt.want) {
			t.Errorf("reply %v: %d %v", tt.reply, status, out)
		}
	}
}
