// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram_test

import (
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
)

var (
	_ channel.Replier   = (*instagram.Connector)(nil)
	_ channel.Moderator = (*instagram.Connector)(nil)
)

var (
	maria = instagramtest.Citizen{ID: "1789000000000042", Username: "maria.rossi"}
	luca  = instagramtest.Citizen{ID: "1789000000000043", Username: "luca_b"}
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

// parse reads the one event of a payload the fake made, as the webhook
// handler will.
func parse(t *testing.T, body []byte) channel.Inbound {
	t.Helper()
	evs, err := facebook.ParseWebhook(body)
	if err != nil || len(evs) != 1 || evs[0].Platform != channel.Instagram || evs[0].AccountID != user {
		t.Fatalf("ParseWebhook(%s) = %+v, %v", body, evs, err)
	}
	return evs[0].Msg
}

func publishMedia(t *testing.T, e *env) string {
	t.Helper()
	pub, err := e.conn.Publish(t.Context(), e.acct, channel.Post{Text: "Piazza del Comune", Media: []channel.Media{photo("1.jpg", "La piazza")}})
	if err != nil {
		t.Fatal(err)
	}
	return pub.RemoteID
}

func commentOn(t *testing.T, e *env, mediaID string, from instagramtest.Citizen, text string) channel.Inbound {
	t.Helper()
	_, body, err := e.fake.AddComment(mediaID, from, text)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, body)
}

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
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	media := publishMedia(t, e)
	top := commentOn(t, e, media, maria, "Bellissima!")
	if top.PostID != media || top.Thread != top.RemoteID || top.AuthorHandle != maria.Username {
		t.Fatalf("parsed %+v", top)
	}
	e.rec.take()
	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Grazie!", To: top})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].method != "POST" || reqs[0].url != "/v23.0/"+top.RemoteID+"/replies" ||
		reqs[0].auth != "Bearer "+token || formOf(t, reqs[0]).Get("message") != "Grazie!" {
		t.Fatalf("requests %+v", reqs)
	}
	cs := e.fake.Comments()
	if len(cs) != 2 || cs[1].ID != pub.RemoteID || cs[1].ParentID != top.RemoteID || cs[1].FromID != user {
		t.Fatalf("published %+v, fake holds %+v", pub, cs)
	}
	// An answer to a reply goes to the top-level comment.
	_, body, err := e.fake.AddReply(top.RemoteID, luca, "Dov'è?")
	if err != nil {
		t.Fatal(err)
	}
	reply := parse(t, body)
	if reply.Thread != top.RemoteID {
		t.Fatalf("parsed %+v", reply)
	}
	if _, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "In centro", To: reply}); err != nil {
		t.Fatal(err)
	}
	if reqs := e.rec.take(); len(reqs) != 1 || reqs[0].url != "/v23.0/"+top.RemoteID+"/replies" {
		t.Fatalf("requests %+v", reqs)
	}
}

func TestReplyPrivately(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: testNow}
	e := newEnv(t, instagramtest.Options{Now: clk.now}, 2*time.Second)
	media := publishMedia(t, e)
	c := commentOn(t, e, media, maria, "Il mio numero è...")
	e.rec.take()
	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Le scriviamo in privato", To: c, Private: true})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].url != "/v23.0/"+user+"/messages" {
		t.Fatalf("requests %+v", reqs)
	}
	if f := formOf(t, reqs[0]); f.Get("recipient") != `{"comment_id":"`+c.RemoteID+`"}` ||
		f.Get("message") != `{"text":"Le scriviamo in privato"}` {
		t.Errorf("form %v", f)
	}
	ms := e.fake.Messages()
	if len(ms) != 1 || ms[0].MID != pub.RemoteID || ms[0].CommentID != c.RemoteID || ms[0].To != maria.ID {
		t.Errorf("published %+v, fake holds %+v", pub, ms)
	}
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Di nuovo", To: c, Private: true})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10900" {
		t.Errorf("second private reply: %v", err)
	}
	old := commentOn(t, e, media, luca, "Vecchio")
	clk.add(8 * 24 * time.Hour)
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Tardi", To: old, Private: true})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10/2018278" {
		t.Errorf("late private reply: %v", err)
	}
}

func TestReplyDirect(t *testing.T) {
	ctx := t.Context()
	clk := &clock{t: testNow}
	e := newEnv(t, instagramtest.Options{Now: clk.now}, 2*time.Second)
	_, body, err := e.fake.AddMessage(user, maria, "Orari dell'anagrafe?")
	if err != nil {
		t.Fatal(err)
	}
	msg := parse(t, body)
	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Dalle 9 alle 12", To: msg})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].url != "/v23.0/"+user+"/messages" ||
		formOf(t, reqs[0]).Get("recipient") != `{"id":"`+maria.ID+`"}` {
		t.Fatalf("requests %+v", reqs)
	}
	if ms := e.fake.Messages(); len(ms) != 2 || ms[1].MID != pub.RemoteID || ms[1].To != maria.ID || ms[1].Text != "Dalle 9 alle 12" {
		t.Errorf("fake holds %+v", ms)
	}
	clk.add(25 * time.Hour)
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Tardi", To: msg})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "10/2018278" {
		t.Errorf("outside the window: %v", err)
	}
	stranger := msg
	stranger.Raw = map[string]string{instagram.RawIGSID: "1234"}
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Ciao", To: stranger})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100/2018001" {
		t.Errorf("stranger: %v", err)
	}
}

func TestReplyRefused(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	tests := []struct {
		name string
		r    channel.Reply
		code string
		sent bool
	}{
		{"no text", channel.Reply{Text: "\t", To: channel.Inbound{RemoteID: "1", Visibility: channel.Public}}, "", false},
		{"bad comment id", channel.Reply{Text: "x", To: channel.Inbound{RemoteID: "1_2", Visibility: channel.Public}}, "", false},
		{"bad igsid", channel.Reply{Text: "x", To: channel.Inbound{Visibility: channel.Private,
			Raw: map[string]string{instagram.RawIGSID: "../me"}}}, "", false},
		{"unknown comment", channel.Reply{Text: "x", To: channel.Inbound{RemoteID: "999", Visibility: channel.Public}}, "100/33", true},
		{"unknown comment privately", channel.Reply{Text: "x", Private: true,
			To: channel.Inbound{RemoteID: "999", Visibility: channel.Public}}, "100", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.conn.Reply(ctx, e.acct, tt.r)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != channel.Permanent || ce.Code != tt.code || ce.Platform != channel.Instagram || ce.Op != "reply" {
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
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	c := commentOn(t, e, publishMedia(t, e), maria, "Domanda")
	for _, tt := range []struct {
		fault channeltest.Fault
		kind  channel.Kind
	}{
		{channeltest.FaultRateLimit, channel.RateLimited},
		{channeltest.FaultServer, channel.Retryable},
		{channeltest.FaultAuth, channel.Auth},
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
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	if c := e.conn.Capabilities(); !c.Hide || !c.DeleteComment {
		t.Errorf("capabilities %+v: the connector hides and deletes comments", c)
	}
	media := publishMedia(t, e)
	spam := commentOn(t, e, media, maria, "Compra follower")
	rude := commentOn(t, e, media, luca, "Insulto")
	e.rec.take()
	if err := e.conn.Moderate(ctx, e.acct, spam.RemoteID, channel.Hide); err != nil {
		t.Fatal(err)
	}
	reqs := e.rec.take()
	if len(reqs) != 1 || reqs[0].method != "POST" || reqs[0].url != "/v23.0/"+spam.RemoteID ||
		formOf(t, reqs[0]).Get("hide") != "true" {
		t.Fatalf("requests %+v", reqs)
	}
	if err := e.conn.Moderate(ctx, e.acct, rude.RemoteID, channel.Delete); err != nil {
		t.Fatal(err)
	}
	if reqs := e.rec.take(); len(reqs) != 1 || reqs[0].method != "DELETE" || reqs[0].url != "/v23.0/"+rude.RemoteID {
		t.Fatalf("requests %+v", reqs)
	}
	cs := e.fake.Comments()
	if len(cs) != 2 || !cs[0].Hidden || cs[0].Deleted || !cs[1].Deleted {
		t.Errorf("fake holds %+v", cs)
	}
	if err := e.conn.Moderate(ctx, e.acct, rude.RemoteID, channel.Delete); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, "999", channel.Hide); channel.AsError(err) == nil || channel.AsError(err).Code != "100/33" {
		t.Errorf("hiding an unknown comment: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, spam.RemoteID, "ban"); channel.KindOf(err) != channel.Permanent {
		t.Errorf("unknown action: %v", err)
	}
	if err := e.conn.Moderate(ctx, e.acct, "1/2", channel.Delete); channel.KindOf(err) != channel.Permanent {
		t.Errorf("bad id: %v", err)
	}
	// The media the comments were under is untouched.
	if r := e.fake.Received(); len(r) != 1 || r[0].Deleted {
		t.Errorf("media %+v", r)
	}
}
