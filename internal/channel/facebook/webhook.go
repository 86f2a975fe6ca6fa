// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// Meta's webhooks serve both connectors: one app receives the Page's
// comments and Messenger messages ("page") and the linked Instagram
// account's comments and direct messages ("instagram") on one callback.
//
// Specs: https://developers.facebook.com/docs/graph-api/webhooks/getting-started
// Specs: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
// Specs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
// Specs: https://developers.facebook.com/docs/instagram-platform/webhooks

// SignatureHeader is the header that carries the payload's signature.
const SignatureHeader = "X-Hub-Signature-256"

// VerifySignature reports whether header ("sha256=<hex>", the value of
// X-Hub-Signature-256) is the HMAC-SHA256 of the raw body with the app
// secret. An empty secret verifies nothing: a misconfigured app must not
// accept whatever anyone posts.
func VerifySignature(body []byte, header, appSecret string) bool {
	if appSecret == "" {
		return false
	}
	prefix, sig, ok := strings.Cut(strings.TrimSpace(header), "=")
	if !ok || !strings.EqualFold(prefix, "sha256") || len(sig) != 2*sha256.Size {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// challengeRe is what VerifyChallenge echoes back: Meta sends a number,
// and the handler writes it as the body, so nothing that could be markup
// gets through.
var challengeRe = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,256}$`)

// VerifyChallenge answers the verification request Meta sends when the
// callback URL is set (GET with hub.mode=subscribe, hub.verify_token and
// hub.challenge): ok when the token is the one configured, and then the
// challenge to answer with. An empty verifyToken verifies nothing.
func VerifyChallenge(q url.Values, verifyToken string) (challenge string, ok bool) {
	if verifyToken == "" || q.Get("hub.mode") != "subscribe" {
		return "", false
	}
	// Hashing first keeps the comparison's time independent of the
	// lengths too.
	a, b := sha256.Sum256([]byte(q.Get("hub.verify_token"))), sha256.Sum256([]byte(verifyToken))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return "", false
	}
	c := q.Get("hub.challenge")
	if !challengeRe.MatchString(c) {
		return "", false
	}
	return c, true
}

// Event is one citizen's message from a webhook payload.
type Event struct {
	// Platform is channel.Facebook for a Page's payload, channel.Instagram
	// for an Instagram account's.
	Platform channel.Platform
	// AccountID is the entry's id: the Page id, or the Instagram
	// professional account id (Account.Handle of the connected account).
	AccountID string
	Msg       channel.Inbound
}

// Raw keys of an inbound direct message: the id to answer it with.
const (
	RawPSID  = "psid"  // Messenger's page-scoped id of the sender
	RawIGSID = "igsid" // Instagram's scoped id of the sender
)

// ErrMalformed is wrapped by ParseWebhook's errors.
var ErrMalformed = errors.New("malformed webhook payload")

// payload is a webhook's body. Entries, changes and messaging events are
// decoded one at a time, so that one of a shape this parser does not know
// costs only itself.
type payload struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

type entry struct {
	ID        flexString        `json:"id"`
	Time      flexTime          `json:"time"`
	Changes   []json.RawMessage `json:"changes"`
	Messaging []json.RawMessage `json:"messaging"`
}

type change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// feedValue is a Page feed change.
//
// Specs: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
type feedValue struct {
	Item string `json:"item"`
	Verb string `json:"verb"`
	From struct {
		ID   flexString `json:"id"`
		Name string     `json:"name"`
	} `json:"from"`
	PostID      flexString `json:"post_id"`
	CommentID   flexString `json:"comment_id"`
	ParentID    flexString `json:"parent_id"`
	Message     string     `json:"message"`
	CreatedTime flexTime   `json:"created_time"`
	Photo       string     `json:"photo"`
	Video       string     `json:"video"`
}

// igComment is an Instagram comments change.
//
// Specs: https://developers.facebook.com/docs/instagram-platform/webhooks/examples
type igComment struct {
	ID   flexString `json:"id"`
	Text string     `json:"text"`
	From struct {
		ID       flexString `json:"id"`
		Username string     `json:"username"`
	} `json:"from"`
	Media struct {
		ID flexString `json:"id"`
	} `json:"media"`
	ParentID flexString `json:"parent_id"`
}

// messaging is a Messenger or Instagram messaging event; only those with a
// message are read (deliveries, reads, postbacks are not a citizen's
// words).
//
// Specs: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
type messaging struct {
	Sender struct {
		ID flexString `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID flexString `json:"id"`
	} `json:"recipient"`
	Timestamp flexTime `json:"timestamp"`
	Message   *struct {
		MID           string `json:"mid"`
		Text          string `json:"text"`
		IsEcho        bool   `json:"is_echo"`
		IsDeleted     bool   `json:"is_deleted"`
		IsUnsupported bool   `json:"is_unsupported"`
		ReplyTo       struct {
			MID string `json:"mid"`
		} `json:"reply_to"`
		Attachments []struct {
			Type    string `json:"type"`
			Payload struct {
				URL   string `json:"url"`
				Title string `json:"title"`
			} `json:"payload"`
		} `json:"attachments"`
	} `json:"message"`
}

// ParseWebhook reads a webhook payload (already verified with
// VerifySignature) into the citizens' messages it carries:
//
//   - object "page": new comments under the Page's posts (a feed change
//     with item "comment" and verb "add"; the Page's own comments, edits
//     and removals are skipped) and Messenger messages (echoes of the
//     Page's own messages skipped);
//   - object "instagram": comments on the account's media and direct
//     messages (echoes skipped).
//
// A comment's Thread is its top-level comment (itself, or the one it
// answers), a direct message's the sender's id. Malformed JSON, or a body
// that is not a webhook's shape, is an error and yields no events; other
// objects and fields yield no events and no error, and so does an item of
// an unknown shape, which is skipped alone.
func ParseWebhook(body []byte) ([]Event, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	var platform channel.Platform
	switch p.Object {
	case "page":
		platform = channel.Facebook
	case "instagram":
		platform = channel.Instagram
	default:
		return nil, nil
	}
	var out []Event
	for _, raw := range p.Entry {
		var e entry
		if json.Unmarshal(raw, &e) != nil || e.ID == "" {
			continue
		}
		for _, raw := range e.Changes {
			var c change
			if json.Unmarshal(raw, &c) != nil {
				continue
			}
			var msg channel.Inbound
			var ok bool
			switch {
			case platform == channel.Facebook && c.Field == "feed":
				msg, ok = feedComment(c.Value, string(e.ID))
			case platform == channel.Instagram && c.Field == "comments":
				msg, ok = instagramComment(c.Value, string(e.ID))
			}
			if ok {
				if msg.At.IsZero() {
					msg.At = e.Time.t
				}
				out = append(out, Event{Platform: platform, AccountID: string(e.ID), Msg: msg})
			}
		}
		for _, raw := range e.Messaging {
			if msg, ok := directMessage(raw, platform, string(e.ID)); ok {
				if msg.At.IsZero() {
					msg.At = e.Time.t
				}
				out = append(out, Event{Platform: platform, AccountID: string(e.ID), Msg: msg})
			}
		}
	}
	return out, nil
}

// feedComment reads a Page feed change that adds a citizen's comment.
func feedComment(raw json.RawMessage, page string) (channel.Inbound, bool) {
	var v feedValue
	if json.Unmarshal(raw, &v) != nil || v.Item != "comment" || v.Verb != "add" || v.CommentID == "" ||
		string(v.From.ID) == page {
		return channel.Inbound{}, false
	}
	m := channel.Inbound{RemoteID: string(v.CommentID), Visibility: channel.Public, AuthorID: string(v.From.ID),
		AuthorName: v.From.Name, Text: v.Message, PostID: string(v.PostID), At: v.CreatedTime.t}
	if v.ParentID == "" || v.ParentID == v.PostID {
		// A top-level comment opens its own thread and answers the post.
		m.Thread, m.InReplyTo = m.RemoteID, m.PostID
	} else {
		m.Thread, m.InReplyTo = string(v.ParentID), string(v.ParentID)
	}
	if v.Photo != "" {
		m.Attachments = append(m.Attachments, channel.Attachment{Kind: "photo", URL: v.Photo})
	}
	if v.Video != "" {
		m.Attachments = append(m.Attachments, channel.Attachment{Kind: "video", URL: v.Video})
	}
	return m, true
}

// instagramComment reads a comments change of an Instagram account.
func instagramComment(raw json.RawMessage, account string) (channel.Inbound, bool) {
	var v igComment
	if json.Unmarshal(raw, &v) != nil || v.ID == "" || string(v.From.ID) == account {
		return channel.Inbound{}, false
	}
	m := channel.Inbound{RemoteID: string(v.ID), Visibility: channel.Public, AuthorID: string(v.From.ID),
		AuthorHandle: v.From.Username, Text: v.Text, PostID: string(v.Media.ID)}
	if v.ParentID == "" {
		m.Thread, m.InReplyTo = m.RemoteID, m.PostID
	} else {
		m.Thread, m.InReplyTo = string(v.ParentID), string(v.ParentID)
	}
	return m, true
}

// directMessage reads a Messenger or Instagram message a citizen sent.
func directMessage(raw json.RawMessage, platform channel.Platform, account string) (channel.Inbound, bool) {
	var ev messaging
	if json.Unmarshal(raw, &ev) != nil {
		return channel.Inbound{}, false
	}
	msg := ev.Message
	sender := string(ev.Sender.ID)
	if msg == nil || msg.IsEcho || msg.IsDeleted || msg.MID == "" || sender == "" || sender == account {
		return channel.Inbound{}, false
	}
	m := channel.Inbound{RemoteID: msg.MID, Thread: sender, Visibility: channel.Private, AuthorID: sender,
		Text: msg.Text, InReplyTo: msg.ReplyTo.MID, At: ev.Timestamp.t}
	key := RawPSID
	if platform == channel.Instagram {
		key = RawIGSID
	}
	m.Raw = map[string]string{key: sender}
	for _, a := range msg.Attachments {
		if a.Type == "" && a.Payload.URL == "" {
			continue
		}
		m.Attachments = append(m.Attachments, channel.Attachment{Kind: attachmentKind(a.Type), URL: a.Payload.URL,
			Name: a.Payload.Title})
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		// An unsupported or empty message says nothing to answer.
		return channel.Inbound{}, false
	}
	return m, true
}

// attachmentKind names a Messenger attachment type the contract's way.
func attachmentKind(t string) string {
	switch t {
	case "image":
		return "photo"
	case "file":
		return "document"
	case "":
		return "file"
	}
	return t
}

// flexString is an id Meta sends as a string, and now and then as a
// number.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		*s = flexString(x)
	case json.Number:
		*s = flexString(x.String())
	}
	return nil
}

// flexTime is a time Meta sends as Unix seconds (feed, entry.time), Unix
// milliseconds (messaging) or a Graph API date string; whatever else is
// the zero time.
type flexTime struct{ t time.Time }

// msThreshold tells milliseconds from seconds: 10^12 seconds is 33,000
// years away, 10^12 milliseconds is 2001.
const msThreshold = 1_000_000_000_000

func (ft *flexTime) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if uq, err := strconv.Unquote(s); err == nil {
		if t, ok := graphTime(uq); ok {
			ft.t = t
			return nil
		}
		s = uq
	}
	// Anything but a plausible number is no time rather than an error, so
	// that an odd time costs only itself.
	n, _ := strconv.ParseInt(s, 10, 64)
	if n <= 0 || n >= 1000*msThreshold {
		return nil
	}
	if n >= msThreshold {
		ft.t = time.UnixMilli(n).UTC()
	} else {
		ft.t = time.Unix(n, 0).UTC()
	}
	return nil
}
