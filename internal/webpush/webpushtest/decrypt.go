// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// decrypt is the browser's side of RFC 8291, written apart from the
// package's encryption so that a mistake is not shared by both.
//
// Specs: https://www.rfc-editor.org/rfc/rfc8291#section-3.4, https://www.rfc-editor.org/rfc/rfc8188#section-2
func decrypt(ua *ecdh.PrivateKey, auth, body []byte) ([]byte, error) {
	const header = 16 + 4 + 1
	if len(body) < header {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idlen := int(body[20])
	if idlen != 65 || len(body) < header+idlen {
		return nil, fmt.Errorf("keyid of %d bytes, want the 65-byte ephemeral public key", idlen)
	}
	asPublic := body[header : header+idlen]
	record := body[header+idlen:]
	if rs < 18 {
		return nil, fmt.Errorf("record size %d below the minimum of 18", rs)
	}
	if uint32(len(record)) > rs {
		return nil, fmt.Errorf("%d bytes of records with rs %d: web push sends one record", len(record), rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("keyid: %w", err)
	}
	secret, err := ua.ECDH(as)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(ua.PublicKey().Bytes()) + string(asPublic)
	ikm, err := hkdf.Key(sha256.New, secret, auth, info, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, record, nil)
	if err != nil {
		return nil, fmt.Errorf("record does not decrypt: %w", err)
	}
	// The last record ends with 0x02, then zero padding.
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 0x02 {
		return nil, errors.New("record lacks the 0x02 delimiter of the last record")
	}
	return plain[:len(plain)-1], nil
}
