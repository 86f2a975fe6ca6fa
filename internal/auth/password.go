// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// ValidationError reports input that breaks a rule; Key is a translation key
// so that web and api can show the message in the user's language.
type ValidationError struct {
	Key string
}

func (e *ValidationError) Error() string { return e.Key }

const (
	passwordMinRunes = 12
	// The upper bound keeps hashing cost predictable; 256 bytes is far
	// beyond any passphrase a person types or a manager generates.
	passwordMaxBytes = 256
)

// CheckPasswordPolicy applies the rules for a new password. Length is the
// only rule, as NIST SP 800-63B advises: composition rules make passwords
// harder to remember without making them harder to guess.
func CheckPasswordPolicy(plain string) error {
	if len(plain) > passwordMaxBytes {
		return &ValidationError{Key: "auth.password.too_long"}
	}
	if utf8.RuneCountInString(plain) < passwordMinRunes {
		return &ValidationError{Key: "auth.password.too_short"}
	}
	return nil
}

// argon2Params describes one argon2id configuration as stored in a PHC string.
type argon2Params struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	saltLen int
	keyLen  int
}

// passwordHashParams are OWASP's recommended argon2id minimum (19 MiB, two
// passes, one lane). We prefer it to the 64 MiB profile because Piazza often
// runs on a small municipal VM where several logins may hash at once: memory
// per login stays low while one hash still takes tens of milliseconds.
var passwordHashParams = argon2Params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// Bounds on stored parameters: anything outside them comes from a corrupted
// or hostile row, and honouring it could exhaust memory or CPU.
const (
	maxHashMemory  = 1 << 20 // KiB, 1 GiB
	maxHashTime    = 10
	maxHashThreads = 16
	minHashSaltLen = 8
	maxHashSaltLen = 64
	minHashKeyLen  = 16
	maxHashKeyLen  = 64
)

var errInvalidPasswordHash = errors.New("auth: invalid password hash")

// HashPassword returns an argon2id hash of plain in PHC string format.
func HashPassword(plain string) (string, error) {
	p := passwordHashParams
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	key := argon2.IDKey([]byte(plain), salt, p.time, p.memory, p.threads, uint32(p.keyLen))
	return encodePasswordHash(p, salt, key), nil
}

func encodePasswordHash(p argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword reports whether plain matches the PHC string encoded, and
// whether the hash was made with other parameters than today's, so that the
// caller can store a fresh hash while it still holds the plain password.
// needsRehash is only ever true when ok is true.
func VerifyPassword(encoded, plain string) (ok bool, needsRehash bool, err error) {
	p, salt, key, err := decodePasswordHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(plain), salt, p.time, p.memory, p.threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != passwordHashParams, nil
}

// dummyPasswordHash has today's parameters; its salt and key are zeros
// because the time a verification takes depends only on the parameters.
var dummyPasswordHash = encodePasswordHash(passwordHashParams,
	make([]byte, passwordHashParams.saltLen), make([]byte, passwordHashParams.keyLen))

// dummyHash returns a hash to verify against when there is no real one, so
// that the check costs the same time either way.
func dummyHash() string { return dummyPasswordHash }

// EqualizeTiming spends the time of one password verification. Login calls
// it when no account has the given email, so that response time does not
// tell which emails are registered.
func EqualizeTiming(plain string) {
	_, _, _ = VerifyPassword(dummyHash(), plain)
}

// decodePasswordHash parses the exact form HashPassword writes; anything
// else is rejected, so the parameters handed to argon2 are always sane.
func decodePasswordHash(encoded string) (argon2Params, []byte, []byte, error) {
	var p argon2Params
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: wrong number of fields", errInvalidPasswordHash)
	}
	if fields[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: unsupported algorithm", errInvalidPasswordHash)
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version", errInvalidPasswordHash)
	}

	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return p, nil, nil, fmt.Errorf("%w: malformed parameters", errInvalidPasswordHash)
	}
	memory, err := parseHashParam(params[0], "m=", 8, maxHashMemory)
	if err != nil {
		return p, nil, nil, err
	}
	passes, err := parseHashParam(params[1], "t=", 1, maxHashTime)
	if err != nil {
		return p, nil, nil, err
	}
	threads, err := parseHashParam(params[2], "p=", 1, maxHashThreads)
	if err != nil {
		return p, nil, nil, err
	}
	// argon2 needs at least 8 KiB per lane; it would silently raise a
	// lower value, so the stored string would not describe the real hash.
	if memory < 8*threads {
		return p, nil, nil, fmt.Errorf("%w: memory too low for parallelism", errInvalidPasswordHash)
	}

	// Strict decoding rejects padding and stray bits, so one hash has one
	// spelling only.
	b64 := base64.RawStdEncoding.Strict()
	salt, err := b64.DecodeString(fields[4])
	if err != nil || len(salt) < minHashSaltLen || len(salt) > maxHashSaltLen {
		return p, nil, nil, fmt.Errorf("%w: bad salt", errInvalidPasswordHash)
	}
	key, err := b64.DecodeString(fields[5])
	if err != nil || len(key) < minHashKeyLen || len(key) > maxHashKeyLen {
		return p, nil, nil, fmt.Errorf("%w: bad key", errInvalidPasswordHash)
	}

	p = argon2Params{
		memory:  uint32(memory),
		time:    uint32(passes),
		threads: uint8(threads),
		saltLen: len(salt),
		keyLen:  len(key),
	}
	return p, salt, key, nil
}

// parseHashParam reads "name=N" where N is plain decimal without sign or
// leading zeros, within [lo, hi].
func parseHashParam(s, name string, lo, hi uint64) (uint64, error) {
	digits, found := strings.CutPrefix(s, name)
	if !found || digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, fmt.Errorf("%w: malformed parameter %q", errInvalidPasswordHash, name)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, fmt.Errorf("%w: malformed parameter %q", errInvalidPasswordHash, name)
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: parameter %q out of range", errInvalidPasswordHash, name)
	}
	return n, nil
}
