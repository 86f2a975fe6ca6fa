// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync"
)

// ErrPayloadTooLarge is wrapped when a payload does not fit the one record
// every push service must accept.
var ErrPayloadTooLarge = errors.New("webpush: payload too large")

const (
	// recordSize is the rs of the aes128gcm header: one record holds the
	// whole message.
	recordSize = 4096
	// headerLen is salt(16) | rs(4) | idlen(1) | keyid(65).
	headerLen = 16 + 4 + 1 + 65
	tagLen    = 16
	// MaxBody is the largest encrypted body sent: push services must accept
	// 4096 bytes (RFC 8030 section 7.2), and some accept no more.
	MaxBody = 4096
	// MaxPayload is the largest plaintext that fits MaxBody once the header,
	// the padding delimiter and the AEAD tag are added (RFC 8291 section 4).
	MaxPayload = MaxBody - headerLen - 1 - tagLen
)

// EncryptOptions tune Encrypt.
type EncryptOptions struct {
	// PadTo pads the plaintext with zeros up to this many bytes (at most
	// MaxPayload), so that messages of different lengths look alike on the
	// wire. Zero adds no padding.
	PadTo int
}

// Encrypt encrypts plaintext for the subscription's browser: a fresh ECDH
// key pair and salt per message (RFC 8291 section 2), one aes128gcm record.
// The result is the request body, its header carrying the salt and the
// ephemeral public key.
//
// Specs: https://www.rfc-editor.org/rfc/rfc8291, https://www.rfc-editor.org/rfc/rfc8188
func Encrypt(sub Subscription, plaintext []byte, opts EncryptOptions) ([]byte, error) {
	k, err := sub.parse()
	if err != nil {
		return nil, err
	}
	return encrypt(k, plaintext, opts)
}

func encrypt(k subscriptionKeys, plaintext []byte, opts EncryptOptions) ([]byte, error) {
	if err := checkSize(len(plaintext), opts); err != nil {
		return nil, err
	}
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("webpush: ephemeral key: %w", err)
	}
	var salt [16]byte
	_, _ = rand.Read(salt[:]) // never fails (crypto/rand since Go 1.24)
	return seal(k.ua, k.auth, plaintext, opts.PadTo, salt[:], as)
}

func checkSize(n int, opts EncryptOptions) error {
	if n > MaxPayload {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrPayloadTooLarge, n, MaxPayload)
	}
	if opts.PadTo < 0 || opts.PadTo > MaxPayload {
		return fmt.Errorf("%w: padding to %d bytes, at most %d", ErrPayloadTooLarge, opts.PadTo, MaxPayload)
	}
	return nil
}

// The HKDF info strings of RFC 8291 section 3.4 and RFC 8188 section 2.2.
const (
	keyInfoPrefix = "WebPush: info\x00"
	cekInfo       = "Content-Encoding: aes128gcm\x00"
	nonceInfo     = "Content-Encoding: nonce\x00"
)

// seal is Encrypt with the salt and the ephemeral key given, so that the
// RFC's test vector can be reproduced.
func seal(ua *ecdh.PublicKey, auth, plaintext []byte, padTo int, salt []byte, as *ecdh.PrivateKey) ([]byte, error) {
	secret, err := as.ECDH(ua)
	if err != nil {
		return nil, fmt.Errorf("webpush: key agreement: %w", err)
	}
	asPublic := as.PublicKey().Bytes()
	uaPublic := ua.Bytes()

	// The whole body is allocated once and the record sealed in place.
	n := max(len(plaintext), padTo)
	body := make([]byte, headerLen+n+1+tagLen)
	copy(body, salt)
	binary.BigEndian.PutUint32(body[16:], recordSize)
	body[20] = byte(len(asPublic))
	copy(body[21:], asPublic)

	// HKDF (RFC 5869) where every output fits one HMAC block, so Expand is
	// a single HMAC of info || 0x01.
	d := kdfPool.Get().(*kdf)
	defer d.release()
	prkKey := d.hmac(d.prkKey[:0], auth, secret)
	ikm := d.hmac(d.ikm[:0], prkKey, []byte(keyInfoPrefix), uaPublic, asPublic, []byte{1})
	prk := d.hmac(d.prk[:0], salt, ikm)
	cek := d.hmac(d.cek[:0], prk, []byte(cekInfo), []byte{1})[:16]
	nonce := d.hmac(d.nonce[:0], prk, []byte(nonceInfo), []byte{1})[:12]
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("webpush: aes: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webpush: gcm: %w", err)
	}

	// The record is the plaintext, the delimiter of the last record (0x02)
	// and zero padding, sealed in place.
	record := body[headerLen : headerLen+n+1]
	copy(record, plaintext)
	record[len(plaintext)] = 0x02
	clear(record[len(plaintext)+1:])
	gcm.Seal(record[:0], nonce, record, nil)
	return body, nil
}

// kdf holds the state of one key derivation. crypto/hkdf and crypto/hmac
// allocate two digests per HMAC; a fan-out derives five HMACs per message,
// so one digest is reused and kept in a pool.
type kdf struct {
	h                            hash.Hash
	pad                          [sha256.BlockSize]byte
	inner                        [sha256.Size]byte
	prkKey, ikm, prk, cek, nonce [sha256.Size]byte
}

var kdfPool = sync.Pool{New: func() any { return &kdf{h: sha256.New()} }}

// release wipes the keys, which must not outlive the message, and returns
// d to the pool.
func (d *kdf) release() {
	d.h.Reset()
	*d = kdf{h: d.h}
	kdfPool.Put(d)
}

// hmac appends HMAC-SHA-256(key, data...) to out (RFC 2104). Every key
// here (auth secret, salt, pseudorandom keys) is shorter than a block.
func (d *kdf) hmac(out, key []byte, data ...[]byte) []byte {
	d.h.Reset()
	d.h.Write(d.keyPad(key, 0x36))
	for _, p := range data {
		d.h.Write(p)
	}
	inner := d.h.Sum(d.inner[:0])
	d.h.Reset()
	d.h.Write(d.keyPad(key, 0x5c))
	d.h.Write(inner)
	return d.h.Sum(out)
}

func (d *kdf) keyPad(key []byte, b byte) []byte {
	for i := range d.pad {
		d.pad[i] = b
	}
	for i, k := range key {
		d.pad[i] ^= k
	}
	return d.pad[:]
}
