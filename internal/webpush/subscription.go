// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrInvalidSubscription is wrapped by every error about a subscription
// that cannot be used: the browser sent something else than
// PushSubscription.toJSON gives, or it was stored damaged.
var ErrInvalidSubscription = errors.New("webpush: invalid subscription")

// maxEndpoint bounds the endpoint URL: the real push services use a few
// hundred bytes, and the column that stores it should not grow unbounded.
const maxEndpoint = 2048

// Subscription is a browser's push subscription: the push service URL to
// post to and the keys of the browser, base64url encoded. Its JSON form is
// the one PushSubscription.toJSON() gives, so the page can post it as is:
// {"endpoint": …, "keys": {"p256dh": …, "auth": …}}.
//
// Specs: https://www.w3.org/TR/push-api/#pushsubscription-interface
type Subscription struct {
	Endpoint string
	// P256dh is the browser's ECDH public key, an uncompressed P-256 point
	// (65 bytes).
	P256dh string
	// Auth is the browser's authentication secret (16 bytes).
	Auth string
}

// subscriptionJSON is PushSubscriptionJSON; expirationTime is left out, as
// browsers send null.
type subscriptionJSON struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// MarshalJSON writes the toJSON() form.
func (s Subscription) MarshalJSON() ([]byte, error) {
	var j subscriptionJSON
	j.Endpoint, j.Keys.P256dh, j.Keys.Auth = s.Endpoint, s.P256dh, s.Auth
	return json.Marshal(j)
}

// UnmarshalJSON reads the toJSON() form; Validate says whether it is usable.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var j subscriptionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("webpush: subscription JSON: %w", err)
	}
	*s = Subscription{Endpoint: j.Endpoint, P256dh: j.Keys.P256dh, Auth: j.Keys.Auth}
	return nil
}

// Validate reports every problem of the subscription in one error wrapping
// ErrInvalidSubscription.
func (s Subscription) Validate() error {
	_, err := s.parse()
	return err
}

// subscriptionKeys is a subscription decoded for sending.
type subscriptionKeys struct {
	ua     *ecdh.PublicKey
	auth   []byte
	origin string // scheme://host[:port] of the endpoint, the VAPID audience
}

func (s Subscription) parse() (subscriptionKeys, error) {
	var k subscriptionKeys
	var problems []string
	origin, err := endpointOrigin(s.Endpoint)
	if err != nil {
		problems = append(problems, err.Error())
	}
	k.origin = origin
	if s.P256dh == "" {
		problems = append(problems, "p256dh is missing")
	} else if raw, err := decodeKey(s.P256dh); err != nil {
		problems = append(problems, "p256dh is not base64url")
	} else if len(raw) != 65 {
		problems = append(problems, fmt.Sprintf("p256dh must be 65 bytes (an uncompressed P-256 point), got %d", len(raw)))
	} else if k.ua, err = ecdh.P256().NewPublicKey(raw); err != nil {
		problems = append(problems, "p256dh is not a point of P-256")
	}
	if s.Auth == "" {
		problems = append(problems, "auth is missing")
	} else if raw, err := decodeKey(s.Auth); err != nil {
		problems = append(problems, "auth is not base64url")
	} else if len(raw) != 16 {
		problems = append(problems, fmt.Sprintf("auth must be 16 bytes, got %d", len(raw)))
	} else {
		k.auth = raw
	}
	if len(problems) > 0 {
		return subscriptionKeys{}, fmt.Errorf("%w: %s", ErrInvalidSubscription, strings.Join(problems, "; "))
	}
	return k, nil
}

// endpointOrigin checks the endpoint and returns its origin as RFC 6454
// serialises it, which is what the JWT's aud must equal.
func endpointOrigin(endpoint string) (string, error) {
	switch {
	case endpoint == "":
		return "", errors.New("endpoint is empty")
	case len(endpoint) > maxEndpoint:
		return "", fmt.Errorf("endpoint is longer than %d bytes", maxEndpoint)
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return "", errors.New("endpoint is not a URL")
	case u.Scheme != "https":
		return "", errors.New("endpoint must be an https URL")
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("endpoint has no host")
	case u.User != nil:
		return "", errors.New("endpoint must not carry credentials")
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != "443" {
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	return "https://" + host, nil
}

// decodeKey reads base64url as browsers produce it, and tolerates padding
// and the standard alphabet that some subscription scripts send.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
