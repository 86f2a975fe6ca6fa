// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestDeskOffersWhatTheChannelAllows: the conversation page offers a
// reply, an answer in private, hiding and deleting only where the
// citizen's platform allows them (its connector's capabilities), and the
// desk refuses in words what the page does not offer.
func TestDeskOffersWhatTheChannelAllows(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		accts, err := in.App.Publish.Accounts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		sandbox := map[channel.Platform]string{}
		for _, a := range accts {
			if a.Sandbox && sandbox[a.Platform] == "" {
				sandbox[a.Platform] = a.ID
			}
		}
		marker := storetest.Unique("orari")
		all := desk.Scope{All: true}
		open := func(source string, vis channel.Visibility) (desk.Conversation, desk.Message) {
			t.Helper()
			id := storetest.Unique("1234567890_")
			inb := desk.Inbound{OrgID: o.ID, Source: source, Msg: channel.Inbound{RemoteID: id, Thread: id, Visibility: vis,
				AuthorID: "author-" + id, AuthorName: "Cittadina", Text: "Quando apre la biblioteca civica? " + marker, At: time.Now()}}
			if source != desk.SourceWebForm {
				inb.AccountID = sandbox[channel.Platform(source)]
				if inb.AccountID == "" {
					t.Fatalf("the demo has no sandbox account on %s", source)
				}
			}
			res, err := in.App.Desk.Ingest(ctx, inb)
			if err != nil {
				t.Fatal(err)
			}
			c, msgs, err := in.App.Desk.Get(ctx, o.ID, res.ConversationID, all)
			if err != nil {
				t.Fatal(err)
			}
			return c, msgs[0]
		}

		cm := newClient(t, in.URL)
		cm.login("community@demo.piazza.test")
		for _, tc := range []struct {
			source string
			vis    channel.Visibility
			want   desk.Actions
		}{
			{"facebook", channel.Public, desk.Actions{Reply: true, ReplyPrivate: true, Hide: true, Delete: true}},
			{"facebook", channel.Private, desk.Actions{Reply: true}},
			{"instagram", channel.Public, desk.Actions{Reply: true, ReplyPrivate: true, Hide: true, Delete: true}},
			{"mastodon", channel.Public, desk.Actions{Reply: true, ReplyPrivate: true}},
			{"bluesky", channel.Public, desk.Actions{Reply: true}},
			{"telegram", channel.Private, desk.Actions{Reply: true}},
			{"x", channel.Public, desk.Actions{}},
			{desk.SourceWebForm, channel.Private, desk.Actions{Reply: true}},
		} {
			t.Run(tc.source+"-"+string(tc.vis), func(t *testing.T) {
				c, m := open(tc.source, tc.vis)
				if got := in.App.Desk.Actions(c); got != tc.want {
					t.Errorf("actions %+v, want %+v", got, tc.want)
				}
				code, body := cm.get("/desk/c/" + c.ID)
				if code != http.StatusOK {
					t.Fatalf("conversation page: %d", code)
				}
				for _, offer := range []struct {
					what, html string
					want       bool
				}{
					{"the reply box", `id="reply-form"`, tc.want.Reply},
					{"the note that replies go through the platform", `id="reply-unavailable"`, !tc.want.Reply},
					{"the answer in private", `id="reply-private"`, tc.want.ReplyPrivate},
					{"hiding", `name="action" value="hide"`, tc.want.Hide},
					{"deleting", `name="action" value="delete"`, tc.want.Delete},
					{"a warning", `name="action" value="warn"`, true},
					{"blocking", `name="action" value="block"`, true},
				} {
					if strings.Contains(body, offer.html) != offer.want {
						t.Errorf("the page offers %s: %v, want %v", offer.what, !offer.want, offer.want)
					}
				}

				// What the page does not offer is refused, and nothing is
				// recorded or queued.
				moderate := func(action string) int {
					code, _, _ := cm.post("/desk/m/"+m.ID+"/moderate", url.Values{"action": {action}, "rule": {"5"}, "conversation": {c.ID}})
					return code
				}
				for _, act := range []struct {
					name    string
					allowed bool
				}{{desk.ActHide, tc.want.Hide}, {desk.ActDelete, tc.want.Delete}} {
					if act.allowed {
						continue
					}
					if code := moderate(act.name); code != http.StatusUnprocessableEntity {
						t.Errorf("%s: %d, want 422", act.name, code)
					}
				}
				reply := func(private bool) (int, string) {
					form := url.Values{"text": {"La biblioteca apre alle 9. " + marker}}
					if private {
						form.Set("private", "1")
					}
					code, body, _ := cm.post("/desk/c/"+c.ID+"/reply", form)
					return code, body
				}
				if !tc.want.Reply {
					if code, body := reply(false); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="desk-error"`) {
						t.Errorf("a reply where there are none: %d", code)
					}
				}
				if tc.want.Reply && tc.vis == channel.Public && !tc.want.ReplyPrivate {
					if code, _ := reply(true); code != http.StatusUnprocessableEntity {
						t.Errorf("an answer in private where there are none: %d", code)
					}
				}
				var refused int
				if err := in.App.DB.Read.QueryRow(`SELECT (SELECT COUNT(*) FROM desk_moderation WHERE message_id = $1)
					+ (SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $2 AND direction = 'out')`, m.ID, c.ID).Scan(&refused); err != nil {
					t.Fatal(err)
				}
				if refused != 0 {
					t.Errorf("%d refused actions were recorded", refused)
				}

				// What it offers goes through.
				if tc.want.Hide {
					if code := moderate(desk.ActHide); code != http.StatusSeeOther {
						t.Errorf("hide: %d, want 303", code)
					}
				}
				if tc.want.Reply {
					if code, body := reply(tc.want.ReplyPrivate); code != http.StatusSeeOther {
						t.Errorf("reply: %d %s", code, body)
					}
				}
			})
		}
	})
}
