// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel_test

import (
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
	"github.com/piazza-pa/piazza/internal/channel/feed"
	"github.com/piazza-pa/piazza/internal/channel/instagram"
	"github.com/piazza-pa/piazza/internal/channel/mastodon"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/x"
)

// TestCapabilitiesMatchInterfaces holds every connector's Capabilities to
// the interfaces it implements: the editor, the account page and the desk
// offer what the flags say, and the domains then call the interface, so a
// flag without its method would fail at the worst moment and a method
// without its flag would never be offered.
func TestCapabilitiesMatchInterfaces(t *testing.T) {
	conns := []channel.Connector{telegram.New(nil), facebook.New(nil), instagram.New(nil), x.New(nil),
		mastodon.New(nil), bluesky.New(nil), feed.New()}
	seen := map[channel.Platform]bool{}
	for _, c := range conns {
		seen[c.Platform()] = true
		caps := c.Capabilities()
		t.Run(string(c.Platform()), func(t *testing.T) {
			for _, check := range []struct {
				flag, iface string
				promised    bool
				implemented bool
			}{
				{"Edit", "Editor", caps.Edit, implements[channel.Editor](c)},
				{"Delete", "Deleter", caps.Delete, implements[channel.Deleter](c)},
				{"Find", "Finder", caps.Find, implements[channel.Finder](c)},
				{"CheckAccount", "CredentialChecker", caps.CheckAccount, implements[channel.CredentialChecker](c)},
				{"Refresh", "Refresher", caps.Refresh, implements[channel.Refresher](c)},
				{"Reply", "Replier", caps.Reply, implements[channel.Replier](c)},
				{"Hide or DeleteComment", "Moderator", caps.Hide || caps.DeleteComment, implements[channel.Moderator](c)},
				{"Poll", "Poller", caps.Poll, implements[channel.Poller](c)},
			} {
				switch {
				case check.promised && !check.implemented:
					t.Errorf("Capabilities().%s is set but the connector is no channel.%s", check.flag, check.iface)
				case !check.promised && check.implemented:
					t.Errorf("the connector is a channel.%s but Capabilities().%s is not set", check.iface, check.flag)
				}
			}
			if caps.ReplyPrivate && !caps.Reply {
				t.Error("ReplyPrivate without Reply")
			}
			if !caps.Publish {
				t.Error("a connector publishes")
			}
		})
	}
	for _, p := range channel.Platforms() {
		if !seen[p] {
			t.Errorf("platform %s has no connector in this test", p)
		}
	}
}

func implements[I any](c channel.Connector) bool {
	_, ok := c.(I)
	return ok
}
