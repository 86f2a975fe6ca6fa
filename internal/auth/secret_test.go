// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{"", "pz_"} {
		plain, hash, err := NewToken(prefix)
		if err != nil {
			t.Fatal(err)
		}
		body, found := strings.CutPrefix(plain, prefix)
		if !found || len(body) != 43 {
			t.Fatalf("token %q: want prefix %q and 43 characters", plain, prefix)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(body); err != nil || len(raw) != 32 {
			t.Fatalf("token body %q is not 32 bytes of base64url: %v", body, err)
		}
		if hash != HashToken(plain) || len(hash) != 64 {
			t.Fatalf("hash %q does not match HashToken", hash)
		}
		other, _, err := NewToken(prefix)
		if err != nil {
			t.Fatal(err)
		}
		if other == plain {
			t.Fatal("two tokens are equal")
		}
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256 of "abc", FIPS 180-2 test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Fatalf("HashToken(abc) = %s", got)
	}
}

func TestConstantTimeEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := ConstantTimeEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("ConstantTimeEqual(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	s, err := NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerRoundTrip(t *testing.T) {
	s := testSealer(t)
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"token", []byte("EAAB-meta-page-token"), []byte("channel:42:access_token")},
		{"empty plaintext", []byte{}, []byte("x")},
		{"no associated data", []byte("secret"), nil},
		{"binary", []byte{0, 1, 2, 255}, []byte{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := s.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(sealed, "v1:") {
				t.Fatalf("sealed %q lacks v1: prefix", sealed)
			}
			if len(tt.plaintext) > 3 && strings.Contains(sealed, string(tt.plaintext)) {
				t.Fatal("plaintext visible in sealed value")
			}
			got, err := s.Open(sealed, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Fatalf("Open = %q; want %q", got, tt.plaintext)
			}
			again, err := s.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if again == sealed {
				t.Fatal("two seals are equal; nonce reused")
			}
		})
	}
}

func TestSealerOpenFails(t *testing.T) {
	s := testSealer(t)
	ad := []byte("channel:42:access_token")
	sealed, err := s.Seal([]byte("secret"), ad)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return "v1:" + base64.StdEncoding.EncodeToString(b)
	}
	otherKey, err := NewSealer(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		sealer *Sealer
		sealed string
		ad     []byte
	}{
		{"wrong associated data", s, sealed, []byte("channel:43:access_token")},
		{"missing associated data", s, sealed, nil},
		{"wrong key", otherKey, sealed, ad},
		{"tampered nonce", s, flip(0), ad},
		{"tampered ciphertext", s, flip(12), ad},
		{"tampered tag", s, flip(len(raw) - 1), ad},
		{"truncated", s, "v1:" + base64.StdEncoding.EncodeToString(raw[:len(raw)-1]), ad},
		{"too short", s, "v1:" + base64.StdEncoding.EncodeToString(raw[:10]), ad},
		{"empty", s, "", ad},
		{"no prefix", s, strings.TrimPrefix(sealed, "v1:"), ad},
		{"future version", s, "v2:" + strings.TrimPrefix(sealed, "v1:"), ad},
		{"bad base64", s, "v1:!!!!", ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.Open(tt.sealed, tt.ad)
			if err == nil || got != nil {
				t.Fatalf("Open = %q, %v; want error", got, err)
			}
		})
	}
}

func TestNewSealerKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("key of %d bytes accepted", n)
		}
	}
}

func TestParseSecretKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(250 - i) // high bytes give '+', '/', '-' and '_' in base64
	}
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"hex", hex.EncodeToString(key), true},
		{"hex upper", strings.ToUpper(hex.EncodeToString(key)), true},
		{"base64 std", base64.StdEncoding.EncodeToString(key), true},
		{"base64 std raw", base64.RawStdEncoding.EncodeToString(key), true},
		{"base64 url", base64.URLEncoding.EncodeToString(key), true},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"surrounding newline", base64.StdEncoding.EncodeToString(key) + "\n", true},
		{"empty", "", false},
		{"short hex", hex.EncodeToString(key[:31]), false},
		{"short base64", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"long base64", base64.StdEncoding.EncodeToString(append(key, 1)), false},
		{"garbage", "not a key at all, clearly", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSecretKey(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("accepted %q", tt.in)
				}
				if tt.in != "" && strings.Contains(err.Error(), tt.in) {
					t.Fatal("error quotes the secret")
				}
				return
			}
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("ParseSecretKey = %x, %v; want %x", got, err, key)
			}
		})
	}
}

func TestGenerateSecretKey(t *testing.T) {
	s, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseSecretKey(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSealer(key); err != nil {
		t.Fatal(err)
	}
	other, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	if other == s {
		t.Fatal("two generated keys are equal")
	}
}

func FuzzSealerOpen(f *testing.F) {
	s := testSealer(f)
	sealed, err := s.Seal([]byte("secret"), []byte("ad"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed, []byte("ad"))
	f.Add("v1:", []byte(nil))
	f.Add("v1:AAAA", []byte("ad"))
	f.Add("", []byte(""))
	f.Fuzz(func(t *testing.T, sealed string, ad []byte) {
		got, err := s.Open(sealed, ad)
		if err != nil && got != nil {
			t.Fatal("plaintext returned with an error")
		}
		if err == nil {
			// Only the one value we sealed can authenticate.
			if string(ad) != "ad" || string(got) != "secret" {
				t.Fatalf("forged value opened: %q", got)
			}
		}
	})
}

func FuzzParseSecretKey(f *testing.F) {
	f.Add(strings.Repeat("ab", 32))
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add(base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecretKey(s)
		if err != nil {
			if key != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if len(key) != 32 {
			t.Fatalf("key of %d bytes", len(key))
		}
		if _, err := NewSealer(key); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSignVerify(t *testing.T) {
	key, _ := GenerateSecretKey()
	k, err := ParseSecretKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	sig := s.Sign("media", "abc")
	if !s.Verify("media", "abc", sig) {
		t.Error("own signature refused")
	}
	if s.Verify("media", "abd", sig) || s.Verify("other", "abc", sig) || s.Verify("media", "abc", sig+"x") {
		t.Error("signature accepted for another message or purpose")
	}
	key2, _ := GenerateSecretKey()
	k2, _ := ParseSecretKey(key2)
	s2, _ := NewSealer(k2)
	if s2.Verify("media", "abc", sig) {
		t.Error("signature accepted under another key")
	}
}
