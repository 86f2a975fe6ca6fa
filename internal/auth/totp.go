// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings are the RFC 6238 defaults because they are the only ones
// every authenticator app honours: 6 digits, HMAC-SHA1, 30-second steps.
const (
	totpPeriod = 30
	totpDigits = 6
	// One step either side forgives a phone clock that drifts by up to 30 s.
	totpSkew = 1
)

var totpOpts = totp.ValidateOpts{
	Period:    totpPeriod,
	Digits:    otp.DigitsSix,
	Algorithm: otp.AlgorithmSHA1,
}

// NewTOTPKey creates a TOTP secret for account (usually the email) and the
// otpauth:// URL an authenticator app enrols from; issuer names the
// installation, as the app shows it next to the code.
func NewTOTPKey(issuer, account string) (secret string, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
		SecretSize:  20, // 160 bits, the HMAC-SHA1 key size RFC 4226 recommends
	})
	if err != nil {
		return "", "", fmt.Errorf("auth: new totp key: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// maxQRCodeSize bounds the image so that a caller-chosen size cannot make us
// allocate an enormous bitmap.
const maxQRCodeSize = 1024

// TOTPQRCodePNG renders otpauthURL as a square PNG QR code of size pixels.
func TOTPQRCodePNG(otpauthURL string, size int) ([]byte, error) {
	if size < 1 || size > maxQRCodeSize {
		return nil, fmt.Errorf("auth: totp qr code: size %d out of range 1-%d", size, maxQRCodeSize)
	}
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: totp qr code: %w", err)
	}
	return buf.Bytes(), nil
}

// ValidateTOTP reports whether code is valid for secret at now, one step of
// clock drift allowed. Spaces in code are ignored, since apps show "123 456".
func ValidateTOTP(secret, code string, now time.Time) bool {
	_, ok := ValidateTOTPStep(secret, code, now)
	return ok
}

// ValidateTOTPStep is ValidateTOTP that also returns the time step the code
// belongs to. A code stays valid for up to 90 s, so the caller should store
// the last accepted step per person and refuse a step not greater than it:
// that stops a code seen over someone's shoulder from being replayed.
func ValidateTOTPStep(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != totpDigits {
		return 0, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	current := now.Unix() / totpPeriod
	steps := []int64{current}
	for d := int64(1); d <= totpSkew; d++ {
		steps = append(steps, current-d, current+d)
	}
	for _, s := range steps {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// recoveryAlphabet leaves out 0, 1, i, l and o, which people misread when
// copying codes from paper. 31 symbols give about 4.95 bits each.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Recovery codes have 16 symbols (about 79 bits), written as four groups of
// four. Their hashes are unsalted, so after a database leak one brute-force
// pass would attack every stored code at once: 79 bits keeps that pass out
// of reach, where 10 symbols (50 bits) would take a GPU hours.
const (
	recoveryCodeLen   = 16
	recoveryGroupLen  = 4
	maxRecoveryCodes  = 100
	recoveryByteLimit = 256 - 256%len(recoveryAlphabet) // rejection bound against modulo bias
)

// NewRecoveryCodes returns n single-use codes such as "abcd-efgh-jkmn-pqrs"
// to show the person once, and their hashes to store.
func NewRecoveryCodes(n int) (plain []string, hashes []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("auth: recovery codes: count %d out of range 1-%d", n, maxRecoveryCodes)
	}
	plain = make([]string, n)
	hashes = make([]string, n)
	for i := range n {
		code, err := newRecoveryCode()
		if err != nil {
			return nil, nil, err
		}
		plain[i] = code
		hashes[i] = HashRecoveryCode(code)
	}
	return plain, hashes, nil
}

func newRecoveryCode() (string, error) {
	var b strings.Builder
	var buf [32]byte
	symbols := 0
	for symbols < recoveryCodeLen {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("auth: recovery codes: %w", err)
		}
		for _, c := range buf {
			if symbols == recoveryCodeLen {
				break
			}
			if int(c) >= recoveryByteLimit {
				continue
			}
			if symbols > 0 && symbols%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
			symbols++
		}
	}
	return b.String(), nil
}

// HashRecoveryCode returns the hash NewRecoveryCodes stores for code, that
// is HashToken(normalizeRecoveryCode(code)). A fast hash is enough: the
// codes carry about 79 random bits, beyond guessing even at GPU speed, and
// login attempts are throttled anyway.
func HashRecoveryCode(code string) string {
	return HashToken(normalizeRecoveryCode(code))
}

// normalizeRecoveryCode drops dashes and blanks and lower-cases, so that a
// code typed "ABCD EFGH JKMN PQRS" matches.
func normalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case 'A' <= r && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, code)
}
