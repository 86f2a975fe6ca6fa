// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const (
	token   = "123456:TEST-secret_token"
	handle  = "@comune_vallebella"
	private = "-1001234567890"
)

// recorder keeps the exact requests the connector sends to the fake.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, contentType string
	body                      []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.Path, r.Header.Get("Content-Type"), body})
	rec.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.h.ServeHTTP(w, r)
}

func (rec *recorder) take() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

type env struct {
	fake *telegramtest.Server
	rec  *recorder
	conn *telegram.Connector
	acct channel.Account
	url  string
}

func newEnv(t *testing.T, opts telegramtest.Options, timeout time.Duration) *env {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	if opts.Channels == nil {
		opts.Channels = []string{handle, private}
	}
	opts.Now = func() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) }
	fake := telegramtest.New(opts)
	rec := &recorder{h: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return &env{fake: fake, rec: rec, url: srv.URL,
		conn: telegram.New(&http.Client{Timeout: timeout}),
		acct: channel.Account{ID: "a1", Platform: channel.Telegram, BaseURL: srv.URL, Handle: handle,
			Credentials: channel.Credentials{channel.CredToken: token}, Sandbox: true}}
}

// pngBytes is a small valid PNG.
var pngBytes = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

var mp4Data = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free")

func photo() channel.Media {
	return channel.Media{Kind: channel.Image, ContentType: "image/png", Data: pngBytes, AltText: "Il municipio",
		Width: 4, Height: 3, Filename: "municipio.png"}
}

func video() channel.Media {
	return channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Data, Width: 1280, Height: 720}
}

// render writes requests in a stable, readable form: JSON indented,
// multipart parts listed with files as their size and digest.
func render(t *testing.T, reqs []recorded) string {
	t.Helper()
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "%s %s\n", r.method, strings.Replace(r.path, token, "<token>", 1))
		mt, params, _ := mime.ParseMediaType(r.contentType)
		switch mt {
		case "application/json":
			fmt.Fprintf(&b, "Content-Type: %s\n\n", r.contentType)
			var out bytes.Buffer
			if err := json.Indent(&out, r.body, "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, r.body)
			}
			b.Write(out.Bytes())
			b.WriteString("\n")
		case "multipart/form-data":
			b.WriteString("Content-Type: multipart/form-data; boundary=<boundary>\n\n")
			mr := multipart.NewReader(bytes.NewReader(r.body), params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("bad multipart body: %v", err)
				}
				data, _ := io.ReadAll(p)
				if p.FileName() == "" {
					fmt.Fprintf(&b, "--- %s\n%s\n", p.FormName(), data)
				} else {
					fmt.Fprintf(&b, "--- %s (file %q, %s)\n<%d bytes, sha256 %x>\n", p.FormName(), p.FileName(),
						p.Header.Get("Content-Type"), len(data), sha256.Sum256(data))
				}
			}
		default:
			fmt.Fprintf(&b, "Content-Type: %s\n\n%s\n", r.contentType, r.body)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestPublish(t *testing.T) {
	tests := []struct {
		name     string
		handle   string
		post     func(t *testing.T) channel.Post
		remoteID string
		url      string
		text     string // what the channel shows
		media    int
		link     string
	}{
		{"text", handle, func(*testing.T) channel.Post {
			return channel.Post{Key: "p1", Text: "Allerta meteo <arancione> per Vallebella & dintorni 🌧️\nInfo: https://comune.example.it/allerta?id=1&x=2\n"}
		}, "1", "https://t.me/comune_vallebella/1",
			"Allerta meteo <arancione> per Vallebella & dintorni 🌧️\nInfo: https://comune.example.it/allerta?id=1&x=2", 0,
			"https://comune.example.it/allerta?id=1&x=2"},
		{"text_link", handle, func(*testing.T) channel.Post {
			return channel.Post{Key: "p2", Text: "Il nuovo orario della biblioteca.",
				Link: &channel.LinkCard{URL: "https://comune.example.it/biblioteca", Title: "Biblioteca"}}
		}, "1", "https://t.me/comune_vallebella/1", "Il nuovo orario della biblioteca.", 0, "https://comune.example.it/biblioteca"},
		{"text_private", private, func(*testing.T) channel.Post {
			return channel.Post{Key: "p3", Text: "Riunione <b>interna</b>"}
		}, "1", "https://t.me/c/1234567890/1", "Riunione <b>interna</b>", 0, ""},
		{"photo", handle, func(t *testing.T) channel.Post {
			return channel.Post{Key: "p4", Text: "Il municipio restaurato <3", Media: []channel.Media{photo()}}
		}, "1", "https://t.me/comune_vallebella/1", "Il municipio restaurato <3", 1, ""},
		{"photo_no_caption", handle, func(t *testing.T) channel.Post {
			return channel.Post{Key: "p5", Text: "  \n", Media: []channel.Media{photo()}}
		}, "1", "https://t.me/comune_vallebella/1", "", 1, ""},
		{"video", handle, func(*testing.T) channel.Post {
			return channel.Post{Key: "p6", Text: "Il sindaco & la giunta", Media: []channel.Media{video()}}
		}, "1", "https://t.me/comune_vallebella/1", "Il sindaco & la giunta", 1, ""},
		{"album", handle, func(t *testing.T) channel.Post {
			return channel.Post{Key: "p7", Text: "La festa del paese: foto e video",
				Media: []channel.Media{photo(), video(), {Kind: channel.Image, ContentType: "image/png", Data: pngBytes, AltText: "x"}}}
		}, "1,2,3", "https://t.me/comune_vallebella/1", "La festa del paese: foto e video", 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, telegramtest.Options{}, 2*time.Second)
			e.acct.Handle = tt.handle
			pub, err := e.conn.Publish(context.Background(), e.acct, tt.post(t))
			if err != nil {
				t.Fatal(err)
			}
			if pub.RemoteID != tt.remoteID || pub.URL != tt.url || !pub.At.Equal(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)) {
				t.Errorf("published %+v, want id %s url %s", pub, tt.remoteID, tt.url)
			}
			golden(t, "publish_"+tt.name, render(t, e.rec.take()))
			got := e.fake.Received()
			if len(got) != 1 {
				t.Fatalf("fake received %d posts", len(got))
			}
			r := got[0]
			if r.Text != tt.text || len(r.Media) != tt.media || r.Link != tt.link || r.RemoteID != tt.remoteID || r.URL != tt.url {
				t.Errorf("fake holds %+v", r)
			}
		})
	}
}

func TestHandleForms(t *testing.T) {
	for _, h := range []string{"comune_vallebella", "@comune_vallebella", "https://t.me/comune_vallebella", " t.me/comune_vallebella/ "} {
		t.Run(h, func(t *testing.T) {
			e := newEnv(t, telegramtest.Options{}, 2*time.Second)
			e.acct.Handle = h
			if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"}); err != nil {
				t.Fatal(err)
			}
		})
	}
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	e.acct.Handle = "comune vallebella"
	_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
	if channel.KindOf(err) != channel.Auth || len(e.rec.take()) != 0 {
		t.Errorf("bad handle: %v", err)
	}
}

func TestLimitsAgreeWithFake(t *testing.T) {
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	// Each emoji is one code point and two UTF-16 units: Telegram
	// accepts 4096 of them in a message, 1024 in a caption.
	tests := []struct {
		name  string
		post  channel.Post
		fails string
	}{
		{"text at limit", channel.Post{Text: strings.Repeat("👍", telegram.MaxText)}, ""},
		{"text over limit", channel.Post{Text: strings.Repeat("👍", telegram.MaxText+1)}, "Bad Request: message is too long"},
		{"escapes count once", channel.Post{Text: strings.Repeat("<&>", telegram.MaxText/3) + "x"}, ""},
		{"trimmed", channel.Post{Text: "\n\n " + strings.Repeat("a", telegram.MaxText) + " \n"}, ""},
		{"caption at limit", channel.Post{Text: strings.Repeat("è", telegram.MaxCaption), Media: []channel.Media{photo()}}, ""},
		{"caption over limit", channel.Post{Text: strings.Repeat("è", telegram.MaxCaption+1), Media: []channel.Media{photo()}},
			"Bad Request: message caption is too long"},
		{"album caption over limit", channel.Post{Text: strings.Repeat("x", telegram.MaxCaption+1), Media: []channel.Media{photo(), photo()}},
			"Bad Request: message caption is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := channel.ValidateWith(e.conn, e.acct, tt.post)
			_, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			if tt.fails == "" {
				if err != nil || len(problems) != 0 {
					t.Fatalf("refused: %v, problems %v", err, problems)
				}
				return
			}
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != channel.Permanent || ce.Message != tt.fails || ce.Code != "400" || ce.Status != 400 {
				t.Fatalf("error %v, want permanent %q", err, tt.fails)
			}
			if len(problems) == 0 {
				t.Errorf("Validate let through what Telegram refuses")
			}
		})
	}
}

func TestCount(t *testing.T) {
	url := "https://comune.example.it/avvisi/2026/allerta-meteo?id=42&lang=it"
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"ciao", 4},
		{"città", 5},                // precomposed à
		{"citta\u0300", 6},          // a + combining grave: two code points
		{"👍", 1},                    // one code point, two UTF-16 units
		{"🇮🇹", 2},                   // a flag is two regional indicators
		{"👨‍👩‍👧", 5},                // ZWJ sequence: three people, two joiners
		{"👍🏽", 2},                   // emoji + skin tone modifier
		{"日本語のテキスト", 8},             // CJK
		{url, len(url)},             // links count in full: Telegram does not shorten them
		{"#Allerta @comune", 16},    // hashtags and mentions are text
		{"Tom & Jerry <3", 14},      // the entities FormatHTML writes decode to one character
		{"  ciao\n\n", 4},           // spaces and newlines trimmed at both ends
		{"\u00a0ciao", 5},           // a no-break space is not trimmed
		{"a\r\nb", 3},               // '\r' dropped
		{"a\tb", 3},                 // a tab becomes a space
		{"\tciao", 4},               // ... and is trimmed at the ends
		{"a\u2028b\u202Ec", 3},      // separators and bidi marks dropped
		{"a\u0333\u033F\u030Ab", 2}, // combining marks Telegram removes
		{"\xffx", 2},                // invalid UTF-8 is sent as U+FFFD
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := telegram.Count(tt.text); got != tt.want {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
			}
			if got := telegram.New(nil).Count(channel.Account{}, tt.text); got != tt.want {
				t.Errorf("Connector.Count(%q) = %d", tt.text, got)
			}
		})
	}
}

func TestFormatHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ciao", "ciao"},
		{"a < b > c & d", "a &lt; b &gt; c &amp; d"},
		{"<b>non grassetto</b>", "&lt;b&gt;non grassetto&lt;/b&gt;"},
		{"&lt; resta scritto così", "&amp;lt; resta scritto così"},
		{`"virgolette" e 'apici'`, `"virgolette" e 'apici'`},
		{"https://x.it/?a=1&b=2", "https://x.it/?a=1&amp;b=2"},
		{"\xff", "\uFFFD"},
	}
	for _, tt := range tests {
		if got := telegram.FormatHTML(tt.in); got != tt.want {
			t.Errorf("FormatHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	c := telegram.New(nil)
	img := func(ct string, n int, alt string) channel.Media {
		return channel.Media{Kind: channel.Image, ContentType: ct, Data: make([]byte, n), AltText: alt}
	}
	vid := func(ct string, n int) channel.Media {
		return channel.Media{Kind: channel.Video, ContentType: ct, Data: make([]byte, n)}
	}
	many := func(n int) []channel.Media {
		out := make([]channel.Media, n)
		for i := range out {
			out[i] = img("image/jpeg", 10, "foto")
		}
		return out
	}
	tests := []struct {
		name string
		post channel.Post
		want []channel.Problem
	}{
		{"fits", channel.Post{Text: strings.Repeat("é", 4096)}, nil},
		{"empty", channel.Post{Text: " \n"}, []channel.Problem{{Code: channel.ProblemEmpty}}},
		{"too long", channel.Post{Text: strings.Repeat("a", 4097)},
			[]channel.Problem{{Code: channel.ProblemTooLong, Limit: 4096, Actual: 4097}}},
		{"caption too long", channel.Post{Text: strings.Repeat("a", 1025), Media: many(1)},
			[]channel.Problem{{Code: channel.ProblemCaptionTooLong, Limit: 1024, Actual: 1025}}},
		{"photo and video mix", channel.Post{Text: "x", Media: append(many(1), vid("video/mp4", 10))}, nil},
		{"ten media", channel.Post{Media: many(10)}, nil},
		{"too many", channel.Post{Media: many(11)},
			[]channel.Problem{{Code: channel.ProblemTooManyImages, Limit: 10, Actual: 11}}},
		{"gif", channel.Post{Text: "x", Media: []channel.Media{img("image/gif", 10, "gif")}},
			[]channel.Problem{{Code: channel.ProblemMediaType, Media: 1}}},
		{"webm", channel.Post{Text: "x", Media: []channel.Media{vid("video/webm", 10)}},
			[]channel.Problem{{Code: channel.ProblemMediaType, Media: 1}}},
		{"photo too big", channel.Post{Text: "x", Media: []channel.Media{img("image/jpeg", 10<<20+1, "foto")}},
			[]channel.Problem{{Code: channel.ProblemMediaTooBig, Media: 1, Limit: 10 << 20, Actual: 10<<20 + 1}}},
		{"no alt text", channel.Post{Text: "x", Media: []channel.Media{img("image/webp", 10, " ")}},
			[]channel.Problem{{Code: channel.ProblemAltMissing, Media: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := channel.ValidateWith(c, channel.Account{}, tt.post)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems %+v, want %+v", got, tt.want)
			}
		})
	}
	lim := c.Limits(channel.Account{})
	if lim.AltTextSupported || !lim.MixMedia || lim.MaxTextWithMedia != 1024 || c.Capabilities().Find || c.Capabilities().Idempotent {
		t.Errorf("limits %+v, capabilities %+v", lim, c.Capabilities())
	}
}

func TestFaults(t *testing.T) {
	ops := []struct {
		name string
		run  func(e *env) error
	}{
		{"sendMessage", func(e *env) error {
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
			return err
		}},
		{"sendPhoto", func(e *env) error {
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao", Media: []channel.Media{photo()}})
			return err
		}},
		{"sendMediaGroup", func(e *env) error {
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Media: []channel.Media{photo(), video()}})
			return err
		}},
		{"editMessageText", func(e *env) error {
			_, err := e.conn.Edit(context.Background(), e.acct, channel.Published{RemoteID: "1"}, channel.Post{Text: "nuovo"})
			return err
		}},
		{"deleteMessage", func(e *env) error {
			return e.conn.Delete(context.Background(), e.acct, channel.Published{RemoteID: "1"})
		}},
	}
	faults := []struct {
		fault  channeltest.Fault
		kind   channel.Kind
		status int
		retry  time.Duration
		msg    string
	}{
		{channeltest.FaultRateLimit, channel.RateLimited, 429, time.Second, "Too Many Requests: retry after 1"},
		{channeltest.FaultServer, channel.Retryable, 500, 0, "Internal Server Error"},
		{channeltest.FaultAuth, channel.Auth, 401, 0, "Unauthorized"},
		{channeltest.FaultBadRequest, channel.Permanent, 400, 0, "Bad Request: "},
	}
	for _, op := range ops {
		for _, f := range faults {
			t.Run(fmt.Sprintf("%s/%s", op.name, f.kind), func(t *testing.T) {
				e := newEnv(t, telegramtest.Options{}, 2*time.Second)
				if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "primo"}); err != nil {
					t.Fatal(err)
				}
				e.fake.Inject(f.fault, 1)
				ce := channel.AsError(op.run(e))
				if ce == nil || ce.Kind != f.kind || ce.Status != f.status || ce.RetryAfter != f.retry ||
					!strings.HasPrefix(ce.Message, f.msg) || ce.Code != fmt.Sprint(f.status) || ce.Platform != channel.Telegram {
					t.Fatalf("error %#v, want %s %d %q", ce, f.kind, f.status, f.msg)
				}
				if strings.Contains(ce.Error(), "secret") {
					t.Errorf("token in error: %v", ce)
				}
				if n := len(e.fake.Received()); n != 1 {
					t.Errorf("fake holds %d posts after a refusal", n)
				}
			})
		}
	}
}

func TestLostAnswer(t *testing.T) {
	e := newEnv(t, telegramtest.Options{}, 200*time.Millisecond)
	e.fake.Inject(channeltest.FaultLost, 1)
	start := time.Now()
	_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "forse pubblicato"})
	ce := channel.AsError(err)
	if ce == nil || ce.Kind != channel.Unknown {
		t.Fatalf("error %v, want unknown", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "/bot<token>/sendMessage") {
		t.Errorf("token not redacted: %v", err)
	}
	if got := e.fake.Received(); len(got) != 1 || got[0].Text != "forse pubblicato" {
		t.Errorf("the post should exist: %+v", got)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   telegramtest.Options
		change func(e *env)
		post   func(t *testing.T) channel.Post
		kind   channel.Kind
		msg    string
		sent   bool
	}{
		{"revoked token", telegramtest.Options{Token: "123456:another"}, nil, nil, channel.Auth, "Unauthorized", true},
		{"malformed token", telegramtest.Options{}, func(e *env) { e.acct.Credentials = channel.Credentials{channel.CredToken: "abc/../x"} },
			nil, channel.Auth, "the bot token is malformed", false},
		{"no token", telegramtest.Options{}, func(e *env) { e.acct.Credentials = nil }, nil, channel.Auth, "no bot token", false},
		{"unknown channel", telegramtest.Options{}, func(e *env) { e.acct.Handle = "@altro_canale" }, nil,
			channel.Auth, "Bad Request: chat not found", true},
		{"not a member", telegramtest.Options{Visible: []string{"@pubblico"}}, func(e *env) { e.acct.Handle = "@pubblico" }, nil,
			channel.Auth, "Forbidden: bot is not a member of the channel chat", true},
		{"not an image", telegramtest.Options{}, nil, func(*testing.T) channel.Post {
			return channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/jpeg", Data: []byte("not a jpeg")}}}
		}, channel.Permanent, "Bad Request: IMAGE_PROCESS_FAILED", true},
		{"too many media", telegramtest.Options{}, nil, func(t *testing.T) channel.Post {
			return channel.Post{Media: slices.Repeat([]channel.Media{photo()}, 11)}
		}, channel.Permanent, "an album holds at most 10", false},
		{"connection refused", telegramtest.Options{}, func(e *env) { e.acct.BaseURL = "http://127.0.0.1:1" }, nil,
			channel.Retryable, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			if tt.change != nil {
				tt.change(e)
			}
			post := channel.Post{Text: "ciao"}
			if tt.post != nil {
				post = tt.post(t)
			}
			_, err := e.conn.Publish(context.Background(), e.acct, post)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v, want %s %q", err, tt.kind, tt.msg)
			}
			if sent := len(e.rec.take()) > 0; sent != tt.sent {
				t.Errorf("sent = %v", sent)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("token in error: %v", err)
			}
		})
	}
}

func TestEditAndDelete(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)

	text, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Orario: 9-12"})
	if err != nil {
		t.Fatal(err)
	}
	album, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Foto", Media: []channel.Media{photo(), photo()}})
	if err != nil || album.RemoteID != "2,3" {
		t.Fatalf("album %+v %v", album, err)
	}
	e.rec.take()

	t.Run("edit text", func(t *testing.T) {
		pub, err := e.conn.Edit(ctx, e.acct, text, channel.Post{Text: "Orario: 9-13 <rettifica>",
			Link: &channel.LinkCard{URL: "https://comune.example.it/orari"}})
		if err != nil || pub.RemoteID != "1" || pub.URL != text.URL {
			t.Fatalf("%+v %v", pub, err)
		}
		golden(t, "edit_text", render(t, e.rec.take()))
		r := e.fake.Received()[0]
		if !r.Edited || r.Text != "Orario: 9-13 <rettifica>" || r.Link != "https://comune.example.it/orari" {
			t.Errorf("fake holds %+v", r)
		}
	})
	t.Run("same edit again", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, text, channel.Post{Text: "Orario: 9-13 <rettifica>",
			Link: &channel.LinkCard{URL: "https://comune.example.it/orari"}})
		if err != nil {
			t.Fatalf("not modified should be no error: %v", err)
		}
		e.rec.take()
	})
	t.Run("edit caption", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, album, channel.Post{Text: "Foto della festa & del paese", Media: []channel.Media{photo(), photo()}})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "edit_caption", render(t, e.rec.take()))
		r := e.fake.Received()[1]
		if !r.Edited || r.Text != "Foto della festa & del paese" {
			t.Errorf("fake holds %+v", r)
		}
	})
	t.Run("text too long", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, text, channel.Post{Text: strings.Repeat("a", 4097)})
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Message != "Bad Request: MESSAGE_TOO_LONG" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("delete album", func(t *testing.T) {
		e.rec.take()
		if err := e.conn.Delete(ctx, e.acct, album); err != nil {
			t.Fatal(err)
		}
		golden(t, "delete_album", render(t, e.rec.take()))
		if r := e.fake.Received()[1]; !r.Deleted {
			t.Errorf("fake holds %+v", r)
		}
		for _, m := range e.fake.Messages() {
			if m.Deleted != (m.ID != 1) {
				t.Errorf("message %d deleted = %v", m.ID, m.Deleted)
			}
		}
	})
	t.Run("delete again", func(t *testing.T) {
		if err := e.conn.Delete(ctx, e.acct, album); err != nil {
			t.Fatalf("deleting a deleted post: %v", err)
		}
	})
	t.Run("edit deleted", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, album, channel.Post{Text: "x", Media: []channel.Media{photo()}})
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Message != "Bad Request: message to edit not found" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("bad remote id", func(t *testing.T) {
		e.rec.take()
		err := e.conn.Delete(ctx, e.acct, channel.Published{RemoteID: "1,x"})
		if channel.KindOf(err) != channel.Permanent || len(e.rec.take()) != 0 {
			t.Fatalf("error %v", err)
		}
	})
}

func TestCheckCredentials(t *testing.T) {
	tests := []struct {
		name   string
		opts   telegramtest.Options
		handle string
		want   channel.Identity
		kind   channel.Kind
		msg    string
	}{
		{"public channel", telegramtest.Options{Titles: map[string]string{handle: "Comune di Vallebella"}}, handle,
			channel.Identity{Name: "Comune di Vallebella", Handle: "@comune_vallebella", URL: "https://t.me/comune_vallebella"}, 0, ""},
		{"private channel", telegramtest.Options{}, private,
			channel.Identity{Name: "Channel -1001234567890", Handle: "-1001234567890"}, 0, ""},
		{"not admin", telegramtest.Options{Visible: []string{"@pubblico"}}, "@pubblico", channel.Identity{},
			channel.Auth, "the bot @piazza_sandbox_bot is not an administrator of @pubblico"},
		{"unknown channel", telegramtest.Options{}, "@sconosciuto", channel.Identity{}, channel.Auth, "Bad Request: chat not found"},
		{"revoked token", telegramtest.Options{Token: "123456:other"}, handle, channel.Identity{}, channel.Auth, "Unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			e.acct.Handle = tt.handle
			id, err := e.conn.CheckCredentials(context.Background(), e.acct)
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if id.Name != tt.want.Name || id.Handle != tt.want.Handle || id.URL != tt.want.URL {
					t.Errorf("identity %+v, want %+v", id, tt.want)
				}
				if tt.name == "public channel" {
					golden(t, "check", render(t, e.rec.take()))
				}
				return
			}
			if ce := channel.AsError(err); ce == nil || ce.Kind != tt.kind || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v, want %s %q", err, tt.kind, tt.msg)
			}
		})
	}
}

func FuzzFormatHTML(f *testing.F) {
	for _, s := range []string{"", "ciao", "a<b>c</b>&amp;", "&#60;", "<", "&", "\xff\xfe", "🇮🇹 & <3", "\r\n\t x \u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := telegram.FormatHTML(s)
		if strings.ContainsAny(h, "<>") {
			t.Fatalf("FormatHTML(%q) = %q holds a tag character", s, h)
		}
		got, err := telegramtest.ParseHTML(h)
		if err != nil {
			t.Fatalf("Telegram would refuse FormatHTML(%q) = %q: %v", s, h, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want {
			t.Fatalf("round trip of %q gave %q", want, got)
		}
		if n, want := telegram.Count(s), telegramtest.Length(telegramtest.Normalize(got)); n != want {
			t.Fatalf("Count(%q) = %d, Telegram counts %d", s, n, want)
		}
	})
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", "ciao", "👨‍👩‍👧", " \n x \r\n", "\xff", "a\u0333b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := telegram.Count(s)
		if n < 0 || n > len(s) {
			t.Fatalf("Count(%q) = %d", s, n)
		}
		if m := telegram.Count(" \n" + s + "\n "); m != n {
			t.Fatalf("Count(%q) = %d but %d with spaces around", s, n, m)
		}
		if m := telegram.Count(s + "x" + s); m < n {
			t.Fatalf("Count of a longer text %d < %d", m, n)
		}
	})
}
