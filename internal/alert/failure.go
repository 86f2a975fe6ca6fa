// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/i18n"
)

// What a delivery says to people. A platform's error is shown as the
// platform wrote it; what Piazza says itself (a channel disabled, a
// fan-out cut short) and the names of the subscribers' targets are catalog
// keys, shown in the reader's language. A row keeps the Italian text
// beside the key, for the API and the audit log, and rows written before
// keys were kept show that text as it is.

// The catalog keys naming the subscribers' targets; a channel account is
// named by its own name.
const (
	labelTelegramBot = "alert.delivery.target.telegram_bot"
	labelWebPush     = "alert.delivery.target.webpush"
)

// LabelKey is the catalog key naming a delivery to subscribers (the
// Telegram bot's, Web Push's), "" for a channel account.
func (d Delivery) LabelKey() string {
	switch d.Target {
	case TargetTelegramBot:
		return labelTelegramBot
	case TargetWebPush:
		return labelWebPush
	}
	return ""
}

// LabelIn is the delivery's target as a person reads it in lang: the
// account's own name, or the subscribers it reaches.
func (d Delivery) LabelIn(c *i18n.Catalog, lang i18n.Lang) string {
	if k := d.LabelKey(); k != "" {
		return c.T(lang, k)
	}
	return d.Label
}

// ErrorIn is the delivery's last error as a person reads it in lang:
// Piazza's own words translated, a platform's as it wrote them.
func (d Delivery) ErrorIn(c *i18n.Catalog, lang i18n.Lang) string {
	// A key a later version dropped falls back to the stored text.
	if d.ErrorKey != "" && c.Has(lang, d.ErrorKey) {
		return c.T(lang, d.ErrorKey, d.ErrorArgs...)
	}
	return d.Error
}

// keyedError is a delivery error in Piazza's own words: a catalog key and
// its arguments, which the delivery keeps. It wraps the channel.Error that
// classifies it (permanent, retryable, unknown), which the runner reads.
type keyedError struct {
	ce   *channel.Error
	key  string
	args []any
}

// keyed words ce, which has no Message, with a key of the catalog.
func keyed(ce *channel.Error, key string, args ...any) *keyedError {
	return &keyedError{ce: ce, key: key, args: args}
}

// Error is for logs, in English.
func (e *keyedError) Error() string {
	return i18n.Default().T(i18n.English, e.key, e.args...) + " (" + strings.TrimSpace(e.ce.Error()) + ")"
}

func (e *keyedError) Unwrap() error { return e.ce }

// failure is an error as a delivery's row keeps it.
type failure struct {
	text string // the platform's words, or the key's Italian text
	key  string
	args []any
}

func failureOf(err error) failure {
	if err == nil {
		return failure{}
	}
	if ke, ok := errors.AsType[*keyedError](err); ok {
		return failure{text: italian(ke.key, ke.args...), key: ke.key, args: ke.args}
	}
	if e := channel.AsError(err); e != nil && e.Message != "" {
		return failure{text: e.Message}
	}
	return failure{text: err.Error()}
}

// argsJSON stores a failure's arguments; they are strings and whole
// numbers.
func (f failure) argsJSON() string { return jsonOf(f.args, "[]") }

// parseArgs reads a row's error arguments back: JSON gives numbers as
// float64, the catalog formats whole ones with %d.
func parseArgs(s string) []any {
	var args []any
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		return nil
	}
	for i, a := range args {
		if f, ok := a.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			args[i] = int(f)
		}
	}
	return args
}

// italian is a catalog message in Italian, the text a row keeps beside
// its key.
func italian(key string, args ...any) string { return i18n.Default().T(i18n.Italian, key, args...) }
