// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package facebook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/channel/facebook"
)

// FuzzParseWebhook: whatever Meta (or anyone) posts, ParseWebhook never
// panics, an error never comes with events, and every event is a
// citizen's message with an id, a thread and a known platform.
func FuzzParseWebhook(f *testing.F) {
	for _, s := range []string{feedComment, feedReply, feedOwn, feedEdit, feedReaction, messenger, messengerEcho,
		messengerDelivery, igComment, igReply, igOwn, igDM, igEcho, `{}`, `null`, `[]`, `{"object":"page","entry":[7]}`,
		`{"object":"page","entry":[{"id":1,"time":"x","messaging":[{"sender":{"id":2},"timestamp":1e300,"message":{"mid":"m","text":"t"}}]}]}`,
		`{"object":"instagram","entry":[{"id":"1","time":99999999999999999999,"changes":[{"field":"comments","value":{"id":"2","from":{"id":{}}}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := facebook.ParseWebhook(body)
		if err != nil {
			if evs != nil {
				t.Fatalf("error %v with events %+v", err, evs)
			}
			return
		}
		for _, ev := range evs {
			m := ev.Msg
			switch {
			case ev.Platform != channel.Facebook && ev.Platform != channel.Instagram:
				t.Fatalf("platform %q", ev.Platform)
			case ev.AccountID == "" || m.RemoteID == "" || m.Thread == "":
				t.Fatalf("event without ids: %+v", ev)
			case m.Visibility != channel.Public && m.Visibility != channel.Private:
				t.Fatalf("visibility %q", m.Visibility)
			case m.Visibility == channel.Private && (m.Raw == nil || m.Thread != m.AuthorID):
				t.Fatalf("private message without its sender: %+v", ev)
			case m.AuthorID != "" && m.AuthorID == ev.AccountID:
				t.Fatalf("the account's own message: %+v", ev)
			}
		}
	})
}

// FuzzVerifySignature: no panic, and only the true signature of the body
// with the secret verifies.
func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte(`{"object":"page"}`), "sha256=00", "secret")
	f.Add([]byte(""), "", "")
	f.Add([]byte("x"), "sha256="+strings.Repeat("a", 64), "k")
	f.Add([]byte("x"), "SHA256="+strings.Repeat("G", 64), "k")
	f.Fuzz(func(t *testing.T, body []byte, header, secret string) {
		ok := facebook.VerifySignature(body, header, secret)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if ok && (secret == "" || !strings.EqualFold(strings.TrimSpace(header), want)) {
			t.Fatalf("%q verifies for %q with %q", header, body, secret)
		}
		if secret != "" && !facebook.VerifySignature(body, want, secret) {
			t.Fatalf("the true signature does not verify")
		}
	})
}
