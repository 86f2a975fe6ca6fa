// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sandbox_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/httpx"
	"github.com/piazza-pa/piazza/internal/sandbox"
	"github.com/piazza-pa/piazza/internal/web"
)

// The Sandbox is what the web page lists.
var _ web.Sandbox = (*sandbox.Sandbox)(nil)

func photo(t *testing.T) channel.Media {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for i := range 40 {
		img.Set(i, i, color.RGBA{G: 150, A: 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return channel.Media{Kind: channel.Image, ContentType: "image/jpeg", Data: b.Bytes(), Width: 40, Height: 40,
		AltText: "Un bidone verde", Filename: "bidone.jpg", URL: "http://127.0.0.1:9/media/bidone.jpg"}
}

// TestPublishThroughTheRealConnectors starts the sandbox and publishes to
// every fake with the connector Piazza uses for sandbox accounts, with the
// credentials the demo stores: each fake accepts them and shows the post.
func TestPublishThroughTheRealConnectors(t *testing.T) {
	sb, err := sandbox.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sb.Close(); err != nil {
			t.Error(err)
		}
	}()
	client := httpx.NewClient(httpx.Options{AllowPrivate: true})
	ig := instagram.New(client)
	ig.PollInterval = 10 * time.Millisecond
	conns := map[channel.Platform]channel.Connector{
		channel.Telegram: telegram.New(client), channel.Facebook: facebook.New(client), channel.Instagram: ig,
		channel.X: x.New(client), channel.Mastodon: mastodon.New(client), channel.Bluesky: bluesky.New(client),
	}

	accounts := sb.Accounts()
	var platforms []channel.Platform
	for _, a := range accounts {
		platforms = append(platforms, a.Platform)
	}
	want := slices.DeleteFunc(channel.Platforms(), func(p channel.Platform) bool { return p == channel.Feed })
	if !slices.Equal(platforms, want) {
		t.Fatalf("sandbox platforms %v, want %v", platforms, want)
	}

	ctx := context.Background()
	for i, a := range accounts {
		t.Run(string(a.Platform), func(t *testing.T) {
			if !strings.HasPrefix(a.BaseURL, "http://127.0.0.1:") || sb.URL(a.Platform) != a.BaseURL || a.Handle == "" || len(a.Credentials) == 0 {
				t.Fatalf("account %+v", a)
			}
			conn := conns[a.Platform]
			ca := channel.Account{ID: "acct-" + string(a.Platform), Platform: a.Platform, BaseURL: a.BaseURL, Handle: a.Handle,
				Credentials: a.Credentials, Sandbox: true}
			if _, err := conn.(channel.CredentialChecker).CheckCredentials(ctx, ca); err != nil {
				t.Fatalf("check: %v", err)
			}
			text := "Da lunedì la raccolta porta a porta arriva in tutta Vallebella. #RaccoltaDifferenziata"
			post := channel.Post{Key: "01JDEMOKEY000000000000000" + string(rune('A'+i)), Text: text, Language: "it",
				Media: []channel.Media{photo(t)}}
			pub, err := conn.Publish(ctx, ca, post)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			if pub.RemoteID == "" {
				t.Errorf("published %+v", pub)
			}
			var got []web.SandboxPlatform
			for _, p := range sb.Platforms() {
				if p.Platform == a.Platform {
					got = append(got, p)
				}
			}
			if len(got) != 1 || got[0].URL != a.BaseURL || len(got[0].Received) != 1 {
				t.Fatalf("sandbox shows %+v", got)
			}
			r := got[0].Received[0]
			wantAlt := "Un bidone verde"
			if a.Platform == channel.Telegram {
				wantAlt = "" // the Bot API has no alternative text
			}
			if !strings.Contains(r.Text, "raccolta porta a porta") || r.RemoteID == "" || len(r.Media) != 1 || r.Media[0].AltText != wantAlt {
				t.Errorf("received %+v", r)
			}
		})
	}
}

func TestCloseStopsTheFakes(t *testing.T) {
	sb, err := sandbox.Start()
	if err != nil {
		t.Fatal(err)
	}
	url := sb.URL(channel.Mastodon)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := httpx.NewClient(httpx.Options{AllowPrivate: true, Timeout: 2 * time.Second}).Get(url + "/api/v2/instance"); err == nil {
		t.Error("the Mastodon fake still answers after Close")
	}
	if len(sb.Platforms()) != 0 {
		t.Error("a closed sandbox still lists platforms")
	}
}
