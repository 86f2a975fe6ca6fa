// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

// notificationsPage is a page of GET /api/v1/notifications as Mastodon
// 4.4 answers it (trimmed of fields the connector does not read): a
// public reply from a remote account with a shortened link and entities,
// a direct message with a photo, a favourite, and a mention whose status
// is missing.
const notificationsPage = `[
  {
    "id": "34975861",
    "type": "mention",
    "created_at": "2026-03-14T09:12:40.000Z",
    "group_key": "ungrouped-34975861",
    "account": {"id": "109348291", "username": "mario", "acct": "mario@altro.example", "display_name": "Mario Rossi"},
    "status": {
      "id": "113500000000000042",
      "created_at": "2026-03-14T09:12:39.512Z",
      "in_reply_to_id": "113499999999999001",
      "in_reply_to_account_id": "1",
      "sensitive": false,
      "spoiler_text": "",
      "visibility": "public",
      "language": "it",
      "uri": "https://altro.example/users/mario/statuses/113500000000000042",
      "url": "https://altro.example/@mario/113500000000000042",
      "content": "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.example/@comune_vallebella\" class=\"u-url mention\">@<span>comune_vallebella</span></a></span> La strada è chiusa &amp; nessuno lo sa?<br />Vedi <a href=\"https://www.comune.vallebella.it/avvisi/strade-chiuse-2026\" target=\"_blank\" rel=\"nofollow noopener\" translate=\"no\"><span class=\"invisible\">https://www.</span><span class=\"ellipsis\">comune.vallebella.it/avvisi/st</span><span class=\"invisible\">rade-chiuse-2026</span></a></p><p>Grazie <a href=\"https://altro.example/tags/vallebella\" class=\"mention hashtag\" rel=\"tag\">#<span>vallebella</span></a></p>",
      "account": {"id": "109348291", "username": "mario", "acct": "mario@altro.example", "display_name": "Mario Rossi", "url": "https://altro.example/@mario"},
      "media_attachments": [],
      "mentions": [{"id": "1", "username": "comune_vallebella", "url": "https://mastodon.example/@comune_vallebella", "acct": "comune_vallebella"}],
      "tags": [{"name": "vallebella", "url": "https://mastodon.example/tags/vallebella"}],
      "emojis": [], "card": null, "poll": null
    }
  },
  {
    "id": "34975860",
    "type": "mention",
    "created_at": "2026-03-14T08:00:00.000Z",
    "account": {"id": "7", "username": "lucia", "acct": "lucia", "display_name": ""},
    "status": {
      "id": "113500000000000007",
      "created_at": "2026-03-14T08:00:00.000Z",
      "in_reply_to_id": null,
      "in_reply_to_account_id": null,
      "visibility": "direct",
      "language": null,
      "content": "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.example/@comune_vallebella\" class=\"u-url mention\">@<span>comune_vallebella</span></a></span> buca in via Roma 3</p>",
      "account": {"id": "7", "username": "lucia", "acct": "lucia", "display_name": ""},
      "media_attachments": [
        {"id": "22", "type": "image", "url": "https://mastodon.example/system/media_attachments/files/22/original/buca.jpg", "preview_url": "https://mastodon.example/system/media_attachments/files/22/small/buca.jpg", "remote_url": null, "description": "La buca"},
        {"id": "23", "type": "gifv", "url": null, "remote_url": "https://altro.example/files/23.mp4", "description": null}
      ],
      "mentions": [{"id": "1", "username": "comune_vallebella", "url": "https://mastodon.example/@comune_vallebella", "acct": "comune_vallebella"}]
    }
  },
  {
    "id": "34975859",
    "type": "favourite",
    "created_at": "2026-03-14T07:00:00.000Z",
    "account": {"id": "8", "username": "anna", "acct": "anna", "display_name": "Anna"},
    "status": {"id": "113499999999999001", "visibility": "public", "content": "<p>Avviso</p>", "account": {"id": "1", "username": "comune_vallebella", "acct": "comune_vallebella"}}
  },
  {"id": "34975858", "type": "mention", "created_at": "2026-03-14T06:00:00.000Z", "account": {"id": "9", "acct": "x"}, "status": null}
]`

func TestParseNotifications(t *testing.T) {
	got, err := mastodon.ParseNotifications([]byte(notificationsPage))
	if err != nil {
		t.Fatal(err)
	}
	want := []channel.Inbound{
		{
			RemoteID: "113500000000000042", Thread: "113499999999999001", Visibility: channel.Public,
			AuthorID: "109348291", AuthorHandle: "@mario@altro.example", AuthorName: "Mario Rossi",
			Text:      "La strada è chiusa & nessuno lo sa?\nVedi https://www.comune.vallebella.it/avvisi/strade-chiuse-2026\n\nGrazie #vallebella",
			InReplyTo: "113499999999999001", PostID: "113499999999999001", Lang: "it",
			At:  time.Date(2026, 3, 14, 9, 12, 39, 512_000_000, time.UTC),
			Raw: map[string]string{"acct": "mario@altro.example", "visibility": "public"},
		},
		{
			RemoteID: "113500000000000007", Thread: "113500000000000007", Visibility: channel.Private,
			AuthorID: "7", AuthorHandle: "@lucia", AuthorName: "lucia", Text: "buca in via Roma 3",
			Attachments: []channel.Attachment{
				{Kind: "photo", RemoteID: "22", URL: "https://mastodon.example/system/media_attachments/files/22/original/buca.jpg", Name: "La buca"},
				{Kind: "video", RemoteID: "23", URL: "https://altro.example/files/23.mp4"},
			},
			At:  time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC),
			Raw: map[string]string{"acct": "lucia", "visibility": "direct"},
		},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("message %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestParseNotificationsEdges(t *testing.T) {
	for _, body := range []string{`[]`, `null`} {
		got, err := mastodon.ParseNotifications([]byte(body))
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %v, %v", body, got, err)
		}
	}
	for _, body := range []string{``, `{"error":"The access token is invalid"}`, `[1]`, `[{"id": 5}]`} {
		if _, err := mastodon.ParseNotifications([]byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestPlainText(t *testing.T) {
	ours := func(href string) bool { return href == "https://m.example/@comune" }
	for _, tt := range []struct{ in, want string }{
		{`<p>ciao</p>`, "ciao"},
		{`<p>uno</p><p>due<br>tre<br/>quattro</p>`, "uno\n\ndue\ntre\nquattro"},
		{`<p><span class="h-card"><a href="https://m.example/@comune" class="u-url mention">@<span>comune</span></a></span> ciao</p>`, "ciao"},
		// Only a leading mention of ours goes; another's stays.
		{`<p><a href="https://m.example/@anna" class="u-url mention">@<span>anna</span></a> <a href="https://m.example/@comune" class="u-url mention">@<span>comune</span></a> ciao</p>`, "@anna  ciao"},
		{`<p>scrivo a <a href="https://m.example/@comune" class="u-url mention">@<span>comune</span></a> oggi</p>`, "scrivo a @comune oggi"},
		{`<p>a &lt;b&gt; &amp;amp; &#39;c&#39; &quot;</p>`, `a <b> &amp; 'c' "`},
		{`testo senza tag`, "testo senza tag"},
		{`<p>tag aperto <a href="x"`, `tag aperto <a href="x"`},
	} {
		if got := mastodon.PlainText(tt.in, ours); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// mention adds a citizen's status and fails the test on error.
func mention(t *testing.T, fake *mastodontest.Server, m mastodontest.Mention) string {
	t.Helper()
	id, err := fake.AddMention(m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestPollFirstCall(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)

	// An account without mentions starts from "0": the next mention counts.
	msgs, cur, err := e.c.Poll(ctx, e.acct, "")
	if err != nil || len(msgs) != 0 || cur != "0" {
		t.Fatalf("first poll: %v %q %v", msgs, cur, err)
	}
	id := mention(t, e.fake, mastodontest.Mention{From: "mario@altro.example", DisplayName: "Mario", Text: "ciao"})
	msgs, cur, err = e.c.Poll(ctx, e.acct, cur)
	if err != nil || len(msgs) != 1 || msgs[0].RemoteID != id || msgs[0].Text != "ciao" {
		t.Fatalf("second poll: %+v %q %v", msgs, cur, err)
	}

	// An account with old mentions imports none of them at first.
	e2 := newEnv(t, mastodontest.Options{}, 2*time.Second)
	for i := range 3 {
		mention(t, e2.fake, mastodontest.Mention{From: "lucia", Text: fmt.Sprintf("vecchia %d", i)})
	}
	msgs, cur, err = e2.c.Poll(ctx, e2.acct, "")
	if err != nil || len(msgs) != 0 || cur == "" || cur == "0" {
		t.Fatalf("first poll with history: %v %q %v", msgs, cur, err)
	}
	msgs, cur2, err := e2.c.Poll(ctx, e2.acct, cur)
	if err != nil || len(msgs) != 0 || cur2 != cur {
		t.Fatalf("poll without news: %v %q %v", msgs, cur2, err)
	}
	if !strings.Contains(e2.rec.String(), "GET /api/v1/notifications?limit=1&types%5B%5D=mention") {
		t.Errorf("first poll requests:\n%s", e2.rec)
	}
}

func TestPollPaging(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 5*time.Second)
	_, cur, err := e.c.Poll(ctx, e.acct, "")
	if err != nil {
		t.Fatal(err)
	}
	// A reply to one of the account's statuses, and 449 mentions more.
	post, err := e.c.Publish(ctx, e.acct, channel.Post{Key: "k1", Text: "Avviso: strade chiuse"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	ids = append(ids, mention(t, e.fake, mastodontest.Mention{From: "mario@altro.example", Text: "quali?", InReplyTo: post.RemoteID, Language: "it"}))
	for i := range 449 {
		ids = append(ids, mention(t, e.fake, mastodontest.Mention{From: fmt.Sprintf("utente%d", i%7), Text: fmt.Sprintf("messaggio %d", i)}))
	}
	e.rec.reset()
	msgs, next, err := e.c.Poll(ctx, e.acct, cur)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != mastodon.MaxPollMentions {
		t.Fatalf("first poll: %d messages, want %d\n%s", len(msgs), mastodon.MaxPollMentions, e.rec)
	}
	if n := strings.Count(e.rec.String(), "GET /api/v1/notifications"); n != 10 {
		t.Errorf("%d pages read, want 10", n)
	}
	first := msgs[0]
	if first.RemoteID != ids[0] || first.PostID != post.RemoteID || first.Thread != post.RemoteID ||
		first.InReplyTo != post.RemoteID || first.Text != "quali?" || first.Lang != "it" || first.AuthorHandle != "@mario@altro.example" {
		t.Errorf("reply: %+v", first)
	}
	msgs2, next2, err := e.c.Poll(ctx, e.acct, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs2) != 50 {
		t.Fatalf("second poll: %d messages, want 50", len(msgs2))
	}
	all := append(msgs, msgs2...)
	for i, m := range all {
		if m.RemoteID != ids[i] {
			t.Fatalf("message %d is %s, want %s (oldest first, none skipped)", i, m.RemoteID, ids[i])
		}
	}
	msgs3, next3, err := e.c.Poll(ctx, e.acct, next2)
	if err != nil || len(msgs3) != 0 || next3 != next2 {
		t.Errorf("third poll: %d %q %v", len(msgs3), next3, err)
	}
}

func TestPollOwnMention(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	_, cur, _ := e.c.Poll(ctx, e.acct, "")
	// A citizen writes to the comune and to a neighbour: only the
	// comune's own mention is dropped, found by the handle or the id.
	mention(t, e.fake, mastodontest.Mention{From: "anna", DisplayName: "Anna"})
	mention(t, e.fake, mastodontest.Mention{From: "mario", Text: "@anna guarda qui"})
	for _, acct := range []channel.Account{e.acct, func() channel.Account {
		a := e.acct
		a.Handle = ""
		a.Settings = map[string]string{mastodon.SettingAccountID: e.fake.AccountID(mastodontest.DefaultUsername)}
		return a
	}()} {
		msgs, _, err := e.c.Poll(ctx, acct, cur)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("poll: %+v %v", msgs, err)
		}
		if msgs[1].Text != "@anna guarda qui" || msgs[1].AuthorName != "mario" {
			t.Errorf("text %q by %q", msgs[1].Text, msgs[1].AuthorName)
		}
	}
}

func TestPollErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	bad := e.acct
	bad.Credentials = channel.Credentials{channel.CredToken: "revoked"}
	for _, cur := range []string{"", "5"} {
		if _, next, err := e.c.Poll(ctx, bad, cur); channel.KindOf(err) != channel.Auth || next != cur {
			t.Errorf("cursor %q: %v, next %q", cur, err, next)
		}
	}
	none := e.acct
	none.Credentials = nil
	if _, _, err := e.c.Poll(ctx, none, "5"); channel.KindOf(err) != channel.Auth {
		t.Errorf("no token: %v", err)
	}
}

func TestReply(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	_, cur, _ := e.c.Poll(ctx, e.acct, "")
	post, err := e.c.Publish(ctx, e.acct, channel.Post{Key: "k1", Text: "Avviso: strade chiuse"})
	if err != nil {
		t.Fatal(err)
	}
	mention(t, e.fake, mastodontest.Mention{From: "mario@altro.example", Text: "quali?", InReplyTo: post.RemoteID, Language: "it"})
	mention(t, e.fake, mastodontest.Mention{From: "lucia", Text: "buca in via Roma", Visibility: "direct"})
	msgs, _, err := e.c.Poll(ctx, e.acct, cur)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("poll: %+v %v", msgs, err)
	}
	public, direct := msgs[0], msgs[1]

	tests := []struct {
		name, key, text string
		to              channel.Inbound
		private         bool
		wantText        string
		wantVisibility  string
	}{
		{"public", "r1", "Via Roma e via Verdi, fino a lunedì.", public, false,
			"@mario@altro.example Via Roma e via Verdi, fino a lunedì.", "unlisted"},
		{"moved to private", "r2", "Le scriviamo in privato.", public, true,
			"@mario@altro.example Le scriviamo in privato.", "direct"},
		{"direct", "r3", "@lucia Grazie, mandiamo una squadra.", direct, false,
			"@lucia Grazie, mandiamo una squadra.", "direct"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.rec.reset()
			pub, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: tt.key, Text: tt.text, To: tt.to, Private: tt.private})
			if err != nil {
				t.Fatal(err)
			}
			st, ok := e.fake.Status(pub.RemoteID)
			if !ok || st.Text != tt.wantText || st.Visibility != tt.wantVisibility || st.InReplyToID != tt.to.RemoteID ||
				len(st.Mentions) != 1 || "@"+st.Mentions[0] != tt.to.AuthorHandle {
				t.Errorf("stored %+v", st)
			}
			if !strings.Contains(e.rec.String(), "Idempotency-Key: "+tt.key+"\n") {
				t.Errorf("request:\n%s", e.rec)
			}
			again, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: tt.key, Text: tt.text, To: tt.to, Private: tt.private})
			if err != nil || again.RemoteID != pub.RemoteID {
				t.Errorf("retry: %+v %v, want %s", again, err, pub.RemoteID)
			}
		})
	}
	// A status that is gone is Mastodon's 404.
	gone := public
	gone.RemoteID = "999"
	_, err = e.c.Reply(ctx, e.acct, channel.Reply{Key: "r4", Text: "ciao", To: gone})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Status != http.StatusNotFound ||
		ce.Message != "The post you are trying to reply to does not appear to exist." {
		t.Errorf("unknown parent: %v", err)
	}
	// Nothing to answer, or nothing to say.
	for _, r := range []channel.Reply{{Key: "r5", Text: "x"}, {Key: "r6", Text: "  ", To: public}} {
		if _, err := e.c.Reply(ctx, e.acct, r); channel.KindOf(err) != channel.Permanent {
			t.Errorf("%+v: %v", r, err)
		}
	}
	// Too long with the mention.
	long := strings.Repeat("a", mastodon.DefaultMaxCharacters-5)
	if _, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: "r7", Text: long, To: public}); channel.KindOf(err) != channel.Permanent {
		t.Errorf("too long: %v", err)
	}
}

func TestReplyLanguage(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	id := mention(t, e.fake, mastodontest.Mention{From: "hans@example.de", Text: "Hallo", Language: "de"})
	to := channel.Inbound{RemoteID: id, AuthorHandle: "@hans@example.de", Lang: "de-AT", Visibility: channel.Public}
	pub, err := e.c.Reply(ctx, e.acct, channel.Reply{Key: "r1", Text: "Guten Tag", To: to})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.fake.Status(pub.RemoteID); st.Language != "de" || st.Text != "@hans@example.de Guten Tag" {
		t.Errorf("stored %+v", st)
	}
}
