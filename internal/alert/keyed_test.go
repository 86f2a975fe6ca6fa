// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package alert

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
)

// An error in Piazza's words keeps its classification for the runner
// (kind, wait) and reaches the row as a key, its arguments and their
// Italian text; a platform's message and any other error reach it as
// they are.
func TestFailureOf(t *testing.T) {
	paused := keyed(&channel.Error{Kind: channel.Retryable, Op: "webpush", RetryAfter: time.Second, Err: errors.New("deadline")},
		"alert.delivery.error.push_paused", 40, 120)
	for _, tc := range []struct {
		name string
		err  error
		kind channel.Kind
		want failure
		json string
	}{
		{"ours", fmt.Errorf("alert: %w", paused), channel.Retryable, failure{key: "alert.delivery.error.push_paused", args: []any{40, 120},
			text: "Invio interrotto dopo 40 notifiche su 120: riprende dal punto in cui si è fermato."}, "[40,120]"},
		{"a platform's", &channel.Error{Kind: channel.Permanent, Platform: channel.Mastodon, Op: "publish", Status: 422,
			Message: "Validation failed: Text character limit of 500 exceeded"}, channel.Permanent,
			failure{text: "Validation failed: Text character limit of 500 exceeded"}, "[]"},
		{"no words", errors.New("connection reset"), channel.Unknown, failure{text: "connection reset"}, "[]"},
		{"none", nil, channel.Unknown, failure{}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := failureOf(tc.err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("failure %+v, want %+v", got, tc.want)
			}
			if tc.err != nil && channel.KindOf(tc.err) != tc.kind {
				t.Errorf("kind %s, want %s", channel.KindOf(tc.err), tc.kind)
			}
			if j := got.argsJSON(); j != tc.json {
				t.Errorf("arguments stored as %s, want %s", j, tc.json)
			}
			if back := parseArgs(got.argsJSON()); len(got.args) > 0 && !reflect.DeepEqual(back, got.args) {
				t.Errorf("arguments read back as %#v, want %#v", back, got.args)
			}
		})
	}
	if e := channel.AsError(paused); e == nil || e.RetryAfter != time.Second {
		t.Errorf("the wait asked for is lost: %+v", e)
	}
	if got, want := paused.Error(), "Sending stopped after 40 notifications of 120: it resumes where it stopped. (webpush: retryable: deadline)"; got != want {
		t.Errorf("log text %q, want %q", got, want)
	}
}
