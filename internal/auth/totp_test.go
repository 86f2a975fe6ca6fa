// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"bytes"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestNewTOTPKey(t *testing.T) {
	secret, u, err := NewTOTPKey("Comune di Esempio", "anna@comune.example.it")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes in base32
		t.Fatalf("secret length %d; want 32", len(secret))
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if parsed.Scheme != "otpauth" || parsed.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "Comune di Esempio" || q.Get("digits") != "6" ||
		q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("unexpected otpauth URL %q", u)
	}
	if _, _, err := NewTOTPKey("", "anna@comune.example.it"); err == nil {
		t.Fatal("empty issuer accepted")
	}
}

func TestTOTPQRCodePNG(t *testing.T) {
	_, u, err := NewTOTPKey("Piazza", "anna@comune.example.it")
	if err != nil {
		t.Fatal(err)
	}
	b, err := TOTPQRCodePNG(u, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 256 || r.Dy() != 256 {
		t.Fatalf("image %v; want 256x256", r)
	}
	for _, size := range []int{0, -1, 5000} {
		if _, err := TOTPQRCodePNG(u, size); err == nil {
			t.Errorf("size %d accepted", size)
		}
	}
	if _, err := TOTPQRCodePNG("not a url\x7f", 256); err == nil {
		t.Error("bad URL accepted")
	}
}

func TestValidateTOTP(t *testing.T) {
	secret, _, err := NewTOTPKey("Piazza", "anna@comune.example.it")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 15, 0, time.UTC)
	codeAt := func(t *testing.T, at time.Time) string {
		t.Helper()
		code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{
			Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	tests := []struct {
		name   string
		offset time.Duration
		want   bool
	}{
		{"now", 0, true},
		{"30s ago", -30 * time.Second, true},
		{"in 30s", 30 * time.Second, true},
		{"90s ago", -90 * time.Second, false},
		{"in 90s", 90 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := codeAt(t, now.Add(tt.offset))
			if got := ValidateTOTP(secret, code, now); got != tt.want {
				t.Fatalf("ValidateTOTP = %v; want %v", got, tt.want)
			}
		})
	}

	code := codeAt(t, now)
	t.Run("spaces", func(t *testing.T) {
		if !ValidateTOTP(secret, " "+code[:3]+" "+code[3:]+"\n", now) {
			t.Fatal("code with spaces rejected")
		}
	})
	t.Run("step", func(t *testing.T) {
		step, ok := ValidateTOTPStep(secret, code, now)
		if !ok || step != now.Unix()/30 {
			t.Fatalf("step %d, %v; want %d, true", step, ok, now.Unix()/30)
		}
		step, ok = ValidateTOTPStep(secret, codeAt(t, now.Add(-30*time.Second)), now)
		if !ok || step != now.Unix()/30-1 {
			t.Fatalf("previous step %d, %v; want %d, true", step, ok, now.Unix()/30-1)
		}
	})
	for _, bad := range []string{"", "12345", "1234567", "12345a", "１２３４５６", "-12345", code + "0"} {
		if ValidateTOTP(secret, bad, now) {
			t.Errorf("code %q accepted", bad)
		}
	}
	if ValidateTOTP("not base32!", code, now) {
		t.Error("invalid secret accepted")
	}
	other, _, err := NewTOTPKey("Piazza", "bruno@comune.example.it")
	if err != nil {
		t.Fatal(err)
	}
	if ValidateTOTP(other, code, now) {
		t.Error("code accepted for another secret")
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	plain, hashes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes; want 10, 10", len(plain), len(hashes))
	}
	format := regexp.MustCompile(`^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$`)
	seen := map[string]bool{}
	for i, code := range plain {
		if !format.MatchString(code) {
			t.Errorf("code %q has the wrong format", code)
		}
		if seen[code] {
			t.Errorf("code %q repeated", code)
		}
		seen[code] = true
		if hashes[i] != HashRecoveryCode(code) || hashes[i] != HashToken(normalizeRecoveryCode(code)) {
			t.Errorf("hash of %q does not match", code)
		}
		typed := strings.ToUpper(strings.ReplaceAll(code, "-", " "))
		if HashRecoveryCode(typed) != hashes[i] {
			t.Errorf("typed form %q does not match", typed)
		}
	}
	for _, n := range []int{0, -1, 101} {
		if _, _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("count %d accepted", n)
		}
	}
}

func TestRecoveryCodeAlphabet(t *testing.T) {
	for _, c := range "01ilo" {
		if strings.ContainsRune(recoveryAlphabet, c) {
			t.Errorf("ambiguous %q in alphabet", c)
		}
	}
	if len(recoveryAlphabet) != 31 {
		t.Errorf("alphabet has %d symbols", len(recoveryAlphabet))
	}
}
