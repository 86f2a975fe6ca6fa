// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package media

import (
	"bytes"
	"encoding/binary"
	"image"
)

// jpegOrientation reads the EXIF orientation (1 to 8) of a JPEG, 1 when
// there is none. Phones store portrait photos sideways and say so in EXIF;
// re-encoding drops EXIF, so Fit must turn the pixels itself or the photo
// reaches the platform lying on its side.
//
// Specs: https://www.cipa.jp/std/documents/download_e.html?DC-008-Translation-2023-E
func jpegOrientation(data []byte) int {
	if !bytes.HasPrefix(data, []byte{0xFF, 0xD8}) {
		return 1
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 1
		}
		marker := data[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no EXIF before the pixels
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[p+2 : p+4]))
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of the first IFD of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd : ifd+2]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:e+2]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:e+4]) != 3 { // SHORT
			return 1
		}
		if o := int(bo.Uint16(t[e+8 : e+10])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

// swapsSides tells whether an orientation turns the image by a quarter.
func swapsSides(o int) bool { return o >= 5 && o <= 8 }

// orient applies an EXIF orientation to the pixels, so the result shows
// upright without metadata.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if swapsSides(o) {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for sy := range h {
		row := src.Pix[sy*src.Stride : sy*src.Stride+4*w]
		for sx := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-sx, sy
			case 3: // upside down
				dx, dy = w-1-sx, h-1-sy
			case 4: // mirrored upside down
				dx, dy = sx, h-1-sy
			case 5: // mirrored along the main diagonal
				dx, dy = sy, sx
			case 6: // to be turned a quarter clockwise
				dx, dy = h-1-sy, sx
			case 7: // mirrored along the other diagonal
				dx, dy = h-1-sy, w-1-sx
			case 8: // to be turned a quarter anticlockwise
				dx, dy = sy, w-1-sx
			}
			i := dy*dst.Stride + 4*dx
			copy(dst.Pix[i:i+4], row[4*sx:4*sx+4])
		}
	}
	return dst
}
