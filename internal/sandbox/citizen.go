// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package sandbox

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky/blueskytest"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/facebook/facebooktest"
	"github.com/piazza-pa/piazza/internal/channel/instagram/instagramtest"
	"github.com/piazza-pa/piazza/internal/channel/mastodon/mastodontest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

// Citizens of the demo write on the fakes as they would on the platforms,
// so the desk receives real ids and its replies and moderation reach the
// fakes (what each platform received shows on /sandbox).

// Delivery is a citizen's message on a fake: what its webhook carries
// (Inbound, for the platforms that push), or nothing when the platform is
// polled (Mastodon, Bluesky: the desk's poller reads it).
type Delivery struct {
	Inbound channel.Inbound
	Pushed  bool
}

// ErrNoPost is returned for a public comment when the page has no post yet.
var ErrNoPost = errors.New("sandbox: no post to comment on")

func userID(name string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return int64(h.Sum32()%900000) + 100000
}

// Citizen makes a citizen write text on platform p: a public comment or
// mention when public, a private message otherwise.
func (s *Sandbox) Citizen(p channel.Platform, public bool, name, text string) (Delivery, error) {
	handle := strings.ToLower(strings.NewReplacer(" ", ".", "'", "").Replace(name))
	switch p {
	case channel.Telegram:
		upd, err := telegram.ParseUpdate(s.tg.Send(telegramtest.User{ID: userID(name), FirstName: name, Username: strings.ReplaceAll(handle, ".", "_")}, text))
		if err != nil {
			return Delivery{}, err
		}
		return Delivery{Inbound: upd.Msg, Pushed: true}, nil
	case channel.Facebook, channel.Instagram:
		var payload []byte
		var err error
		id := fmt.Sprint(userID(name))
		switch {
		case p == channel.Facebook && public:
			post := s.latestPost()
			if post == "" {
				return Delivery{}, ErrNoPost
			}
			_, payload, err = s.fb.AddComment(post, facebooktest.Citizen{ID: id, Name: name}, text)
		case p == channel.Facebook:
			_, payload, err = s.fb.AddMessage(facebooktest.DefaultPageID, facebooktest.Citizen{ID: id, Name: name}, text)
		case public:
			media := s.latestMedia()
			if media == "" {
				return Delivery{}, ErrNoPost
			}
			_, payload, err = s.ig.AddComment(media, instagramtest.Citizen{ID: id, Username: handle}, text)
		default:
			_, payload, err = s.ig.AddMessage(instagramtest.DefaultIGUserID, instagramtest.Citizen{ID: id, Username: handle}, text)
		}
		if err != nil {
			return Delivery{}, err
		}
		events, err := facebook.ParseWebhook(payload)
		if err != nil || len(events) == 0 {
			return Delivery{}, errors.Join(errors.New("sandbox: the fake's webhook carries no message"), err)
		}
		return Delivery{Inbound: events[0].Msg, Pushed: true}, nil
	case channel.Mastodon:
		vis := "direct"
		if public {
			vis = "public"
		}
		_, err := s.md.AddMention(mastodontest.Mention{From: handle + "@social.example", DisplayName: name, Text: text, Visibility: vis})
		return Delivery{}, err
	case channel.Bluesky:
		_, _, err := s.bs.AddPost(blueskytest.Post{Handle: handle + ".bsky.social", DisplayName: name,
			Text: "@" + blueskytest.DefaultHandle + " " + text})
		return Delivery{}, err
	}
	return Delivery{}, fmt.Errorf("sandbox: citizens do not write on %s", p)
}

// latestPost is the newest published post of the demo's Page.
func (s *Sandbox) latestPost() string {
	objs := s.fb.Objects()
	for i := len(objs) - 1; i >= 0; i-- {
		if o := objs[i]; o.Kind == "post" && o.Page == facebooktest.DefaultPageID {
			return o.ID
		}
	}
	return ""
}

// latestMedia is the newest published Instagram media.
func (s *Sandbox) latestMedia() string {
	ms := s.ig.Media()
	for i := len(ms) - 1; i >= 0; i-- {
		if !ms[i].Deleted {
			return ms[i].ID
		}
	}
	return ""
}
