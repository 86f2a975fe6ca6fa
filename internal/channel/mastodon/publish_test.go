// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
)

// Keys are UUIDv7 publication ids, as the publishing engine sets them.
const (
	key1 = "0195a2b3-4c5d-7e6f-8a9b-0c1d2e3f4a5b"
	key2 = "0195a2b3-4c5e-7000-9111-222233334444"
)

// The connector implements every optional interface of the contract but
// Refresher: Mastodon's tokens do not expire.
var (
	_ channel.CredentialChecker = (*mastodon.Connector)(nil)
	_ channel.Editor            = (*mastodon.Connector)(nil)
	_ channel.Deleter           = (*mastodon.Connector)(nil)
	_ channel.Finder            = (*mastodon.Connector)(nil)
	_ channel.OAuth             = (*mastodon.Connector)(nil)
)

func TestPublishGolden(t *testing.T) {
	photo := pngImage(t, 40, 30)
	thumb := pngImage(t, 12, 6)
	tests := []struct {
		name string
		opts mastodontest.Options
		post channel.Post
		// text is what the instance stores.
		text  string
		check func(t *testing.T, got channeltest.Received)
	}{
		{
			name: "publish_text",
			post: channel.Post{Key: key1, Language: "it",
				Text: "⚠️ Allerta #Meteo arancione: scuole chiuse domani. Info https://www.comune.vallebella.it/allerta. " +
					"Con @prefettura@social.example.it"},
			check: func(t *testing.T, got channeltest.Received) {
				if got.Language != "it" || got.Link != "https://www.comune.vallebella.it/allerta" || len(got.Media) != 0 {
					t.Errorf("received %+v", got)
				}
			},
		},
		{
			name: "publish_link_appended",
			post: channel.Post{Key: key1, Language: "it-IT", Text: "Bando per le borse di studio 2026.\n",
				Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/borse", Title: "Borse di studio"}},
			text: "Bando per le borse di studio 2026.\n\nhttps://www.comune.vallebella.it/borse",
			check: func(t *testing.T, got channeltest.Received) {
				if got.Link != "https://www.comune.vallebella.it/borse" || got.Language != "it" {
					t.Errorf("received %+v", got)
				}
			},
		},
		{
			name: "publish_link_in_text",
			post: channel.Post{Key: key1, Language: "sl", Text: "Razpis za štipendije https://www.comune.vallebella.it/borse",
				Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/borse"}},
			check: func(t *testing.T, got channeltest.Received) {
				if got.Link != "https://www.comune.vallebella.it/borse" || got.Language != "sl" {
					t.Errorf("received %+v", got)
				}
			},
		},
		{
			name: "publish_images",
			post: channel.Post{Key: key1, Language: "it", Text: "Il nuovo parco di via Roma è aperto.",
				Media: []channel.Media{
					{Kind: channel.Image, ContentType: "image/png", Data: photo, AltText: "Il parco visto dall'ingresso", Filename: "foto/parco.png"},
					{Kind: channel.Image, ContentType: "image/png", Data: thumb, AltText: " Il taglio del nastro "},
				}},
			check: func(t *testing.T, got channeltest.Received) {
				if len(got.Media) != 2 || got.Media[0].AltText != "Il parco visto dall'ingresso" ||
					got.Media[0].ContentType != "image/png" || got.Media[0].Bytes != len(photo) ||
					got.Media[1].AltText != "Il taglio del nastro" || got.Media[1].Bytes != len(thumb) {
					t.Errorf("media %+v", got.Media)
				}
			},
		},
		{
			// The instance processes the video: the connector waits for it
			// (206 twice, then 200) before creating the status.
			name: "publish_video",
			opts: mastodontest.Options{ProcessingPolls: 2},
			post: channel.Post{Key: key1, Language: "de", Text: "Die neue Brücke",
				Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Video(), AltText: "Die Brücke von oben"}}},
			check: func(t *testing.T, got channeltest.Received) {
				if len(got.Media) != 1 || got.Media[0].ContentType != "video/mp4" || got.Media[0].AltText != "Die Brücke von oben" {
					t.Errorf("media %+v", got.Media)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			pub, err := e.c.Publish(context.Background(), e.acct, tt.post)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, e.rec.String())
			got := e.fake.Received()
			if len(got) != 1 {
				t.Fatalf("received %+v", got)
			}
			want := tt.text
			if want == "" {
				want = tt.post.Text
			}
			if got[0].Text != want || got[0].RemoteID != pub.RemoteID || got[0].URL != pub.URL ||
				pub.URL != e.url+"/@"+mastodontest.DefaultUsername+"/"+pub.RemoteID || !pub.At.Equal(fixedNow) ||
				got[0].Target != "@"+mastodontest.DefaultUsername+"@"+mastodontest.DefaultDomain {
				t.Errorf("published %+v, received %+v", pub, got[0])
			}
			tt.check(t, got[0])
		})
	}
}

func TestPublishErrors(t *testing.T) {
	tests := []struct {
		name    string
		fault   channeltest.Fault
		timeout time.Duration
		kind    channel.Kind
		status  int
		message string
		// stored: whether the status exists after the error.
		stored bool
	}{
		{"rate limited", channeltest.FaultRateLimit, 2 * time.Second, channel.RateLimited, 429, "Too many requests", false},
		{"server error", channeltest.FaultServer, 2 * time.Second, channel.Retryable, 500, "Internal Server Error", false},
		{"invalid token", channeltest.FaultAuth, 2 * time.Second, channel.Auth, 401, "The access token is invalid", false},
		{"bad request", channeltest.FaultBadRequest, 2 * time.Second, channel.Permanent, 422,
			"Validation failed: Text character limit of 500 exceeded", false},
		{"lost answer", channeltest.FaultLost, 200 * time.Millisecond, channel.Unknown, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, mastodontest.Options{}, tt.timeout)
			ctx := context.Background()
			post := channel.Post{Key: key1, Text: "Avviso alla cittadinanza", Language: "it"}
			e.fake.Inject(tt.fault, 1)
			_, err := e.c.Publish(ctx, e.acct, post)
			ce := channel.AsError(err)
			if ce == nil {
				t.Fatalf("error %v, want a *channel.Error", err)
			}
			if ce.Kind != tt.kind || ce.Status != tt.status || ce.Message != tt.message || ce.Platform != channel.Mastodon ||
				ce.Op != "publish" {
				t.Errorf("error %+v", ce)
			}
			if tt.kind == channel.RateLimited && ce.RetryAfter != time.Second {
				t.Errorf("retry after %v", ce.RetryAfter)
			}
			if got := len(e.fake.Received()); (got == 1) != tt.stored {
				t.Errorf("%d statuses stored", got)
			}
			if tt.kind == channel.Unknown {
				// Settled first, as the engine does.
				found, ok, err := e.c.Find(ctx, e.acct, post, fixedNow)
				if err != nil || !ok || found.RemoteID != e.fake.Received()[0].RemoteID {
					t.Errorf("Find = %+v, %v, %v", found, ok, err)
				}
			}
			// The same post again: published once, whatever happened,
			// thanks to the Idempotency-Key.
			pub, err := e.c.Publish(ctx, e.acct, post)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := e.fake.Received(); len(got) != 1 || got[0].RemoteID != pub.RemoteID {
				t.Errorf("after the retry the fake holds %+v", got)
			}
		})
	}
}

func TestPublishIdempotent(t *testing.T) {
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()
	p := channel.Post{Key: key1, Text: "Una volta sola"}
	first, err := e.c.Publish(ctx, e.acct, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.c.Publish(ctx, e.acct, p)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key2, Text: "Una volta sola"})
	if err != nil {
		t.Fatal(err)
	}
	if again != first || other.RemoteID == first.RemoteID || len(e.fake.Received()) != 2 {
		t.Errorf("first %+v, again %+v, other key %+v, fake holds %d", first, again, other, len(e.fake.Received()))
	}
}

func TestPublishRejected(t *testing.T) {
	img := pngImage(t, 4, 4)
	imgMedia := channel.Media{Kind: channel.Image, ContentType: "image/png", Data: img, AltText: "Una foto"}
	tests := []struct {
		name    string
		opts    mastodontest.Options
		acct    func(*channel.Account)
		post    channel.Post
		kind    channel.Kind
		message string
		// sent: whether the connector reached the instance.
		sent bool
	}{
		{"instance limit", mastodontest.Options{MaxCharacters: 20}, nil,
			channel.Post{Key: key1, Text: "Questo testo supera venti caratteri"}, channel.Permanent,
			"Validation failed: Text character limit of 20 exceeded", true},
		{"blank text", mastodontest.Options{}, nil, channel.Post{Key: key1, Text: "   "}, channel.Permanent,
			"Validation failed: Text can't be blank", true},
		{"unknown token", mastodontest.Options{}, func(a *channel.Account) { a.Credentials = channel.Credentials{channel.CredToken: "revoked"} },
			channel.Post{Key: key1, Text: "Ciao"}, channel.Auth, "The access token is invalid", true},
		{"no token", mastodontest.Options{}, func(a *channel.Account) { a.Credentials = nil },
			channel.Post{Key: key1, Text: "Ciao"}, channel.Auth, "the account has no access token: connect it again", false},
		{"no instance", mastodontest.Options{}, func(a *channel.Account) { a.BaseURL = "" },
			channel.Post{Key: key1, Text: "Ciao"}, channel.Permanent, "the account has no Mastodon instance (base URL)", false},
		{"not an instance address", mastodontest.Options{}, func(a *channel.Account) { a.BaseURL = "mastodon.example" },
			channel.Post{Key: key1, Text: "Ciao"}, channel.Permanent, `"mastodon.example" is not the address of a Mastodon instance`, false},
		{"too many media", mastodontest.Options{}, nil,
			channel.Post{Key: key1, Text: "Foto", Media: []channel.Media{imgMedia, imgMedia, imgMedia, imgMedia, imgMedia}},
			channel.Permanent, "this instance accepts at most 4 attachments, not 5", false},
		{"video with an image", mastodontest.Options{}, nil,
			channel.Post{Key: key1, Text: "Foto", Media: []channel.Media{imgMedia,
				{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Video(), AltText: "v"}}},
			channel.Permanent, "a video must be the only attachment of a Mastodon status (attachment 2)", false},
		{"empty file", mastodontest.Options{}, nil,
			channel.Post{Key: key1, Text: "Foto", Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", AltText: "x"}}},
			channel.Permanent, "attachment 1 has no data to upload", false},
		{"file refused", mastodontest.Options{}, nil,
			channel.Post{Key: key1, Text: "Documento", Media: []channel.Media{{Kind: channel.Image, ContentType: "application/pdf",
				Data: []byte("%PDF-1.7 not an image"), AltText: "x"}}},
			channel.Permanent, "Validation failed: File content type is invalid, File is invalid", true},
		{"image too big", mastodontest.Options{ImageSizeLimit: 1 << 20}, nil,
			channel.Post{Key: key1, Text: "Foto", Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png",
				Data: append(append([]byte{}, img...), make([]byte, 1<<20)...), AltText: "x"}}},
			channel.Permanent, "Validation failed: File file size must be less than 1 MB", true},
		{"link makes it too long", mastodontest.Options{}, func(a *channel.Account) { a.Settings = map[string]string{channel.SettingMaxChars: "30"} },
			channel.Post{Key: key1, Text: "Un testo di venti car", Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/x"}},
			channel.Permanent, "with the link added for its preview the text counts 46 characters, over this instance's limit of 30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			acct := e.acct
			if tt.acct != nil {
				tt.acct(&acct)
			}
			_, err := e.c.Publish(context.Background(), acct, tt.post)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Message != tt.message {
				t.Fatalf("error %+v, want %v %q", ce, tt.kind, tt.message)
			}
			if sent := e.rec.String() != ""; sent != tt.sent {
				t.Errorf("sent %v:\n%s", sent, e.rec.String())
			}
			if got := e.fake.Received(); len(got) != 0 {
				t.Errorf("published %+v", got)
			}
		})
	}
}

func TestPublishVideoTimeout(t *testing.T) {
	// The instance never finishes: the connector gives up with ctx, and
	// since no status exists the error is Retryable.
	e := newEnv(t, mastodontest.Options{ProcessingPolls: 1 << 30}, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Video",
		Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Video(), AltText: "v"}}})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Retryable {
		t.Fatalf("error %+v", err)
	}
	if len(e.fake.Received()) != 0 {
		t.Error("a status was created")
	}
}

func TestUploadLost(t *testing.T) {
	// An upload that gets no answer publishes nothing: Retryable.
	e := newEnv(t, mastodontest.Options{}, 200*time.Millisecond)
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/media" {
			<-r.Context().Done()
			return
		}
		e.fake.ServeHTTP(w, r)
	})
	e.rec.h = hang
	_, err := e.c.Publish(context.Background(), e.acct, channel.Post{Key: key1, Text: "Foto",
		Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", Data: pngImage(t, 3, 3), AltText: "x"}}})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Retryable {
		t.Fatalf("error %+v", err)
	}
}

func TestEdit(t *testing.T) {
	photo := pngImage(t, 20, 10)
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Language: "it", Text: "Chiusura di via Roma lunedì",
		Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", Data: photo, AltText: "La via"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()
	edited, err := e.c.Edit(ctx, e.acct, pub, channel.Post{Key: key1, Language: "it", Text: "Rettifica: chiusura di via Roma martedì",
		Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", Data: photo, AltText: "Via Roma chiusa"}}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "edit", e.rec.String())
	got := e.fake.Received()
	if len(got) != 1 || !got[0].Edited || got[0].Text != "Rettifica: chiusura di via Roma martedì" ||
		len(got[0].Media) != 1 || got[0].Media[0].AltText != "Via Roma chiusa" {
		t.Errorf("received %+v", got)
	}
	if edited.RemoteID != pub.RemoteID || edited.URL != pub.URL {
		t.Errorf("edited %+v, published %+v", edited, pub)
	}
	// Without media, the media go.
	if _, err := e.c.Edit(ctx, e.acct, pub, channel.Post{Text: "Solo testo"}); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Received(); len(got[0].Media) != 0 || got[0].Text != "Solo testo" {
		t.Errorf("received %+v", got)
	}
	// A deleted status cannot be edited.
	if err := e.c.Delete(ctx, e.acct, pub); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Edit(ctx, e.acct, pub, channel.Post{Text: "Troppo tardi"})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Status != 404 || ce.Message != "Record not found" {
		t.Errorf("edit of a deleted status: %+v", err)
	}
	for _, f := range []struct {
		fault channeltest.Fault
		kind  channel.Kind
	}{{channeltest.FaultRateLimit, channel.RateLimited}, {channeltest.FaultServer, channel.Retryable}, {channeltest.FaultAuth, channel.Auth}} {
		e.fake.Inject(f.fault, 1)
		if _, err := e.c.Edit(ctx, e.acct, pub, channel.Post{Text: "x"}); channel.KindOf(err) != f.kind {
			t.Errorf("edit with fault %v: %v", f.fault, err)
		}
	}
}

func TestEditTooLong(t *testing.T) {
	e := newEnv(t, mastodontest.Options{MaxCharacters: 30}, 2*time.Second)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Breve"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Edit(ctx, e.acct, pub, channel.Post{Text: strings.Repeat("lungo ", 10)})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent ||
		ce.Message != "Validation failed: Text character limit of 30 exceeded" || ce.Op != "edit" {
		t.Errorf("error %+v", err)
	}
	if got := e.fake.Received(); got[0].Text != "Breve" || got[0].Edited {
		t.Errorf("received %+v", got)
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.acct, channel.Post{Key: key1, Text: "Da cancellare"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Inject(channeltest.FaultServer, 1)
	if err := e.c.Delete(ctx, e.acct, pub); channel.KindOf(err) != channel.Retryable {
		t.Errorf("delete with a server error: %v", err)
	}
	e.rec.reset()
	if err := e.c.Delete(ctx, e.acct, pub); err != nil {
		t.Fatal(err)
	}
	golden(t, "delete", e.rec.String())
	if got := e.fake.Received(); len(got) != 1 || !got[0].Deleted {
		t.Errorf("received %+v", got)
	}
	// Already gone: deleted.
	if err := e.c.Delete(ctx, e.acct, pub); err != nil {
		t.Errorf("second delete: %v", err)
	}
	e.fake.Inject(channeltest.FaultRateLimit, 1)
	if err := e.c.Delete(ctx, e.acct, pub); channel.KindOf(err) != channel.RateLimited {
		t.Errorf("delete rate limited: %v", err)
	}
	if err := e.c.Delete(ctx, e.acct, channel.Published{}); channel.KindOf(err) != channel.Permanent {
		t.Errorf("delete without id: %v", err)
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t, mastodontest.Options{}, 2*time.Second)
	ctx := context.Background()
	link := &channel.LinkCard{URL: "https://www.comune.vallebella.it/mercato"}
	for _, text := range []string{"Primo avviso", "Mercato sospeso", "Terzo avviso"} {
		p := channel.Post{Key: text, Text: text}
		if text == "Mercato sospeso" {
			p.Link = link
		}
		if _, err := e.c.Publish(ctx, e.acct, p); err != nil {
			t.Fatal(err)
		}
	}
	want := e.fake.Received()[1]
	// Without the account id in the settings, Find asks for it.
	e.rec.reset()
	found, ok, err := e.c.Find(ctx, e.acct, channel.Post{Key: key1, Text: "Mercato sospeso", Link: link}, fixedNow)
	if err != nil || !ok || found.RemoteID != want.RemoteID || found.URL != want.URL || !found.At.Equal(fixedNow) {
		t.Fatalf("Find = %+v, %v, %v", found, ok, err)
	}
	golden(t, "find", e.rec.String())
	// With it, straight to the statuses.
	acct := e.acct
	acct.Settings = map[string]string{mastodon.SettingAccountID: e.fake.AccountID(mastodontest.DefaultUsername)}
	e.rec.reset()
	if _, ok, err := e.c.Find(ctx, acct, channel.Post{Text: "Mercato sospeso", Link: link}, fixedNow); err != nil || !ok {
		t.Fatalf("Find with the account id: %v, %v", ok, err)
	}
	if strings.Contains(e.rec.String(), "verify_credentials") {
		t.Errorf("asked for the account again:\n%s", e.rec.String())
	}
	tests := []struct {
		name  string
		text  string
		since time.Time
	}{
		{"text without the link", "Mercato sospeso", fixedNow},
		{"other text", "Mercato aperto", fixedNow},
		{"too old", "Primo avviso", fixedNow.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := e.c.Find(ctx, acct, channel.Post{Text: tt.text}, tt.since)
			if err != nil || ok {
				t.Errorf("Find = %v, %v", ok, err)
			}
		})
	}
	// Within the clock skew allowed.
	if _, ok, _ := e.c.Find(ctx, acct, channel.Post{Text: "Primo avviso"}, fixedNow.Add(30*time.Second)); !ok {
		t.Error("not found within the skew")
	}
	// A deleted status is not found.
	if err := e.c.Delete(ctx, acct, channel.Published{RemoteID: want.RemoteID}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.c.Find(ctx, acct, channel.Post{Text: "Mercato sospeso", Link: link}, fixedNow); err != nil || ok {
		t.Errorf("deleted status found: %v, %v", ok, err)
	}
}

func TestCheckCredentials(t *testing.T) {
	e := newEnv(t, mastodontest.Options{MaxCharacters: 1000, ImageSizeLimit: 8 << 20}, 2*time.Second)
	id, err := e.c.CheckCredentials(context.Background(), e.acct)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "check", e.rec.String())
	if id.Name != mastodontest.DefaultDisplayName || id.Handle != "@comune_vallebella@mastodon.example" ||
		id.URL != e.url+"/@comune_vallebella" {
		t.Errorf("identity %+v", id)
	}
	want := map[string]string{
		channel.SettingMaxChars: "1000", channel.SettingURLLength: "23", channel.SettingMaxMedia: "4",
		channel.SettingImageMaxBytes: "8388608", mastodon.SettingVideoMaxBytes: "103809024",
		mastodon.SettingAltTextMax: "1500", mastodon.SettingImageMatrix: "16777216",
		mastodon.SettingImageTypes: "image/jpeg,image/png,image/gif,image/heic,image/heif,image/webp,image/avif",
		mastodon.SettingVideoTypes: "video/webm,video/mp4,video/quicktime,video/ogg,video/x-ms-asf",
		mastodon.SettingAccountID:  e.fake.AccountID(mastodontest.DefaultUsername),
		mastodon.SettingVersion:    mastodontest.DefaultVersion,
	}
	for k, v := range want {
		if id.Settings[k] != v {
			t.Errorf("setting %s = %q, want %q", k, id.Settings[k], v)
		}
	}
	if len(id.Settings) != len(want) {
		t.Errorf("settings %v", id.Settings)
	}
	// The limits follow the settings.
	acct := e.acct
	acct.Settings = id.Settings
	lim := e.c.Limits(acct)
	if lim.MaxText != 1000 || lim.MaxImageBytes != 8<<20 || lim.MaxImages != 4 || lim.MaxVideos != 1 || lim.MixMedia ||
		lim.MaxImageSide != 4096 || lim.MaxAltText != 1500 || len(lim.VideoTypes) != 5 || !lim.AltTextSupported {
		t.Errorf("limits %+v", lim)
	}

	for _, tt := range []struct {
		name string
		tok  string
		kind channel.Kind
	}{{"revoked token", "revoked", channel.Auth}, {"no token", "", channel.Auth}} {
		t.Run(tt.name, func(t *testing.T) {
			acct := e.acct
			acct.Credentials = channel.Credentials{channel.CredToken: tt.tok}
			if _, err := e.c.CheckCredentials(context.Background(), acct); channel.KindOf(err) != tt.kind {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestLimitsDefaults(t *testing.T) {
	c := mastodon.New(nil)
	lim := c.Limits(channel.Account{Settings: map[string]string{channel.SettingMaxChars: "oops"}})
	if lim.MaxText != 500 || lim.MaxImages != 4 || lim.MaxVideos != 1 || lim.MaxImageBytes != 16<<20 ||
		lim.MaxVideoBytes != 99<<20 || lim.MaxAltText != 1500 || lim.MaxImageSide != 4096 || lim.TextUnit != "graphemes" ||
		len(lim.ImageTypes) != 7 || len(lim.VideoTypes) != 4 || lim.MaxTextWithMedia != 0 {
		t.Errorf("default limits %+v", lim)
	}
	caps := c.Capabilities()
	if !caps.Publish || !caps.Edit || !caps.Delete || !caps.Images || !caps.Video || !caps.LinkCard || !caps.Find ||
		!caps.Idempotent || !caps.CheckAccount || caps.Refresh || c.Platform() != channel.Mastodon {
		t.Errorf("capabilities %+v", caps)
	}
	if n := c.Count(channel.Account{Settings: map[string]string{channel.SettingURLLength: "30"}}, "Vedi https://x.it"); n != 5+30 {
		t.Errorf("count with the instance's link length = %d", n)
	}
}

func TestValidate(t *testing.T) {
	c := mastodon.New(nil)
	acct := channel.Account{Settings: map[string]string{channel.SettingMaxChars: "100"}}
	img := channel.Media{Kind: channel.Image, ContentType: "image/png", Data: []byte("x"), AltText: "foto"}
	video := channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: []byte("x")}
	tests := []struct {
		name string
		post channel.Post
		want []string
	}{
		{"fits", channel.Post{Text: "Ciao"}, nil},
		{"links count 23", channel.Post{Text: strings.Repeat("a", 76) + " https://www.comune.vallebella.it/" + strings.Repeat("x", 80)}, nil},
		{"too long", channel.Post{Text: strings.Repeat("a", 101)}, []string{channel.ProblemTooLong}},
		{"remote mention counts short", channel.Post{Text: strings.Repeat("a", 90) + " @ab@" + strings.Repeat("c", 40) + ".it"}, nil},
		{"empty", channel.Post{Text: " "}, []string{channel.ProblemEmpty}},
		{"five images", channel.Post{Text: "a", Media: []channel.Media{img, img, img, img, img}}, []string{channel.ProblemTooManyImages}},
		{"two videos", channel.Post{Text: "a", Media: []channel.Media{video, video}}, []string{channel.ProblemTooManyVideos}},
		{"video and image", channel.Post{Text: "a", Media: []channel.Media{img, video}}, []string{channel.ProblemMixedMedia}},
		{"no alt text", channel.Post{Text: "a", Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png"}}},
			[]string{channel.ProblemAltMissing}},
		{"alt text too long", channel.Post{Text: "a", Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png",
			AltText: strings.Repeat("è", 1501)}}}, []string{channel.ProblemAltTooLong}},
		{"bmp", channel.Post{Text: "a", Media: []channel.Media{{Kind: channel.Image, ContentType: "image/bmp", AltText: "x"}}},
			[]string{channel.ProblemMediaType}},
		{"big video", channel.Post{Text: "a", Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4",
			Data: make([]byte, 99<<20+1)}}}, []string{channel.ProblemMediaTooBig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range channel.ValidateWith(c, acct, tt.post) {
				got = append(got, p.Code)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
		})
	}
}

func TestComposeText(t *testing.T) {
	link := func(u string) *channel.LinkCard { return &channel.LinkCard{URL: u} }
	tests := []struct {
		post channel.Post
		want string
	}{
		{channel.Post{Text: "Avviso"}, "Avviso"},
		{channel.Post{Text: "Avviso \n", Link: link("https://x.it/a")}, "Avviso\n\nhttps://x.it/a"},
		{channel.Post{Text: "Leggi https://x.it/a ora", Link: link("https://x.it/a")}, "Leggi https://x.it/a ora"},
		{channel.Post{Text: "", Link: link(" https://x.it/a ")}, "https://x.it/a"},
		{channel.Post{Text: "Avviso", Link: link("")}, "Avviso"},
		{channel.Post{Text: "a\xffb"}, "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := mastodon.ComposeText(tt.post); got != tt.want {
			t.Errorf("ComposeText(%q) = %q, want %q", tt.post.Text, got, tt.want)
		}
	}
}
