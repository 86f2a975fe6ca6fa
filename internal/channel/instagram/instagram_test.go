// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package instagram_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// The connector is every optional interface it claims, and no Editor.
var (
	_ channel.Connector         = (*instagram.Connector)(nil)
	_ channel.CredentialChecker = (*instagram.Connector)(nil)
	_ channel.Deleter           = (*instagram.Connector)(nil)
	_ channel.Finder            = (*instagram.Connector)(nil)
	_ channeltest.Recorder      = (*instagramtest.Server)(nil)
)

const (
	user  = instagramtest.DefaultIGUserID
	token = instagramtest.DefaultToken
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
	fake *instagramtest.Server
	rec  *recorder
	conn *instagram.Connector
	acct channel.Account
}

func newEnv(t *testing.T, opts instagramtest.Options, timeout time.Duration) *env {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	fake := instagramtest.New(opts)
	rec := &recorder{h: fake}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	conn := instagram.New(&http.Client{Timeout: timeout})
	conn.PollInterval = time.Millisecond
	return &env{fake: fake, rec: rec, conn: conn,
		acct: channel.Account{ID: "a1", Platform: channel.Instagram, BaseURL: srv.URL, Handle: user,
			Credentials: channel.Credentials{channel.CredToken: token}, Sandbox: true}}
}

func jpegOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

var (
	portrait = jpegOf(8, 10) // 4:5
	square   = jpegOf(10, 10)
	mp4Data  = []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free")
)

const public = "https://piazza.example.it/media/"

func photo(name, alt string) channel.Media {
	return channel.Media{Kind: channel.Image, ContentType: "image/jpeg", Data: portrait, URL: public + name, AltText: alt, Width: 8, Height: 10}
}

func video(name string) channel.Media {
	return channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Data, URL: public + name, Width: 1080, Height: 1920}
}

// render writes requests in a stable, readable form: form bodies one
// parameter a line (decoded, sorted), the token replaced.
func render(t *testing.T, reqs []recorded) string {
	t.Helper()
	var b strings.Builder
	for _, r := range reqs {
		u, _ := url.QueryUnescape(r.url)
		fmt.Fprintf(&b, "%s %s\n", r.method, u)
		if r.auth != "" {
			fmt.Fprintf(&b, "Authorization: %s\n", strings.Replace(r.auth, token, "<token>", 1))
		}
		mt, _, _ := mime.ParseMediaType(r.contentType)
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
		name  string
		post  channel.Post
		text  string
		media []channeltest.ReceivedMedia
	}{
		{"photo", channel.Post{Key: "p1", Text: "Il municipio restaurato 🏛️ #Vallebella @prolocovallebella\r\n",
			Media: []channel.Media{photo("1.jpg", "La facciata del municipio")}},
			"Il municipio restaurato 🏛️ #Vallebella @prolocovallebella\n",
			[]channeltest.ReceivedMedia{{ContentType: "image/jpeg", AltText: "La facciata del municipio"}}},
		{"photo_no_caption", channel.Post{Key: "p2", Text: " \n", Media: []channel.Media{photo("1.jpg", "Il municipio")}},
			"", []channeltest.ReceivedMedia{{ContentType: "image/jpeg", AltText: "Il municipio"}}},
		{"reel", channel.Post{Key: "p3", Text: "Il consiglio comunale", Media: []channel.Media{video("2.mp4")}},
			"Il consiglio comunale", []channeltest.ReceivedMedia{{ContentType: "video/mp4"}}},
		{"carousel", channel.Post{Key: "p4", Text: "La festa del paese",
			Media: []channel.Media{photo("3.jpg", "Il palco"), video("4.mp4"), photo("5.jpg", "I fuochi")}},
			"La festa del paese", []channeltest.ReceivedMedia{{ContentType: "image/jpeg", AltText: "Il palco"},
				{ContentType: "video/mp4"}, {ContentType: "image/jpeg", AltText: "I fuochi"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, instagramtest.Options{}, 2*time.Second)
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
			if r.Text != tt.text || !slices.Equal(r.Media, tt.media) || r.RemoteID != pub.RemoteID || r.URL != pub.URL ||
				r.Target != user || r.Platform != channel.Instagram {
				t.Errorf("fake holds %+v, published %+v", r, pub)
			}
			if !strings.HasPrefix(pub.URL, "https://www.instagram.com/p/") || pub.At.IsZero() {
				t.Errorf("published %+v", pub)
			}
		})
	}
}

// mediaServer serves files for the fake to download, as Piazza serves
// them under PIAZZA_PUBLIC_URL.
func mediaServer(t *testing.T, files map[string][]byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[strings.TrimPrefix(r.URL.Path, "/media/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/media/"
}

func TestPublishDownloaded(t *testing.T) {
	pngData := func() []byte {
		var b bytes.Buffer
		_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 10)))
		return b.Bytes()
	}()
	base := mediaServer(t, map[string][]byte{"portrait.jpg": portrait, "square.jpg": square, "wide.jpg": jpegOf(30, 10),
		"tall.jpg": jpegOf(10, 20), "image.png": pngData, "big.jpg": append(slices.Clone(portrait), make([]byte, instagram.MaxImageBytes)...),
		"reel.mp4": mp4Data, "clip.webm": []byte("\x1aE\xdf\xa3 not an mp4")})
	item := func(kind channel.MediaKind, name string) channel.Media {
		return channel.Media{Kind: kind, URL: base + name, AltText: "foto"}
	}
	tests := []struct {
		name  string
		media []channel.Media
		code  string
		msg   string
	}{
		{"portrait", []channel.Media{item(channel.Image, "portrait.jpg")}, "", ""},
		{"carousel", []channel.Media{item(channel.Image, "square.jpg"), item(channel.Video, "reel.mp4")}, "", ""},
		{"png", []channel.Media{item(channel.Image, "image.png")}, "36001/2207005", "The image format is not supported."},
		{"too wide", []channel.Media{item(channel.Image, "wide.jpg")}, "36003/2207009", "The aspect ratio is not supported.: The submitted image with aspect ratio ('30/10')"},
		{"too tall", []channel.Media{item(channel.Image, "tall.jpg")}, "36003/2207009", "The aspect ratio is not supported."},
		{"too big", []channel.Media{item(channel.Image, "big.jpg")}, "36000/2207004", "The image size is too large.: The image is too large to download. It should be less than 8 MiB."},
		{"missing", []channel.Media{item(channel.Image, "gone.jpg")}, "9004/2207052", "Only photo or video can be accepted as media type.: The media could not be fetched from this URI"},
		{"not reachable", []channel.Media{photo("1.jpg", "x")}, "9004/2207052", "Only photo or video can be accepted as media type."},
		{"not a video", []channel.Media{item(channel.Video, "clip.webm")}, "2207026", "Instagram could not process the media (error 2207026)"},
		{"carousel with a bad item", []channel.Media{item(channel.Image, "square.jpg"), item(channel.Image, "wide.jpg")}, "36003/2207009", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, instagramtest.Options{Client: loopbackClient()}, 2*time.Second)
			pub, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao", Media: tt.media})
			got := e.fake.Received()
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].RemoteID != pub.RemoteID || got[0].Media[0].Bytes == 0 {
					t.Errorf("fake holds %+v", got)
				}
				return
			}
			ce := channel.AsError(err)
			if ce == nil || ce.Kind != channel.Permanent || ce.Code != tt.code || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v (code %q), want permanent %s %q", err, codeOf(ce), tt.code, tt.msg)
			}
			if len(got) != 0 {
				t.Errorf("fake holds %+v", got)
			}
		})
	}
}

// loopbackClient is the fake's downloader in tests: it reaches loopback
// addresses only, so no test touches the network.
func loopbackClient() *http.Client {
	d := &net.Dialer{Timeout: time.Second}
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				return nil, fmt.Errorf("test downloader: %s is not a loopback address", addr)
			}
			return d.DialContext(ctx, network, addr)
		}}}
}

func codeOf(e *channel.Error) string {
	if e == nil {
		return ""
	}
	return e.Code
}

func TestPublishRefused(t *testing.T) {
	tests := []struct {
		name string
		post channel.Post
		msg  string
	}{
		{"text only", channel.Post{Text: "ciao"}, "Instagram publishes only posts with at least one photo or video"},
		{"no public url", channel.Post{Media: []channel.Media{{Kind: channel.Image, ContentType: "image/jpeg", Data: portrait, AltText: "x"}}},
			"media 1 has no public address"},
		{"not http", channel.Post{Media: []channel.Media{photo("1.jpg", "x"), {Kind: channel.Image, URL: "file:///etc/passwd"}}},
			`media 2: "file:///etc/passwd" is not an http(s) address`},
		{"eleven", channel.Post{Media: slices.Repeat([]channel.Media{photo("1.jpg", "x")}, 11)}, "a carousel holds at most 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, instagramtest.Options{}, 2*time.Second)
			_, err := e.conn.Publish(context.Background(), e.acct, tt.post)
			if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v, want %q", err, tt.msg)
			}
			if n := len(e.rec.take()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestLimitsAgreeWithFake(t *testing.T) {
	e := newEnv(t, instagramtest.Options{PublishLimit: -1}, 2*time.Second)
	tags := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "#tag%d ", i)
		}
		return b.String()
	}
	mentions := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "@user%d ", i)
		}
		return b.String()
	}
	tests := []struct {
		name    string
		text    string
		problem string
	}{
		{"emoji at limit", strings.Repeat("😀", instagram.MaxCaption), ""},
		{"emoji over limit", strings.Repeat("😀", instagram.MaxCaption+1), channel.ProblemTooLong},
		{"flags at limit", strings.Repeat("🇮🇹", instagram.MaxCaption/2), ""},
		{"30 hashtags", tags(30), ""},
		{"31 hashtags", tags(31), channel.ProblemTooManyTags},
		{"20 mentions", mentions(20), ""},
		{"21 mentions", mentions(21), instagram.ProblemTooManyMentions},
		{"e-mail addresses are not mentions", strings.Repeat("a@b.it ", 25), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post := channel.Post{Text: tt.text, Media: []channel.Media{photo("1.jpg", "foto")}}
			problems := instagram.Validate(post)
			_, err := e.conn.Publish(context.Background(), e.acct, post)
			if tt.problem == "" {
				if err != nil || len(problems) != 0 {
					t.Fatalf("refused: %v, problems %v", err, problems)
				}
				return
			}
			if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Permanent || ce.Code != "36004/2207010" {
				t.Fatalf("error %v, want permanent 36004/2207010", err)
			}
			if len(problems) != 1 || problems[0].Code != tt.problem {
				t.Errorf("problems %+v, want %s", problems, tt.problem)
			}
		})
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"ciao", 4},
		{"città", 5},
		{"citta\u0300", 6},
		{"👍", 1},
		{"🇮🇹", 2},
		{"👨‍👩‍👧", 5},
		{"👍🏽", 2},
		{"日本語のテキスト", 8},
		{"https://comune.example.it/a?b=c", 31}, // links are plain text, counted in full
		{"#Allerta @comune", 16},
		{"a\r\nb", 3},
		{"a\x00\x7fb", 2},
		{"\xffx", 2},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := instagram.Count(tt.text); got != tt.want {
				t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
			}
			if got := instagram.New(nil).Count(channel.Account{}, tt.text); got != tt.want {
				t.Errorf("Connector.Count(%q) = %d", tt.text, got)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"@comune ciao", []string{"comune"}},
		{"grazie @pro.loco_vallebella!", []string{"pro.loco_vallebella"}},
		{"scrivi a info@comune.it", []string{}},
		{"@@doppio", []string{}},
		{"(@a) @b,@c", []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		if got := instagram.Mentions(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	c := instagram.New(nil)
	img := func(ct string, n, w, h int, alt string) channel.Media {
		return channel.Media{Kind: channel.Image, ContentType: ct, Data: make([]byte, n), AltText: alt, Width: w, Height: h}
	}
	vid := func() channel.Media {
		return channel.Media{Kind: channel.Video, ContentType: "video/mp4", Data: mp4Data, Width: 1080, Height: 1920}
	}
	tests := []struct {
		name string
		post channel.Post
		want []channel.Problem
	}{
		{"photo", channel.Post{Text: "ciao", Media: []channel.Media{img("image/jpeg", 10, 1080, 1350, "foto")}}, nil},
		{"no media", channel.Post{Text: "ciao"}, []channel.Problem{{Code: channel.ProblemMediaRequired}}},
		{"png", channel.Post{Media: []channel.Media{img("image/png", 10, 0, 0, "foto")}}, []channel.Problem{{Code: channel.ProblemMediaType, Media: 1}}},
		{"too big", channel.Post{Media: []channel.Media{img("image/jpeg", instagram.MaxImageBytes+1, 0, 0, "foto")}},
			[]channel.Problem{{Code: channel.ProblemMediaTooBig, Media: 1, Limit: instagram.MaxImageBytes, Actual: instagram.MaxImageBytes + 1}}},
		{"4:5 and 1.91:1", channel.Post{Media: []channel.Media{img("image/jpeg", 10, 1080, 1350, "a"), img("image/jpeg", 10, 1910, 1000, "b")}}, nil},
		{"too tall", channel.Post{Media: []channel.Media{img("image/jpeg", 10, 1080, 1920, "a")}},
			[]channel.Problem{{Code: instagram.ProblemAspectRatio, Media: 1}}},
		{"too wide", channel.Post{Media: []channel.Media{vid(), img("image/jpeg", 10, 3000, 1000, "a")}},
			[]channel.Problem{{Code: instagram.ProblemAspectRatio, Media: 2}}},
		{"a tall video is a reel", channel.Post{Media: []channel.Media{vid()}}, nil},
		{"ten mixed", channel.Post{Media: append(slices.Repeat([]channel.Media{vid()}, 5), slices.Repeat([]channel.Media{img("image/jpeg", 1, 0, 0, "a")}, 5)...)}, nil},
		{"eleven mixed", channel.Post{Media: append(slices.Repeat([]channel.Media{vid()}, 6), slices.Repeat([]channel.Media{img("image/jpeg", 1, 0, 0, "a")}, 5)...)},
			[]channel.Problem{{Code: channel.ProblemTooManyImages, Limit: 10, Actual: 11}}},
		{"eleven photos", channel.Post{Media: slices.Repeat([]channel.Media{img("image/jpeg", 1, 0, 0, "a")}, 11)},
			[]channel.Problem{{Code: channel.ProblemTooManyImages, Limit: 10, Actual: 11}}},
		{"no alt", channel.Post{Media: []channel.Media{img("image/jpeg", 1, 0, 0, "")}}, []channel.Problem{{Code: channel.ProblemAltMissing, Media: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Validate(channel.Account{}, tt.post); !slices.Equal(got, tt.want) {
				t.Errorf("problems %+v, want %+v", got, tt.want)
			}
		})
	}
	caps := c.Capabilities()
	if caps.Edit || caps.LinkCard || !caps.Delete || !caps.Find || caps.Idempotent {
		t.Errorf("capabilities %+v", caps)
	}
	if lim := c.Limits(channel.Account{}); !lim.MediaRequired || lim.MaxHashtags != 30 || !lim.AltTextSupported ||
		!slices.Equal(lim.ImageTypes, []string{"image/jpeg"}) {
		t.Errorf("limits %+v", lim)
	}
}

var ops = []struct {
	name string
	run  func(e *env) error
}{
	{"photo", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao", Media: []channel.Media{photo("1.jpg", "x")}})
		return err
	}},
	{"carousel", func(e *env) error {
		_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Media: []channel.Media{photo("1.jpg", "x"), video("2.mp4")}})
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
		{channeltest.FaultRateLimit, channel.RateLimited, 400, "80002", time.Minute, "There have been too many calls to this Instagram account."},
		{channeltest.FaultServer, channel.Retryable, 500, "2", 0, "An unexpected error has occurred."},
		{channeltest.FaultAuth, channel.Auth, 400, "190/463", 0, "Error validating access token: Session has expired."},
		{channeltest.FaultBadRequest, channel.Permanent, 400, "100", 0, "(#100) Invalid parameter"},
	}
	for _, op := range ops {
		for _, f := range faults {
			t.Run(fmt.Sprintf("%s/%s", op.name, f.kind), func(t *testing.T) {
				e := newEnv(t, instagramtest.Options{}, 2*time.Second)
				if err := ops[0].run(e); err != nil {
					t.Fatal(err)
				}
				e.fake.Inject(f.fault, 1)
				ce := channel.AsError(op.run(e))
				if ce == nil || ce.Kind != f.kind || ce.Status != f.status || ce.RetryAfter != f.retry ||
					!strings.HasPrefix(ce.Message, f.msg) || ce.Code != f.code || ce.Platform != channel.Instagram {
					t.Fatalf("error %#v, want %s %d %q", ce, f.kind, f.status, f.msg)
				}
				if got := e.fake.Received(); len(got) != 1 || got[0].Deleted {
					t.Errorf("fake holds %+v after a refusal", got)
				}
			})
		}
	}
}

func TestLostAnswer(t *testing.T) {
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			e := newEnv(t, instagramtest.Options{}, 200*time.Millisecond)
			if err := ops[0].run(e); err != nil {
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
			got := e.fake.Received()
			if op.name == "delete" && !got[0].Deleted || op.name != "delete" && len(got) != 2 {
				t.Errorf("the call should have happened: %+v", got)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		opts   instagramtest.Options
		change func(e *env)
		kind   channel.Kind
		code   string
		msg    string
		sent   bool
	}{
		{"revoked token", instagramtest.Options{Token: "another"}, nil, channel.Auth, "190", "Invalid OAuth access token", true},
		{"no token", instagramtest.Options{}, func(e *env) { e.acct.Credentials = nil }, channel.Auth, "", "no access token", false},
		{"username as handle", instagramtest.Options{}, func(e *env) { e.acct.Handle = "@comune.vallebella" }, channel.Auth, "",
			`"@comune.vallebella" is not the numeric id`, false},
		{"unknown account", instagramtest.Options{}, func(e *env) { e.acct.Handle = "1784" }, channel.Permanent, "100/33",
			"Unsupported post request. Object with ID '1784' does not exist", true},
		{"connection refused", instagramtest.Options{}, func(e *env) { e.acct.BaseURL = "http://127.0.0.1:1" }, channel.Retryable, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts, 2*time.Second)
			if tt.change != nil {
				tt.change(e)
			}
			_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Text: "ciao", Media: []channel.Media{photo("1.jpg", "x")}})
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

func TestWaitIsBounded(t *testing.T) {
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	e.conn.PollInterval = time.Hour
	e.conn.MaxWait = 50 * time.Millisecond
	start := time.Now()
	_, err := e.conn.Publish(context.Background(), e.acct, channel.Post{Media: []channel.Media{photo("1.jpg", "x")}})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.Retryable || !strings.Contains(ce.Message, "not ready in time") {
		t.Fatalf("error %v", err)
	}
	if time.Since(start) > time.Second || len(e.fake.Received()) != 0 {
		t.Errorf("took %v, fake holds %v", time.Since(start), e.fake.Received())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	e.conn.MaxWait = time.Hour
	if _, err := e.conn.Publish(ctx, e.acct, channel.Post{Media: []channel.Media{photo("1.jpg", "x")}}); channel.KindOf(err) != channel.Retryable {
		t.Fatalf("error %v", err)
	}
}

func TestPublishLimit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, instagramtest.Options{PublishLimit: 2}, 2*time.Second)
	post := channel.Post{Media: []channel.Media{photo("1.jpg", "x")}}
	for range 2 {
		if _, err := e.conn.Publish(ctx, e.acct, post); err != nil {
			t.Fatal(err)
		}
	}
	e.rec.take()
	q, err := e.conn.PublishingLimit(ctx, e.acct)
	if err != nil || q.Used != 2 || q.Total != 2 || q.Span != 24*time.Hour || q.Left() != 0 {
		t.Fatalf("quota %+v %v", q, err)
	}
	golden(t, "publishing_limit", render(t, e.rec.take()))
	_, err = e.conn.Publish(ctx, e.acct, post)
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.RateLimited || ce.Code != "9/2207042" || ce.RetryAfter != instagram.PublishLimitWait {
		t.Fatalf("error %v", err)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, instagramtest.Options{}, 2*time.Second)
	pub, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: "Foto", Media: []channel.Media{photo("1.jpg", "a"), photo("2.jpg", "b")}})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.take()
	if err := e.conn.Delete(ctx, e.acct, pub); err != nil {
		t.Fatal(err)
	}
	golden(t, "delete", render(t, e.rec.take()))
	if r := e.fake.Received()[0]; !r.Deleted {
		t.Errorf("fake holds %+v", r)
	}
	if err := e.conn.Delete(ctx, e.acct, pub); err != nil {
		t.Errorf("deleting again: %v", err)
	}
	if err := e.conn.Delete(ctx, e.acct, channel.Published{RemoteID: "12/../34"}); channel.KindOf(err) != channel.Permanent {
		t.Errorf("bad id: %v", err)
	}
}

func TestFind(t *testing.T) {
	ctx := context.Background()
	now := testNow
	e := newEnv(t, instagramtest.Options{PublishLimit: -1, Now: func() time.Time { return now }}, 2*time.Second)
	post := channel.Post{Text: "Chiusura scuole per neve #Vallebella", Media: []channel.Media{photo("1.jpg", "x")}}
	if _, err := e.conn.Publish(ctx, e.acct, post); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	target, err := e.conn.Publish(ctx, e.acct, post)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		now = now.Add(time.Second)
		if _, err := e.conn.Publish(ctx, e.acct, channel.Post{Text: fmt.Sprint("altro ", i), Media: post.Media}); err != nil {
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
		{"too old", post, testNow.Add(2 * time.Hour), ""},
		{"other caption", channel.Post{Text: "Chiusura scuole"}, testNow, ""},
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
			if found && (pub.URL != target.URL || !pub.At.Equal(testNow.Add(time.Hour))) {
				t.Errorf("published %+v", pub)
			}
			if reqs := e.rec.take(); tt.name == "latest match" {
				golden(t, "find", render(t, reqs))
			}
		})
	}
}

func TestCheckCredentials(t *testing.T) {
	tests := []struct {
		name   string
		opts   instagramtest.Options
		handle string
		want   channel.Identity
		kind   channel.Kind
		msg    string
	}{
		{"account", instagramtest.Options{}, user,
			channel.Identity{Name: instagramtest.DefaultName, Handle: user, URL: "https://www.instagram.com/comune.vallebella/"}, 0, ""},
		{"unknown account", instagramtest.Options{}, "1784", channel.Identity{}, channel.Permanent, "Unsupported get request"},
		{"revoked token", instagramtest.Options{Token: "other"}, user, channel.Identity{}, channel.Auth, "Invalid OAuth access token"},
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
				golden(t, "check", render(t, e.rec.take()))
				return
			}
			if ce := channel.AsError(err); ce == nil || ce.Kind != tt.kind || !strings.HasPrefix(ce.Message, tt.msg) {
				t.Fatalf("error %v, want %s %q", err, tt.kind, tt.msg)
			}
		})
	}
}

func TestOpenFake(t *testing.T) {
	e := newEnv(t, instagramtest.Options{Open: true, PublishLimit: -1}, 5*time.Second)
	// Keep connections for the 50 accounts, as the engine's client does.
	e.conn = instagram.New(&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}})
	e.conn.PollInterval = time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for a := range 50 {
		acct := e.acct
		acct.Handle = fmt.Sprint(17841400000001000 + a)
		acct.Credentials = channel.Credentials{channel.CredToken: fmt.Sprint("token-", a)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				p := channel.Post{Text: fmt.Sprint("avviso ", i), Media: []channel.Media{photo("1.jpg", "x")}}
				if i%3 == 0 {
					p.Media = append(p.Media, video("2.mp4"))
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
	for _, s := range []string{"", "ciao", "a\r\nb\rc", "\x00\x1b[31m", "\xff\xfe", "🇮🇹 #tag @user", "\u2028x\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := instagram.Format(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Format(%q) = %q is not UTF-8", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }) {
			t.Fatalf("Format(%q) = %q holds a control character", s, out)
		}
		if again := instagram.Format(out); again != out {
			t.Fatalf("Format is not idempotent on %q", s)
		}
		if n := instagram.Count(s); n < 0 || n > len(s) || n != utf8.RuneCountInString(out) {
			t.Fatalf("Count(%q) = %d", s, n)
		}
		for _, m := range instagram.Mentions(s) {
			if m == "" || len(m) > 30 || !strings.Contains(s, "@"+m) {
				t.Fatalf("Mentions(%q) has %q", s, m)
			}
		}
	})
}
