// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package instagram is the connector of Instagram professional accounts
// through the Content Publishing API of Meta's Graph API (Instagram API
// with Facebook Login): it publishes a photo, a video (as a reel) or a
// carousel of 2 to 10 photos and videos, deletes it, and finds it again
// among the account's latest media. Instagram cannot correct a published
// caption through the API, so there is no Editor.
//
// Account.Handle is the Instagram professional account's id (the IG user
// id, as GET /{page-id}?fields=instagram_business_account or the Facebook
// connector's PageTokens tell it). Account.Credentials[channel.CredToken]
// is the access token of the Facebook Page linked to it (or of a person
// who manages that Page); it goes in the Authorization header ("Bearer").
// The account is connected through Facebook Login with the Facebook
// connector, whose scopes include Instagram's.
//
// Publishing takes three steps: a media container for each photo or video
// (Instagram downloads the file itself from Media.URL, which Piazza serves
// under PIAZZA_PUBLIC_URL), a wait until the container is FINISHED, and
// media_publish. Only the last step creates a post: a failure before it
// leaves nothing on the account, so it is Retryable even when no answer
// came.
package instagram

import (
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/httpx"
)

// APIVersion is the Graph API version in every path (see the Facebook
// connector: both are written against v23.0).
const APIVersion = "v23.0"

// DefaultBaseURL is the Graph API's root, used when Account.BaseURL is
// empty.
const DefaultBaseURL = "https://graph.facebook.com"

// The Content Publishing API's limits.
const (
	// MaxCaption: "Up to 2200 characters"; the API documents no unit, so
	// Count counts code points.
	MaxCaption = 2200
	// MaxHashtags and MaxMentions: "Maximum 30 hashtags", "Maximum 20 @
	// tags" per caption.
	MaxHashtags = 30
	MaxMentions = 20
	// MaxCarousel: a carousel holds 2 to 10 photos and videos.
	MaxCarousel = 10
	// MaxImageBytes: "Maximum file size: 8 MB" (the error says "8 MiB").
	MaxImageBytes = 8 << 20
	// MaxVideoBytes is the smallest of the video limits (100 MB for a
	// carousel item; a reel may have 300 MB), so that any video fits
	// wherever it goes.
	MaxVideoBytes = 100 << 20
	// MaxImageWidth: wider photos are scaled down to 1440 pixels.
	MaxImageWidth = 1440
	// PublishLimit is the number of posts the API may publish per account
	// in a moving 24 hours (a carousel counts once); PublishingLimit
	// reads the account's actual quota.
	PublishLimit = 100
)

// Aspect ratios a feed photo may have: "4:5 to 1.91:1".
const (
	MinAspect = 4.0 / 5.0
	MaxAspect = 1.91
)

// Problem codes of rules the channel contract has no code for; they are
// translation keys like the contract's own.
const (
	ProblemTooManyMentions = "channel.problem.too_many_mentions" // Limit, Actual
	ProblemAspectRatio     = "channel.problem.aspect_ratio"      // Media
)

// Connector publishes to Instagram professional accounts. It is safe for
// concurrent use once configured.
type Connector struct {
	client *http.Client
	now    func() time.Time
	// PollInterval is the first wait between two looks at a container's
	// status; each wait doubles it, up to 120 times the first (default a
	// quarter of a second, so 30 s). An image is usually ready at the
	// second look: a short first wait is what an emergency alert with its
	// card needs, and a video still ends up looked at every 30 s. Set it
	// before use; tests make it short.
	PollInterval time.Duration
	// MaxWait bounds the wait for a container, besides the context
	// (default five minutes, what Meta suggests for a video).
	MaxWait time.Duration
}

// DefaultPollInterval is PollInterval's default.
const DefaultPollInterval = 250 * time.Millisecond

// New returns the connector; a nil client means one from httpx with its
// SSRF guard.
func New(c *http.Client) *Connector {
	if c == nil {
		c = httpx.NewClient(httpx.Options{})
	}
	return &Connector{client: c, now: time.Now, PollInterval: DefaultPollInterval, MaxWait: 5 * time.Minute}
}

// Platform is channel.Instagram.
func (*Connector) Platform() channel.Platform { return channel.Instagram }

// Capabilities of an Instagram professional account: no Edit (the API
// cannot change a published caption) and no link card (a caption's links
// are not even clickable). Delete needs the instagram_manage_contents
// permission. Comments and direct messages arrive by webhook; a comment is
// answered in public or privately, hidden or deleted.
func (*Connector) Capabilities() channel.Capabilities {
	return channel.Capabilities{Publish: true, Delete: true, Images: true, Video: true, Find: true, CheckAccount: true,
		Reply: true, ReplyPrivate: true, Hide: true, DeleteComment: true}
}

// Limits of a post. Images must be JPEG; the carousel's bound of ten
// photos and videos together, the mentions and the aspect ratio are
// checked by Validate.
func (*Connector) Limits(channel.Account) channel.Limits { return limits() }

func limits() channel.Limits {
	return channel.Limits{
		MaxText: MaxCaption, TextUnit: "characters", MediaRequired: true,
		MaxImages: MaxCarousel, MaxVideos: MaxCarousel, MixMedia: true,
		ImageTypes:    []string{"image/jpeg"},
		VideoTypes:    []string{"video/mp4", "video/quicktime"},
		MaxImageBytes: MaxImageBytes, MaxVideoBytes: MaxVideoBytes, MaxImageSide: MaxImageWidth,
		MaxHashtags: MaxHashtags, AltTextSupported: true,
	}
}

// Count is the package's Count.
func (*Connector) Count(_ channel.Account, text string) int { return Count(text) }

// Count returns the length of a caption against MaxCaption: the code
// points of the text as Format sends it.
func Count(text string) int { return utf8.RuneCountInString(Format(text)) }

// mentionRe matches an @mention: an Instagram username (letters, digits,
// '.' and '_', at most 30) after the start or a character that cannot be
// part of a word or an e-mail address.
var mentionRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@])@([A-Za-z0-9._]{1,30})`)

// Mentions returns the usernames @mentioned in text, in order.
func Mentions(text string) []string {
	ms := mentionRe.FindAllStringSubmatch(text, -1)
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m[1])
	}
	return out
}

// Validate checks p against the contract's limits and Instagram's own
// rules on top: at most MaxCarousel photos and videos together (reported
// as too many images), at most MaxMentions @mentions, and a photo's aspect
// ratio between 4:5 and 1.91:1 when its size is known.
func (*Connector) Validate(acct channel.Account, p channel.Post) []channel.Problem {
	return Validate(p)
}

// Validate is the connector's Validate.
func Validate(p channel.Post) []channel.Problem {
	out := channel.Validate(limits(), p, Count)
	if n := len(p.Media); n > MaxCarousel && !hasProblem(out, channel.ProblemTooManyImages) &&
		!hasProblem(out, channel.ProblemTooManyVideos) {
		out = append(out, channel.Problem{Code: channel.ProblemTooManyImages, Limit: MaxCarousel, Actual: n})
	}
	if n := len(Mentions(Format(p.Text))); n > MaxMentions {
		out = append(out, channel.Problem{Code: ProblemTooManyMentions, Limit: MaxMentions, Actual: n})
	}
	for i, m := range p.Media {
		if m.Kind != channel.Video && m.Width > 0 && m.Height > 0 && !aspectOK(m.Width, m.Height) {
			out = append(out, channel.Problem{Code: ProblemAspectRatio, Media: i + 1})
		}
	}
	return out
}

func hasProblem(ps []channel.Problem, code string) bool {
	for _, p := range ps {
		if p.Code == code {
			return true
		}
	}
	return false
}

// aspectOK reports whether a w×h photo fits the feed's ratios. Instagram
// rounds the ratio it reports to a few decimals; a small tolerance lets
// exact 4:5 and 1.91:1 crops through.
func aspectOK(w, h int) bool {
	r := float64(w) / float64(h)
	return r >= MinAspect-0.001 && r <= MaxAspect+0.001
}

// Format is the author's plain text as the connector sends it: invalid
// UTF-8 becomes U+FFFD, "\r\n" and a lone "\r" become "\n", and control
// characters other than newline and tab are dropped.
func Format(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if !strings.ContainsFunc(text, control) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\r':
			b.WriteByte('\n')
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
		case control(rune(c)):
			// dropped
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// control reports whether r is a control character Format removes or
// rewrites (every byte below 0x80 is a whole character in UTF-8).
func control(r rune) bool { return (r < ' ' && r != '\n' && r != '\t') || r == 0x7f }
