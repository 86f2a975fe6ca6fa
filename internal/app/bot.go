// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package app

import (
	"context"
	"sync"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/web"
)

// The organisation's Telegram bot, as the alert service needs it: the
// first Telegram account of the organisation (a real one before a
// sandbox one), its connector, and one fan-out per bot token so that two
// broadcasts at once share Telegram's limits.

type bots struct {
	mu      sync.Mutex
	fanouts map[string]*telegram.Fanout // by account id and token
}

// orgBot returns the organisation's bot, nil when it has no usable
// Telegram account; accountID, when set, names the account (the one a
// webhook arrived on).
func (a *App) orgBot(ctx context.Context, orgID, accountID string) (alert.Bot, error) {
	accts, err := a.Publish.Accounts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var pick *publish.Account
	for i := range accts {
		ac := &accts[i]
		if ac.Platform != channel.Telegram || ac.Status == publish.AccountDisabled || !ac.HasCredentials ||
			(accountID != "" && ac.ID != accountID) {
			continue
		}
		if pick == nil || (pick.Sandbox && !ac.Sandbox) {
			pick = ac
		}
	}
	if pick == nil {
		return nil, nil
	}
	_, ca, err := a.Publish.Connect(ctx, orgID, pick.ID)
	if err != nil {
		return nil, err
	}
	c, ok := a.Channels.For(ca)
	if !ok {
		return nil, nil
	}
	conn, ok := c.(*telegram.Connector)
	if !ok {
		return nil, nil
	}
	key := pick.ID + "/" + ca.Credentials[channel.CredToken]
	a.bots.mu.Lock()
	if a.bots.fanouts == nil {
		a.bots.fanouts = map[string]*telegram.Fanout{}
	}
	fan := a.bots.fanouts[key]
	if fan == nil {
		fan = telegram.NewFanout(conn, ca, telegram.FanoutOptions{})
		a.bots.fanouts[key] = fan
	}
	a.bots.mu.Unlock()
	return &telegramBot{id: pick.ID, conn: conn, acct: ca, sandbox: pick.Sandbox, fan: fan}, nil
}

// telegramBot adapts the Telegram connector to alert.Bot.
type telegramBot struct {
	id      string
	conn    *telegram.Connector
	acct    channel.Account
	sandbox bool
	fan     *telegram.Fanout
}

func keyboard(kb alert.Keyboard) *telegram.Keyboard {
	if len(kb) == 0 {
		return nil
	}
	out := &telegram.Keyboard{}
	for _, row := range kb {
		r := make([]telegram.Button, len(row))
		for i, b := range row {
			r[i] = telegram.Button{Text: b.Text, Data: b.Data}
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

func (b *telegramBot) SendText(ctx context.Context, chatID int64, text string, kb alert.Keyboard) (int64, error) {
	return b.conn.SendText(ctx, b.acct, chatID, text, keyboard(kb))
}

func (b *telegramBot) EditKeyboard(ctx context.Context, chatID, messageID int64, kb alert.Keyboard) error {
	return b.conn.EditKeyboard(ctx, b.acct, chatID, messageID, keyboard(kb))
}

func (b *telegramBot) AnswerCallback(ctx context.Context, callbackID, text string) error {
	return b.conn.AnswerCallback(ctx, b.acct, callbackID, text)
}

func (b *telegramBot) Sandbox() bool { return b.sandbox }

func (b *telegramBot) AccountID() string { return b.id }

var outcomes = map[telegram.Outcome]alert.BotOutcome{
	telegram.Sending: alert.BotSending, telegram.Delivered: alert.BotDelivered, telegram.Blocked: alert.BotBlocked,
	telegram.Failed: alert.BotFailed, telegram.Unknown: alert.BotUnknown, telegram.NotSent: alert.BotNotSent,
}

func (b *telegramBot) Broadcast(ctx context.Context, targets []alert.BotTarget, report func(alert.BotResult) error) error {
	ts := make([]telegram.Target, len(targets))
	for i, t := range targets {
		ts[i] = telegram.Target{ChatID: t.ChatID, Text: t.Text}
	}
	_, err := b.fan.Send(ctx, ts, func(d telegram.Delivery) error {
		return report(alert.BotResult{Index: d.Index, ChatID: d.ChatID, Outcome: outcomes[d.Outcome], Err: d.Err})
	})
	return err
}

// botPoller reads a Telegram bot that has no webhook: the alerts bot's
// commands and buttons are answered as the webhook would answer them (once
// the poll is stored), and the citizens' other messages go to the desk. The connector's own Poll
// would drop the commands, and the desk's poll confirms every update it
// reads, so nobody else could see them.
type botPoller struct {
	app      *App
	conn     *telegram.Connector
	org      org.Organisation
	acct     publish.Account
	commands []telegram.Update // read by Poll, answered by Committed
}

// deskPoller gives a Telegram account without a webhook the bot poller.
func (a *App) deskPoller(ctx context.Context, orgID string, acct publish.Account, conn channel.Connector) channel.Poller {
	tc, ok := conn.(*telegram.Connector)
	if !ok || a.Web == nil {
		return nil
	}
	o, err := a.Orgs.Organisation(ctx, orgID)
	if err != nil {
		a.Log.Warn("telegram bot: poll", "org", orgID, "err", err)
		return nil
	}
	return &botPoller{app: a, conn: tc, org: o, acct: acct}
}

// Poll returns the citizens' messages for the desk and keeps the bot's
// commands and buttons for Committed.
func (p *botPoller) Poll(ctx context.Context, ca channel.Account, cursor string) ([]channel.Inbound, string, error) {
	ups, next, err := p.conn.PollUpdates(ctx, ca, cursor)
	var msgs []channel.Inbound
	p.commands = p.commands[:0]
	for _, u := range ups {
		if web.IsBotUpdate(u) {
			p.commands = append(p.commands, u)
			continue
		}
		if u.HasMsg && !u.Msg.Bot {
			msgs = append(msgs, u.Msg)
		}
	}
	return msgs, next, err
}

// Committed answers the commands once the desk has stored the messages
// and moved the cursor: a poll that failed before is read again, and a
// citizen must not get the answer twice. A crash in between loses the
// answer, which the citizen can ask for again.
func (p *botPoller) Committed(ctx context.Context) {
	for _, u := range p.commands {
		p.app.Web.BotUpdate(ctx, p.org, p.acct, u)
	}
	p.commands = nil
}

var _ desk.CommittingPoller = (*botPoller)(nil)
