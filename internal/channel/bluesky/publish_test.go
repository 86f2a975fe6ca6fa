// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
)

// Keys are UUIDv7 publication ids, as the publishing engine sets them.
const (
	key1 = "0195a2b3-4c5d-7e6f-8a9b-0c1d2e3f4a5b"
	key2 = "0195a2b3-4c5e-7000-9111-222233334444"
)

var directory = map[string]string{"prefettura.bsky.social": "did:plc:prefetturatrieste0000000"}

func TestPublishGolden(t *testing.T) {
	photo := pngImage(t, 40, 30)
	thumb := pngImage(t, 12, 6)
	tests := []struct {
		name string
		post channel.Post
		// check looks at what the fake received.
		check func(t *testing.T, got channeltest.Received)
	}{
		{
			name: "publish_text",
			post: channel.Post{Key: key1, Language: "it",
				Text: "⚠️ Allerta #Meteo arancione: scuole chiuse domani. Info https://www.comune.vallebella.it/allerta. " +
					"Con @prefettura.bsky.social e @nessuno.example.org"},
			check: func(t *testing.T, got channeltest.Received) {
				if got.Language != "it" || !strings.HasPrefix(got.Text, "⚠️ Allerta") || got.Link != "" || len(got.Media) != 0 {
					t.Errorf("received %+v", got)
				}
			},
		},
		{
			name: "publish_images",
			post: channel.Post{Key: key1, Language: "it", Text: "Il nuovo parco di via Roma è aperto.",
				Media: []channel.Media{
					{Kind: channel.Image, ContentType: "image/png", Data: photo, AltText: "Il parco visto dall'ingresso", Width: 40, Height: 30},
					{Kind: channel.Image, ContentType: "image/png", Data: thumb, AltText: "Il taglio del nastro"},
				}},
			check: func(t *testing.T, got channeltest.Received) {
				if len(got.Media) != 2 || got.Media[0].AltText != "Il parco visto dall'ingresso" ||
					got.Media[0].ContentType != "image/png" || got.Media[0].Bytes != len(photo) || got.Media[1].AltText != "Il taglio del nastro" {
					t.Errorf("media %+v", got.Media)
				}
			},
		},
		{
			name: "publish_link_card",
			post: channel.Post{Key: key1, Language: "sl", Text: "Razpis za štipendije https://www.comune.vallebella.it/borse",
				Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/borse", Title: "Borse di studio 2026",
					Description: "Domande entro il 30 aprile",
					Thumb:       &channel.Media{Kind: channel.Image, ContentType: "image/png", Data: thumb}}},
			check: func(t *testing.T, got channeltest.Received) {
				if got.Link != "https://www.comune.vallebella.it/borse" || got.Language != "sl" {
					t.Errorf("received %+v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, blueskytest.Options{Directory: directory}, 2*time.Second)
			pub, err := e.c.Publish(context.Background(), e.acct, tt.post)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, e.rec.String())
			rkey := bluesky.RecordKey(tt.post.Key)
			did := e.fake.DID(blueskytest.DefaultHandle)
			if pub.RemoteID != "at://"+did+"/app.bsky.feed.post/"+rkey ||
				pub.URL != "https://bsky.app/profile/"+blueskytest.DefaultHandle+"/post/"+rkey || !pub.At.Equal(fixedNow) {
				t.Errorf("published %+v", pub)
			}
			got := e.fake.Received()
			if len(got) != 1 || got[0].RemoteID != pub.RemoteID || got[0].URL != pub.URL || got[0].Text != tt.post.Text {
				t.Fatalf("received %+v", got)
			}
			tt.check(t, got[0])
		})
	}
}

func TestPublishFacetsStored(t *testing.T) {
	e := newEnv(t, blueskytest.Options{Directory: directory}, 2*time.Second)
	text := "Grazie @prefettura.bsky.social! #ProtezioneCivile https://x.it"
	pub, err := e.c.Publish(context.Background(), e.acct, channel.Post{Key: key1, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := e.fake.Record(pub.RemoteID)
	if !ok {
		t.Fatal("record not stored")
	}
	var rec struct {
		Facets []bluesky.Facet
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rec.Facets {
		got = append(got, text[f.Index.ByteStart:f.Index.ByteEnd])
	}
	if strings.Join(got, "|") != "@prefettura.bsky.social|#ProtezioneCivile|https://x.it" {
		t.Errorf("facets cover %q", got)
	}
}

func TestPublishErrors(t *testing.T) {
	tests := []struct {
		name    string
		fault   channeltest.Fault
		n       int
		timeout time.Duration
		kind    channel.Kind
		code    string
		message string
		// stored: whether the post exists after the error.
		stored bool
	}{
		{"rate limited", channeltest.FaultRateLimit, 1, 2 * time.Second, channel.RateLimited, "RateLimitExceeded", "Rate Limit Exceeded", false},
		{"server error", channeltest.FaultServer, 1, 2 * time.Second, channel.Retryable, "InternalServerError", "Internal Server Error", false},
		{"invalid token", channeltest.FaultAuth, 1, 2 * time.Second, channel.Auth, "InvalidToken", "Token could not be verified", false},
		{"bad request", channeltest.FaultBadRequest, 1, 2 * time.Second, channel.Permanent, "InvalidRequest",
			"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text", false},
		{"lost answer", channeltest.FaultLost, 1, 200 * time.Millisecond, channel.Unknown, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, blueskytest.Options{}, tt.timeout)
			ctx := context.Background()
			post := channel.Post{Key: key1, Text: "Avviso alla cittadinanza"}
			// Log in first, so the fault hits createRecord.
			if _, err := e.c.CheckCredentials(ctx, e.acct); err != nil {
				t.Fatal(err)
			}
			e.fake.Inject(tt.fault, tt.n)
			_, err := e.c.Publish(ctx, e.acct, post)
			ce := channel.AsError(err)
			if ce == nil {
				t.Fatalf("error %v, want a *channel.Error", err)
			}
			if ce.Kind != tt.kind || ce.Code != tt.code || ce.Message != tt.message || ce.Platform != channel.Bluesky || ce.Op != "publish" {
				t.Errorf("error %+v", ce)
			}
			if tt.kind == channel.RateLimited && (ce.RetryAfter < time.Second || ce.RetryAfter > 2*time.Second) {
				t.Errorf("retry after %v", ce.RetryAfter)
			}
			if got := len(e.fake.Received()); (got == 1) != tt.stored {
				t.Errorf("%d posts stored", got)
			}
			// The same post again: published once, whatever happened.
			pub, err := e.c.Publish(ctx, e.acct, post)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := e.fake.Received(); len(got) != 1 || got[0].RemoteID != pub.RemoteID {
				t.Errorf("after the retry the fake holds %+v", got)
			}
			found, ok, err := e.c.Find(ctx, e.acct, post, fixedNow.Add(-time.Hour))
			if err != nil || !ok || found.RemoteID != pub.RemoteID || found.URL != pub.URL {
				t.Errorf("Find = %+v, %v, %v", found, ok, err)
			}
		})
	}
}

func TestPublishIdempotent(t *testing.T) {
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	ctx := context.Background()
	p := channel.Post{Key: key1, Text: "Una volta sola"}
	first, err := e.c.Publish(ctx, e.acct, p)
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()
	again, err := e.c.Publish(ctx, e.acct, p)
	if err != nil {
		t.Fatal(err)
	}
	if again.RemoteID != first.RemoteID || len(e.fake.Received()) != 1 {
		t.Errorf("second publish %+v, fake holds %d posts", again, len(e.fake.Received()))
	}
	golden(t, "publish_retry", e.rec.String())

	// Another post under the same key (a bug, or a key collision) is not
	// taken for this one.
	_, err = e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Un altro testo"})
	if channel.KindOf(err) != channel.Permanent || channel.AsError(err).Code != "RecordKeyTaken" {
		t.Errorf("same key, other text: %v", err)
	}
}

func TestPublishRejected(t *testing.T) {
	family := "👨‍👩‍👧‍👦"
	big := make([]byte, bluesky.MaxImageBytes+1)
	copy(big, pngImage(t, 2, 2))
	tests := []struct {
		name    string
		post    channel.Post
		message string // "" when the connector refuses before any request
	}{
		{"301 graphemes", channel.Post{Text: strings.Repeat("è", 301)},
			"Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"},
		{"over 3000 bytes", channel.Post{Text: strings.Repeat(family, 121)},
			"Invalid app.bsky.feed.post record: string too big (maximum 3000, got 3025) at $.record.text"},
		{"image over the blob limit", channel.Post{Text: "foto", Media: []channel.Media{
			{Kind: channel.Image, ContentType: "image/png", Data: big, AltText: "grande"}}},
			"Invalid app.bsky.feed.post record: blob too big (maximum 1000000, got 1000001) at $.record.embed.images[0].image"},
		{"five images", channel.Post{Text: "foto", Media: []channel.Media{{Data: []byte{1}}, {Data: []byte{1}},
			{Data: []byte{1}}, {Data: []byte{1}}, {Data: []byte{1}}}}, ""},
		{"video", channel.Post{Text: "video", Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4", Data: []byte{1}}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, blueskytest.Options{}, 2*time.Second)
			tt.post.Key = key1
			_, err := e.c.Publish(context.Background(), e.acct, tt.post)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != channel.Permanent {
				t.Fatalf("error %v, want permanent", err)
			}
			if tt.message != "" && (ce.Message != tt.message || ce.Status != http.StatusBadRequest) {
				t.Errorf("message %q (HTTP %d), want %q", ce.Message, ce.Status, tt.message)
			}
			if tt.message == "" && e.rec.String() != "" {
				t.Errorf("requests sent for a post refused beforehand:\n%s", e.rec)
			}
			if n := len(e.fake.Received()); n != 0 {
				t.Errorf("%d posts stored", n)
			}
		})
	}
}

func TestSession(t *testing.T) {
	ctx := context.Background()
	t.Run("cached and shared", func(t *testing.T) {
		e := newEnv(t, blueskytest.Options{}, 5*time.Second)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Go(func() {
				_, err := e.c.Publish(ctx, e.acct, channel.Post{Key: fmt.Sprintf("pub-%d", i), Text: fmt.Sprintf("Post %d", i)})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := e.fake.Logins(); n != 1 {
			t.Errorf("%d logins for 20 posts of one account", n)
		}
		if n := len(e.fake.Received()); n != 20 {
			t.Errorf("%d posts", n)
		}
	})
	t.Run("expired access token is refreshed", func(t *testing.T) {
		e := newEnv(t, blueskytest.Options{}, 2*time.Second)
		if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "uno"}); err != nil {
			t.Fatal(err)
		}
		e.fake.ExpireAccessTokens()
		e.rec.reset()
		if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key2, Text: "due"}); err != nil {
			t.Fatal(err)
		}
		golden(t, "refresh_session", e.rec.String())
		if n := e.fake.Logins(); n != 1 {
			t.Errorf("%d logins: the refresh token should have been used", n)
		}
	})
	t.Run("expired refresh token means a new login", func(t *testing.T) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		e := newEnv(t, blueskytest.Options{Now: clock}, 2*time.Second)
		if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "uno"}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		now = now.Add(91 * 24 * time.Hour)
		mu.Unlock()
		if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key2, Text: "due"}); err != nil {
			t.Fatal(err)
		}
		if n := e.fake.Logins(); n != 2 {
			t.Errorf("%d logins", n)
		}
	})
	t.Run("wrong app password", func(t *testing.T) {
		e := newEnv(t, blueskytest.Options{}, 2*time.Second)
		e.acct.Credentials = channel.Credentials{channel.CredAppPassword: "wxyz-wxyz-wxyz-wxyz"}
		_, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "uno"})
		ce := channel.AsError(err)
		if ce == nil || ce.Kind != channel.Auth || ce.Code != "AuthenticationRequired" || ce.Message != "Invalid identifier or password" {
			t.Errorf("error %+v", ce)
		}
	})
	t.Run("missing credentials", func(t *testing.T) {
		e := newEnv(t, blueskytest.Options{}, 2*time.Second)
		for _, acct := range []channel.Account{
			{BaseURL: e.acct.BaseURL, Handle: e.acct.Handle},
			{BaseURL: e.acct.BaseURL, Credentials: e.acct.Credentials},
		} {
			if _, err := e.c.Publish(ctx, acct, channel.Post{Text: "x"}); channel.KindOf(err) != channel.Auth {
				t.Errorf("error %v", err)
			}
		}
		if e.rec.String() != "" {
			t.Errorf("requests sent without credentials:\n%s", e.rec)
		}
	})
	t.Run("PDS unreachable", func(t *testing.T) {
		c := bluesky.New(&http.Client{Timeout: time.Second})
		acct := channel.Account{BaseURL: "http://127.0.0.1:1", Handle: "a.bsky.social",
			Credentials: channel.Credentials{channel.CredAppPassword: "x"}}
		if _, err := c.Publish(ctx, acct, channel.Post{Text: "x"}); channel.KindOf(err) != channel.Retryable {
			t.Errorf("error %v", err)
		}
	})
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	pub, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Da cancellare"})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()
	if err := e.c.Delete(ctx, e.acct, pub); err != nil {
		t.Fatal(err)
	}
	golden(t, "delete", e.rec.String())
	if got := e.fake.Received(); len(got) != 1 || !got[0].Deleted {
		t.Errorf("received %+v", got)
	}
	if err := e.c.Delete(ctx, e.acct, pub); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if _, found, err := e.c.Find(ctx, e.acct, channel.Post{Key: key1}, time.Time{}); err != nil || found {
		t.Errorf("Find after delete: %v, %v", found, err)
	}
	for _, id := range []string{"", "https://bsky.app/x", "at://did:plc:other/app.bsky.feed.post/3kyby3f4szqmv"} {
		if err := e.c.Delete(ctx, e.acct, channel.Published{RemoteID: id}); channel.KindOf(err) != channel.Permanent {
			t.Errorf("Delete(%q) = %v", id, err)
		}
	}
	e.fake.Inject(channeltest.FaultServer, 1)
	if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key2, Text: "Altro"}); err == nil {
		t.Fatal("the injected fault hit nothing")
	}
	pub2, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key2, Text: "Altro"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Inject(channeltest.FaultRateLimit, 1)
	if err := e.c.Delete(ctx, e.acct, pub2); channel.KindOf(err) != channel.RateLimited {
		t.Errorf("rate-limited delete: %v", err)
	}
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	p := channel.Post{Key: key1, Text: "Da ritrovare"}
	if _, found, err := e.c.Find(ctx, e.acct, p, time.Time{}); err != nil || found {
		t.Fatalf("Find before publishing: %v, %v", found, err)
	}
	pub, err := e.c.Publish(ctx, e.acct, p)
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()
	got, found, err := e.c.Find(ctx, e.acct, p, time.Time{})
	if err != nil || !found || got.RemoteID != pub.RemoteID || got.URL != pub.URL || !got.At.Equal(fixedNow) {
		t.Errorf("Find = %+v, %v, %v; published %+v", got, found, err, pub)
	}
	golden(t, "find", e.rec.String())

	// Without a key, by text among the latest posts.
	if _, err := e.c.Publish(ctx, e.acct, channel.Post{Text: "Senza chiave"}); err != nil {
		t.Fatal(err)
	}
	got, found, err = e.c.Find(ctx, e.acct, channel.Post{Text: "Senza chiave"}, fixedNow.Add(-time.Minute))
	if err != nil || !found || !strings.Contains(got.RemoteID, "/app.bsky.feed.post/") {
		t.Errorf("Find by text = %+v, %v, %v", got, found, err)
	}
	if _, found, _ = e.c.Find(ctx, e.acct, channel.Post{Text: "Senza chiave"}, fixedNow.Add(time.Minute)); found {
		t.Error("found a post older than since")
	}
}

func TestCheckCredentials(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, blueskytest.Options{}, 2*time.Second)
	id, err := e.c.CheckCredentials(ctx, e.acct)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "check", e.rec.String())
	want := channel.Identity{Name: blueskytest.DefaultDisplayName, Handle: "@" + blueskytest.DefaultHandle,
		URL: "https://bsky.app/profile/" + blueskytest.DefaultHandle}
	if id.Name != want.Name || id.Handle != want.Handle || id.URL != want.URL {
		t.Errorf("identity %+v, want %+v", id, want)
	}
	// The check's session serves the next publication.
	if _, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "uno"}); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Logins(); n != 1 {
		t.Errorf("%d logins", n)
	}
	// By DID too.
	e.acct.Handle = e.fake.DID(blueskytest.DefaultHandle)
	if id, err := e.c.CheckCredentials(ctx, e.acct); err != nil || id.Handle != want.Handle {
		t.Errorf("check by DID: %+v, %v", id, err)
	}
	e.acct.Credentials = channel.Credentials{channel.CredAppPassword: "nope-nope-nope-nope"}
	if _, err := e.c.CheckCredentials(ctx, e.acct); channel.KindOf(err) != channel.Auth {
		t.Errorf("wrong password: %v", err)
	}
}
