// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/x"
	"github.com/piazza-pa/piazza/internal/channel/x/xtest"
)

// The connector is every optional interface it claims, and no other.
var (
	_ channel.Connector         = (*x.Connector)(nil)
	_ channel.CredentialChecker = (*x.Connector)(nil)
	_ channel.Deleter           = (*x.Connector)(nil)
	_ channel.Finder            = (*x.Connector)(nil)
	_ channel.Refresher         = (*x.Connector)(nil)
	_ channel.OAuth             = (*x.Connector)(nil)
	_ channeltest.Recorder      = (*xtest.Server)(nil)
)

func TestCapabilities(t *testing.T) {
	c := x.New(nil)
	if _, ok := any(c).(channel.Editor); ok {
		t.Error("the connector edits, but Capabilities say it does not")
	}
	caps := c.Capabilities()
	want := channel.Capabilities{Publish: true, Delete: true, Images: true, Video: true, LinkCard: true, Find: true,
		CheckAccount: true, Refresh: true}
	if caps != want || c.Platform() != channel.X {
		t.Errorf("capabilities %+v", caps)
	}
	lim := c.Limits(channel.Account{})
	if lim.MaxText != 280 || lim.TextUnit != "weighted" || lim.MaxImages != 4 || lim.MaxVideos != 1 || lim.MixMedia ||
		lim.MaxImageBytes != 5<<20 || lim.MaxVideoBytes != 512<<20 || lim.MaxAltText != 1000 || !lim.AltTextSupported {
		t.Errorf("limits %+v", lim)
	}
}

func TestPublish(t *testing.T) {
	const user = "@" + xtest.DefaultUsername
	tests := []struct {
		name  string
		post  channel.Post
		text  string // as the fake received it
		media []channeltest.ReceivedMedia
		link  string
	}{
		{"text", channel.Post{Key: "p1", Text: "  Allerta meteo <arancione> per Vallebella & dintorni 🌧️\r\nInfo: comune.vallebella.it/allerta?id=1&x=2\x00  "},
			"Allerta meteo <arancione> per Vallebella & dintorni 🌧️\nInfo: comune.vallebella.it/allerta?id=1&x=2", nil,
			"comune.vallebella.it/allerta?id=1&x=2"},
		{"text_link", channel.Post{Key: "p2", Text: "Il nuovo orario della biblioteca.",
			Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/biblioteca", Title: "Biblioteca"}},
			"Il nuovo orario della biblioteca.\n\nhttps://www.comune.vallebella.it/biblioteca", nil,
			"https://www.comune.vallebella.it/biblioteca"},
		{"link_in_text", channel.Post{Key: "p3", Text: "Orari: comune.vallebella.it/biblioteca/ (aggiornati)",
			Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/biblioteca"}},
			"Orari: comune.vallebella.it/biblioteca/ (aggiornati)", nil, "comune.vallebella.it/biblioteca/"},
		{"link_only", channel.Post{Key: "p4", Link: &channel.LinkCard{URL: "https://comune.vallebella.it/"}},
			"https://comune.vallebella.it/", nil, "https://comune.vallebella.it/"},
		{"images", channel.Post{Key: "p5", Text: "La festa del paese", Media: []channel.Media{photo("Il palco"), photo("La banda")}},
			"La festa del paese", []channeltest.ReceivedMedia{{ContentType: "image/png", Bytes: len(pngBytes), AltText: "Il palco"},
				{ContentType: "image/png", Bytes: len(pngBytes), AltText: "La banda"}}, ""},
		{"gif", channel.Post{Key: "p6", Text: "Auguri!", Media: []channel.Media{animation("La bandiera che sventola")}},
			"Auguri!", []channeltest.ReceivedMedia{{ContentType: "image/gif", Bytes: len(gifBytes), AltText: "La bandiera che sventola"}}, ""},
		{"video", channel.Post{Key: "p7", Text: "Il consiglio comunale", Media: []channel.Media{video(x.ChunkSize + 1000)}},
			"Il consiglio comunale", []channeltest.ReceivedMedia{{ContentType: "video/mp4", Bytes: x.ChunkSize + 1000}}, ""},
		{"image_only", channel.Post{Key: "p8", Media: []channel.Media{photo("Il municipio")}},
			"", []channeltest.ReceivedMedia{{ContentType: "image/png", Bytes: len(pngBytes), AltText: "Il municipio"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xtest.Options{}, 5*time.Second)
			pub, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "publish_"+tt.name, render(t, e.rec.take()))
			got := e.fake.Received()
			if len(got) != 1 {
				t.Fatalf("fake received %d posts", len(got))
			}
			r := got[0]
			if pub.RemoteID != r.RemoteID || pub.URL != "https://x.com/"+xtest.DefaultUsername+"/status/"+r.RemoteID ||
				!pub.At.Equal(testNow) {
				t.Errorf("published %+v, fake holds %s", pub, r.RemoteID)
			}
			if r.Text != tt.text || !slices.Equal(r.Media, tt.media) || r.Link != tt.link || r.Target != user ||
				r.Platform != channel.X || r.URL != pub.URL {
				t.Errorf("fake holds %+v", r)
			}
			if tt.name == "video" && !slices.Equal(e.sleeps, []time.Duration{time.Second, time.Second}) {
				t.Errorf("waited %v for the video", e.sleeps)
			}
		})
	}
}

func TestPublishRefused(t *testing.T) {
	notVideo := video(1000)
	copy(notVideo.Data, "not an mp4 at all")
	tests := []struct {
		name string
		post channel.Post
		kind channel.Kind
		code string
		msg  string
		sent bool
	}{
		{"empty", channel.Post{Text: " \n\x00"}, channel.Permanent, "", "the post has no text, link or media", false},
		{"too long", channel.Post{Text: strings.Repeat("è", 281)}, channel.Permanent, "",
			"the text is 281 characters as X counts them, over the limit of 280", false},
		{"too long with the link", channel.Post{Text: strings.Repeat("a", 260), Link: &channel.LinkCard{URL: "https://comune.vallebella.it"}},
			channel.Permanent, "", "the text is 285 characters", false},
		{"video and image", channel.Post{Media: []channel.Media{video(100), photo("x")}}, channel.Permanent, "",
			"a post on X holds one video alone", false},
		{"two videos", channel.Post{Media: []channel.Media{video(100), video(100)}}, channel.Permanent, "",
			"a post on X holds one video alone", false},
		{"gif and image", channel.Post{Media: []channel.Media{animation("x"), photo("y")}}, channel.Permanent, "",
			"a post on X holds one animated GIF alone", false},
		{"five images", channel.Post{Media: slices.Repeat([]channel.Media{photo("x")}, 5)}, channel.Permanent, "",
			"a post on X holds at most 4 images, this one has 5", false},
		{"empty image", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", AltText: "x"}}},
			channel.Permanent, "", "attachment 1 is empty", false},
		{"not an image", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/jpeg", Data: []byte("not a jpeg"), AltText: "x"}}},
			channel.Permanent, "invalid-request", "media type unrecognized.", true},
		{"not a video", channel.Post{Text: "x", Media: []channel.Media{notVideo}}, channel.Permanent, "InvalidMedia",
			"Invalid or Unsupported media, Reason: UnsupportedMedia.", true},
		{"alt text too long", channel.Post{Media: []channel.Media{photo(strings.Repeat("a", 1001))}}, channel.Permanent,
			"invalid-request", "$.metadata.alt_text.text: must be at most 1000 characters", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xtest.Options{}, 2*time.Second)
			_, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || !strings.HasPrefix(ce.Message, tt.msg) ||
				ce.Platform != channel.X || ce.Op != "publish" {
				t.Fatalf("error %#v, want %s %q %q", ce, tt.kind, tt.code, tt.msg)
			}
			if sent := len(e.rec.take()) > 0; sent != tt.sent {
				t.Errorf("sent = %v", sent)
			}
			if n := len(e.fake.Received()); n != 0 {
				t.Errorf("fake holds %d posts", n)
			}
		})
	}
}

// rawPost sends text to the fake as POST /2/tweets, bypassing the
// connector's own checks.
func rawPost(t *testing.T, e *env, text string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"text": text})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/2/tweets", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+xtest.DefaultToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestLimitsAgreeWithFake checks that what Validate lets through, X (the
// fake) takes, and what it refuses, X refuses.
func TestLimitsAgreeWithFake(t *testing.T) {
	e := newEnv(t, xtest.Options{}, 5*time.Second)
	link := "https://www.comune.vallebella.it/notizie/2026/11/lavori-in-corso-sulla-provinciale"
	tests := []struct {
		name  string
		text  string
		fails bool
	}{
		{"latin at limit", strings.Repeat("à", 280), false},
		{"latin over limit", strings.Repeat("à", 281), true},
		{"CJK at limit", strings.Repeat("市", 140), false},
		{"CJK over limit", strings.Repeat("市", 140) + "a", true},
		{"emoji at limit", strings.Repeat("🇮🇹", 140), false},
		{"ZWJ emoji over limit", strings.Repeat("👩‍👩‍👧", 140) + ".", true},
		{"links count 23", strings.Repeat(link+" ", 11) + strings.Repeat("b", 16), false},
		{"links over limit", strings.Repeat(link+" ", 11) + strings.Repeat("b", 17), true},
		{"decomposed accents", strings.Repeat("e\u0301", 280), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := channel.ValidateWith(e.conn, e.acct, channel.Post{Text: tt.text})
			status := rawPost(t, e, tt.text)
			if tt.fails {
				if status != http.StatusBadRequest || len(problems) != 1 || problems[0].Code != channel.ProblemTooLong {
					t.Fatalf("X answered %d, problems %v", status, problems)
				}
				return
			}
			if status != http.StatusCreated || len(problems) != 0 {
				t.Fatalf("X answered %d, problems %v", status, problems)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	c := x.New(nil)
	acct := channel.Account{Platform: channel.X}
	codes := func(ps []channel.Problem) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Code)
		}
		return out
	}
	tests := []struct {
		name string
		post channel.Post
		want []string
	}{
		{"fine", channel.Post{Text: "Ciao 👋 https://comune.vallebella.it"}, nil},
		{"empty", channel.Post{Text: "  "}, []string{channel.ProblemEmpty}},
		{"too long", channel.Post{Text: strings.Repeat("日", 141)}, []string{channel.ProblemTooLong}},
		{"link makes it too long", channel.Post{Text: strings.Repeat("a", 260), Link: &channel.LinkCard{URL: "https://comune.vallebella.it"}},
			[]string{channel.ProblemTooLong}},
		{"link already in the text", channel.Post{Text: strings.Repeat("a", 250) + " comune.vallebella.it", Link: &channel.LinkCard{URL: "https://comune.vallebella.it/"}}, nil},
		{"five images", channel.Post{Media: slices.Repeat([]channel.Media{photo("x")}, 5)}, []string{channel.ProblemTooManyImages}},
		{"image and video", channel.Post{Media: []channel.Media{photo("x"), video(10)}}, []string{channel.ProblemMixedMedia}},
		{"gif with an image", channel.Post{Media: []channel.Media{photo("x"), animation("y")}}, []string{channel.ProblemMixedMedia}},
		{"alt text missing", channel.Post{Media: []channel.Media{photo("")}}, []string{channel.ProblemAltMissing}},
		{"alt text too long", channel.Post{Media: []channel.Media{photo(strings.Repeat("à", 1001))}}, []string{channel.ProblemAltTooLong}},
		{"image too big", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/png", AltText: "x", Data: make([]byte, 5<<20+1)}}},
			[]string{channel.ProblemMediaTooBig}},
		{"bad type", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/tiff", AltText: "x", Data: []byte{1}}}},
			[]string{channel.ProblemMediaType}},
		{"video type", channel.Post{Media: []channel.Media{{Kind: channel.Video, ContentType: "video/quicktime", Data: []byte{1}}}},
			[]string{channel.ProblemMediaType}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codes(c.Validate(acct, tt.post)); !slices.Equal(got, tt.want) {
				t.Errorf("Validate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	c := x.New(nil)
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"  Ciao\r\n\x00mondo  ", 10},
		{"Vedi https://www.comune.vallebella.it/una/pagina/molto/lunga/davvero", 5 + 23},
		{"città", 5},
		{"東京", 4},
		{"👨‍👩‍👧‍👦", 2},
		{"\uFEFFa\uFFFE", 1},
	}
	for _, tt := range tests {
		if got := c.Count(channel.Account{}, tt.text); got != tt.want {
			t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  ciao  ", "ciao"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\x00b\x1bc\x7fd\tf", "abcd\tf"},
		{"e\u0301", "é"},
		{"\xff", "\uFFFD"},
		{"\uFEFFx\uFFFF", "x"},
	}
	for _, tt := range tests {
		if got := x.Format(tt.in); got != tt.want {
			t.Errorf("Format(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCompose(t *testing.T) {
	link := func(u string) *channel.LinkCard { return &channel.LinkCard{URL: u} }
	tests := []struct {
		name string
		post channel.Post
		want string
	}{
		{"no link", channel.Post{Text: "ciao"}, "ciao"},
		{"appended", channel.Post{Text: "ciao", Link: link("https://a.it/x")}, "ciao\n\nhttps://a.it/x"},
		{"alone", channel.Post{Link: link("https://a.it/x")}, "https://a.it/x"},
		{"present", channel.Post{Text: "vedi https://a.it/x", Link: link("https://a.it/x")}, "vedi https://a.it/x"},
		{"present without scheme", channel.Post{Text: "vedi www.a.it/x/", Link: link("https://a.it/x")}, "vedi www.a.it/x/"},
		{"another path", channel.Post{Text: "vedi a.it/y", Link: link("https://a.it/x")}, "vedi a.it/y\n\nhttps://a.it/x"},
		{"empty link", channel.Post{Text: "ciao", Link: link(" ")}, "ciao"},
	}
	for _, tt := range tests {
		if got := x.Compose(tt.post); got != tt.want {
			t.Errorf("%s: Compose = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAccountNames(t *testing.T) {
	tests := []struct {
		handle   string
		settings map[string]string
		username string
		userID   string
	}{
		{"@comune", nil, "comune", ""},
		{"comune_vb", nil, "comune_vb", ""},
		{"12345", nil, "", "12345"},
		{"@12345", nil, "12345", ""},
		{"12345", map[string]string{x.SettingUsername: "comune"}, "comune", "12345"},
		{"@comune", map[string]string{x.SettingUserID: "987"}, "comune", "987"},
		{"", nil, "", ""},
		{"../me", map[string]string{x.SettingUserID: "1/2"}, "", ""},
	}
	for _, tt := range tests {
		acct := channel.Account{Handle: tt.handle, Settings: tt.settings}
		if u, id := x.Username(acct), x.UserID(acct); u != tt.username || id != tt.userID {
			t.Errorf("%q %v: username %q, id %q", tt.handle, tt.settings, u, id)
		}
	}
	if u := x.PostURL("", "1"); u != "https://x.com/i/status/1" {
		t.Errorf("PostURL = %s", u)
	}
}

// ops are the calls that create or delete a post.
var ops = []struct {
	name string
	run  func(e *env) error
}{
	{"publish", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "secondo"})
		return err
	}},
	{"delete", func(e *env) error {
		return e.conn.Delete(context.Background(), e.acct, channel.Published{RemoteID: e.fake.Received()[0].RemoteID})
	}},
}

func TestFaults(t *testing.T) {
	faults := []struct {
		fault  channeltest.Fault
		kind   channel.Kind
		status int
		code   string
		retry  time.Duration
		msg    string
	}{
		{channeltest.FaultRateLimit, channel.RateLimited, 429, "", time.Second, "Too Many Requests"},
		{channeltest.FaultServer, channel.Retryable, 503, "", 0, "Service Unavailable"},
		{channeltest.FaultAuth, channel.Auth, 401, "", 0, "Unauthorized"},
		{channeltest.FaultBadRequest, channel.Permanent, 400, "invalid-request", 0, "The request was refused by the sandbox"},
	}
	for _, op := range ops {
		for _, f := range faults {
			t.Run(fmt.Sprintf("%s/%s", op.name, f.kind), func(t *testing.T) {
				e := newEnv(t, xtest.Options{}, 2*time.Second)
				if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "primo"}); err != nil {
					t.Fatal(err)
				}
				e.fake.Inject(f.fault, 1)
				ce := channel.AsError(op.run(e))
				if ce == nil || ce.Kind != f.kind || ce.Status != f.status || ce.RetryAfter != f.retry ||
					!strings.HasPrefix(ce.Message, f.msg) || ce.Code != f.code || ce.Platform != channel.X || ce.Op != op.name {
					t.Fatalf("error %#v, want %s %d %q", ce, f.kind, f.status, f.msg)
				}
				got := e.fake.Received()
				if len(got) != 1 || got[0].Deleted {
					t.Errorf("fake holds %+v after a refusal", got)
				}
				// The fault is spent: the call goes through now.
				if err := op.run(e); err != nil {
					t.Errorf("after the fault: %v", err)
				}
			})
		}
	}
}

func TestLostAnswer(t *testing.T) {
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			e := newEnv(t, xtest.Options{}, 200*time.Millisecond)
			if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "primo"}); err != nil {
				t.Fatal(err)
			}
			e.fake.Inject(channeltest.FaultLost, 1)
			start := time.Now()
			err := op.run(e)
			if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Unknown {
				t.Fatalf("error %v, want unknown", err)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if strings.Contains(err.Error(), xtest.DefaultToken) {
				t.Errorf("token in error: %v", err)
			}
			got := e.fake.Received()
			if op.name == "delete" && !got[0].Deleted {
				t.Errorf("the delete should have happened: %+v", got)
			}
			if op.name == "publish" && len(got) != 2 {
				t.Errorf("the post should exist: %+v", got)
			}
		})
	}
}

// TestLostUpload checks that a lost answer to an upload, which publishes
// nothing, is only Retryable.
func TestLostUpload(t *testing.T) {
	// The server sees the client go away only once it has read the body, so
	// it drains the upload first; the timer bounds it when it never notices.
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	c := x.New(&http.Client{Timeout: 200 * time.Millisecond})
	acct := channel.Account{Platform: channel.X, BaseURL: srv.URL, Credentials: channel.Credentials{channel.CredToken: "t"}}
	_, err := c.Publish(context.Background(), acct, channel.Post{Media: []channel.Media{photo("x")}})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Retryable {
		t.Fatalf("error %v, want retryable", err)
	}
	_, _, err = c.Find(context.Background(), acct, channel.Post{Text: "x"}, testNow)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Retryable || ce.Op != "find" {
		t.Fatalf("find: error %v, want retryable", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   xtest.Options
		change func(e *env)
		before int // posts published first
		kind   channel.Kind
		status int
		code   string
		msg    string
		retry  time.Duration
		sent   bool
	}{
		{"wrong token", xtest.Options{Token: "another"}, nil, 0, channel.Auth, 401, "", "Unauthorized", 0, true},
		{"no token", xtest.Options{}, func(e *env) { e.acct.Credentials = nil }, 0, channel.Auth, 0, "",
			"no access token: connect the X account", 0, false},
		{"duplicate", xtest.Options{}, func(e *env) {
			_, _ = e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
			e.rec.take()
		}, 0, channel.Permanent, 403, "", "You are not allowed to create a Tweet with duplicate content.", 0, true},
		{"rate limit", xtest.Options{PostsPer15Min: 2}, nil, 2, channel.RateLimited, 429, "", "Too Many Requests", 15 * time.Minute, true},
		{"connection refused", xtest.Options{}, func(e *env) { e.acct.BaseURL = "http://127.0.0.1:1" }, 0, channel.Retryable, 0, "", "", 0, false},
		{"expired token", xtest.Options{}, func(e *env) {
			creds, _, err := e.conn.Refresh(context.Background(), e.acct)
			if err != nil {
				panic(err)
			}
			e.acct.Credentials = creds
			e.clock.Advance(xtest.AccessTokenTTL)
			e.rec.take()
		}, 0, channel.Auth, 401, "", "Unauthorized", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			if tt.change != nil {
				tt.change(e)
			}
			for i := range tt.before {
				if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: fmt.Sprint("avviso ", i)}); err != nil {
					t.Fatal(err)
				}
			}
			e.rec.take()
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Status != tt.status || ce.Code != tt.code ||
				!strings.HasPrefix(ce.Message, tt.msg) || ce.RetryAfter != tt.retry {
				t.Fatalf("error %#v, want %s %d %q %q", ce, tt.kind, tt.status, tt.code, tt.msg)
			}
			if sent := len(e.rec.take()) > 0; sent != tt.sent {
				t.Errorf("sent = %v", sent)
			}
		})
	}
}

// TestErrorShapes checks the mapping of X's answers the fake has no
// reason to give.
func TestErrorShapes(t *testing.T) {
	now := testNow
	reset := func(d time.Duration) string { return fmt.Sprint(now.Add(d).Unix()) }
	tests := []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		kind    channel.Kind
		code    string
		msg     string
		retry   time.Duration
	}{
		{"too long", 400, nil, `{"errors":[{"parameters":{"text":["..."]},"message":"Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`,
			channel.Permanent, "invalid-request", "Your Tweet text is too long.", 0},
		{"not permitted", 403, nil, `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`,
			channel.Permanent, "", "You are not permitted to perform this action.", 0},
		{"client not enrolled", 403, nil, `{"client_id":"1","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","registration_url":"https://developer.twitter.com/","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}`,
			channel.Auth, "client-forbidden", "When authenticating requests", 0},
		{"suspended", 403, nil, `{"detail":"Your account is suspended and is not permitted to access this feature.","type":"about:blank","title":"Forbidden","status":403}`,
			channel.Auth, "", "Your account is suspended", 0},
		{"credits", 402, nil, `{"title":"CreditsDepleted","detail":"Your enrolled account does not have any credits to fulfill this request.","type":"https://api.x.com/2/problems/credits"}`,
			channel.Auth, "credits", "Your enrolled account does not have any credits", 0},
		{"old shape", 429, map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset(90 * time.Second)},
			`{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, channel.RateLimited, "88", "Rate limit exceeded", 90 * time.Second},
		{"daily cap", 429, map[string]string{"x-rate-limit-remaining": "150", "x-rate-limit-reset": reset(10 * time.Minute),
			"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": reset(5 * time.Hour)},
			`{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`, channel.RateLimited, "", "Too Many Requests", 5 * time.Hour},
		{"usage cap", 429, map[string]string{"x-rate-limit-reset": reset(40 * 24 * time.Hour)},
			`{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}`,
			channel.RateLimited, "usage-capped", "Usage cap exceeded", 24 * time.Hour},
		{"no hint", 429, nil, `{}`, channel.RateLimited, "", "Too Many Requests", x.DefaultRateLimitWait},
		{"reset passed", 429, map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset(-time.Minute)}, ``,
			channel.RateLimited, "", "Too Many Requests", time.Second},
		{"server", 500, nil, `<html>oops</html>`, channel.Retryable, "", "Internal Server Error", 0},
		{"only errors", 200, nil, `{"errors":[{"title":"Not Found Error","detail":"Could not find tweet with id: [1].","type":"https://api.twitter.com/2/problems/resource-not-found"}]}`,
			channel.Permanent, "resource-not-found", "Could not find tweet with id: [1].", 0},
		{"no id", 201, nil, `{"data":{}}`, channel.Unknown, "", "X answered without the post's id", 0},
		{"no answer", 201, nil, ``, channel.Unknown, "", "X answered without the post's id", 0},
		{"unreadable", 201, nil, `{"data":`, channel.Unknown, "", "unreadable answer", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := stub(t, tt.status, tt.headers, tt.body)
			c := x.New(&http.Client{Timeout: 2 * time.Second})
			x.SetNow(c, func() time.Time { return now })
			_, err := c.Publish(context.Background(), acct, channel.Post{Text: "ciao"})
			ce := channel.AsError(err)
			status := tt.status
			if tt.msg == "X answered without the post's id" {
				status = 0 // the answer said yes
			}
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || !strings.HasPrefix(ce.Message, tt.msg) ||
				ce.RetryAfter != tt.retry || ce.Status != status {
				t.Fatalf("error %#v, want %s %q %q %v", ce, tt.kind, tt.code, tt.msg, tt.retry)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t, xtest.Options{Users: []xtest.User{{ID: "1580000000000000002", Username: "altro", Token: "other-token"}}}, 2*time.Second)
	pub, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "da cancellare"})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.take()
	if err := e.conn.Delete(context.Background(), e.acct, pub); err != nil {
		t.Fatal(err)
	}
	golden(t, "delete", render(t, e.rec.take()))
	if got := e.fake.Received(); !got[0].Deleted {
		t.Errorf("fake holds %+v", got)
	}
	// Deleted already: fine.
	if err := e.conn.Delete(context.Background(), e.acct, pub); err != nil {
		t.Errorf("second delete: %v", err)
	}
	// The text may be published again once the post is gone.
	if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "da cancellare"}); err != nil {
		t.Errorf("publish again: %v", err)
	}
	e.rec.take()
	if err := e.conn.Delete(context.Background(), e.acct, channel.Published{RemoteID: "1/../2"}); channel.KindOf(err) != channel.Permanent {
		t.Errorf("bad id: %v", err)
	}
	if n := len(e.rec.take()); n != 0 {
		t.Errorf("sent %d requests for a bad id", n)
	}
	other := e.acct
	other.Credentials = channel.Credentials{channel.CredToken: "other-token"}
	mine := e.fake.Received()[1]
	err = e.conn.Delete(context.Background(), other, channel.Published{RemoteID: mine.RemoteID})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Status != 403 ||
		ce.Message != "You are not permitted to perform this action." {
		t.Errorf("deleting another's post: %v", err)
	}
}

func TestFind(t *testing.T) {
	e := newEnv(t, xtest.Options{}, 2*time.Second)
	since := testNow.Add(-time.Hour)
	post := channel.Post{Text: "Lavori & chiusure <via Roma>: dettagli su comune.vallebella.it/lavori",
		Link: &channel.LinkCard{URL: "https://www.comune.vallebella.it/avvisi"}, Media: []channel.Media{photo("Il cantiere")}}
	for i := range 12 {
		e.fake.Seed(xtest.DefaultUserID, fmt.Sprint("altro avviso ", i), testNow.Add(-50*time.Minute+time.Duration(i)*time.Minute))
	}
	pub, err := e.conn.Publish(context.Background(), e.acct, post)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Seed(xtest.DefaultUserID, x.Compose(post), since.Add(-2*time.Minute)) // too old
	for i := range 10 {
		e.fake.Seed(xtest.DefaultUserID, fmt.Sprint("ancora un avviso ", i), testNow.Add(time.Duration(i+1)*time.Second))
	}
	e.clock.Advance(time.Minute)
	e.rec.take()
	got, found, err := e.conn.Find(context.Background(), e.acct, post, since)
	if err != nil || !found {
		t.Fatalf("Find = %+v, %v, %v", got, found, err)
	}
	if got.RemoteID != pub.RemoteID || got.URL != pub.URL || !got.At.Equal(testNow) {
		t.Errorf("found %+v, published %+v", got, pub)
	}
	golden(t, "find", render(t, e.rec.take()))

	for _, other := range []channel.Post{{Text: "Lavori & chiusure <via Roma>"}, {Text: post.Text}, {Text: "altro avviso 3", Media: post.Media}} {
		if got, found, err := e.conn.Find(context.Background(), e.acct, other, since); err != nil || found {
			t.Errorf("Find(%q) = %+v, %v, %v", other.Text, got, found, err)
		}
	}
	// Without the user id in the settings, Find asks X who the user is.
	acct := e.acct
	acct.Settings = nil
	acct.Handle = ""
	e.rec.take()
	got, found, err = e.conn.Find(context.Background(), acct, channel.Post{Text: "altro avviso 11"}, since)
	if err != nil || !found || got.URL != "https://x.com/"+xtest.DefaultUsername+"/status/"+got.RemoteID {
		t.Fatalf("Find = %+v, %v, %v", got, found, err)
	}
	if reqs := e.rec.take(); len(reqs) < 2 || reqs[0].uri != "/2/users/me" {
		t.Errorf("requests %v", reqs)
	}
}

func TestCheckCredentials(t *testing.T) {
	e := newEnv(t, xtest.Options{}, 2*time.Second)
	id, err := e.conn.CheckCredentials(context.Background(), e.acct)
	if err != nil {
		t.Fatal(err)
	}
	want := channel.Identity{Name: xtest.DefaultName, Handle: "@" + xtest.DefaultUsername, URL: "https://x.com/" + xtest.DefaultUsername,
		Settings: map[string]string{x.SettingUserID: xtest.DefaultUserID, x.SettingUsername: xtest.DefaultUsername}}
	if id.Name != want.Name || id.Handle != want.Handle || id.URL != want.URL || len(id.Settings) != 2 ||
		id.Settings[x.SettingUserID] != xtest.DefaultUserID || id.Settings[x.SettingUsername] != xtest.DefaultUsername {
		t.Errorf("identity %+v", id)
	}
	golden(t, "check", render(t, e.rec.take()))
	for _, h := range []string{"", "@vallebellapa", xtest.DefaultUserID} {
		acct := e.acct
		acct.Handle = h
		if _, err := e.conn.CheckCredentials(context.Background(), acct); err != nil {
			t.Errorf("handle %q: %v", h, err)
		}
	}
	for _, h := range []string{"@altro", "1234"} {
		acct := e.acct
		acct.Handle = h
		if _, err := e.conn.CheckCredentials(context.Background(), acct); channel.KindOf(err) != channel.Auth ||
			!strings.Contains(err.Error(), "belongs to @"+xtest.DefaultUsername) {
			t.Errorf("handle %q: %v", h, err)
		}
	}
	acct := e.acct
	acct.Credentials = channel.Credentials{channel.CredToken: "revoked"}
	if _, err := e.conn.CheckCredentials(context.Background(), acct); channel.KindOf(err) != channel.Auth {
		t.Errorf("revoked token: %v", err)
	}
}

// TestOpenFake publishes from many accounts at once, as the load
// benchmark does.
func TestOpenFake(t *testing.T) {
	e := newEnv(t, xtest.Options{Open: true}, 5*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 50*20)
	for a := range 50 {
		acct := e.acct
		acct.Handle = ""
		acct.Settings = nil
		acct.Credentials = channel.Credentials{channel.CredToken: fmt.Sprintf("token-%d", a)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				p := channel.Post{Text: fmt.Sprintf("avviso %d", i)}
				if i%5 == 0 {
					p.Media = []channel.Media{photo("x"), photo("y")}
				}
				if _, err := e.conn.Publish(context.Background(), acct, p); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(e.fake.Received()); n != 1000 {
		t.Errorf("fake holds %d posts", n)
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"", "ciao", "a\r\nb\rc", "\x00\x1b[31m", "\xff\xfe", "🇮🇹 & <3", "\u2028x\t", "e\u0301\uFEFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := x.Format(s)
		if !utf8.ValidString(out) || !norm.NFC.IsNormalString(out) {
			t.Fatalf("Format(%q) = %q is not NFC UTF-8", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool {
			return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f || r == 0xFEFF || r == 0xFFFE || r == 0xFFFF
		}) {
			t.Fatalf("Format(%q) = %q holds a control or invalid character", s, out)
		}
		if again := x.Format(out); again != out {
			t.Fatalf("Format is not idempotent on %q: %q then %q", s, out, again)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("Format(%q) = %q is not trimmed", s, out)
		}
	})
}
