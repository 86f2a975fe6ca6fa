// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/store"
)

// The Telegram bot for citizens: /start subscribes, topics, zones, the
// language and the shopkeepers' segment are chosen with buttons, /stop
// unsubscribes. An alert goes to the bot's subscribers in priority order
// (shopkeepers first, as Trieste did) within Telegram's limits.
//
// The bot's Telegram calls are behind Bot, which the app builds from the
// organisation's Telegram account: a domain never speaks HTTP.

// Button is an inline keyboard button; Data comes back in the press.
type Button struct {
	Text string
	Data string
}

// Keyboard is rows of buttons.
type Keyboard [][]Button

// BotOutcome is what became of one message of a bot broadcast.
type BotOutcome int

// The outcomes, as the fan-out reports them.
const (
	BotSending   BotOutcome = iota // about to be sent: recorded first
	BotDelivered                   // Telegram accepted it
	BotBlocked                     // the citizen blocked the bot: unsubscribe
	BotFailed                      // refused for good
	BotUnknown                     // sent, no answer: never re-sent blindly
	BotNotSent                     // stopped before its turn
)

// BotTarget is one chat of a broadcast.
type BotTarget struct {
	ChatID int64
	Text   string
}

// BotResult is one report of a broadcast.
type BotResult struct {
	Index   int
	ChatID  int64
	Outcome BotOutcome
	Err     error
}

// Bot is the organisation's Telegram bot as the alerts need it.
type Bot interface {
	SendText(ctx context.Context, chatID int64, text string, kb Keyboard) (int64, error)
	EditKeyboard(ctx context.Context, chatID, messageID int64, kb Keyboard) error
	AnswerCallback(ctx context.Context, callbackID, text string) error
	// Broadcast sends within Telegram's limits, calling report with
	// BotSending before each message and with the outcome after; an error
	// from report stops the broadcast before that message.
	Broadcast(ctx context.Context, targets []BotTarget, report func(BotResult) error) error
	// Sandbox tells whether the bot is a sandbox account (drills only).
	Sandbox() bool
	// AccountID is the bot's channel account: its subscribers are its own.
	AccountID() string
}

// BotEvent is what a citizen did in the bot's private chat: a command or
// a button press.
type BotEvent struct {
	ChatID int64
	// Text is the command ("/start", "/stop", …); empty for a press.
	Text string
	// CallbackID, MessageID and Data describe a button press.
	CallbackID string
	MessageID  int64
	Data       string
	// Lang is the language of the citizen's Telegram app, if known.
	Lang string
}

// Segments a subscriber may belong to, in the order alerts reach them.
var Segments = []string{"commercianti"}

// botTexts are the bot's words, per language.
var botTexts = map[string]map[string]string{
	"it": {
		"welcome":  "Benvenuto! Da ora riceverai qui le allerte di %s: vento, acqua alta, alluvioni, neve, caldo, emergenze sanitarie e viabilità. Con i pulsanti puoi scegliere argomenti, zone e lingua. /stop per non riceverle più.",
		"again":    "Sei già iscritto alle allerte di %s. Usa i pulsanti per cambiare le tue scelte.",
		"stopped":  "Non riceverai più le allerte. Scrivi /start per iscriverti di nuovo.",
		"help":     "Comandi: /start per iscriverti alle allerte, /argomenti per scegliere i tipi di evento, /zone per le zone, /lingua per la lingua, /stop per cancellarti. Per una segnalazione scrivi pure qui: la legge il Comune. In caso di pericolo chiama il 112.",
		"topics":   "Quali allerte vuoi ricevere? Nessuna scelta significa tutte.",
		"zones":    "Per quali zone? Nessuna scelta significa tutto il territorio.",
		"nozones":  "Il Comune non ha ancora definito zone: ricevi le allerte di tutto il territorio.",
		"lang":     "In che lingua vuoi le allerte?",
		"segment":  "Hai un'attività commerciale? I commercianti ricevono le allerte per primi, per mettere al riparo merci e clienti.",
		"saved":    "Scelta salvata",
		"expired":  "Questo pulsante non è più valido: scrivi /start",
		"notsub":   "Non sei iscritto: scrivi /start",
		"b.topics": "Argomenti", "b.zones": "Zone", "b.lang": "Lingua", "b.shop": "Sono un commerciante", "b.stop": "Cancellami",
		"b.all": "Tutte",
	},
	"en": {
		"welcome":  "Welcome! From now on you will receive %s's alerts here: wind, high tide, floods, snow, heat, health emergencies and traffic. Use the buttons to choose topics, zones and language. /stop to unsubscribe.",
		"again":    "You are already subscribed to %s's alerts. Use the buttons to change your choices.",
		"stopped":  "You will not receive alerts any more. Send /start to subscribe again.",
		"help":     "Commands: /start to subscribe to alerts, /topics to choose the types of incident, /zones for the zones, /language for the language, /stop to unsubscribe. To report something just write here: the council reads it. If anyone is in danger call 112.",
		"topics":   "Which alerts do you want? No choice means all of them.",
		"zones":    "For which zones? No choice means the whole territory.",
		"nozones":  "The council has not defined zones yet: you receive the alerts for the whole territory.",
		"lang":     "Which language do you want the alerts in?",
		"segment":  "Do you run a shop? Shopkeepers receive alerts first, to protect goods and customers.",
		"saved":    "Choice saved",
		"expired":  "This button is no longer valid: send /start",
		"notsub":   "You are not subscribed: send /start",
		"b.topics": "Topics", "b.zones": "Zones", "b.lang": "Language", "b.shop": "I run a shop", "b.stop": "Unsubscribe",
		"b.all": "All",
	},
}

func botText(lang, key string) string {
	if t, ok := botTexts[lang][key]; ok {
		return t
	}
	return botTexts["it"][key]
}

// typeLabels name the incident types on the bot's buttons.
var typeLabels = map[string]map[Type]string{
	"it": {TypeWind: "Vento e bora", TypeHighTide: "Acqua alta", TypeFlood: "Alluvione", TypeSnow: "Neve e ghiaccio",
		TypeHeat: "Caldo", TypeHealth: "Sanità", TypeTraffic: "Viabilità", TypeOtherKind: "Altro"},
	"en": {TypeWind: "Wind", TypeHighTide: "High tide", TypeFlood: "Flood", TypeSnow: "Snow and ice",
		TypeHeat: "Heat", TypeHealth: "Health", TypeTraffic: "Traffic", TypeOtherKind: "Other"},
}

// botSub is a Telegram subscriber's row.
type botSub struct {
	id      string
	lang    string
	segment string
	topics  []Type
	zones   []string
}

func (s *Service) botSubscriber(ctx context.Context, orgID string, bot Bot, chatID int64) (botSub, bool, error) {
	var b botSub
	var topics, zones string
	err := s.DB.Read.QueryRowContext(ctx, `SELECT id, lang, segment, topics, zones FROM alert_subscribers
		WHERE org_id = $1 AND kind = $2 AND account_id = $3 AND address = $4`, orgID, SubscriberTelegram, bot.AccountID(),
		strconv.FormatInt(chatID, 10)).
		Scan(&b.id, &b.lang, &b.segment, &topics, &zones)
	if errors.Is(err, sql.ErrNoRows) {
		return botSub{}, false, nil
	}
	if err != nil {
		return botSub{}, false, fmt.Errorf("alert: bot subscriber: %w", err)
	}
	_ = json.Unmarshal([]byte(topics), &b.topics)
	_ = json.Unmarshal([]byte(zones), &b.zones)
	return b, true, nil
}

// HandleBot answers a command or a button press in the bot's chat. Any
// command gets an answer; an unknown one gets the help.
func (s *Service) HandleBot(ctx context.Context, orgID string, bot Bot, ev BotEvent) error {
	if ev.CallbackID != "" {
		return s.botPress(ctx, orgID, bot, ev)
	}
	cmd, _, _ := strings.Cut(strings.TrimSpace(ev.Text), " ")
	cmd, _, _ = strings.Cut(strings.ToLower(cmd), "@") // "/start@ComuneBot" in groups
	sub, subscribed, err := s.botSubscriber(ctx, orgID, bot, ev.ChatID)
	if err != nil {
		return err
	}
	lang := subscriberLang(ev.Lang)
	if subscribed {
		lang = sub.lang
	}
	var name string
	if err := s.DB.Read.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, orgID).Scan(&name); err != nil {
		return fmt.Errorf("alert: bot: %w", err)
	}
	switch cmd {
	case "/start":
		now := s.now()
		if !subscribed {
			_, err := s.DB.Write.ExecContext(ctx, `INSERT INTO alert_subscribers (id, org_id, kind, account_id, address, lang, exercise,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (org_id, kind, account_id, address) DO NOTHING`,
				store.NewID(), orgID, SubscriberTelegram, bot.AccountID(), strconv.FormatInt(ev.ChatID, 10), lang, bot.Sandbox(), now)
			if err != nil {
				return fmt.Errorf("alert: bot subscribe: %w", err)
			}
		}
		key := "welcome"
		if subscribed {
			key = "again"
		}
		_, err := bot.SendText(ctx, ev.ChatID, fmt.Sprintf(botText(lang, key), name), mainKeyboard(lang))
		return err
	case "/stop":
		if _, err := s.DB.Write.ExecContext(ctx, `DELETE FROM alert_subscribers WHERE org_id = $1 AND kind = $2 AND account_id = $3
			AND address = $4`, orgID, SubscriberTelegram, bot.AccountID(), strconv.FormatInt(ev.ChatID, 10)); err != nil {
			return fmt.Errorf("alert: bot unsubscribe: %w", err)
		}
		_, err := bot.SendText(ctx, ev.ChatID, botText(lang, "stopped"), nil)
		return err
	case "/argomenti", "/topics":
		if !subscribed {
			break
		}
		_, err := bot.SendText(ctx, ev.ChatID, botText(lang, "topics"), topicsKeyboard(lang, sub.topics))
		return err
	case "/zone", "/zones":
		if !subscribed {
			break
		}
		kb, err := s.zonesKeyboard(ctx, orgID, sub.zones)
		if err != nil {
			return err
		}
		if len(kb) == 0 {
			_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "nozones"), nil)
			return err
		}
		_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "zones"), kb)
		return err
	case "/lingua", "/language":
		if !subscribed {
			break
		}
		_, err := bot.SendText(ctx, ev.ChatID, botText(lang, "lang"), langKeyboard())
		return err
	}
	_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "help"), nil)
	return err
}

// botPress handles a button: "m:topics", "t:vento", "z:<zone>", "l:en",
// "s:commercianti", "m:stop".
func (s *Service) botPress(ctx context.Context, orgID string, bot Bot, ev BotEvent) error {
	sub, subscribed, err := s.botSubscriber(ctx, orgID, bot, ev.ChatID)
	if err != nil {
		return err
	}
	lang := subscriberLang(ev.Lang)
	if !subscribed {
		return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "notsub"))
	}
	lang = sub.lang
	kind, value, _ := strings.Cut(ev.Data, ":")
	answer := botText(lang, "saved")
	switch kind {
	case "m":
		switch value {
		case "topics":
			_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "topics"), topicsKeyboard(lang, sub.topics))
		case "zones":
			var kb Keyboard
			if kb, err = s.zonesKeyboard(ctx, orgID, sub.zones); err == nil {
				if len(kb) == 0 {
					_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "nozones"), nil)
				} else {
					_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "zones"), kb)
				}
			}
		case "lang":
			_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "lang"), langKeyboard())
		case "shop":
			_, err = bot.SendText(ctx, ev.ChatID, botText(lang, "segment"), shopKeyboard(lang, sub.segment))
		case "stop":
			return s.HandleBot(ctx, orgID, bot, BotEvent{ChatID: ev.ChatID, Text: "/stop", Lang: lang})
		default:
			return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "expired"))
		}
		if err != nil {
			return err
		}
		return bot.AnswerCallback(ctx, ev.CallbackID, "")
	case "t":
		t := Type(value)
		if !t.Valid() && value != "*" {
			return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "expired"))
		}
		sub.topics = toggle(sub.topics, t, value == "*")
		if err := s.saveBotChoice(ctx, sub.id, "topics", jsonOf(sub.topics, "[]")); err != nil {
			return err
		}
		if err := bot.EditKeyboard(ctx, ev.ChatID, ev.MessageID, topicsKeyboard(lang, sub.topics)); err != nil {
			return err
		}
	case "z":
		var n int
		if value != "*" {
			if err := s.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM alert_zones WHERE org_id = $1 AND id = $2`, orgID, value).
				Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "expired"))
			}
		}
		sub.zones = toggle(sub.zones, value, value == "*")
		if err := s.saveBotChoice(ctx, sub.id, "zones", jsonOf(sub.zones, "[]")); err != nil {
			return err
		}
		kb, err := s.zonesKeyboard(ctx, orgID, sub.zones)
		if err != nil {
			return err
		}
		if err := bot.EditKeyboard(ctx, ev.ChatID, ev.MessageID, kb); err != nil {
			return err
		}
	case "l":
		if !slices.Contains(Languages, value) {
			return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "expired"))
		}
		if err := s.saveBotChoice(ctx, sub.id, "lang", value); err != nil {
			return err
		}
		answer = botText(value, "saved")
	case "s":
		seg := ""
		if value != "" && value != "-" {
			if !slices.Contains(Segments, value) {
				return bot.AnswerCallback(ctx, ev.CallbackID, botText(lang, "expired"))
			}
			seg = value
		}
		if err := s.saveBotChoice(ctx, sub.id, "segment", seg); err != nil {
			return err
		}
		if err := bot.EditKeyboard(ctx, ev.ChatID, ev.MessageID, shopKeyboard(lang, seg)); err != nil {
			return err
		}
	default:
		answer = botText(lang, "expired")
	}
	return bot.AnswerCallback(ctx, ev.CallbackID, answer)
}

// saveBotChoice writes one of a subscriber's choices; column is one of
// the four below, never the citizen's input.
func (s *Service) saveBotChoice(ctx context.Context, id, column, value string) error {
	if !slices.Contains([]string{"topics", "zones", "lang", "segment"}, column) {
		return fmt.Errorf("alert: bot: column %q", column)
	}
	_, err := s.DB.Write.ExecContext(ctx, `UPDATE alert_subscribers SET `+column+` = $1, updated_at = $2 WHERE id = $3`, //nolint:gosec // G202: a fixed column name
		value, s.now(), id)
	if err != nil {
		return fmt.Errorf("alert: bot choice: %w", err)
	}
	return nil
}

// toggle adds or removes v; all clears the list (everything wanted).
func toggle[T comparable](list []T, v T, all bool) []T {
	if all {
		return nil
	}
	if i := slices.Index(list, v); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return append(list, v)
}

func mainKeyboard(lang string) Keyboard {
	return Keyboard{
		{{Text: botText(lang, "b.topics"), Data: "m:topics"}, {Text: botText(lang, "b.zones"), Data: "m:zones"}},
		{{Text: botText(lang, "b.lang"), Data: "m:lang"}, {Text: botText(lang, "b.shop"), Data: "m:shop"}},
		{{Text: botText(lang, "b.stop"), Data: "m:stop"}},
	}
}

func check(on bool, label string) string {
	if on {
		return "✅ " + label
	}
	return label
}

func topicsKeyboard(lang string, chosen []Type) Keyboard {
	labels := typeLabels[lang]
	if labels == nil {
		labels = typeLabels["it"]
	}
	kb := Keyboard{{{Text: check(len(chosen) == 0, botText(lang, "b.all")), Data: "t:*"}}}
	var row []Button
	for _, t := range Types {
		row = append(row, Button{Text: check(slices.Contains(chosen, t), labels[t]), Data: "t:" + string(t)})
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, row)
	}
	return kb
}

func (s *Service) zonesKeyboard(ctx context.Context, orgID string, chosen []string) (Keyboard, error) {
	zones, err := s.Zones(ctx, orgID)
	if err != nil || len(zones) == 0 {
		return nil, err
	}
	kb := Keyboard{{{Text: check(len(chosen) == 0, "Tutto il territorio"), Data: "z:*"}}}
	for _, z := range zones {
		name := z.Name
		if utf8.RuneCountInString(name) > 40 {
			name = string([]rune(name)[:39]) + "…"
		}
		kb = append(kb, []Button{{Text: check(slices.Contains(chosen, z.ID), name), Data: "z:" + z.ID}})
	}
	return kb, nil
}

func langKeyboard() Keyboard {
	return Keyboard{{{Text: "Italiano", Data: "l:it"}, {Text: "English", Data: "l:en"}},
		{{Text: "Slovenščina", Data: "l:sl"}, {Text: "Deutsch", Data: "l:de"}}}
}

func shopKeyboard(lang, segment string) Keyboard {
	yes := check(segment == "commercianti", botText(lang, "b.shop"))
	return Keyboard{{{Text: yes, Data: "s:commercianti"}, {Text: check(segment == "", "—"), Data: "s:-"}}}
}
