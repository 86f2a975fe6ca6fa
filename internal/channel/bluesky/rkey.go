// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
)

// tidAlphabet is base32-sortable, the alphabet of TIDs.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tidRe is the TID syntax of the specification.
//
// Specs: https://atproto.com/specs/tid
var tidRe = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

// ValidTID reports whether s is a TID.
func ValidTID(s string) bool { return tidRe.MatchString(s) }

// RecordKey returns the record key of the post with Piazza's key: the
// same key always gives the same record key, so a retry of a publication
// finds the record of the first attempt instead of creating another.
//
// app.bsky.feed.post declares "key": "tid", and the PDS refuses any other
// record key for a post, so the key is turned into a TID (53 bits of
// microseconds since 1970, 10 bits of clock identifier):
//   - a key that is already a TID is used as it is;
//   - a UUIDv7, Piazza's publication id, gives its own creation time:
//     the UUID's milliseconds, plus a sub-millisecond part and a clock
//     identifier taken from its random bits and a hash of the key, so the
//     posts of an account keep the order in which they were planned;
//   - any other key is hashed (SHA-256) into a TID whose time falls in
//     the 1970s, earlier than any real post, so it cannot be mistaken for
//     a recent one; its time means nothing.
//
// An empty key gets a fresh TID of now: such a post is not idempotent.
//
// Specs: https://atproto.com/specs/record-key
func RecordKey(key string) string {
	if key == "" {
		var b [2]byte
		_, _ = rand.Read(b[:])
		return tid(uint64(time.Now().UnixMicro()), uint64(binary.BigEndian.Uint16(b[:])))
	}
	if ValidTID(key) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	h := binary.BigEndian.Uint64(sum[:8])
	clock := uint64(binary.BigEndian.Uint16(sum[8:10]))
	if u, ok := uuidV7(key); ok {
		ms := binary.BigEndian.Uint64(append([]byte{0, 0}, u[:6]...))
		randA := uint64(binary.BigEndian.Uint16(u[6:8]) & 0x0fff)
		return tid(ms*1000+randA%1000, clock)
	}
	return tid(h&(1<<48-1), clock)
}

// tid encodes a timestamp in microseconds and a clock identifier.
func tid(micros, clock uint64) string {
	v := (micros&(1<<53-1))<<10 | clock&0x3ff
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// uuidV7 parses a UUID of version 7 in its text form.
func uuidV7(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 || b[6]>>4 != 7 {
		return u, false
	}
	copy(u[:], b)
	return u, true
}
