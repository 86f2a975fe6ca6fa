// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/math/fixed"
)

// draw paints the plan.
func (p *plan) draw() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.m.w, p.m.h))
	draw.Draw(img, img.Bounds(), image.NewUniform(p.bg), image.Point{}, draw.Src)
	for _, f := range p.fills {
		draw.Draw(img, f.r, image.NewUniform(f.c), image.Point{}, draw.Src)
	}
	if p.watermark {
		// Under the text, so the headline stays fully legible.
		p.drawWatermark(img)
	}
	for _, t := range p.texts {
		p.drawText(img, t)
	}
	return img
}

func (p *plan) drawText(dst draw.Image, t textItem) {
	face := p.faces.get(t.b.w, t.b.size)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(t.fg), Face: face}
	for i, line := range t.b.lines {
		x := t.x
		switch t.align {
		case alignCenter:
			x += (t.width - advance(face, -1, line).Round()) / 2
		case alignRight:
			x += t.width - advance(face, -1, line).Round()
		}
		d.Dot = fixed.P(x, t.baseline+i*lineHeight(t.b.size))
		d.DrawString(line)
	}
}

// watermarkLines are set one above the other along the body's diagonal.
var watermarkLines = [...]string{"ESERCITAZIONE", "EXERCISE"}

// drawWatermark sets the drill label across the body's diagonal, large
// and faint: a banner can be cropped off, a diagonal through the headline
// cannot.
func (p *plan) drawWatermark(dst *image.RGBA) {
	body := p.body
	angle := math.Atan2(float64(body.Dy()), float64(body.Dx()))
	cos, sin := math.Cos(angle), math.Sin(angle)

	// Size the type so that the rotated text fits the body with a little
	// room, in both directions: it must read whole, not as a fragment.
	const probe = 100
	widest := 0
	for _, l := range watermarkLines {
		widest = max(widest, advance(p.faces.get(bold, probe), -1, l).Ceil())
	}
	tw, th := float64(widest), float64(len(watermarkLines)*lineHeight(probe))
	scale := min(0.9*float64(body.Dx())/(tw*cos+th*sin), 0.9*float64(body.Dy())/(tw*sin+th*cos))
	size := max(1, int(probe*scale))
	face := p.faces.get(bold, size)
	lh := lineHeight(size)

	// The text is drawn flat onto a transparent image, then rotated onto
	// the card.
	src := image.NewRGBA(image.Rect(0, 0, int(tw*scale)+lh, len(watermarkLines)*lh))
	ink := color.NRGBA{drill.R, drill.G, drill.B, uint8(math.Round(watermarkAlpha * 255))}
	d := font.Drawer{Dst: src, Src: image.NewUniform(ink), Face: face}
	ascent := face.Metrics().Ascent.Ceil()
	for i, l := range watermarkLines {
		x := (src.Rect.Dx() - advance(face, -1, l).Round()) / 2
		d.Dot = fixed.P(x, ascent+i*lh)
		d.DrawString(l)
	}

	// Rotate by -angle (rising to the right) about the centres.
	sin = -sin
	sx, sy := float64(src.Rect.Dx())/2, float64(src.Rect.Dy())/2
	dx, dy := float64(body.Min.X+body.Max.X)/2, float64(body.Min.Y+body.Max.Y)/2
	s2d := f64.Aff3{
		cos, -sin, dx - cos*sx + sin*sy,
		sin, cos, dy - sin*sx - cos*sy,
	}
	xdraw.ApproxBiLinear.Transform(dst.SubImage(body).(*image.RGBA), s2d, src, src.Bounds(), xdraw.Over, nil)
}
