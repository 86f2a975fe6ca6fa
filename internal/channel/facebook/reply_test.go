// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
)

var (
	_ channel.Replier   = (*facebook.Connector)(nil)
	_ channel.Moderator = (*facebook.Connector)(nil)
)

// clock is a test clock the fake reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	maria = facebooktest.Citizen{ID: "6543210987654321", Name: "Maria Rossi"}
	luca  = facebooktest.Citizen{ID: "7777777777", Name: "Luca Bianchi"}
)

// inbound publishes a post, makes a citizen comment it through the fake
// and returns the comment as ParseWebhook reads it.
func commentOn(t *testing.T, e *env, postID string, from facebooktest.Citizen, text string) channel.Inbound {
	t.Helper()
	_, body, err := e.fake.AddComment(postID, from, text)
	if err != nil {
		t.Fatal(err)
	}
	return parseOne(t, body).Msg
}

func publishPost(t *testing.T, e *env) string {
	t.Helper()
	pub, err := e.conn.Publish(t.Context(), e.acct, channel.Post{Text: "Da lunedì la biblioteca resta chiusa"})
	if err != nil {
		t.Fatal(err)
	}
	return pub.RemoteID
}

// form decodes a recorded urlencoded body.
func formOf(t *testing.T, r recorded) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReplyComment(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, facebooktest.Options{}, 2*time.Second)
	post := publishPost(t, e)
	top := commentOn(t, e, post, maria, "Quando riapre?")
	e.rec.take()

	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Key: "r1", Text: "Riapre lunedì\r\nalle 9", To: top})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].method != "POST" || reqs[0].url != "/v23.0/"+top.RemoteID+"/comments" ||
		reqs[0].auth != "Bearer "+token || formOf(t, reqs[0]).Get("message") != "Riapre lunedì\nalle 9" {
		t.Fatalf("requests %+v", reqs)
	}
	cs := e.fake.Comments()
	if len(cs) != 2 || cs[1].ID != pub.RemoteID || cs[1].ParentID != top.RemoteID || cs[1].FromID != page ||
		cs[1].Message != "Riapre lunedì\nalle 9" || pub.At.IsZero() {
		t.Fatalf("published %+v, fake holds %+v", pub, cs)
	}

	// An answer to a reply goes under the same top-level comment.
	_, body, err := e.fake.AddReply(top.RemoteID, luca, "E il sabato?")
	if err != nil {
		t.Fatal(err)
	}
	reply := parseOne(t, body).Msg
	if _, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Anche il sabato", To: reply}); err != nil {
		t.Fatal(err)
	}
	if reqs := e.rec.take(); len(reqs) != 1 || reqs[0].url != "/v23.0/"+top.RemoteID+"/comments" {
		t.Fatalf("requests %+v", reqs)
	}
	if cs := e.fake.Comments(); cs[len(cs)-1].ParentID != top.RemoteID {
		t.Errorf("fake holds %+v", cs)
	}
}

func TestReplyPrivately(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: testNow}
	e := newEnv(t, facebooktest.Options{Now: clk.now}, 2*time.Second)
	post := publishPost(t, e)
	c := commentOn(t, e, post, maria, "Il mio codice fiscale è...")
	e.rec.take()

	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Le scriviamo in privato", To: c, Private: true})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].url != "/v23.0/"+page+"/messages" {
		t.Fatalf("requests %+v", reqs)
	}
	f := formOf(t, reqs[0])
	if f.Get("recipient") != `{"comment_id":"`+c.RemoteID+`"}` || f.Get("message") != `{"text":"Le scriviamo in privato"}` ||
		f.Get("messaging_type") != "RESPONSE" {
		t.Errorf("form %v", f)
	}
	ms := e.fake.Messages()
	if len(ms) != 1 || ms[0].MID != pub.RemoteID || ms[0].CommentID != c.RemoteID || ms[0].To != maria.ID {
		t.Errorf("published %+v, fake holds %+v", pub, ms)
	}
	// One Private Reply per comment.
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Di nuovo", To: c, Private: true})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10900" {
		t.Errorf("second private reply: %v", err)
	}
	// Seven days at most.
	old := commentOn(t, e, post, luca, "Vecchio")
	clk.add(8 * 24 * time.Hour)
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Tardi", To: old, Private: true})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10/2018278" {
		t.Errorf("late private reply: %v", err)
	}
}

func TestReplyMessenger(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: testNow}
	e := newEnv(t, facebooktest.Options{Now: clk.now}, 2*time.Second)
	_, body, err := e.fake.AddMessage(page, maria, "C'è una buca in via Roma")
	if err != nil {
		t.Fatal(err)
	}
	msg := parseOne(t, body).Msg
	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Grazie, inviamo una squadra", To: msg})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].url != "/v23.0/"+page+"/messages" {
		t.Fatalf("requests %+v", reqs)
	}
	if f := formOf(t, reqs[0]); f.Get("recipient") != `{"id":"`+maria.ID+`"}` || f.Get("messaging_type") != "RESPONSE" {
		t.Errorf("form %v", f)
	}
	ms := e.fake.Messages()
	if len(ms) != 2 || ms[1].MID != pub.RemoteID || ms[1].To != maria.ID || ms[1].Text != "Grazie, inviamo una squadra" ||
		ms[1].MessagingType != "RESPONSE" {
		t.Errorf("published %+v, fake holds %+v", pub, ms)
	}
	// r.Private on a private message changes nothing.
	if _, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Ancora", To: msg, Private: true}); err != nil {
		t.Error(err)
	}
	// After 24 hours the window is closed.
	clk.add(25 * time.Hour)
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Tardi", To: msg})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10/2018278" {
		t.Errorf("outside the window: %v", err)
	}
	// Someone who never wrote.
	stranger := msg
	stranger.Raw = map[string]string{"psid": "1234"}
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Ciao", To: stranger})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100/2018001" {
		t.Errorf("stranger: %v", err)
	}
}

func TestReplyRefused(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, facebooktest.Options{}, 2*time.Second)
	post := publishPost(t, e)
	c := commentOn(t, e, post, maria, "Domanda")
	e.rec.take()
	tests := []struct {
		name string
		acct func(channel.Account) channel.Account
		r    channel.Reply
		kind channel.Kind
		code string
		sent bool
	}{
		{"no text", nil, channel.Reply{Text: " \n", To: c}, channel.Permanent, "", false},
		{"bad comment id", nil, channel.Reply{Text: "x", To: channel.Inbound{RemoteID: "1/../2", Visibility: channel.Public}},
			channel.Permanent, "", false},
		{"bad psid", nil, channel.Reply{Text: "x", To: channel.Inbound{Visibility: channel.Private,
			Raw: map[string]string{"psid": "me?x=1"}}}, channel.Permanent, "", false},
		{"no token", func(a channel.Account) channel.Account { a.Credentials = nil; return a },
			channel.Reply{Text: "x", To: c}, channel.Auth, "", false},
		{"unknown comment", nil, channel.Reply{Text: "x", To: channel.Inbound{RemoteID: "1001_999999", Visibility: channel.Public}},
			channel.Permanent, "100/33", true},
		{"unknown comment privately", nil, channel.Reply{Text: "x", Private: true,
			To: channel.Inbound{RemoteID: "1001_999999", Visibility: channel.Public}}, channel.Permanent, "100", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := e.acct
			if tt.acct != nil {
				acct = tt.acct(acct)
			}
			_, err := e.conn.Reply(ctx, acct, tt.r)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || ce.Platform != channel.Facebook || ce.Op != "reply" {
				t.Errorf("error %#v", err)
			}
			if sent := len(e.rec.take()) > 0; sent != tt.sent {
				t.Errorf("sent %v, want %v", sent, tt.sent)
			}
		})
	}
}

func TestReplyFaults(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, facebooktest.Options{}, 2*time.Second)
	post := publishPost(t, e)
	c := commentOn(t, e, post, maria, "Domanda")
	for _, tt := range []struct {
		fault channeltest.Fault
		kind  channel.Kind
	}{
		{channeltest.FaultRateLimit, channel.RateLimited},
		{channeltest.FaultServer, channel.Retryable},
		{channeltest.FaultAuth, channel.Auth},
		{channeltest.FaultBadRequest, channel.Permanent},
	} {
		e.fake.Inject(tt.fault, 1)
		if _, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "x", To: c}); channel.KindOf(err) != tt.kind {
			t.Errorf("fault %v: %v", tt.fault, err)
		}
	}
	if n := len(e.fake.Comments()); n != 1 {
		t.Errorf("a failed reply left %d comments", n)
	}
}

func TestModerate(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, facebooktest.Options{}, 2*time.Second)
	if c := e.conn.Capabilities(); !c.Hide || !c.DeleteComment {
		t.Errorf("capabilities %+v: the connector hides and deletes comments", c)
	}
	post := publishPost(t, e)
	spam := commentOn(t, e, post, maria, "Compra follower")
	rude := commentOn(t, e, post, luca, "Insulto")
	e.rec.take()

	if err := e.conn.Moderate(ctx, e.acct, spam.RemoteID, channel.Hide); err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].method != "POST" || reqs[0].url != "/v23.0/"+spam.RemoteID ||
		formOf(t, reqs[0]).Get("is_hidden") != "true" {
		t.Fatalf("requests %+v", reqs)
	}
	if err := e.conn.Moderate(ctx, e.acct, rude.RemoteID, channel.Delete); err != nil {
		t.Fatal(err)
	}
	reqs = e.rec.take()
	if len(reqs) != 1 || reqs[0].method != "DELETE" || reqs[0].url != "/v23.0/"+rude.RemoteID {
		t.Fatalf("requests %+v", reqs)
	}
	cs := e.fake.Comments()
	if len(cs) != 2 || !cs[0].Hidden || cs[0].Deleted || !cs[1].Deleted {
		t.Errorf("fake holds %+v", cs)
	}
	// Deleting again is done already; hiding what is gone is an error.
	if err := e.conn.Moderate(ctx, e.acct, rude.RemoteID, channel.Delete); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, rude.RemoteID, channel.Hide); channel.AsError(err) == nil ||
		channel.AsError(err).Code != "100/33" {
		t.Errorf("hiding a deleted comment: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, spam.RemoteID, "ban"); channel.KindOf(err) != channel.Permanent {
		t.Errorf("unknown action: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, "1?is_hidden=false", channel.Hide); channel.KindOf(err) != channel.Permanent {
		t.Errorf("bad id: %v", err)
	}
	if reqs := e.rec.take(); len(reqs) != 2 {
		t.Errorf("%d requests, want 2 (refusals send nothing)", len(reqs))
	}
	// Another Page's token cannot touch the comment.
	other := e.acct
	other.Credentials = channel.Credentials{channel.CredToken: "someone-else"}
	if err := e.conn.Moderate(ctx, other, spam.RemoteID, channel.Delete); channel.KindOf(err) != channel.Auth ||
		!strings.Contains(err.Error(), "access token") {
		t.Errorf("other token: %v", err)
	}
}
