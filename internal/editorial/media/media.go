// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package media recognises uploaded files by their content and fits images
// to each platform's limits (Bluesky takes at most 1,000,000 bytes,
// Instagram only JPEG), so an author uploads one photo and every channel
// gets a version it accepts.
package media

import (
	"bytes"
	"encoding/binary"
	"errors"

	// WebP is read, never written; image/gif, jpeg and png register
	// their decoders from fit.go, which also writes them.
	_ "golang.org/x/image/webp"
)

// Kind is an image or a video.
type Kind string

// The kinds of media.
const (
	Image Kind = "image"
	Video Kind = "video"
)

// Error codes, keys of the i18n catalogs: the web layer shows them
// translated.
const (
	CodeTypeUnsupported = "media.type_unsupported"
	CodeTooLarge        = "media.too_large"
	CodeCannotFit       = "media.cannot_fit"
	CodeCorrupt         = "media.corrupt"
)

// Error is a media problem with its translation key; Err says what went
// wrong for the logs.
type Error struct {
	Code string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "media: " + e.Code + ": " + e.Err.Error()
	}
	return "media: " + e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Sniff recognises a file by its first bytes, never by its name or the
// type the browser claimed: JPEG, PNG, GIF and WebP images, MP4 (and
// QuickTime) and WebM videos. Anything else is an *Error with
// CodeTypeUnsupported.
func Sniff(data []byte) (contentType string, kind Kind, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", Image, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", Image, nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif", Image, nil
	case len(data) >= 16 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP" && string(data[12:15]) == "VP8":
		return "image/webp", Image, nil
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return sniffISO(data)
	case bytes.HasPrefix(data, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		// EBML is shared by WebM and Matroska; the DocType, near the
		// start of the header, tells them apart.
		head := data[:min(len(data), 64)]
		if bytes.Contains(head, []byte("webm")) {
			return "video/webm", Video, nil
		}
		return "", "", &Error{Code: CodeTypeUnsupported, Err: errors.New("matroska, not webm")}
	}
	return "", "", &Error{Code: CodeTypeUnsupported, Err: errors.New("unrecognised content")}
}

// sniffISO tells an MP4 video from the other files of the ISO base media
// format, which start with the same ftyp box: HEIF and AVIF photos (what
// phones take) and M4A audio would otherwise pass for videos.
func sniffISO(data []byte) (string, Kind, error) {
	size := binary.BigEndian.Uint32(data[:4])
	if size < 12 || size%4 != 0 {
		return "", "", &Error{Code: CodeTypeUnsupported, Err: errors.New("malformed ftyp box")}
	}
	switch brand := string(data[8:12]); brand {
	case "qt  ":
		return "video/quicktime", Video, nil
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "avif", "avis", "crx ":
		return "", "", &Error{Code: CodeTypeUnsupported, Err: errors.New("HEIF/AVIF image (" + brand + ")")}
	case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ":
		return "", "", &Error{Code: CodeTypeUnsupported, Err: errors.New("audio (" + brand + ")")}
	}
	return "video/mp4", Video, nil
}

// Dimensions reads an image's size without decoding its pixels. It is the
// size as shown: a phone photo stored sideways with an EXIF orientation
// reports its width and height swapped back.
func Dimensions(data []byte) (w, h int, err error) {
	cfg, _, err := decodeConfig(data)
	if err != nil {
		return 0, 0, &Error{Code: CodeCorrupt, Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, &Error{Code: CodeCorrupt, Err: errors.New("empty image")}
	}
	if swapsSides(jpegOrientation(data)) {
		return cfg.Height, cfg.Width, nil
	}
	return cfg.Width, cfg.Height, nil
}
