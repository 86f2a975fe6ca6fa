// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	tests := []struct {
		name, password string
	}{
		{"ascii", "correct horse battery staple"},
		{"accented", "perché-sì-così-città"},
		{"empty", ""},
		{"max length", strings.Repeat("x", 256)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := HashPassword(tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$") {
				t.Fatalf("unexpected encoding %q", encoded)
			}
			ok, rehash, err := VerifyPassword(encoded, tt.password)
			if err != nil || !ok || rehash {
				t.Fatalf("VerifyPassword(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
			ok, rehash, err = VerifyPassword(encoded, tt.password+"!")
			if err != nil || ok || rehash {
				t.Fatalf("VerifyPassword(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestHashPasswordSalted(t *testing.T) {
	a, err := HashPassword("same password here")
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword("same password here")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal; salt missing")
	}
}

func TestHashPasswordSpeed(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	start := time.Now()
	if _, err := HashPassword("a password of some length"); err != nil {
		t.Fatal(err)
	}
	// Generous bound for slow CI; the goal is well under 100 ms.
	if d := time.Since(start); d > time.Second {
		t.Fatalf("hashing took %v", d)
	}
}

func TestVerifyPasswordNeedsRehash(t *testing.T) {
	const password = "a password from long ago"
	old := passwordHashParams
	tests := []struct {
		name   string
		params argon2Params
	}{
		{"lower memory", argon2Params{memory: 8 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}},
		{"fewer passes", argon2Params{memory: 19 * 1024, time: 1, threads: 1, saltLen: 16, keyLen: 32}},
		{"more threads", argon2Params{memory: 19 * 1024, time: 2, threads: 2, saltLen: 16, keyLen: 32}},
		{"shorter key", argon2Params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 16}},
		{"longer salt", argon2Params{memory: 19 * 1024, time: 2, threads: 1, saltLen: 32, keyLen: 32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			passwordHashParams = tt.params
			encoded, err := HashPassword(password)
			passwordHashParams = old
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := VerifyPassword(encoded, password)
			if err != nil || !ok || !rehash {
				t.Fatalf("VerifyPassword = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			ok, rehash, err = VerifyPassword(encoded, "wrong")
			if err != nil || ok || rehash {
				t.Fatalf("VerifyPassword(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestVerifyPasswordRejectsMalformed(t *testing.T) {
	const (
		salt = "AAAAAAAAAAAAAAAAAAAAAA"                      // 16 bytes
		key  = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 bytes
	)
	valid := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	if _, _, err := VerifyPassword(valid, "x"); err != nil {
		t.Fatalf("baseline rejected: %v", err)
	}
	tests := map[string]string{
		"empty":              "",
		"no leading dollar":  "argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"extra field":        valid + "$",
		"missing field":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"argon2i":            "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"bcrypt":             "$2a$10$abcdefghijklmnopqrstuu",
		"version 16":         "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"version missing":    "$argon2id$$m=19456,t=2,p=1$" + salt + "$" + key,
		"params reordered":   "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"params missing":     "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"params extra":       "$argon2id$v=19$m=19456,t=2,p=1,k=3$" + salt + "$" + key,
		"memory empty":       "$argon2id$v=19$m=,t=2,p=1$" + salt + "$" + key,
		"memory negative":    "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"memory plus":        "$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + key,
		"memory leading 0":   "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key,
		"memory huge":        "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + key,
		"memory overflow":    "$argon2id$v=19$m=99999999999999999999,t=2,p=1$" + salt + "$" + key,
		"memory below lanes": "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key,
		"time zero":          "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"time huge":          "$argon2id$v=19$m=19456,t=11,p=1$" + salt + "$" + key,
		"time hex":           "$argon2id$v=19$m=19456,t=0x2,p=1$" + salt + "$" + key,
		"threads zero":       "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"threads huge":       "$argon2id$v=19$m=19456,t=2,p=17$" + salt + "$" + key,
		"threads 256":        "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key,
		"salt empty":         "$argon2id$v=19$m=19456,t=2,p=1$$" + key,
		"salt short":         "$argon2id$v=19$m=19456,t=2,p=1$AAAA$" + key,
		"salt padded":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key,
		"salt bad char":      "$argon2id$v=19$m=19456,t=2,p=1$" + salt[1:] + "*$" + key,
		"salt url alphabet":  "$argon2id$v=19$m=19456,t=2,p=1$" + salt[1:] + "_$" + key,
		"salt too long":      "$argon2id$v=19$m=19456,t=2,p=1$" + strings.Repeat("A", 100) + "$" + key,
		"key empty":          "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"key short":          "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$AAAAAAAA",
		"key too long":       "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.Repeat("A", 100),
		"key stray bits":     "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[1:] + "B",
		"key with space":     "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + " ",
	}
	for name, encoded := range tests {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := VerifyPassword(encoded, "x")
			if !errors.Is(err, errInvalidPasswordHash) {
				t.Fatalf("err = %v; want errInvalidPasswordHash", err)
			}
			if ok || rehash {
				t.Fatalf("ok, rehash = %v, %v; want false, false", ok, rehash)
			}
		})
	}
}

func TestVerifyPasswordTamperedHash(t *testing.T) {
	encoded, err := HashPassword("the real password")
	if err != nil {
		t.Fatal(err)
	}
	// Swap one character of the stored key for another valid one.
	i := strings.LastIndex(encoded, "$") + 5
	c := byte('A')
	if encoded[i] == 'A' {
		c = 'B'
	}
	tampered := encoded[:i] + string(c) + encoded[i+1:]
	ok, _, err := VerifyPassword(tampered, "the real password")
	if err != nil || ok {
		t.Fatalf("VerifyPassword(tampered) = %v, %v; want false, nil", ok, err)
	}
}

func TestEqualizeTiming(t *testing.T) {
	ok, rehash, err := VerifyPassword(dummyHash(), "anything")
	if err != nil || ok || rehash {
		t.Fatalf("dummy hash: %v, %v, %v; want a valid hash matching nothing", ok, rehash, err)
	}
	p, _, _, err := decodePasswordHash(dummyHash())
	if err != nil || p != passwordHashParams {
		t.Fatalf("dummy hash params %+v, %v; want today's", p, err)
	}
	EqualizeTiming("anything")
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, password, key string
	}{
		{"empty", "", "auth.password.too_short"},
		{"eleven", "abcdefghijk", "auth.password.too_short"},
		{"twelve", "abcdefghijkl", ""},
		// 11 runes but 22 bytes: length counts characters, not bytes.
		{"eleven accented", strings.Repeat("è", 11), "auth.password.too_short"},
		{"twelve accented", strings.Repeat("è", 12), ""},
		{"256 bytes", strings.Repeat("a", 256), ""},
		{"257 bytes", strings.Repeat("a", 257), "auth.password.too_long"},
		{"130 runes 260 bytes", strings.Repeat("è", 130), "auth.password.too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.password)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("err = %v; want nil", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Key != tt.key || err.Error() != tt.key {
				t.Fatalf("err = %v; want ValidationError %q", err, tt.key)
			}
		})
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "x")
	f.Add("$$$$$", "x")
	f.Fuzz(func(t *testing.T, encoded, plain string) {
		p, _, _, err := decodePasswordHash(encoded)
		if err == nil && uint64(p.memory)*uint64(p.time) > 64*1024 {
			// Valid but costly parameters: parsing is what is under
			// test, and running argon2 at up to 1 GiB per input would
			// only exhaust the fuzzer's memory.
			return
		}
		ok, rehash, verr := VerifyPassword(encoded, plain)
		if (err == nil) != (verr == nil) {
			t.Fatalf("decode err %v, verify err %v", err, verr)
		}
		if verr != nil && (ok || rehash) {
			t.Fatalf("error %v with ok=%v rehash=%v", verr, ok, rehash)
		}
		if rehash && !ok {
			t.Fatal("rehash without ok")
		}
	})
}
