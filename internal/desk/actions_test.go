// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk_test

import (
	"errors"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// TestActionsFollowTheChannel: the desk answers the web form itself and
// has nothing public there to hide; a platform's conversation can do only
// what its connector can, so one whose account is gone can do nothing
// there. What is not possible is refused as ErrNotOffered (an invalid
// input), and a group reply passes over the conversations it cannot
// answer.
func TestActionsFollowTheChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		form := f.form(t, "a1", "I cassonetti di via Verdi sono pieni da quattro giorni, la spazzatura è per terra")
		orphan, err := f.desk.Ingest(f.ctx, desk.Inbound{OrgID: f.org.ID, Source: string(channel.Facebook), Msg: channel.Inbound{
			RemoteID: "a2", Visibility: channel.Public, AuthorID: "fb-a2", Text: "in via Verdi i cassonetti sono pieni da giorni e la spazzatura è sul marciapiede"}})
		if err != nil {
			t.Fatal(err)
		}
		conv := func(id string) (desk.Conversation, desk.Message) {
			t.Helper()
			c, msgs, err := f.desk.Get(f.ctx, f.org.ID, id, all)
			if err != nil {
				t.Fatal(err)
			}
			return c, msgs[0]
		}
		fc, fm := conv(form.ConversationID)
		oc, om := conv(orphan.ConversationID)
		if got := f.desk.Actions(fc); got != (desk.Actions{Reply: true}) {
			t.Errorf("web form: %+v", got)
		}
		if got := f.desk.Actions(oc); got != (desk.Actions{}) {
			t.Errorf("a Facebook comment without its account: %+v", got)
		}

		for _, tc := range []struct {
			name string
			err  error
		}{
			{"hide a web form message", first(f.desk.Moderate(f.ctx, f.org.ID, fm.ID, desk.ActHide, desk.RuleSpam, "", all))},
			{"delete a web form message", first(f.desk.Moderate(f.ctx, f.org.ID, fm.ID, desk.ActDelete, desk.RuleSpam, "", all))},
			{"hide without the account", first(f.desk.Moderate(f.ctx, f.org.ID, om.ID, desk.ActHide, desk.RuleSpam, "", all))},
			{"reply without the account", first(f.desk.Reply(f.ctx, f.org.ID, oc.ID, desk.ReplyInput{Text: "Grazie"}, all))},
			{"reply in private without the account", first(f.desk.Reply(f.ctx, f.org.ID, oc.ID, desk.ReplyInput{Text: "Grazie", Private: true}, all))},
		} {
			if !errors.Is(tc.err, desk.ErrNotOffered) || !errors.Is(tc.err, desk.ErrInvalid) {
				t.Errorf("%s: %v, want ErrNotOffered", tc.name, tc.err)
			}
		}
		// Piazza's own actions stay possible everywhere.
		if _, err := f.desk.Moderate(f.ctx, f.org.ID, om.ID, desk.ActWarn, desk.RuleSpam, "", all); err != nil {
			t.Errorf("warn: %v", err)
		}
		// A web form request is private already: "in private" changes nothing.
		if m, err := f.desk.Reply(f.ctx, f.org.ID, fc.ID, desk.ReplyInput{Text: "Grazie", Private: true}, all); err != nil || m.Private {
			t.Errorf("private reply to the web form: %+v %v", m, err)
		}

		// The group reply answers whom it can.
		if fc.GroupID == "" || oc.GroupID != fc.GroupID {
			t.Fatalf("the two reports of the full bins are not grouped: %q %q", fc.GroupID, oc.GroupID)
		}
		f.form(t, "a3", "CASSONETTI PIENI IN VIA VERDI da quattro giorni, spazzatura ovunque")
		n, err := f.desk.ReplyGroup(f.ctx, f.org.ID, fc.GroupID, desk.ReplyInput{Text: "La raccolta straordinaria in via Verdi è prevista per domani."}, all)
		if err != nil || n != 1 {
			t.Errorf("group reply: %d %v, want the one open web form request answered", n, err)
		}
		if _, msgs, _ := f.desk.Get(f.ctx, f.org.ID, oc.ID, all); msgs[len(msgs)-1].Direction != desk.In {
			t.Error("the group reply queued an answer for a conversation it cannot answer")
		}
	})
}

func first[T any](_ T, err error) error { return err }
