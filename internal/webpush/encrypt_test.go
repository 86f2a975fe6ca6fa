// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"
)

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rfc8291 is the example of RFC 8291 section 5 (values in Appendix A).
var rfc8291 = struct {
	plaintext, asPrivate, asPublic, uaPublic, salt, auth, body string
}{
	plaintext: "When I grow up, I want to be a watermelon",
	asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
	asPublic:  "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
	uaPublic:  "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
	salt:      "DGv6ra1nlYgDCS1FRnbzlw",
	auth:      "BTBZMqHH6r4Tts7J_aSIgg",
	body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
		"mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
		"pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
}

// TestRFC8291Vector reproduces the RFC's message byte for byte: a round
// trip through our own decryptor would pass with a symmetric mistake that
// every browser would reject.
func TestRFC8291Vector(t *testing.T) {
	v := rfc8291
	as, err := ecdh.P256().NewPrivateKey(b64(t, v.asPrivate))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(as.PublicKey().Bytes()); got != v.asPublic {
		t.Fatalf("as_public %s, want %s", got, v.asPublic)
	}
	k, err := Subscription{Endpoint: "https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV", P256dh: v.uaPublic, Auth: v.auth}.parse()
	if err != nil {
		t.Fatal(err)
	}
	body, err := seal(k.ua, k.auth, []byte(v.plaintext), 0, b64(t, v.salt), as)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(body); got != v.body {
		t.Errorf("body\n got %s\nwant %s", got, v.body)
	}
}

func TestEncryptHeaderAndSize(t *testing.T) {
	sub := testSubscription(t)
	for _, tc := range []struct {
		name       string
		n, padTo   int
		wantRecord int
		wantErr    error
	}{
		{"empty", 0, 0, 1 + tagLen, nil},
		{"short", 41, 0, 41 + 1 + tagLen, nil},
		{"padded", 41, 300, 300 + 1 + tagLen, nil},
		{"padding shorter than the payload", 41, 10, 41 + 1 + tagLen, nil},
		{"largest", MaxPayload, 0, MaxBody - headerLen, nil},
		{"one byte too many", MaxPayload + 1, 0, 0, ErrPayloadTooLarge},
		{"padding too large", 10, MaxPayload + 1, 0, ErrPayloadTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := Encrypt(sub, make([]byte, tc.n), EncryptOptions{PadTo: tc.padTo})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got := len(body) - headerLen; got != tc.wantRecord {
				t.Errorf("record %d bytes, want %d", got, tc.wantRecord)
			}
			if rs := binary.BigEndian.Uint32(body[16:20]); rs != recordSize {
				t.Errorf("rs %d, want %d", rs, recordSize)
			}
			if body[20] != 65 || body[21] != 0x04 {
				t.Errorf("idlen %d, keyid starts with %#x: want 65 and an uncompressed point", body[20], body[21])
			}
		})
	}
}

// TestEncryptFresh checks that two messages share neither salt nor
// ephemeral key (RFC 8291 section 2).
func TestEncryptFresh(t *testing.T) {
	sub := testSubscription(t)
	a, err := Encrypt(sub, []byte("x"), EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encrypt(sub, []byte("x"), EncryptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[:16], b[:16]) || bytes.Equal(a[21:headerLen], b[21:headerLen]) {
		t.Error("salt or ephemeral key reused between messages")
	}
}

func testSubscription(t testing.TB) Subscription {
	t.Helper()
	ua, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return Subscription{
		Endpoint: "https://push.example.net/push/1",
		P256dh:   base64.RawURLEncoding.EncodeToString(ua.PublicKey().Bytes()),
		Auth:     base64.RawURLEncoding.EncodeToString(auth),
	}
}

// BenchmarkEncrypt measures one message, the floor of a fan-out's cost:
// a fresh ephemeral key (fixed-base multiplication), the agreement with
// the browser's key (variable-base), the HKDF steps and AES-GCM.
func BenchmarkEncrypt(b *testing.B) {
	sub := testSubscription(b)
	payload := bytes.Repeat([]byte("a"), 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := Encrypt(sub, payload, EncryptOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
