// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

import (
	"errors"
	"fmt"
	"time"
)

// Kind says what the publishing engine should do after an error.
type Kind int

// The error kinds.
const (
	// Unknown: the request may have reached the platform and we cannot
	// tell whether the post exists (a timeout after sending). Never
	// retried blindly: a Finder settles it, or a person decides.
	Unknown Kind = iota
	// Permanent: the platform refused the post as it is (too long, bad
	// media); retrying the same request cannot help.
	Permanent
	// Retryable: nothing was published and trying later may work (5xx, a
	// connection refused, a timeout before sending).
	Retryable
	// RateLimited: the platform asked us to wait RetryAfter.
	RateLimited
	// Auth: the credentials no longer work; the account needs attention
	// and its publications wait for it.
	Auth
)

func (k Kind) String() string {
	switch k {
	case Permanent:
		return "permanent"
	case Retryable:
		return "retryable"
	case RateLimited:
		return "rate_limited"
	case Auth:
		return "auth"
	default:
		return "unknown"
	}
}

// Error is every error a connector returns from a platform call.
type Error struct {
	Kind     Kind
	Platform Platform
	Op       string // "publish", "edit", "check", ...
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Code is the platform's own error code or type, when it gives one.
	Code string
	// Message is the platform's own words, shown to the author as they are.
	Message string
	// RetryAfter is how long the platform asked us to wait (RateLimited, and
	// sometimes Retryable).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Platform, e.Op, e.Kind)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err: the Kind of an *Error in its chain, and
// Unknown for anything else (an error we cannot classify is treated as a
// possible publication).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unknown
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
