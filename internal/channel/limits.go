// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Capabilities say what a connector can do.
type Capabilities struct {
	Publish  bool
	Edit     bool // correct a published post in place
	Delete   bool
	Images   bool
	Video    bool
	LinkCard bool // shows a preview card for a link
	// Find is true when the connector can look for a post among the
	// account's latest ones, which settles unknown outcomes.
	Find bool
	// Idempotent is true when a retry with the same Post.Key can never
	// publish twice (Mastodon's Idempotency-Key, Bluesky's record key).
	Idempotent   bool
	CheckAccount bool
	Refresh      bool // OAuth tokens that expire and are renewed

	// What the citizen desk may do on the platform. The desk offers an
	// action only where its flag is set, and a test holds every connector
	// to implement the interface its flags promise.

	// Reply: answer a citizen's message where they wrote it (Replier).
	Reply bool
	// ReplyPrivate: answer a public comment in private (Reply.Private): a
	// Messenger or Instagram private reply, a Mastodon direct message.
	ReplyPrivate bool
	// Hide and DeleteComment: take a citizen's public comment out of view,
	// or remove it (Moderator, with the action Hide or Delete).
	Hide          bool
	DeleteComment bool
	// Poll: what citizens send is read by polling (Poller); the others
	// deliver it by webhook, or not at all.
	Poll bool
}

// Limits are a platform's rules for one account. A zero number means "no
// limit" except where noted.
type Limits struct {
	// MaxText is the longest text, in the unit Connector.Count returns
	// (characters, weighted characters, graphemes, UTF-16 units).
	MaxText int
	// MaxTextWithMedia, when set, replaces MaxText for a post with media
	// (Telegram's 1024-character caption).
	MaxTextWithMedia int
	// TextUnit names the unit for people: "characters", "graphemes",
	// "weighted" (X), shown beside the count.
	TextUnit string
	// MediaRequired: the platform refuses a post without an image or video
	// (Instagram).
	MediaRequired bool
	MaxImages     int // per post; 0 means images are not accepted
	MaxVideos     int // per post; 0 means videos are not accepted
	// MixMedia: images and videos may share one post.
	MixMedia      bool
	ImageTypes    []string // accepted content types
	VideoTypes    []string
	MaxImageBytes int64
	MaxVideoBytes int64
	MaxImageSide  int // longest side in pixels the platform keeps; larger images are resized
	MaxHashtags   int
	MaxAltText    int // characters of alternative text
	// AltTextSupported is false where the platform has no field for it; the
	// alternative text then stays in Piazza (and the editor says so).
	AltTextSupported bool
}

// Problem is one reason a variant cannot be published as it is. Code is
// a translation key of the i18n catalogs; Limit and Actual fill it in
// ("supera il limite di %d").
type Problem struct {
	Code   string
	Limit  int
	Actual int
	// Media is the 1-based position of the attachment concerned, if any.
	Media int
}

// Over returns by how much Actual exceeds Limit (0 when it does not).
func (p Problem) Over() int { return max(p.Actual-p.Limit, 0) }

// The problem codes, keys of the i18n catalogs.
const (
	ProblemEmpty          = "channel.problem.empty"    // no text and no media
	ProblemTooLong        = "channel.problem.too_long" // Limit, Actual
	ProblemCaptionTooLong = "channel.problem.caption_too_long"
	ProblemMediaRequired  = "channel.problem.media_required"
	ProblemTooManyImages  = "channel.problem.too_many_images"
	ProblemTooManyVideos  = "channel.problem.too_many_videos"
	ProblemNoImages       = "channel.problem.no_images"
	ProblemNoVideo        = "channel.problem.no_video"
	ProblemMixedMedia     = "channel.problem.mixed_media"
	ProblemMediaType      = "channel.problem.media_type"
	ProblemMediaTooBig    = "channel.problem.media_too_big" // Limit, Actual in bytes
	ProblemAltMissing     = "channel.problem.alt_missing"
	ProblemAltTooLong     = "channel.problem.alt_too_long"
	ProblemTooManyTags    = "channel.problem.too_many_hashtags"
)

// Validate checks p against lim, counting the text with count. It is what
// the editor runs on every keystroke and what blocks scheduling; a
// connector may add platform rules of its own on top.
func Validate(lim Limits, p Post, count func(string) int) []Problem {
	var out []Problem
	text := strings.TrimSpace(p.Text)
	if text == "" && len(p.Media) == 0 {
		out = append(out, Problem{Code: ProblemEmpty})
	}
	images, videos := 0, 0
	for i, m := range p.Media {
		pos := i + 1
		switch m.Kind {
		case Video:
			videos++
			if !slices.Contains(lim.VideoTypes, m.ContentType) && lim.MaxVideos > 0 {
				out = append(out, Problem{Code: ProblemMediaType, Media: pos})
			}
			if lim.MaxVideoBytes > 0 && int64(len(m.Data)) > lim.MaxVideoBytes {
				out = append(out, Problem{Code: ProblemMediaTooBig, Media: pos, Limit: int(lim.MaxVideoBytes), Actual: len(m.Data)})
			}
		default:
			images++
			if !slices.Contains(lim.ImageTypes, m.ContentType) && lim.MaxImages > 0 {
				out = append(out, Problem{Code: ProblemMediaType, Media: pos})
			}
			if lim.MaxImageBytes > 0 && int64(len(m.Data)) > lim.MaxImageBytes {
				out = append(out, Problem{Code: ProblemMediaTooBig, Media: pos, Limit: int(lim.MaxImageBytes), Actual: len(m.Data)})
			}
			// Alternative text is Piazza's rule, not only the platform's:
			// every image needs one, even where the platform has no field.
			if strings.TrimSpace(m.AltText) == "" {
				out = append(out, Problem{Code: ProblemAltMissing, Media: pos})
			} else if n := utf8.RuneCountInString(m.AltText); lim.MaxAltText > 0 && n > lim.MaxAltText {
				out = append(out, Problem{Code: ProblemAltTooLong, Media: pos, Limit: lim.MaxAltText, Actual: n})
			}
		}
	}
	switch {
	case images > 0 && lim.MaxImages == 0:
		out = append(out, Problem{Code: ProblemNoImages, Actual: images})
	case images > lim.MaxImages:
		out = append(out, Problem{Code: ProblemTooManyImages, Limit: lim.MaxImages, Actual: images})
	}
	switch {
	case videos > 0 && lim.MaxVideos == 0:
		out = append(out, Problem{Code: ProblemNoVideo, Actual: videos})
	case videos > lim.MaxVideos:
		out = append(out, Problem{Code: ProblemTooManyVideos, Limit: lim.MaxVideos, Actual: videos})
	}
	if images > 0 && videos > 0 && !lim.MixMedia {
		out = append(out, Problem{Code: ProblemMixedMedia})
	}
	if lim.MediaRequired && len(p.Media) == 0 {
		out = append(out, Problem{Code: ProblemMediaRequired})
	}
	if count != nil {
		n := count(p.Text)
		switch {
		case len(p.Media) > 0 && lim.MaxTextWithMedia > 0:
			if n > lim.MaxTextWithMedia {
				out = append(out, Problem{Code: ProblemCaptionTooLong, Limit: lim.MaxTextWithMedia, Actual: n})
			}
		case lim.MaxText > 0 && n > lim.MaxText:
			out = append(out, Problem{Code: ProblemTooLong, Limit: lim.MaxText, Actual: n})
		}
	}
	if lim.MaxHashtags > 0 {
		if n := len(Hashtags(p.Text)); n > lim.MaxHashtags {
			out = append(out, Problem{Code: ProblemTooManyTags, Limit: lim.MaxHashtags, Actual: n})
		}
	}
	return out
}

// ValidateWith runs Validate with a connector's own limits and counter.
func ValidateWith(c Connector, acct Account, p Post) []Problem {
	return Validate(c.Limits(acct), p, func(s string) int { return c.Count(acct, s) })
}

// Validator is implemented by connectors that check more than their
// Limits and Count can say (X counts the link it appends with the text;
// Instagram limits hashtags and mentions and needs media).
type Validator interface {
	Validate(acct Account, p Post) []Problem
}

// Check is what a post must pass before it is scheduled: the connector's
// own Validate when it has one, ValidateWith otherwise.
func Check(c Connector, acct Account, p Post) []Problem {
	if v, ok := c.(Validator); ok {
		return v.Validate(acct, p)
	}
	return ValidateWith(c, acct, p)
}

// hashtagRe matches a hashtag the way most platforms see one: # after the
// start or a non-word character, then letters, digits, underscores, with at
// least one letter (so "#1" is not a tag).
var hashtagRe = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/@])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)

// Hashtags returns the hashtags of text, without '#', in order.
func Hashtags(text string) []string {
	ms := hashtagRe.FindAllStringSubmatch(text, -1)
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m[1])
	}
	return out
}

// urlRe finds http(s) links in plain text, stopping before trailing
// punctuation that usually ends a sentence.
var urlRe = regexp.MustCompile(`https?://[^\s<>"]*[^\s<>".,;:!?)\]'’»]`)

// URLSpan is a link found in text, as byte offsets.
type URLSpan struct {
	Start, End int
	URL        string
}

// URLs returns the http(s) links of text with their byte offsets.
func URLs(text string) []URLSpan {
	idx := urlRe.FindAllStringIndex(text, -1)
	out := make([]URLSpan, 0, len(idx))
	for _, i := range idx {
		out = append(out, URLSpan{Start: i[0], End: i[1], URL: text[i[0]:i[1]]})
	}
	return out
}

// CountRunesWithURLs counts code points, with every link counted as
// urlLength: the rule of Mastodon (23) and the base of X's.
func CountRunesWithURLs(text string, urlLength int) int {
	n, last := 0, 0
	for _, u := range URLs(text) {
		n += utf8.RuneCountInString(text[last:u.Start]) + urlLength
		last = u.End
	}
	return n + utf8.RuneCountInString(text[last:])
}
