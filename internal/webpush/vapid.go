// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// VAPIDKeys identify the installation to the push services (RFC 8292). They
// are generated once per installation and kept: browsers bind each
// subscription to the public key, so new keys orphan every subscription.
type VAPIDKeys struct {
	// Private is the P-256 private scalar (32 bytes), base64url without
	// padding. A secret.
	Private string `json:"private"`
	// Public is the uncompressed P-256 point (65 bytes), base64url without
	// padding: the applicationServerKey that the page passes to
	// pushManager.subscribe, and the k= of every request.
	Public string `json:"public"`
}

// String keeps the private key out of logs and error messages.
func (k VAPIDKeys) String() string { return "VAPIDKeys{Public: " + k.Public + "}" }

// LogValue keeps the private key out of structured logs.
func (k VAPIDKeys) LogValue() slog.Value { return slog.StringValue(k.String()) }

// GenerateVAPID creates the key pair of a new installation.
func GenerateVAPID() (VAPIDKeys, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("webpush: generate VAPID key: %w", err)
	}
	return encodeVAPID(key)
}

// ParseVAPID reads a stored private key and derives the public one.
func ParseVAPID(privateB64 string) (VAPIDKeys, error) {
	key, err := parsePrivate(privateB64)
	if err != nil {
		return VAPIDKeys{}, err
	}
	return encodeVAPID(key)
}

func parsePrivate(privateB64 string) (*ecdsa.PrivateKey, error) {
	raw, err := decodeKey(strings.TrimSpace(privateB64))
	if err != nil {
		return nil, errors.New("webpush: VAPID private key is not base64url")
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID private key: %w", err)
	}
	return key, nil
}

func encodeVAPID(key *ecdsa.PrivateKey) (VAPIDKeys, error) {
	priv, err := key.Bytes()
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("webpush: VAPID key: %w", err)
	}
	pub, err := key.PublicKey.Bytes()
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("webpush: VAPID key: %w", err)
	}
	return VAPIDKeys{
		Private: base64.RawURLEncoding.EncodeToString(priv),
		Public:  base64.RawURLEncoding.EncodeToString(pub),
	}, nil
}

const (
	// tokenLifetime is the exp of a new token: RFC 8292 allows 24 hours;
	// half of it leaves room for clocks that disagree.
	tokenLifetime = 12 * time.Hour
	// tokenRefresh is the remaining life under which a cached token is
	// replaced, so that none expires on its way to the push service.
	tokenRefresh = time.Hour
)

// jwtHeader is base64url({"typ":"JWT","alg":"ES256"}), the same for every
// token.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"ES256"}`))

// vapidToken is a signed token ready for the Authorization header.
type vapidToken struct {
	header string // "vapid t=…, k=…"
	exp    time.Time
}

// signToken signs a token for one push service.
//
// Specs: https://www.rfc-editor.org/rfc/rfc8292#section-2
func signToken(key *ecdsa.PrivateKey, public, audience, subject string, now time.Time) (vapidToken, error) {
	exp := now.Add(tokenLifetime).Truncate(time.Second)
	claims, err := json.Marshal(struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}{audience, exp.Unix(), subject})
	if err != nil {
		return vapidToken{}, fmt.Errorf("webpush: VAPID claims: %w", err)
	}
	input := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return vapidToken{}, fmt.Errorf("webpush: VAPID signature: %w", err)
	}
	// JWS wants r and s as two fixed 32-byte halves, not ASN.1 (RFC 7518
	// section 3.4).
	var sig [64]byte
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	t := input + "." + base64.RawURLEncoding.EncodeToString(sig[:])
	return vapidToken{header: "vapid t=" + t + ", k=" + public, exp: exp}, nil
}

// checkSubject accepts the contact forms RFC 8292 section 2.1 names.
func checkSubject(subject string) error {
	for _, scheme := range []string{"mailto:", "https://"} {
		if rest, ok := strings.CutPrefix(subject, scheme); ok && rest != "" {
			return nil
		}
	}
	return fmt.Errorf("webpush: VAPID contact %q must be a mailto: or https: URI", subject)
}
