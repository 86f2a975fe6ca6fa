// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package telegram_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
	"github.com/piazza-pa/piazza/internal/channel/telegram"
	"github.com/piazza-pa/piazza/internal/channel/telegram/telegramtest"
)

// citizen writes to the bot and returns the message as the desk holds it.
func citizen(t *testing.T, e *env, userID int64, text string) channel.Inbound {
	t.Helper()
	u, err := telegram.ParseUpdate(e.fake.SendFromUser(userID, "cittadino", text))
	if err != nil || !u.HasMsg {
		t.Fatalf("update: %+v %v", u, err)
	}
	return u.Msg
}

func TestReply(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	in := citizen(t, e, 123456789, "Il lampione è spento")
	e.rec.take()

	for _, private := range []bool{false, true} { // Telegram has no public comments: the same
		pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Key: "r1", To: in, Private: private,
			Text: "Grazie <Maria>, l'abbiamo segnalato all'ufficio tecnico & all'ENEL."})
		if err != nil {
			t.Fatal(err)
		}
		reqs := e.rec.take()
		if len(reqs) != 1 || !strings.HasSuffix(reqs[0].path, "/sendMessage") {
			t.Fatalf("requests %+v", reqs)
		}
		var p struct {
			ChatID          json.Number `json:"chat_id"`
			Text            string      `json:"text"`
			ParseMode       string      `json:"parse_mode"`
			ReplyParameters struct {
				MessageID                int64 `json:"message_id"`
				AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
			} `json:"reply_parameters"`
		}
		if err := json.Unmarshal(reqs[0].body, &p); err != nil {
			t.Fatal(err)
		}
		if p.ChatID != "123456789" || p.ParseMode != "HTML" || p.ReplyParameters.MessageID != 1 ||
			!p.ReplyParameters.AllowSendingWithoutReply ||
			p.Text != "Grazie &lt;Maria&gt;, l'abbiamo segnalato all'ufficio tecnico &amp; all'ENEL." {
			t.Errorf("request %s", reqs[0].body)
		}
		msgs := e.fake.Messages()
		last := msgs[len(msgs)-1]
		if pub.RemoteID != "123456789:"+strconv.FormatInt(last.ID, 10) || pub.URL != "" || !pub.At.Equal(last.Date) {
			t.Errorf("published %+v, fake holds %+v", pub, last)
		}
		if last.Chat != "123456789" || last.From != 0 || last.ReplyTo != 1 ||
			last.Text != "Grazie <Maria>, l'abbiamo segnalato all'ufficio tecnico & all'ENEL." {
			t.Errorf("fake holds %+v", last)
		}
	}
	if n := len(e.fake.Received()); n != 0 {
		t.Errorf("answers counted as %d channel posts", n)
	}
}

func TestReplyTargets(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	// Without Raw the thread is the chat, and nothing is quoted.
	pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "ciao", To: channel.Inbound{Thread: "555"}})
	if err != nil || pub.RemoteID != "555:1" {
		t.Fatalf("%+v %v", pub, err)
	}
	if body := string(e.rec.take()[0].body); strings.Contains(body, "reply_parameters") {
		t.Errorf("quoted without a message id: %s", body)
	}
	// A message deleted meanwhile is no reason not to answer.
	pub, err = e.conn.Reply(ctx, e.acct, channel.Reply{Text: "ciao",
		To: channel.Inbound{Thread: "555", Raw: map[string]string{"chat_id": "555", "message_id": "999"}}})
	if err != nil || pub.RemoteID != "555:2" {
		t.Fatalf("%+v %v", pub, err)
	}
	// A button press is answered in its chat, quoting the bot's message.
	e.fake.SendFromUser(777, "", "/start")
	u, err := telegram.ParseUpdate(e.fake.PressButton(777, 1, "sub:meteo"))
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := e.conn.Reply(ctx, e.acct, channel.Reply{Text: "Iscritto", To: u.Msg}); err != nil || pub.RemoteID != "777:2" {
		t.Errorf("%+v %v", pub, err)
	}
}

func TestReplyRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, telegramtest.Options{}, 2*time.Second)
	in := citizen(t, e, 42, "ciao")
	e.rec.take()
	tests := []struct {
		name string
		r    channel.Reply
	}{
		{"too long", channel.Reply{To: in, Text: strings.Repeat("👍", telegram.MaxText+1)}},
		{"empty", channel.Reply{To: in, Text: " \n "}},
		{"no chat", channel.Reply{Text: "ciao"}},
		{"chat not numeric", channel.Reply{Text: "ciao", To: channel.Inbound{Thread: "@someone"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.conn.Reply(ctx, e.acct, tt.r)
			if channel.KindOf(err) != channel.Permanent {
				t.Errorf("error %v", err)
			}
			if n := len(e.rec.take()); n != 0 {
				t.Errorf("%d requests made", n)
			}
		})
	}
	// At the limit is fine: escapes count once.
	if _, err := e.conn.Reply(ctx, e.acct, channel.Reply{To: in, Text: strings.Repeat("<&", telegram.MaxText/2)}); err != nil {
		t.Errorf("at limit: %v", err)
	}

	// A citizen who blocked the bot closes the conversation, not the account.
	e.fake.Block(42)
	_, err := e.conn.Reply(ctx, e.acct, channel.Reply{To: in, Text: "ciao"})
	ce := channel.AsError(err)
	if ce == nil || ce.Kind != channel.Permanent || ce.Status != http.StatusForbidden ||
		ce.Message != "Forbidden: bot was blocked by the user" || ce.Op != "reply" {
		t.Errorf("blocked: %v", err)
	}

	// A revoked token still needs attention.
	bad := e.acct
	bad.Credentials = channel.Credentials{channel.CredToken: "123456:revoked"}
	if _, err := e.conn.Reply(ctx, bad, channel.Reply{To: in, Text: "ciao"}); channel.KindOf(err) != channel.Auth {
		t.Errorf("revoked token: %v", err)
	}

	// Faults of the fake: a rate limit, and an answer lost after sending.
	to := citizen(t, e, 43, "x")
	e.fake.Inject(channeltest.FaultRateLimit, 1)
	_, err = e.conn.Reply(ctx, e.acct, channel.Reply{To: to, Text: "ciao"})
	if ce := channel.AsError(err); ce == nil || ce.Kind != channel.RateLimited || ce.RetryAfter != time.Second {
		t.Errorf("rate limit: %v", err)
	}
	e.fake.Inject(channeltest.FaultLost, 1)
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := e.conn.Reply(short, e.acct, channel.Reply{To: to, Text: "ciao"}); channel.KindOf(err) != channel.Unknown {
		t.Errorf("lost answer: %v", err)
	}
}
