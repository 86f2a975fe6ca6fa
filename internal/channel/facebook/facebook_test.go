// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
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
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// The connector is every optional interface it claims.
var (
	_ channel.Connector         = (*facebook.Connector)(nil)
	_ channel.CredentialChecker = (*facebook.Connector)(nil)
	_ channel.Editor            = (*facebook.Connector)(nil)
	_ channel.Deleter           = (*facebook.Connector)(nil)
	_ channel.Finder            = (*facebook.Connector)(nil)
	_ channel.Refresher         = (*facebook.Connector)(nil)
	_ channel.OAuth             = (*facebook.Connector)(nil)
	_ channeltest.Recorder      = (*facebooktest.Server)(nil)
)

const (
	page  = facebooktest.DefaultPageID
	token = facebooktest.DefaultToken
)

var testNow = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// recorder keeps the exact requests the connector sends to the fake.
type recorder struct {
	h    http.Handler
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, url, auth, contentType string
	body                           []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
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
	fake *facebooktest.Server
	rec  *recorder
	conn *facebook.Connector
	acct channel.Account
	url  string
}

func newEnv(t *testing.T, opts facebooktest.Options, timeout time.Duration) *env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	fake := facebooktest.New(opts)
	rec := &recorder{h: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return &env{fake: fake, rec: rec, url: srv.URL,
		conn: facebook.New(&http.Client{Timeout: timeout}),
		acct: channel.Account{ID: "a1", Platform: channel.Facebook, BaseURL: srv.URL, Handle: page,
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

func photo(alt string) channel.Media {
	return channel.Media{Kind: channel.Image, ContentType: "image/png", Data: pngBytes, AltText: alt, Width: 4, Height: 3,
		Filename: "municipio.png"}
}

func video() channel.Media {
	return channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Data, Width: 1280, Height: 720}
}

// boundaryRe finds multipart boundaries, which are random.
var boundaryRe = regexp.MustCompile(`boundary=[0-9a-f]+`)

// render writes requests in a stable, readable form: form bodies one
// parameter a line (decoded, sorted), multipart parts in order with files
// as their size and digest, the token replaced.
func render(t *testing.T, reqs []recorded) string {
	t.Helper()
	var b strings.Builder
	for _, r := range reqs {
		u, _ := url.QueryUnescape(r.url)
		fmt.Fprintf(&b, "%s %s\n", r.method, u)
		if r.auth != "" {
			fmt.Fprintf(&b, "Authorization: %s\n", strings.Replace(r.auth, token, "<page token>", 1))
		}
		mt, params, _ := mime.ParseMediaType(r.contentType)
		switch mt {
		case "":
		case "application/x-www-form-urlencoded":
			fmt.Fprintf(&b, "Content-Type: %s\n\n", r.contentType)
			vals, err := url.ParseQuery(string(r.body))
			if err != nil {
				t.Fatalf("bad form body: %v", err)
			}
			keys := make([]string, 0, len(vals))
			for k := range vals {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "%s=%s\n", k, vals.Get(k))
			}
		case "multipart/form-data":
			b.WriteString("Content-Type: " + boundaryRe.ReplaceAllString(r.contentType, "boundary=<boundary>") + "\n\n")
			mr := multipart.NewReader(bytes.NewReader(r.body), params["boundary"])
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
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
		post     channel.Post
		remoteID string
		text     string
		media    []channeltest.ReceivedMedia
		link     string
	}{
		{"text", channel.Post{Key: "p1", Text: "Allerta meteo <arancione> per Vallebella & dintorni 🌧️\r\nInfo: https://comune.example.it/allerta?id=1&x=2\x00"},
			page + "_1001", "Allerta meteo <arancione> per Vallebella & dintorni 🌧️\nInfo: https://comune.example.it/allerta?id=1&x=2", nil, ""},
		{"text_link", channel.Post{Key: "p2", Text: "Il nuovo orario della biblioteca.",
			Link: &channel.LinkCard{URL: "https://comune.example.it/biblioteca", Title: "Biblioteca"}},
			page + "_1001", "Il nuovo orario della biblioteca.", nil, "https://comune.example.it/biblioteca"},
		{"link_only", channel.Post{Key: "p3", Link: &channel.LinkCard{URL: "https://comune.example.it/"}},
			page + "_1001", "", nil, "https://comune.example.it/"},
		{"photo", channel.Post{Key: "p4", Text: "Il municipio restaurato", Media: []channel.Media{photo("La facciata del municipio")}},
			page + "_1002", "Il municipio restaurato", []channeltest.ReceivedMedia{{ContentType: "image/png", Bytes: len(pngBytes), AltText: "La facciata del municipio"}}, ""},
		{"album", channel.Post{Key: "p5", Text: "La festa del paese",
			Media: []channel.Media{photo("Il palco"), photo("La banda"), {Kind: channel.Image, ContentType: "image/png", Data: pngBytes, AltText: "I fuochi"}}},
			page + "_1004", "La festa del paese", []channeltest.ReceivedMedia{
				{ContentType: "image/png", Bytes: len(pngBytes), AltText: "Il palco"},
				{ContentType: "image/png", Bytes: len(pngBytes), AltText: "La banda"},
				{ContentType: "image/png", Bytes: len(pngBytes), AltText: "I fuochi"}}, ""},
		{"video", channel.Post{Key: "p6", Text: "Il consiglio comunale in diretta", Title: "Consiglio comunale",
			Media: []channel.Media{video()}},
			page + "_1002", "Il consiglio comunale in diretta", []channeltest.ReceivedMedia{{ContentType: "video/mp4", Bytes: len(mp4Data)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, facebooktest.Options{}, 2*time.Second)
			pub, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			if err != nil {
				t.Fatal(err)
			}
			if pub.RemoteID != tt.remoteID || pub.URL != "https://www.facebook.com/"+tt.remoteID || pub.At.IsZero() {
				t.Errorf("published %+v, want id %s", pub, tt.remoteID)
			}
			golden(t, "publish_"+tt.name, render(t, e.rec.take()))
			got := e.fake.Received()
			if len(got) != 1 {
				t.Fatalf("fake received %d posts", len(got))
			}
			r := got[0]
			if r.Text != tt.text || !slices.Equal(r.Media, tt.media) || r.Link != tt.link || r.RemoteID != tt.remoteID ||
				r.Target != page || r.Platform != channel.Facebook {
				t.Errorf("fake holds %+v", r)
			}
		})
	}
}

func TestPublishRefused(t *testing.T) {
	tests := []struct {
		name string
		post channel.Post
		kind channel.Kind
		msg  string
		sent bool
	}{
		{"empty", channel.Post{Text: " \n"}, channel.Permanent, "the post has no text, link or media", false},
		{"video and photo", channel.Post{Media: []channel.Media{video(), photo("x")}}, channel.Permanent, "a Facebook post holds one video alone", false},
		{"two videos", channel.Post{Media: []channel.Media{video(), video()}}, channel.Permanent, "a Facebook post holds one video alone", false},
		{"eleven photos", channel.Post{Media: slices.Repeat([]channel.Media{photo("x")}, 11)}, channel.Permanent, "a post holds at most 10 photos", false},
		{"not an image", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/jpeg", Data: []byte("not a jpeg"), AltText: "x"}}},
			channel.Permanent, "(#324) Missing or invalid image file", true},
		{"not a video", channel.Post{Media: []channel.Media{{Kind: channel.Video, ContentType: "video/mp4", Data: []byte("not an mp4 file")}}},
			channel.Permanent, "Sorry, the video file you selected is in a format that we don't support.", true},
		{"bad link", channel.Post{Text: "x", Link: &channel.LinkCard{URL: "javascript:alert(1)"}}, channel.Permanent,
			"(#100) link URL is not properly formatted", true},
		{"too long", channel.Post{Text: strings.Repeat("😀", facebook.MaxText+1)}, channel.Permanent, "(#100) The message is too long", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, facebooktest.Options{}, 2*time.Second)
			_, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || !strings.HasPrefix(ce.Message, tt.msg) || ce.Platform != channel.Facebook {
				t.Fatalf("error %v, want %s %q", err, tt.kind, tt.msg)
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

func TestLimitsAgreeWithFake(t *testing.T) {
	e := newEnv(t, facebooktest.Options{}, 5*time.Second)
	tests := []struct {
		name  string
		post  channel.Post
		fails bool
	}{
		{"emoji at limit", channel.Post{Text: strings.Repeat("😀", facebook.MaxText)}, false},
		{"emoji over limit", channel.Post{Text: strings.Repeat("😀", facebook.MaxText+1)}, true},
		{"combining marks at limit", channel.Post{Text: strings.Repeat("e\u0301", facebook.MaxText/2)}, false},
		{"caption over limit", channel.Post{Text: strings.Repeat("a", facebook.MaxText+1), Media: []channel.Media{photo("x")}}, true},
		{"control characters do not count", channel.Post{Text: strings.Repeat("a\x01", facebook.MaxText)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := channel.ValidateWith(e.conn, e.acct, tt.post)
			_, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			if !tt.fails {
				if err != nil || len(problems) != 0 {
					t.Fatalf("refused: %v, problems %v", err, problems)
				}
				return
			}
			if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100" || ce.Status != 400 {
				t.Fatalf("error %v, want permanent 100", err)
			}
			if len(problems) == 0 {
				t.Errorf("Validate let through what Facebook refuses")
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
		{"città", 5},             // precomposed à
		{"citta\u0300", 6},       // a + combining grave: two code points
		{"👍", 1},                 // one code point, two UTF-16 units
		{"🇮🇹", 2},                // a flag is two regional indicators
		{"👨‍👩‍👧", 5},             // ZWJ sequence: three people, two joiners
		{"👍🏽", 2},                // emoji + skin tone modifier
		{"日本語のテキスト", 8},          // CJK
		{url, len(url)},          // links count in full
		{"#Allerta @comune", 16}, // hashtags and mentions are text
		{"a\r\nb", 3},            // "\r\n" is sent as "\n"
		{"a\rb", 3},              // so is a lone "\r"
		{"a\x00\x1b\x7fb", 2},    // other control characters are dropped
		{"a\tb", 3},              // a tab stays
		{"\xffx", 2},             // invalid UTF-8 is sent as U+FFFD
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := facebook.Count(tt.text); got != tt.want {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
			}
			if got := facebook.New(nil).Count(channel.Account{}, tt.text); got != tt.want {
				t.Errorf("Connector.Count(%q) = %d", tt.text, got)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	c := facebook.New(nil)
	img := func(ct string, n int, alt string) channel.Media {
		return channel.Media{Kind: channel.Image, ContentType: ct, Data: make([]byte, n), AltText: alt}
	}
	many := func(n int) []channel.Media { return slices.Repeat([]channel.Media{img("image/jpeg", 10, "foto")}, n) }
	tests := []struct {
		name string
		post channel.Post
		want []channel.Problem
	}{
		{"fits", channel.Post{Text: strings.Repeat("é", facebook.MaxText)}, nil},
		{"empty", channel.Post{Text: " \n"}, []channel.Problem{{Code: channel.ProblemEmpty}}},
		{"too long", channel.Post{Text: strings.Repeat("a", facebook.MaxText+1)},
			[]channel.Problem{{Code: channel.ProblemTooLong, Limit: facebook.MaxText, Actual: facebook.MaxText + 1}}},
		{"ten photos", channel.Post{Media: many(10)}, nil},
		{"eleven photos", channel.Post{Media: many(11)}, []channel.Problem{{Code: channel.ProblemTooManyImages, Limit: 10, Actual: 11}}},
		{"photo and video", channel.Post{Media: append(many(1), channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Data})},
			[]channel.Problem{{Code: channel.ProblemMixedMedia}}},
		{"two videos", channel.Post{Media: []channel.Media{video(), video()}},
			[]channel.Problem{{Code: channel.ProblemTooManyVideos, Limit: 1, Actual: 2}}},
		{"webp", channel.Post{Media: []channel.Media{img("image/webp", 10, "x")}}, []channel.Problem{{Code: channel.ProblemMediaType, Media: 1}}},
		{"photo too big", channel.Post{Media: []channel.Media{img("image/png", facebook.MaxImageBytes+1, "x")}},
			[]channel.Problem{{Code: channel.ProblemMediaTooBig, Media: 1, Limit: facebook.MaxImageBytes, Actual: facebook.MaxImageBytes + 1}}},
		{"no alt text", channel.Post{Media: []channel.Media{img("image/gif", 10, " ")}}, []channel.Problem{{Code: channel.ProblemAltMissing, Media: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := channel.ValidateWith(c, channel.Account{}, tt.post); !slices.Equal(got, tt.want) {
				t.Errorf("problems %+v, want %+v", got, tt.want)
			}
		})
	}
	caps := c.Capabilities()
	if !caps.Find || caps.Idempotent || !caps.Edit || !caps.Delete || !caps.Refresh || !c.Limits(channel.Account{}).AltTextSupported {
		t.Errorf("capabilities %+v", caps)
	}
}

// ops are the connector's calls that create, edit or delete a post.
var ops = []struct {
	name string
	run  func(e *env) error
}{
	{"feed", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
		return err
	}},
	{"photos", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao", Media: []channel.Media{photo("x")}})
		return err
	}},
	{"album", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Media: []channel.Media{photo("x"), photo("y")}})
		return err
	}},
	{"videos", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Media: []channel.Media{video()}})
		return err
	}},
	{"edit", func(e *env) error {
		_, err := e.conn.Edit(context.Background(), e.acct, channel.Published{RemoteID: page + "_1001"}, channel.Post{Text: "nuovo"})
		return err
	}},
	{"delete", func(e *env) error {
		return e.conn.Delete(context.Background(), e.acct, channel.Published{RemoteID: page + "_1001"})
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
		{channeltest.FaultRateLimit, channel.RateLimited, 400, "80001", time.Minute, "There have been too many calls to this Page account."},
		{channeltest.FaultServer, channel.Retryable, 500, "2", 0, "An unexpected error has occurred."},
		{channeltest.FaultAuth, channel.Auth, 400, "190/463", 0, "Error validating access token: Session has expired"},
		{channeltest.FaultBadRequest, channel.Permanent, 400, "100", 0, "(#100) Invalid parameter"},
	}
	for _, op := range ops {
		for _, f := range faults {
			t.Run(fmt.Sprintf("%s/%s", op.name, f.kind), func(t *testing.T) {
				e := newEnv(t, facebooktest.Options{}, 2*time.Second)
				if _, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "primo"}); err != nil {
					t.Fatal(err)
				}
				e.fake.Inject(f.fault, 1)
				ce := channel.AsError(op.run(e))
				if ce == nil || ce.Kind != f.kind || ce.Status != f.status || ce.RetryAfter != f.retry ||
					!strings.HasPrefix(ce.Message, f.msg) || ce.Code != f.code || ce.Platform != channel.Facebook {
					t.Fatalf("error %#v, want %s %d %q", ce, f.kind, f.status, f.msg)
				}
				got := e.fake.Received()
				if len(got) != 1 || got[0].Edited || got[0].Deleted {
					t.Errorf("fake holds %+v after a refusal", got)
				}
			})
		}
	}
}

func TestLostAnswer(t *testing.T) {
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			e := newEnv(t, facebooktest.Options{}, 200*time.Millisecond)
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
			if strings.Contains(err.Error(), token) {
				t.Errorf("token in error: %v", err)
			}
			got := e.fake.Received()
			switch op.name {
			case "edit":
				if !got[0].Edited {
					t.Errorf("the edit should have happened: %+v", got)
				}
			case "delete":
				if !got[0].Deleted {
					t.Errorf("the delete should have happened: %+v", got)
				}
			default:
				if len(got) != 2 {
					t.Errorf("the post should exist: %+v", got)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   facebooktest.Options
		change func(e *env)
		kind   channel.Kind
		code   string
		msg    string
		sent   bool
	}{
		{"revoked token", facebooktest.Options{Token: "another"}, nil, channel.Auth, "190",
			"Invalid OAuth access token - Cannot parse access token", true},
		{"no token", facebooktest.Options{}, func(e *env) { e.acct.Credentials = nil }, channel.Auth, "", "no Page access token", false},
		{"bad page id", facebooktest.Options{}, func(e *env) { e.acct.Handle = "../me" }, channel.Auth, "", "the Page id \"../me\" is not", false},
		{"another page", facebooktest.Options{Pages: []facebooktest.Page{{ID: "999", Token: "other"}}},
			func(e *env) { e.acct.Handle = "999" }, channel.Permanent, "100/33", "Unsupported post request. Object with ID '999' does not exist", true},
		{"user token", facebooktest.Options{}, func(e *env) { e.acct.Credentials[channel.CredToken] = e.fake.IssueUserToken() },
			channel.Auth, "200", "(#200) If posting to a Page", true},
		{"connection refused", facebooktest.Options{}, func(e *env) { e.acct.BaseURL = "http://127.0.0.1:1" }, channel.Retryable, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			if tt.change != nil {
				tt.change(e)
			}
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao"})
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != tt.kind || ce.Code != tt.code || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %#v, want %s %q %q", ce, tt.kind, tt.code, tt.msg)
			}
			if sent := len(e.rec.take()) > 0; sent != tt.sent {
				t.Errorf("sent = %v", sent)
			}
		})
	}
}

func TestEditAndDelete(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, facebooktest.Options{}, 2*time.Second)
	text, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Orario: 9-12"})
	if err != nil {
		t.Fatal(err)
	}
	album, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Foto", Media: []channel.Media{photo("a"), photo("b")}})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.take()

	t.Run("edit text", func(t *testing.T) {
		pub, err := e.conn.Edit(ctx, e.acct, text, channel.Post{Text: "Orario: 9-13 (rettifica)"})
		if err != nil || pub.RemoteID != text.RemoteID || pub.URL != text.URL {
			t.Fatalf("%+v %v", pub, err)
		}
		golden(t, "edit_text", render(t, e.rec.take()))
		if r := e.fake.Received()[0]; !r.Edited || r.Text != "Orario: 9-13 (rettifica)" {
			t.Errorf("fake holds %+v", r)
		}
	})
	t.Run("edit too long", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, text, channel.Post{Text: strings.Repeat("a", facebook.MaxText+1)})
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100" {
			t.Fatalf("error %v", err)
		}
		e.rec.take()
	})
	t.Run("delete album", func(t *testing.T) {
		if err := e.conn.Delete(ctx, e.acct, album); err != nil {
			t.Fatal(err)
		}
		golden(t, "delete_album", render(t, e.rec.take()))
		if r := e.fake.Received()[1]; !r.Deleted {
			t.Errorf("fake holds %+v", r)
		}
		for _, o := range e.fake.Objects() {
			if o.Page != page || o.Deleted != (o.ID != text.RemoteID) {
				t.Errorf("object %+v", o)
			}
		}
	})
	t.Run("delete again", func(t *testing.T) {
		if err := e.conn.Delete(ctx, e.acct, album); err != nil {
			t.Fatalf("deleting a deleted post: %v", err)
		}
	})
	t.Run("edit deleted", func(t *testing.T) {
		_, err := e.conn.Edit(ctx, e.acct, album, channel.Post{Text: "x"})
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100/33" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("bad remote id", func(t *testing.T) {
		e.rec.take()
		err := e.conn.Delete(ctx, e.acct, channel.Published{RemoteID: "1/../2"})
		if channel.KindOf(err) != channel.Permanent || len(e.rec.take()) != 0 {
			t.Fatalf("error %v", err)
		}
	})
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	now := testNow
	e := newEnv(t, facebooktest.Options{Now: func() time.Time { return now }}, 2*time.Second)
	post := channel.Post{Text: "Chiusura scuole per neve"}
	if _, err := e.conn.Publish(ctx, e.acct, post); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	target, err := e.conn.Publish(ctx, e.acct, post)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		now = now.Add(time.Second)
		if _, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: fmt.Sprintf("altro %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	e.rec.take()
	tests := []struct {
		name  string
		post  channel.Post
		since time.Time
		found string
	}{
		{"latest match", post, testNow.Add(30 * time.Minute), target.RemoteID},
		{"text as Format sends it", channel.Post{Text: "Chiusura scuole per neve\x00 \n"}, testNow.Add(30 * time.Minute), target.RemoteID},
		{"too old", post, testNow.Add(2 * time.Hour), ""},
		{"other text", channel.Post{Text: "Chiusura scuole"}, testNow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, found, err := e.conn.Find(ctx, e.acct, tt.post, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if found != (tt.found != "") || pub.RemoteID != tt.found {
				t.Fatalf("found %v %+v, want %q", found, pub, tt.found)
			}
			if found && (pub.URL != facebook.PostURL(tt.found) || !pub.At.Equal(testNow.Add(time.Hour))) {
				t.Errorf("published %+v", pub)
			}
			reqs := e.rec.take()
			if tt.name == "latest match" {
				golden(t, "find", render(t, reqs))
			}
		})
	}
	t.Run("pages through", func(t *testing.T) {
		pub, found, err := e.conn.Find(ctx, e.acct, post, time.Time{})
		if err != nil || !found || pub.RemoteID != target.RemoteID {
			t.Fatalf("found %v %+v %v", found, pub, err)
		}
		if n := len(e.rec.take()); n != 3 {
			t.Errorf("%d requests, want 3 pages of 25", n)
		}
	})
	t.Run("faults do not apply to reads", func(t *testing.T) {
		e.fake.Inject(channeltest.FaultServer, 1)
		if _, found, err := e.conn.Find(ctx, e.acct, post, now.Add(-time.Hour)); err != nil || !found {
			t.Fatalf("found %v %v", found, err)
		}
	})
}

func TestCheckCredentials(t *testing.T) {
	tests := []struct {
		name   string
		opts   facebooktest.Options
		change func(e *env)
		want   channel.Identity
		kind   channel.Kind
		msg    string
	}{
		{"page token", facebooktest.Options{}, nil,
			channel.Identity{Name: facebooktest.DefaultPageName, Handle: page, URL: "https://www.facebook.com/" + page}, 0, ""},
		{"user token", facebooktest.Options{}, func(e *env) { e.acct.Credentials[channel.CredToken] = e.fake.IssueUserToken() },
			channel.Identity{}, channel.Auth, "the token belongs to \"Sandbox Admin\" (100000000000001), not to the Page"},
		{"token of another page", facebooktest.Options{Pages: []facebooktest.Page{{ID: "999", Name: "Pro Loco", Token: "other"}}},
			func(e *env) { e.acct.Credentials[channel.CredToken] = "other" },
			channel.Identity{}, channel.Auth, "the token belongs to \"Pro Loco\" (999)"},
		{"revoked token", facebooktest.Options{Token: "another"}, nil, channel.Identity{}, channel.Auth, "Invalid OAuth access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			if tt.change != nil {
				tt.change(e)
			}
			id, err := e.conn.CheckCredentials(context.Background(), e.acct)
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if id.Name != tt.want.Name || id.Handle != tt.want.Handle || id.URL != tt.want.URL {
					t.Errorf("identity %+v, want %+v", id, tt.want)
				}
				golden(t, "check", render(t, e.rec.take()))
				return
			}
			if ce := channel.AsError(err); ce == nil || ce.Kind != tt.kind || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v, want %s %q", err, tt.kind, tt.msg)
			}
		})
	}
}

func TestOAuth(t *testing.T) {
	ctx := context.Background()
	now := testNow
	e := newEnv(t, facebooktest.Options{ClientID: "4242", ClientSecret: "app-secret", IGUserID: "17841400000000001",
		Username: "comune.vallebella", Pages: []facebooktest.Page{{ID: "999", Name: "Pro Loco", Token: "proloco-token"}},
		Now: func() time.Time { return now }}, 2*time.Second)
	acct := channel.Account{Platform: channel.Facebook, BaseURL: e.url,
		Credentials: channel.Credentials{channel.CredClientID: "4242", channel.CredClientSecret: "app-secret"}}
	const redirect = "https://piazza.example.it/channels/callback"

	authorize := func(t *testing.T, acct channel.Account) string {
		t.Helper()
		u := e.conn.AuthorizeURL(acct, "state-123", redirect, "challenge")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(u)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirect+"?") ||
			loc.Query().Get("state") != "state-123" || loc.Query().Get("code") == "" {
			t.Fatalf("dialog answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query().Get("code")
	}

	t.Run("authorize url", func(t *testing.T) {
		u, err := url.Parse(e.conn.AuthorizeURL(channel.Account{Credentials: acct.Credentials}, "s", redirect, ""))
		if err != nil || u.Scheme+"://"+u.Host+u.Path != "https://www.facebook.com/v23.0/dialog/oauth" {
			t.Fatalf("%v %v", u, err)
		}
		q := u.Query()
		if q.Get("client_id") != "4242" || q.Get("redirect_uri") != redirect || q.Get("state") != "s" ||
			q.Get("scope") != strings.Join(facebook.Scopes, ",") || q.Get("response_type") != "code" {
			t.Errorf("query %v", q)
		}
		custom := channel.Account{Credentials: acct.Credentials, Settings: map[string]string{facebook.SettingDialogBaseURL: "https://login.example/"}}
		if got := e.conn.AuthorizeURL(custom, "s", redirect, ""); !strings.HasPrefix(got, "https://login.example/v23.0/dialog/oauth?") {
			t.Errorf("setting ignored: %s", got)
		}
	})

	var creds channel.Credentials
	t.Run("exchange", func(t *testing.T) {
		code := authorize(t, acct)
		e.rec.take()
		var exp time.Time
		var err error
		creds, exp, err = e.conn.Exchange(ctx, acct, code, redirect, "verifier")
		if err != nil {
			t.Fatal(err)
		}
		user := creds[facebook.CredUserToken]
		if user == "" || creds[channel.CredToken] != user || creds[channel.CredClientSecret] != "app-secret" ||
			!near(exp, time.Now().Add(facebooktest.LongLivedTTL)) {
			t.Errorf("credentials %v expire %v", creds, exp)
		}
		if got := e.fake.Scopes(); !slices.Equal(got, facebook.Scopes) {
			t.Errorf("scopes %v", got)
		}
		reqs := e.rec.take()
		if len(reqs) != 2 {
			t.Fatalf("%d requests", len(reqs))
		}
		for _, r := range reqs {
			if r.method != http.MethodPost || !strings.Contains(string(r.body), "client_secret=app-secret") ||
				strings.Contains(r.url, "secret") || strings.Contains(r.url, code) || strings.Contains(r.url, user) {
				t.Errorf("request %s %s %s", r.method, r.url, r.body)
			}
		}
		if _, _, err := e.conn.Exchange(ctx, acct, code, redirect, ""); channel.KindOf(err) != channel.Permanent {
			t.Errorf("a code used twice: %v", err)
		}
	})
	t.Run("page tokens", func(t *testing.T) {
		pages, err := e.conn.PageTokens(ctx, channel.Account{BaseURL: e.url, Credentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		want := []facebook.Page{
			{ID: page, Name: facebooktest.DefaultPageName, Token: token, InstagramID: "17841400000000001", InstagramUsername: "comune.vallebella"},
			{ID: "999", Name: "Pro Loco", Token: "proloco-token"},
		}
		if len(pages) != 2 {
			t.Fatalf("pages %+v", pages)
		}
		for i, p := range pages {
			w := want[i]
			if p.ID != w.ID || p.Name != w.Name || p.Token != w.Token || p.InstagramID != w.InstagramID ||
				p.InstagramUsername != w.InstagramUsername || !slices.Contains(p.Tasks, "CREATE_CONTENT") {
				t.Errorf("page %+v, want %+v", p, w)
			}
		}
		_, err = e.conn.PageTokens(ctx, e.acct) // a Page token cannot list Pages
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || !strings.Contains(ce.Message, "(accounts)") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("exchange for a page", func(t *testing.T) {
		a := acct
		a.Handle = "999"
		got, _, err := e.conn.Exchange(ctx, a, authorize(t, a), redirect, "")
		if err != nil || got[channel.CredToken] != "proloco-token" || got[facebook.CredUserToken] == "" {
			t.Fatalf("credentials %v %v", got, err)
		}
		a.Handle = "12345"
		_, _, err = e.conn.Exchange(ctx, a, authorize(t, a), redirect, "")
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Auth || !strings.Contains(ce.Message, "does not manage the Page 12345") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("wrong redirect", func(t *testing.T) {
		_, _, err := e.conn.Exchange(ctx, acct, authorize(t, acct), redirect+"/other", "")
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "100/36008" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		a := acct
		a.Credentials = channel.Credentials{channel.CredClientID: "4242", channel.CredClientSecret: "wrong"}
		_, _, err := e.conn.Exchange(ctx, a, authorize(t, a), redirect, "")
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Auth || ce.Message != "Error validating client secret." {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("refresh", func(t *testing.T) {
		a := channel.Account{BaseURL: e.url, Handle: page, Credentials: creds}
		now = now.Add(30 * 24 * time.Hour)
		got, exp, err := e.conn.Refresh(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got[facebook.CredUserToken] == creds[facebook.CredUserToken] || got[channel.CredToken] != token ||
			!near(exp, time.Now().Add(facebooktest.LongLivedTTL)) {
			t.Errorf("credentials %v expire %v", got, exp)
		}
		e.fake.ExpireUserTokens()
		_, _, err = e.conn.Refresh(ctx, channel.Account{BaseURL: e.url, Handle: page, Credentials: got})
		if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Auth || ce.Code != "190/463" {
			t.Fatalf("refreshing an expired token: %v", err)
		}
		_, _, err = e.conn.Refresh(ctx, channel.Account{BaseURL: e.url, Handle: page, Credentials: channel.Credentials{channel.CredToken: token}})
		if channel.KindOf(err) != channel.Auth {
			t.Errorf("refresh without a user token: %v", err)
		}
	})
}

// near reports whether a and b are within a minute: the connector dates
// an expiry by its own clock.
func near(a, b time.Time) bool { return a.Sub(b).Abs() < time.Minute }

func TestOpenFake(t *testing.T) {
	e := newEnv(t, facebooktest.Options{Open: true}, 2*time.Second)
	// Keep connections for the 50 accounts, as the engine's client does.
	e.conn = facebook.New(&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for a := range 50 {
		acct := e.acct
		acct.Handle = fmt.Sprint(500000 + a)
		acct.Credentials = channel.Credentials{channel.CredToken: fmt.Sprintf("token-%d", a)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				p := channel.Post{Text: fmt.Sprintf("avviso %d", i)}
				if i%3 == 0 {
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
	if n := len(e.fake.Received()); n != 300 {
		t.Errorf("fake holds %d posts", n)
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"", "ciao", "a\r\nb\rc", "\x00\x1b[31m", "\xff\xfe", "🇮🇹 & <3", "\u2028x\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := facebook.Format(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Format(%q) = %q is not UTF-8", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }) {
			t.Fatalf("Format(%q) = %q holds a control character", s, out)
		}
		if again := facebook.Format(out); again != out {
			t.Fatalf("Format is not idempotent on %q: %q then %q", s, out, again)
		}
		n := facebook.Count(s)
		if n < 0 || n > len(s) || n != utf8.RuneCountInString(out) {
			t.Fatalf("Count(%q) = %d for %q", s, n, out)
		}
	})
}
