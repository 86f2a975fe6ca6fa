// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
)

// notificationsPage is a page of app.bsky.notification.listNotifications
// as the AppView answers it (trimmed of avatars and labels): a reply under
// one of the account's posts, a mention with an image, a like, a reply
// to the account's comment in a citizen's thread, and a mention whose
// record has an unexpected shape.
const notificationsPage = `{
  "notifications": [
    {
      "uri": "at://did:plc:mariorossi00000000000000/app.bsky.feed.post/3lbfhq2kxys2c",
      "cid": "bafyreiaxlo5qgp2cqi4bpzokyvbsvdxfndgfhh3ngkmxk5ytmhcvrimkfe",
      "author": {"did": "did:plc:mariorossi00000000000000", "handle": "mario.bsky.social", "displayName": "Mario Rossi", "labels": []},
      "reason": "reply",
      "reasonSubject": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgzzzzzz2a",
      "record": {
        "$type": "app.bsky.feed.post",
        "createdAt": "2026-03-14T09:12:39.512Z",
        "langs": ["it"],
        "reply": {
          "parent": {"cid": "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "uri": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgzzzzzz2a"},
          "root": {"cid": "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "uri": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgzzzzzz2a"}
        },
        "text": "Quali strade? 🚧"
      },
      "isRead": false,
      "indexedAt": "2026-03-14T09:12:40.101Z",
      "labels": []
    },
    {
      "uri": "at://did:plc:lucia000000000000000000000/app.bsky.feed.post/3lbfhp7aaaa2c",
      "cid": "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5a2lnaodjtlbhei",
      "author": {"did": "did:plc:lucia000000000000000000000", "handle": "lucia.example.it"},
      "reason": "mention",
      "record": {
        "$type": "app.bsky.feed.post",
        "createdAt": "2026-03-14T08:00:00Z",
        "text": "@comune-vallebella.bsky.social buca in via Roma",
        "facets": [{"index": {"byteStart": 0, "byteEnd": 30}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:comune0000000000000000000"}]}],
        "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "La buca", "image": {"$type": "blob", "ref": {"$link": "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"}, "mimeType": "image/jpeg", "size": 433004}}]}
      },
      "isRead": true,
      "indexedAt": "2026-03-14T08:00:01.000Z"
    },
    {
      "uri": "at://did:plc:anna0000000000000000000000/app.bsky.feed.like/3lbfhaaaaaa2c",
      "cid": "bafyreid5ptqr3bagmobxmpuzxeoi4yawb2mz5p4pqf6jqybpbnh3yqbnxe",
      "author": {"did": "did:plc:anna0000000000000000000000", "handle": "anna.bsky.social"},
      "reason": "like",
      "reasonSubject": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgzzzzzz2a",
      "record": {"$type": "app.bsky.feed.like", "createdAt": "2026-03-14T07:00:00.000Z", "subject": {"cid": "x", "uri": "y"}},
      "indexedAt": "2026-03-14T07:00:00.500Z"
    },
    {
      "uri": "at://did:plc:anna0000000000000000000000/app.bsky.feed.post/3lbfh5bbbbb2c",
      "cid": "bafyreifjkn6vgcxzh4hkvjqpkixyrs4ezq4yyzn3ht4dgz3moylrq2ilwm",
      "author": {"did": "did:plc:anna0000000000000000000000", "handle": "anna.bsky.social", "displayName": "Anna"},
      "reason": "reply",
      "reasonSubject": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgyyyyyy2a",
      "record": {
        "$type": "app.bsky.feed.post",
        "createdAt": "2026-03-14T06:00:00.000Z",
        "reply": {
          "parent": {"cid": "bafyreiparent", "uri": "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgyyyyyy2a"},
          "root": {"cid": "bafyreiroot", "uri": "at://did:plc:anna0000000000000000000000/app.bsky.feed.post/3lbfgxxxxxx2a"}
        },
        "text": "Grazie!"
      },
      "indexedAt": "2026-03-14T06:00:00.000Z"
    },
    {
      "uri": "at://did:plc:x/app.bsky.feed.post/3lbfh4ccccc2c",
      "cid": "bafyreic",
      "author": {"did": "did:plc:x", "handle": "x.bsky.social"},
      "reason": "mention",
      "record": {"text": 42},
      "indexedAt": "2026-03-14T05:00:00.000Z"
    }
  ],
  "cursor": "1773464400000::bafyreic",
  "priority": false,
  "seenAt": "2026-03-14T09:00:00.000Z"
}`

func TestParseNotifications(t *testing.T) {
	got, err := bluesky.ParseNotifications([]byte(notificationsPage))
	if err != nil {
		t.Fatal(err)
	}
	const (
		mario  = "at://did:plc:mariorossi00000000000000/app.bsky.feed.post/3lbfhq2kxys2c"
		ours   = "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgzzzzzz2a"
		lucia  = "at://did:plc:lucia000000000000000000000/app.bsky.feed.post/3lbfhp7aaaa2c"
		anna   = "at://did:plc:anna0000000000000000000000/app.bsky.feed.post/3lbfh5bbbbb2c"
		annaOP = "at://did:plc:anna0000000000000000000000/app.bsky.feed.post/3lbfgxxxxxx2a"
		ourCom = "at://did:plc:comune0000000000000000000/app.bsky.feed.post/3lbfgyyyyyy2a"
	)
	want := []channel.Inbound{
		{RemoteID: mario, Thread: ours, Visibility: channel.Public, AuthorID: "did:plc:mariorossi00000000000000",
			AuthorHandle: "@mario.bsky.social", AuthorName: "Mario Rossi", Text: "Quali strade? 🚧", InReplyTo: ours, PostID: ours,
			Lang: "it", At: time.Date(2026, 3, 14, 9, 12, 39, 512_000_000, time.UTC),
			Raw: map[string]string{"uri": mario, "cid": "bafyreiaxlo5qgp2cqi4bpzokyvbsvdxfndgfhh3ngkmxk5ytmhcvrimkfe",
				"root_uri": ours, "root_cid": "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"}},
		{RemoteID: lucia, Thread: lucia, Visibility: channel.Public, AuthorID: "did:plc:lucia000000000000000000000",
			AuthorHandle: "@lucia.example.it", AuthorName: "lucia.example.it", Text: "@comune-vallebella.bsky.social buca in via Roma",
			Attachments: []channel.Attachment{{Kind: "photo", RemoteID: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
				URL:         "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:lucia000000000000000000000/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku@jpeg",
				ContentType: "image/jpeg", Name: "La buca"}},
			At: time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC),
			Raw: map[string]string{"uri": lucia, "cid": "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5a2lnaodjtlbhei",
				"root_uri": lucia, "root_cid": "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5a2lnaodjtlbhei"}},
		// A reply to the account's comment in Anna's thread: the post it
		// belongs to is the comment answered, not Anna's root.
		{RemoteID: anna, Thread: annaOP, Visibility: channel.Public, AuthorID: "did:plc:anna0000000000000000000000",
			AuthorHandle: "@anna.bsky.social", AuthorName: "Anna", Text: "Grazie!", InReplyTo: ourCom, PostID: ourCom,
			At:  time.Date(2026, 3, 14, 6, 0, 0, 0, time.UTC),
			Raw: map[string]string{"uri": anna, "cid": "bafyreifjkn6vgcxzh4hkvjqpkixyrs4ezq4yyzn3ht4dgz3moylrq2ilwm", "root_uri": annaOP, "root_cid": "bafyreiroot"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	for _, body := range []string{`{}`, `{"notifications": null}`, `{"notifications": []}`} {
		if got, err := bluesky.ParseNotifications([]byte(body)); err != nil || len(got) != 0 {
			t.Errorf("%s: %v %v", body, got, err)
		}
	}
	for _, body := range []string{``, `[]`, `{"notifications": {}}`, `{"notifications": [{"uri": 1}]}`} {
		if _, err := bluesky.ParseNotifications([]byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

// citizen posts as a citizen and fails the test on error.
func citizen(t *testing.T, fake *blueskytest.Server, p blueskytest.Post) (uri, cid string) {
	t.Helper()
	uri, cid, err := fake.AddPost(p)
	if err != nil {
		t.Fatal(err)
	}
	return uri, cid
}

func TestPollFirstCall(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	msgs, cur, err := e.c.Poll(ctx, e.acct, "")
	if err != nil || len(msgs) != 0 || cur != "1970-01-01T00:00:00Z" {
		t.Fatalf("first poll: %v %q %v", msgs, cur, err)
	}
	uri, _ := citizen(t, e.fake, blueskytest.Post{Handle: "mario.bsky.social", Text: "@" + blueskytest.DefaultHandle + " ciao"})
	msgs, _, err = e.c.Poll(ctx, e.acct, cur)
	if err != nil || len(msgs) != 1 || msgs[0].RemoteID != uri {
		t.Fatalf("second poll: %+v %v", msgs, err)
	}

	e2 := newEnv(t, blueskytest.Options{}, 2*time.Second)
	for i := range 3 {
		citizen(t, e2.fake, blueskytest.Post{Handle: "lucia.bsky.social", Text: fmt.Sprintf("@%s vecchia %d", blueskytest.DefaultHandle, i)})
	}
	msgs, cur, err = e2.c.Poll(ctx, e2.acct, "")
	if err != nil || len(msgs) != 0 || cur != "2026-03-14T09:30:00.002Z" {
		t.Fatalf("first poll with history: %v %q %v", msgs, cur, err)
	}
	msgs, cur2, err := e2.c.Poll(ctx, e2.acct, cur)
	if err != nil || len(msgs) != 0 || cur2 != cur {
		t.Fatalf("poll without news: %v %q %v", msgs, cur2, err)
	}
	if !strings.Contains(e2.rec.String(), "GET /xrpc/app.bsky.notification.listNotifications?limit=1&reasons=mention&reasons=reply") {
		t.Errorf("requests:\n%s", e2.rec)
	}
	if _, next, err := e2.c.Poll(ctx, e2.acct, "ieri"); channel.KindOf(err) != channel.Permanent || next != "ieri" {
		t.Errorf("bad cursor: %v %q", err, next)
	}
}

func TestPollPaging(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{}, 5*time.Second)
	_, cur, err := e.c.Poll(ctx, e.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	post, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Avviso: strade chiuse"})
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	u, _ := citizen(t, e.fake, blueskytest.Post{Handle: "mario.bsky.social", DisplayName: "Mario", Text: "Quali?", ReplyTo: post.RemoteID, Langs: []string{"it"}})
	uris = append(uris, u)
	// A reply to Mario's reply: the thread is still the account's post,
	// whose author the AppView notifies as the root's.
	u, _ = citizen(t, e.fake, blueskytest.Post{Handle: "anna.bsky.social", Text: "@" + blueskytest.DefaultHandle + " anche io", ReplyTo: u})
	uris = append(uris, u)
	for i := range 448 {
		u, _ := citizen(t, e.fake, blueskytest.Post{Handle: fmt.Sprintf("utente%d.bsky.social", i%7), Text: fmt.Sprintf("@%s messaggio %d", blueskytest.DefaultHandle, i)})
		uris = append(uris, u)
	}
	e.rec.reset()
	msgs, next, err := e.c.Poll(ctx, e.acct, cur)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != bluesky.MaxPollMessages {
		t.Fatalf("first poll: %d messages, want %d", len(msgs), bluesky.MaxPollMessages)
	}
	// Five full pages, and the empty one after the last cursor: a short
	// page does not mean the end (the AppView drops muted authors after
	// reading a page).
	if n := strings.Count(e.rec.String(), "listNotifications"); n != 6 {
		t.Errorf("%d pages read, want 6", n)
	}
	m := msgs[0]
	if m.PostID != post.RemoteID || m.Thread != post.RemoteID || m.InReplyTo != post.RemoteID || m.Lang != "it" ||
		m.AuthorName != "Mario" || m.Raw["root_uri"] != post.RemoteID {
		t.Errorf("reply: %+v", m)
	}
	if m := msgs[1]; m.Thread != post.RemoteID || m.InReplyTo != uris[0] || m.PostID != post.RemoteID {
		t.Errorf("reply to a reply: %+v", m)
	}
	msgs2, next2, err := e.c.Poll(ctx, e.acct, next)
	if err != nil || len(msgs2) != 50 {
		t.Fatalf("second poll: %d %v", len(msgs2), err)
	}
	for i, m := range append(msgs, msgs2...) {
		if m.RemoteID != uris[i] {
			t.Fatalf("message %d is %s, want %s", i, m.RemoteID, uris[i])
		}
	}
	if msgs3, next3, err := e.c.Poll(ctx, e.acct, next2); err != nil || len(msgs3) != 0 || next3 != next2 {
		t.Errorf("third poll: %d %q %v", len(msgs3), next3, err)
	}
}

func TestPollAuth(t *testing.T) {
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	e.acct.Credentials = channel.Credentials{channel.CredAppPassword: "wrong-pass-word-xxxx"}
	if _, _, err := e.c.Poll(context.Background(), e.acct, ""); channel.KindOf(err) != channel.Auth {
		t.Errorf("wrong password: %v", err)
	}
}

func TestReply(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{Directory: directory}, 2*time.Second)
	_, cur, _ := e.c.Poll(ctx, e.acct, "")
	post, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Avviso: strade chiuse"})
	if err != nil {
		t.Fatal(err)
	}
	first, firstCID := citizen(t, e.fake, blueskytest.Post{Handle: "mario.bsky.social", Text: "Quali?", ReplyTo: post.RemoteID, Langs: []string{"it"}})
	msgs, _, err := e.c.Poll(ctx, e.acct, cur)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("poll: %+v %v", msgs, err)
	}
	to := msgs[0]
	const key = "0195a2b3-4c5d-7e6f-8a9b-0c1d2e3f4a99"
	text := "Via Roma e via Verdi, con @prefettura.bsky.social. #viabilità"
	pub, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: key, Text: text, To: to})
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := e.fake.Record(pub.RemoteID)
	if !ok {
		t.Fatal("no reply record")
	}
	var rec struct {
		Text   string          `json:"text"`
		Langs  []string        `json:"langs"`
		Facets []bluesky.Facet `json:"facets"`
		Reply  struct {
			Root, Parent struct{ URI, CID string }
		} `json:"reply"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	rootCID := to.Raw["root_cid"]
	if rec.Text != text || len(rec.Langs) != 1 || rec.Langs[0] != "it" || len(rec.Facets) != 2 ||
		rec.Reply.Parent.URI != first || rec.Reply.Parent.CID != firstCID || rec.Reply.Root.URI != post.RemoteID || rec.Reply.Root.CID != rootCID {
		t.Errorf("record %s", raw)
	}
	if !strings.HasSuffix(pub.RemoteID, "/"+bluesky.RecordKey(key)) {
		t.Errorf("record key of %s, want %s", pub.RemoteID, bluesky.RecordKey(key))
	}
	// A retry finds the reply of the first attempt.
	again, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: key, Text: text, To: to})
	if err != nil || again.RemoteID != pub.RemoteID {
		t.Errorf("retry: %+v %v", again, err)
	}

	// No private reply on Bluesky.
	_, err = e.c.Reply(ctx, e.acct, channel.Reply{Key: "k2", Text: "in privato", To: to, Private: true})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "NoPrivateReply" {
		t.Errorf("private: %v", err)
	}
	// A parent the fake does not hold is refused.
	gone := to
	gone.Raw = map[string]string{"uri": first[:strings.LastIndexByte(first, '/')+1] + "3lbfhzzzzzz2c", "cid": firstCID}
	_, err = e.c.Reply(ctx, e.acct, channel.Reply{Key: "k3", Text: "ciao", To: gone})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "InvalidRequest" {
		t.Errorf("unknown parent: %v", err)
	}
	// No references, no text, too long.
	for _, r := range []channel.Reply{
		{Key: "k4", Text: "ciao", To: channel.Inbound{RemoteID: first}},
		{Key: "k5", Text: " ", To: to},
		{Key: "k6", Text: strings.Repeat("a", bluesky.MaxGraphemes+1), To: to},
	} {
		if _, err := e.c.Reply(ctx, e.acct, r); channel.KindOf(err) != channel.Permanent {
			t.Errorf("%s: %v", r.Key, err)
		}
	}
}
