// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package webpush sends Web Push messages to the browsers that subscribed
// on a public page: RFC 8291 message encryption in the aes128gcm content
// coding (RFC 8188), VAPID identification (RFC 8292) with one token per
// push service reused until close to its expiry, and the push protocol of
// RFC 8030. Each answer is classified so that the caller can act on it:
// drop a Gone subscription, wait when rate limited, and leave an Unknown
// outcome (no answer after sending) to a person instead of sending again.
//
// The package does no I/O of its own besides the *http.Client it is given;
// the caller builds it with httpx, whose guard refuses private addresses.
package webpush
