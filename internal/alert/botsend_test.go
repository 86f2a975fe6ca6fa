// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/i18n"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// fakeBot records what a broadcast sends; crashAfter > 0 makes the
// broadcast stop dead after that many messages marked "sending", as a
// process killed mid-broadcast would (the last one's outcome unknown).
type fakeBot struct {
	mu         sync.Mutex
	sent       map[int64]int
	crashAfter int
	blocked    map[int64]bool
}

func (b *fakeBot) SendText(context.Context, int64, string, alert.Keyboard) (int64, error) {
	return 1, nil
}
func (b *fakeBot) EditKeyboard(context.Context, int64, int64, alert.Keyboard) error { return nil }
func (b *fakeBot) AnswerCallback(context.Context, string, string) error             { return nil }
func (b *fakeBot) Sandbox() bool                                                    { return true }
func (b *fakeBot) AccountID() string                                                { return "" }

var errKilled = errors.New("killed")

func (b *fakeBot) Broadcast(_ context.Context, targets []alert.BotTarget, report func(alert.BotResult) error) error {
	for i, t := range targets {
		if err := report(alert.BotResult{Index: i, ChatID: t.ChatID, Outcome: alert.BotSending}); err != nil {
			return err
		}
		b.mu.Lock()
		b.sent[t.ChatID]++
		crash := b.crashAfter > 0 && i+1 == b.crashAfter
		if crash {
			b.crashAfter = 0 // one crash
		}
		b.mu.Unlock()
		if crash {
			return errKilled // no outcome for this one: it may have arrived
		}
		outcome := alert.BotDelivered
		if b.blocked[t.ChatID] {
			outcome = alert.BotBlocked
		}
		if err := report(alert.BotResult{Index: i, ChatID: t.ChatID, Outcome: outcome}); err != nil {
			return err
		}
	}
	return nil
}

// A broadcast to the bot's subscribers killed half-way resumes where it
// stopped: nobody gets the alert twice, the one caught mid-send is
// recorded as unknown, and a chat that blocked the bot is unsubscribed.
func TestBotBroadcastResumesAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		bot := &fakeBot{sent: map[int64]int{}, crashAfter: 4, blocked: map[int64]bool{1009: true}}
		e.alerts.Bots = func(context.Context, string, string) (alert.Bot, error) { return bot, nil }
		for i := range 10 {
			if _, err := db.Write.ExecContext(e.ctx, `INSERT INTO alert_subscribers (id, org_id, kind, account_id, address, lang, exercise,
				created_at, updated_at) VALUES ($1, $2, 'telegram', '', $3, 'it', TRUE, $4, $4)`,
				store.NewID(), e.org.ID, strconv.Itoa(1000+i), store.Now().Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		inc := e.incident(t, false)
		a, ds, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert, Subscribers: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Target != alert.TargetTelegramBot || ds[0].Total != 10 {
			t.Fatalf("deliveries: %+v", ds)
		}
		// Without a job runner the service retried at once, as the next
		// job would after a crash: the broadcast went on from where it
		// stopped. A lease run out (a process killed) resumes the same way.
		if _, err := db.Write.ExecContext(e.ctx, `UPDATE alert_deliveries SET state = 'sending', lease_until = $1 WHERE id = $2`,
			store.Now().Add(-time.Minute), ds[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.alerts.Recover(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if got[0].State != alert.StateSent || got[0].Done != 10 {
			t.Errorf("after resuming: %s, %d of %d", got[0].State, got[0].Done, got[0].Total)
		}
		for chat, n := range bot.sent {
			if n != 1 {
				t.Errorf("chat %d got the alert %d times", chat, n)
			}
		}
		if len(bot.sent) != 10 {
			t.Errorf("%d chats reached, want 10", len(bot.sent))
		}
		var unknown, gone, subs int
		_ = db.Read.QueryRow(`SELECT COUNT(*) FROM alert_sends WHERE delivery_id = $1 AND state = 'unknown'`, ds[0].ID).Scan(&unknown)
		_ = db.Read.QueryRow(`SELECT COUNT(*) FROM alert_sends WHERE delivery_id = $1 AND state = 'gone'`, ds[0].ID).Scan(&gone)
		_ = db.Read.QueryRow(`SELECT COUNT(*) FROM alert_subscribers WHERE org_id = $1`, e.org.ID).Scan(&subs)
		if unknown != 1 || gone != 1 || subs != 9 {
			t.Errorf("unknown %d (want 1), gone %d (want 1), subscribers left %d (want 9)", unknown, gone, subs)
		}
	})
}

// A bot that nearly every chat refuses stops, in Piazza's words: the
// delivery and the notification name the bot's subscribers and say why in
// each reader's language.
func TestBotRefusedSaysWhy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		italian, english := e.person(t, org.RoleCrisis), e.personIn(t, org.RoleCrisis, "en")
		bot := &fakeBot{sent: map[int64]int{}, blocked: map[int64]bool{}}
		e.alerts.Bots = func(context.Context, string, string) (alert.Bot, error) { return bot, nil }
		for i := range 55 {
			bot.blocked[int64(2000+i)] = true
			if _, err := db.Write.ExecContext(e.ctx, `INSERT INTO alert_subscribers (id, org_id, kind, account_id, address, lang, exercise,
				created_at, updated_at) VALUES ($1, $2, 'telegram', '', $3, 'it', FALSE, $4, $4)`,
				store.NewID(), e.org.ID, strconv.Itoa(2000+i), store.Now().Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		inc := e.incident(t, false)
		a, _, err := e.alerts.Send(e.ctx, e.org.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert, Subscribers: true})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := e.alerts.Deliveries(e.ctx, e.org.ID, a.ID)
		if len(got) != 1 {
			t.Fatalf("deliveries: %+v", got)
		}
		d, c := got[0], i18n.Default()
		if d.State != alert.StateFailed || d.ErrorKey != "alert.delivery.error.bot_refused" ||
			d.Error != "Quasi tutte le chat rifiutano il bot: controllare il token prima di continuare." {
			t.Fatalf("delivery: %s, key %q, text %q", d.State, d.ErrorKey, d.Error)
		}
		if d.Label != "Iscritti al bot Telegram" || d.LabelIn(c, i18n.English) != "Telegram bot subscribers" {
			t.Errorf("label %q, in English %q", d.Label, d.LabelIn(c, i18n.English))
		}
		for person, want := range map[string]string{
			italian.ID: "Iscritti al bot Telegram (telegram): non inviata. Quasi tutte le chat rifiutano il bot: controllare il token prima di continuare.",
			english.ID: "Telegram bot subscribers (telegram): not sent. Almost every chat refuses the bot: check its token before going on.",
		} {
			if ns, err := e.notify.List(e.ctx, e.org.ID, person, 10); err != nil || len(ns) != 1 || ns[0].Body != want {
				t.Errorf("notifications: %+v %v, want the body %q", ns, err, want)
			}
		}
	})
}
