// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := testSubscription(t)
	for _, tc := range []struct {
		name string
		edit func(*Subscription)
		want string // part of the message; empty when valid
	}{
		{"valid", func(*Subscription) {}, ""},
		{"padded keys", func(s *Subscription) { s.Auth += "==" }, ""},
		{"standard alphabet", func(s *Subscription) {
			raw, _ := base64.RawURLEncoding.DecodeString(s.P256dh)
			s.P256dh = base64.StdEncoding.EncodeToString(raw)
		}, ""},
		{"no endpoint", func(s *Subscription) { s.Endpoint = "" }, "endpoint is empty"},
		{"http endpoint", func(s *Subscription) { s.Endpoint = "http://push.example.net/x" }, "https"},
		{"relative endpoint", func(s *Subscription) { s.Endpoint = "/push/x" }, "https"},
		{"credentials", func(s *Subscription) { s.Endpoint = "https://u:p@push.example.net/x" }, "credentials"},
		{"key not base64", func(s *Subscription) { s.P256dh = "not base64!" }, "p256dh is not base64url"},
		{"short key", func(s *Subscription) { s.P256dh = s.P256dh[:40] }, "p256dh must be 65 bytes"},
		{"key off the curve", func(s *Subscription) {
			raw := make([]byte, 65)
			raw[0] = 4
			s.P256dh = base64.RawURLEncoding.EncodeToString(raw)
		}, "not a point of P-256"},
		{"short auth", func(s *Subscription) { s.Auth = "AAAA" }, "auth must be 16 bytes, got 3"},
		{"no keys", func(s *Subscription) { s.P256dh, s.Auth = "", "" }, "p256dh is missing; auth is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			tc.edit(&s)
			err := s.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSubscription) {
				t.Fatalf("Validate: %v, want ErrInvalidSubscription", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %q, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestEndpointOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://fcm.googleapis.com/fcm/send/abc":              "https://fcm.googleapis.com",
		"https://Updates.Push.Services.Mozilla.com/wpush/v2/x": "https://updates.push.services.mozilla.com",
		"https://push.example.net:443/x":                       "https://push.example.net",
		"https://127.0.0.1:8443/push/1":                        "https://127.0.0.1:8443",
		"https://[::1]:8443/push/1":                            "https://[::1]:8443",
		"https://[::1]/push/1":                                 "https://[::1]",
	} {
		got, err := endpointOrigin(in)
		if err != nil || got != want {
			t.Errorf("endpointOrigin(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSubscriptionJSON(t *testing.T) {
	// What Chrome's PushSubscription.toJSON() gives.
	in := `{"endpoint":"https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bHqjZxM0VImWWqDRN7U0a3AycjUf4O-byuxb_wJsKRaKvV_iKw56s16ekq6FUqoCF7k2nWgqJz3Ee0AvjyA","expirationTime":null,"keys":{"p256dh":"BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4","auth":"BTBZMqHH6r4Tts7J_aSIgg"}}`
	var s Subscription
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v (%+v)", err, s)
	}
	if s.Auth != "BTBZMqHH6r4Tts7J_aSIgg" || !strings.HasPrefix(s.P256dh, "BCVxsr7N") {
		t.Errorf("decoded %+v", s)
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Subscription
	if err := json.Unmarshal(out, &back); err != nil || back != s {
		t.Errorf("round trip %s → %+v, %v", out, back, err)
	}
	if err := json.Unmarshal([]byte(`{"keys":"x"}`), &s); err == nil {
		t.Error("malformed JSON accepted")
	}
}

// FuzzSubscription feeds Validate what a browser, or anyone posting to the
// public subscribe endpoint, may send: it never panics, refuses with
// ErrInvalidSubscription, and what it accepts can be encrypted for.
func FuzzSubscription(f *testing.F) {
	good := testSubscription(f)
	f.Add(good.Endpoint, good.P256dh, good.Auth)
	f.Add("https://[::1]:99999/x", good.P256dh, good.Auth+"==")
	f.Add("https://u@h/", "BA", "")
	f.Add("http://push.example.net", strings.Repeat("A", 87), strings.Repeat("_", 22))
	f.Fuzz(func(t *testing.T, endpoint, p256dh, auth string) {
		s := Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
		k, err := s.parse()
		if err != nil {
			if !errors.Is(err, ErrInvalidSubscription) {
				t.Fatalf("error %v does not wrap ErrInvalidSubscription", err)
			}
			return
		}
		if !strings.HasPrefix(k.origin, "https://") || strings.ContainsAny(k.origin[len("https://"):], "/?#@") {
			t.Fatalf("origin %q of %q", k.origin, endpoint)
		}
		if _, err := Encrypt(s, []byte("x"), EncryptOptions{}); err != nil {
			t.Fatalf("valid subscription, Encrypt: %v", err)
		}
	})
}
