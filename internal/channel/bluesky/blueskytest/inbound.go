// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package blueskytest

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel/bluesky"
)

// The citizens' side of the fake: posts by other accounts that mention an
// account of the fake or reply to one of its posts (AddPost), the
// notifications the AppView makes of them, and listNotifications to read
// them. Posts created through the API notify the same way, so a reply of
// the account reaches the citizen.

// Post is a citizen's post (AddPost).
type Post struct {
	// Handle is the citizen's handle: an account of the fake, made at
	// first use (it cannot log in). DisplayName is their name.
	Handle, DisplayName string
	// Text is the post's text; its @mentions of the fake's accounts and
	// of the Directory get facets, as the Bluesky app makes them.
	Text string
	// ReplyTo is the at:// URI of the post answered, if any: a post the
	// fake holds. The reply's root is that post's root.
	ReplyTo string
	Langs   []string
	// CreatedAt is the record's createdAt (the fake's clock when zero).
	CreatedAt time.Time
}

// notification is one notification of the AppView.
type notification struct {
	recipient     string // DID
	author        *account
	uri, cid      string
	reason        string
	reasonSubject string
	record        json.RawMessage
	indexedAt     time.Time
}

// AddPost stores a citizen's post and notifies the accounts it mentions
// or answers. It returns the post's at:// URI and CID.
func (s *Server) AddPost(p Post) (uri, cid string, err error) {
	handle := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(p.Handle), "@"))
	if handle == "" {
		return "", "", errors.New("blueskytest: a post needs its author's handle")
	}
	a := s.repo(handle)
	if a == nil {
		name := p.DisplayName
		if name == "" {
			name = handle
		}
		s.AddAccount(handle, "", "", name)
		a = s.repo(handle)
	}
	created := p.CreatedAt
	if created.IsZero() {
		created = s.opts.Now()
	}
	rec := map[string]any{"$type": bluesky.Collection, "text": p.Text,
		"createdAt": created.UTC().Format("2006-01-02T15:04:05.000Z")}
	if len(p.Langs) > 0 {
		rec["langs"] = p.Langs
	}
	if f := bluesky.Facets(p.Text, s.lookup); len(f) > 0 {
		rec["facets"] = f
	}
	var reply *postReply
	if p.ReplyTo != "" {
		parent, ok := s.post(p.ReplyTo)
		if !ok {
			return "", "", errors.New("blueskytest: no post " + p.ReplyTo + " to reply to")
		}
		reply = &postReply{root: parent, parent: parent}
		if pr := s.replyOf(p.ReplyTo); pr != nil {
			reply.root = pr.root
		}
		rec["reply"] = map[string]any{"root": map[string]string{"uri": reply.root.uri, "cid": reply.root.cid},
			"parent": map[string]string{"uri": reply.parent.uri, "cid": reply.parent.cid}}
	}
	value, err := json.Marshal(rec)
	if err != nil {
		return "", "", err
	}
	uri, cid = s.store(a, value)
	s.index(a, uri, cid, value, reply)
	return uri, cid, nil
}

// store keeps a citizen's record under a fresh TID.
func (s *Server) store(a *account, value json.RawMessage) (uri, cid string) {
	rkey := bluesky.RecordKey("")
	uri = "at://" + a.did + "/" + bluesky.Collection + "/" + rkey
	cid = recordCID(value)
	a.mu.Lock()
	a.records[rkey] = &storedRecord{uri: uri, cid: cid, value: value, log: -1}
	a.mu.Unlock()
	return uri, cid
}

// recordCID is the CID of a record's value, as createRecord makes it.
func recordCID(value []byte) string {
	sum := sha256.Sum256(value)
	return cidString(0x71, sum[:])
}

// post is the reference of a post the fake holds.
func (s *Server) post(uri string) (recordRef, bool) {
	did, rkey, ok := splitATURI(uri)
	if !ok {
		return recordRef{}, false
	}
	a := s.repo(did)
	if a == nil {
		return recordRef{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.records[rkey]
	if r == nil {
		return recordRef{}, false
	}
	return recordRef{uri: r.uri, cid: r.cid}, true
}

// replyOf reads the reply references of a stored post, nil when it
// starts a thread.
func (s *Server) replyOf(uri string) *postReply {
	v, ok := s.Record(uri)
	if !ok {
		return nil
	}
	var rec struct {
		Reply *struct {
			Root, Parent struct{ URI, CID string }
		} `json:"reply"`
	}
	if json.Unmarshal(v, &rec) != nil || rec.Reply == nil {
		return nil
	}
	return &postReply{root: recordRef{uri: rec.Reply.Root.URI, cid: rec.Reply.Root.CID},
		parent: recordRef{uri: rec.Reply.Parent.URI, cid: rec.Reply.Parent.CID}}
}

// checkReply is the fake's own check of a reply's references: both posts
// it holds, at their current CID.
func (s *Server) checkReply(r *postReply) string {
	if r == nil {
		return ""
	}
	for _, ref := range []struct {
		name string
		ref  recordRef
	}{{"parent", r.parent}, {"root", r.root}} {
		got, ok := s.post(ref.ref.uri)
		if !ok {
			return fmt.Sprintf("reply %s %s could not be found at $.record.reply.%s", ref.name, ref.ref.uri, ref.name)
		}
		if got.cid != ref.ref.cid {
			return fmt.Sprintf("reply %s %s has CID %s, not %s at $.record.reply.%s", ref.name, ref.ref.uri, got.cid,
				ref.ref.cid, ref.name)
		}
	}
	return ""
}

// splitATURI reads at://did/app.bsky.feed.post/rkey.
func splitATURI(uri string) (did, rkey string, ok bool) {
	rest, found := strings.CutPrefix(uri, "at://")
	parts := strings.Split(rest, "/")
	if !found || len(parts) != 3 || !strings.HasPrefix(parts[0], "did:") || parts[1] != bluesky.Collection || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// index makes the AppView's notifications of a new post: "reply" to the
// authors of its parent and root, "mention" to the accounts its facets
// mention; one per account (a reply before a mention), none to the author
// and none to the accounts outside the fake.
func (s *Server) index(author *account, uri, cid string, value json.RawMessage, reply *postReply) {
	type target struct{ did, reason, subject string }
	var targets []target
	if reply != nil {
		for _, ref := range []recordRef{reply.parent, reply.root} {
			if did, _, ok := splitATURI(ref.uri); ok {
				targets = append(targets, target{did, "reply", ref.uri})
			}
		}
	}
	var rec struct {
		Facets []bluesky.Facet `json:"facets"`
	}
	_ = json.Unmarshal(value, &rec)
	for _, f := range rec.Facets {
		for _, ft := range f.Features {
			if ft.Type == bluesky.FeatureMention {
				targets = append(targets, target{ft.DID, "mention", ""})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	done := map[string]bool{author.did: true}
	for _, t := range targets {
		if done[t.did] || s.accounts[t.did] == nil {
			continue
		}
		done[t.did] = true
		at := s.opts.Now().UTC().Truncate(time.Millisecond)
		if !at.After(s.lastIndexed) {
			// indexedAt strictly increases, as one AppView indexes one post
			// after another, even under a frozen test clock.
			at = s.lastIndexed.Add(time.Millisecond)
		}
		s.lastIndexed = at
		s.notifications = append(s.notifications, &notification{recipient: t.did, author: author, uri: uri, cid: cid,
			reason: t.reason, reasonSubject: t.subject, record: value, indexedAt: at})
	}
}

// notificationKey orders notifications and is the page cursor: the
// AppView's cursor is as opaque, made of the sort time and the CID.
func (n *notification) key() string {
	return strconv.FormatInt(n.indexedAt.UnixMilli(), 10) + "::" + n.cid
}

// listNotifications serves the account's notifications, newest first:
// limit (50, from 1 to 100), cursor (from listNotifications' answer) and
// reasons (those to keep, all when none), as the AppView does through
// the PDS.
//
// Specs: https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.authorize(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "limit must be an integer")
			return
		case n < 1:
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "limit can not be less than 1")
			return
		case n > 100:
			xrpcError(w, http.StatusBadRequest, "InvalidRequest", "limit can not be greater than 100")
			return
		}
		limit = n
	}
	cursor, reasons := q.Get("cursor"), q["reasons"]
	if cursor != "" && !strings.Contains(cursor, "::") {
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Malformed cursor")
		return
	}
	s.mu.Lock()
	var picked []*notification
	for _, n := range slices.Backward(s.notifications) {
		if n.recipient == a.did && (len(reasons) == 0 || slices.Contains(reasons, n.reason)) {
			picked = append(picked, n)
		}
	}
	s.mu.Unlock()
	// Newest first: by time, then by CID, as the cursor compares them.
	slices.SortStableFunc(picked, func(x, y *notification) int {
		if c := y.indexedAt.Compare(x.indexedAt); c != 0 {
			return c
		}
		return strings.Compare(y.cid, x.cid)
	})
	if cursor != "" {
		ms, cid, _ := strings.Cut(cursor, "::")
		t, _ := strconv.ParseInt(ms, 10, 64)
		picked = slices.DeleteFunc(picked, func(n *notification) bool {
			m := n.indexedAt.UnixMilli()
			return m > t || (m == t && n.cid >= cid)
		})
	}
	out := []any{}
	var last *notification
	for _, n := range picked {
		if len(out) == limit {
			break
		}
		// A post deleted since is no longer shown.
		if _, ok := s.post(n.uri); !ok {
			continue
		}
		author := map[string]any{"did": n.author.did, "handle": n.author.handle, "displayName": n.author.displayName,
			"labels": []any{}, "createdAt": "2024-01-01T00:00:00.000Z"}
		item := map[string]any{"uri": n.uri, "cid": n.cid, "author": author, "reason": n.reason,
			"record": n.record, "isRead": false, "indexedAt": n.indexedAt.Format("2006-01-02T15:04:05.000Z"), "labels": []any{}}
		if n.reasonSubject != "" {
			item["reasonSubject"] = n.reasonSubject
		}
		out = append(out, item)
		last = n
	}
	body := map[string]any{"notifications": out, "priority": false}
	if last != nil {
		body["cursor"] = last.key()
	}
	writeJSON(w, http.StatusOK, body)
}
