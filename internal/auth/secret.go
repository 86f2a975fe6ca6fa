// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

const tokenBytes = 32

// NewToken returns a random opaque token (sessions, CSRF, password reset,
// API tokens) and the hash to store. API tokens use prefix "pz_" so that
// secret scanners and people recognise them; sessions use "".
//
// Only the hash is stored. The token carries 256 random bits, so a plain
// SHA-256 cannot be reversed by guessing and needs no salt or slow hash;
// being deterministic, it lets the caller look the token up by hash.
func NewToken(prefix string) (plain string, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: new token: %w", err)
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the hex SHA-256 of a token, as NewToken stores it.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// ConstantTimeEqual compares secrets without leaking, through timing, how
// many leading bytes match; only the lengths may show.
func ConstantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Sealer encrypts credentials at rest with AES-256-GCM. It is safe for
// concurrent use.
type Sealer struct {
	aead    cipher.AEAD
	signKey []byte // HMAC key derived from the secret key, for Sign
}

// sealedPrefix versions the format, so a later key or algorithm can be
// introduced while old values still open.
const sealedPrefix = "v1:"

var errSealedInvalid = errors.New("auth: sealed value cannot be opened")

// NewSealer returns a Sealer for a 32-byte key (see ParseSecretKey).
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("auth: secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("auth: new sealer: %w", err)
	}
	// Random 96-bit nonces, generated and prepended by the AEAD itself,
	// are safe for far more values than an installation will ever seal.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("auth: new sealer: %w", err)
	}
	// A separate key for signatures: the AES key is never used for
	// anything but sealing.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("piazza signing key v1"))
	return &Sealer{aead: aead, signKey: mac.Sum(nil)}, nil
}

// Sign returns a URL-safe signature of msg for a purpose (e.g. "media"):
// links the outside world fetches (media for Instagram, feed enclosures)
// carry one, so only the files Piazza hands out can be fetched.
func (s *Sealer) Sign(purpose, msg string) string {
	mac := hmac.New(sha256.New, s.signKey)
	mac.Write([]byte(purpose))
	mac.Write([]byte{0})
	mac.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// Verify checks a signature made by Sign in constant time.
func (s *Sealer) Verify(purpose, msg, sig string) bool {
	return hmac.Equal([]byte(s.Sign(purpose, msg)), []byte(sig))
}

// Seal encrypts plaintext and returns "v1:" + base64(nonce|ciphertext|tag).
// associatedData binds the value to its place (for example the channel
// account id and field name), so a sealed value copied to another row
// does not open there.
func (s *Sealer) Seal(plaintext []byte, associatedData []byte) (string, error) {
	// The AEAD draws a random nonce itself (cipher.NewGCMWithRandomNonce):
	// the nil nonce here is not a fixed one.
	out := s.aead.Seal(nil, nil, plaintext, associatedData) //nolint:gosec // G407: see above
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal with the same key and associatedData.
// The error never says why it failed, so it reveals nothing about the key.
func (s *Sealer) Open(sealed string, associatedData []byte) ([]byte, error) {
	encoded, found := strings.CutPrefix(sealed, sealedPrefix)
	if !found {
		return nil, fmt.Errorf("%w: unknown format", errSealedInvalid)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: bad encoding", errSealedInvalid)
	}
	if len(raw) < s.aead.Overhead() {
		return nil, fmt.Errorf("%w: too short", errSealedInvalid)
	}
	plaintext, err := s.aead.Open(nil, nil, raw, associatedData)
	if err != nil {
		return nil, errSealedInvalid
	}
	return plaintext, nil
}

// ParseSecretKey decodes PIAZZA_SECRET_KEY: 64 hex characters, or base64 in
// standard or URL alphabet, padded or not, all giving 32 bytes. Errors never
// quote the input, since it is a secret.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	// Hex first: 64 hex characters are also valid base64, of 48 bytes.
	if len(s) == 64 {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.Strict().DecodeString(s)
		if err == nil && len(key) == 32 {
			return key, nil
		}
	}
	return nil, errors.New("auth: secret key must be 32 bytes as base64 or 64 hex characters")
}

// GenerateSecretKey returns a new random key in the form ParseSecretKey reads.
func GenerateSecretKey() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("auth: generate secret key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}
