// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/app/apptest"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/web"
)

// Citizens subscribe through the bot (/start, buttons for topics and the
// shopkeepers' segment, /stop); an alert reaches the subscribers,
// shopkeepers first, and a chat that blocked the bot is unsubscribed.
func TestAlertsTelegramBot(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		const token, secret = "555111:bot-allerte-test", "segreto-del-bot-allerte-123"
		tg := telegramtest.New(telegramtest.Options{Token: token})
		tsrv := httptest.NewServer(tg)
		t.Cleanup(tsrv.Close)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Bot allerte test",
			Handle: "@allerte_bot_test", BaseURL: tsrv.URL, Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: token, web.CredWebhookSecret: secret}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = in.App.Publish.SetAccountStatus(context.Background(), o.ID, acct.ID, publish.AccountDisabled)
		})
		hook := in.URL + "/o/demo/hooks/telegram/" + acct.ID
		auth := map[string]string{"X-Telegram-Bot-Api-Secret-Token": secret}
		post := func(body []byte) {
			t.Helper()
			if code := postHook(t, hook, body, auth); code != http.StatusOK {
				t.Fatalf("webhook: %d", code)
			}
		}
		last := func(chat string) telegramtest.Message {
			t.Helper()
			var out telegramtest.Message
			for _, m := range tg.Messages() {
				if m.Chat == chat && m.From == 0 {
					out = m
				}
			}
			return out
		}
		// Three citizens subscribe; the third is a shopkeeper.
		for _, u := range []int64{7001, 7002, 7003} {
			post(tg.SendFromUser(u, "", "/start"))
		}
		welcome := last("7003")
		if !strings.Contains(welcome.Text, "Benvenuto") || len(welcome.Keyboard) == 0 {
			t.Fatalf("welcome: %+v", welcome)
		}
		post(tg.PressButton(7003, welcome.ID, "m:shop"))
		shop := last("7003")
		if !slices.ContainsFunc(shop.Keyboard, func(row []telegramtest.Button) bool {
			return slices.ContainsFunc(row, func(b telegramtest.Button) bool { return b.Data == "s:commercianti" })
		}) {
			t.Fatalf("shop keyboard: %+v", shop)
		}
		post(tg.PressButton(7003, shop.ID, "s:commercianti"))
		// The second chooses only snow alerts: a wind alert skips them.
		post(tg.SendFromUser(7002, "", "/argomenti"))
		post(tg.PressButton(7002, last("7002").ID, "t:neve"))
		// Any other command gets the help; free text is for the desk.
		post(tg.SendFromUser(7001, "", "/boh"))
		if !strings.Contains(last("7001").Text, "/stop") {
			t.Errorf("unknown command: %q", last("7001").Text)
		}
		counts, err := in.App.Alerts.SubscriberCounts(ctx, o.ID)
		if err != nil || counts[alert.SubscriberTelegram] < 3 {
			t.Fatalf("subscribers: %v %v", counts, err)
		}
		// 7001 blocks the bot before the alert.
		tg.Block(7001)

		inc, err := in.App.Alerts.CreateIncident(ctx, o.ID, "", alert.IncidentInput{Type: alert.TypeWind, Colour: alert.Red,
			Title: "Bora test del bot"})
		if err != nil {
			t.Fatal(err)
		}
		a, ds, err := in.App.Alerts.Send(ctx, o.ID, "", inc.ID, alert.SendInput{Kind: alert.KindAlert, Subscribers: true})
		if err != nil {
			t.Fatal(err)
		}
		var botDelivery *alert.Delivery
		for i := range ds {
			if ds[i].Target == alert.TargetTelegramBot {
				botDelivery = &ds[i]
			}
		}
		if botDelivery == nil {
			t.Fatalf("no delivery to the bot's subscribers: %+v", ds)
		}
		waitUntil(t, func() bool {
			ds, _ := in.App.Alerts.Deliveries(ctx, o.ID, a.ID)
			return slices.ContainsFunc(ds, func(d alert.Delivery) bool { return d.ID == botDelivery.ID && d.Settled() })
		})
		var order []string
		for _, m := range tg.Messages() {
			if m.From == 0 && strings.Contains(m.Text, "Bora test del bot") {
				order = append(order, m.Chat)
			}
		}
		// The shopkeeper first, the snow-only subscriber skipped, the
		// blocked chat never reached.
		if len(order) == 0 || order[0] != "7003" || slices.Contains(order, "7002") || slices.Contains(order, "7001") {
			t.Errorf("alert order: %v", order)
		}
		counts, _ = in.App.Alerts.SubscriberCounts(ctx, o.ID)
		post(tg.SendFromUser(7003, "", "/stop"))
		after, _ := in.App.Alerts.SubscriberCounts(ctx, o.ID)
		if after[alert.SubscriberTelegram] != counts[alert.SubscriberTelegram]-1 {
			t.Errorf("/stop: %d → %d subscribers", counts[alert.SubscriberTelegram], after[alert.SubscriberTelegram])
		}
	})
}

// Without a public address the bot has no webhook: the desk's poll reads
// its updates, the alerts bot answers commands and buttons (once, even when
// polls overlap on one instance or on two), and the citizens' other
// messages reach the desk.
func TestAlertsTelegramBotPolling(t *testing.T) {
	apptest.Each(t, func(t *testing.T, in *apptest.Instance) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		o, err := in.App.Orgs.OrganisationBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		const token = "555222:bot-allerte-polling"
		tg := telegramtest.New(telegramtest.Options{Token: token})
		tsrv := httptest.NewServer(tg)
		t.Cleanup(tsrv.Close)
		acct, err := in.App.Publish.CreateAccount(ctx, o.ID, publish.AccountInput{Platform: channel.Telegram, Name: "Bot senza webhook",
			Handle: "@allerte_polling_bot", BaseURL: tsrv.URL, Sandbox: true,
			Credentials: channel.Credentials{channel.CredToken: token}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = in.App.Publish.SetAccountStatus(context.Background(), o.ID, acct.ID, publish.AccountDisabled)
		})
		// poll runs overlapping polls, as a slow run and the next period's
		// would, on this instance and on another one on the same database,
		// until Telegram holds nothing for the bot.
		other := desk.NewService(in.App.Desk.Deps)
		poll := func() {
			t.Helper()
			waitUntil(t, func() bool {
				done := make(chan error, 4)
				for _, d := range []*desk.Service{in.App.Desk, in.App.Desk, other, other} {
					go func() { done <- d.PollChannels(ctx, channel.Telegram) }()
				}
				for range 4 {
					if err := <-done; err != nil {
						t.Logf("poll: %v", err)
					}
				}
				return tg.PendingUpdates() == 0
			})
		}
		answers := func(chat string) []telegramtest.Message {
			var out []telegramtest.Message
			for _, m := range tg.Messages() {
				if m.Chat == chat && m.From == 0 {
					out = append(out, m)
				}
			}
			return out
		}
		const user = 7301
		chat := "7301"
		tg.SendFromUser(user, "", "/start")
		poll()
		got := answers(chat)
		if len(got) != 1 || !strings.Contains(got[0].Text, "Benvenuto") || len(got[0].Keyboard) == 0 {
			t.Fatalf("/start polled: want one welcome with a keyboard, got %+v", got)
		}
		tg.PressButton(user, got[0].ID, "m:shop")
		poll()
		if got = answers(chat); len(got) != 2 || !slices.ContainsFunc(got[1].Keyboard, func(row []telegramtest.Button) bool {
			return slices.ContainsFunc(row, func(b telegramtest.Button) bool { return b.Data == "s:commercianti" })
		}) {
			t.Fatalf("button polled: want the shopkeepers' keyboard, got %+v", got)
		}
		counts, err := in.App.Alerts.SubscriberCounts(ctx, o.ID)
		if err != nil || counts[alert.SubscriberTelegram] < 1 {
			t.Fatalf("subscribers after /start: %v %v", counts, err)
		}
		// Free text is a citizen's message for the desk, not a command: the
		// bot adds no help to it (the desk's own acknowledgement, a reply to
		// the message, may follow).
		tg.SendFromUser(user, "", "Buongiorno, in via Polling 12 è caduto un ramo sul marciapiede")
		poll()
		for _, m := range answers(chat)[2:] {
			if m.ReplyTo == 0 || strings.Contains(m.Text, "/stop") {
				t.Errorf("the bot answered free text as a command: %+v", m)
			}
		}
		page, err := in.App.Desk.List(ctx, o.ID, desk.Filter{Scope: desk.Scope{All: true}, Source: string(channel.Telegram), Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(page.Conversations, func(c desk.Conversation) bool {
			return c.AccountID == acct.ID && c.Thread == chat
		}) {
			t.Errorf("the citizen's message is not in the desk: %+v", page.Conversations)
		}
	})
}
