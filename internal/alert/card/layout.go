// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package card

import (
	"image"
	"image/color"
	"strings"
)

// metrics are the proportions of one size of card, in pixels and
// points (1 pt = 1 px: the fonts are set at 72 DPI).
type metrics struct {
	w, h, margin         int
	bannerH, bannerSize  int // drill banner
	bandH                int
	kindSize, levelSize  int
	headMax, headMin     int
	headStep, headLines  int
	metaSize, zoneLines  int
	footSize             int
	accentH              int // colour strip along the bottom edge
	gap                  int // between the band, the headline and the meta lines
	ruleGap, bottomSpace int
}

var sizes = map[Size]metrics{
	Square: {
		w: 1080, h: 1080, margin: 72,
		bannerH: 96, bannerSize: 48,
		bandH: 280, kindSize: 42, levelSize: 104,
		headMax: 92, headMin: 44, headStep: 4, headLines: 8,
		metaSize: 38, zoneLines: 2,
		footSize: 34, accentH: 16, gap: 56, ruleGap: 28, bottomSpace: 44,
	},
	Landscape: {
		w: 1200, h: 675, margin: 56,
		bannerH: 60, bannerSize: 32,
		bandH: 176, kindSize: 30, levelSize: 72,
		headMax: 64, headMin: 30, headStep: 2, headLines: 5,
		metaSize: 28, zoneLines: 1,
		footSize: 26, accentH: 10, gap: 32, ruleGap: 18, bottomSpace: 26,
	},
}

// align is how a text sits in its box.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// textItem is a block of text placed on the card.
type textItem struct {
	role     string // for tests and debugging: "level", "headline", …
	b        block
	x, width int // the box the lines must fit in
	baseline int // of the first line
	align    align
	fg       color.RGBA
}

type fill struct {
	r image.Rectangle
	c color.RGBA
}

// plan is a card laid out: everything draw needs, and what the tests
// check without reading pixels.
type plan struct {
	m     metrics
	faces faces
	bg    color.RGBA
	fills []fill
	texts []textItem
	// body is the card below the band, where a drill's watermark goes
	// (empty on a real alert).
	body      image.Rectangle
	watermark bool
	// headRegion is the space the headline may take.
	headRegion image.Rectangle
}

// ascent and descent of a block's face, in whole pixels.
func (p *plan) ascent(b block) int  { return p.faces.get(b.w, b.size).Metrics().Ascent.Ceil() }
func (p *plan) descent(b block) int { return p.faces.get(b.w, b.size).Metrics().Descent.Ceil() }
func (p *plan) capHeight(b block) int {
	return p.faces.get(b.w, b.size).Metrics().CapHeight.Ceil()
}

// top and bottom are the vertical extent of a placed text's line boxes.
func (p *plan) top(t textItem) int { return t.baseline - p.ascent(t.b) }
func (p *plan) bottom(t textItem) int {
	return t.baseline + (len(t.b.lines)-1)*lineHeight(t.b.size) + p.descent(t.b)
}

// layout validates the card and places everything on it, bottom up for
// the footer and meta lines, so that the headline gets what is left.
func layout(c Card) (*plan, error) {
	if err := validate(c); err != nil {
		return nil, err
	}
	if err := loadFonts(); err != nil {
		return nil, err
	}
	m := sizes[c.Size]
	p := &plan{m: m, faces: faces{}, bg: background}
	colour := normColour(c.Colour)
	band := bandStyle(colour, c.AllClear)
	textW := m.w - 2*m.margin

	y := 0
	if c.Exercise {
		p.fills = append(p.fills, fill{image.Rect(0, 0, m.w, m.bannerH), drill})
		b := fit(p.faces, bold, exerciseLabel, textW, m.bannerH, 1, m.bannerSize, m.bannerSize*2/3, 2)
		p.texts = append(p.texts, textItem{role: "banner", b: b, x: m.margin, width: textW,
			baseline: (m.bannerH + p.capHeight(b)) / 2, align: alignCenter, fg: white})
		y = m.bannerH
	}

	// The band: kind above, level below, centred as one block by their
	// capital height, which is what the eye measures.
	p.fills = append(p.fills, fill{image.Rect(0, y, m.w, y+m.bandH), band.bg})
	level := fit(p.faces, bold, levelLabel(colour, c.AllClear, c.Lang), textW, lineHeight(m.levelSize), 1,
		m.levelSize, m.levelSize*3/5, 4)
	kind := fit(p.faces, regular, clean(c.Kind), textW, lineHeight(m.kindSize), 1, m.kindSize, m.kindSize*3/4, 2)
	levelCap := p.capHeight(level)
	if len(kind.lines) > 0 {
		kindCap, between := p.capHeight(kind), m.kindSize*4/5
		kindBase := y + (m.bandH-(kindCap+between+levelCap))/2 + kindCap
		p.texts = append(p.texts,
			textItem{role: "kind", b: kind, x: m.margin, width: textW, baseline: kindBase, fg: band.fg},
			textItem{role: "level", b: level, x: m.margin, width: textW, baseline: kindBase + between + levelCap, fg: band.fg})
	} else {
		p.texts = append(p.texts, textItem{role: "level", b: level, x: m.margin, width: textW,
			baseline: y + (m.bandH+levelCap)/2, fg: band.fg})
	}
	y += m.bandH
	p.body = image.Rect(0, y, m.w, m.h-m.accentH)
	p.watermark = c.Exercise

	// Footer: organisation left, hashtag right, a rule above them and
	// the band's colour along the bottom edge.
	p.fills = append(p.fills, fill{image.Rect(0, m.h-m.accentH, m.w, m.h), band.bg})
	footBase := m.h - m.accentH - m.bottomSpace
	footFrom := len(p.texts)
	hashW := 0
	if tag := hashtag(c.Hashtag); tag != "" {
		b := fit(p.faces, regular, tag, textW/2, lineHeight(m.footSize), 1, m.footSize, m.footSize*4/5, 2)
		hashW = advance(p.faces.get(b.w, b.size), -1, b.lines[0]).Ceil() + m.margin/2
		p.texts = append(p.texts, textItem{role: "hashtag", b: b, x: m.margin, width: textW,
			baseline: footBase, align: alignRight, fg: inkSoft})
	}
	if org := clean(c.Org); org != "" {
		b := fit(p.faces, bold, org, textW-hashW, lineHeight(m.footSize), 1, m.footSize, m.footSize*4/5, 2)
		p.texts = append(p.texts, textItem{role: "org", b: b, x: m.margin, width: textW - hashW,
			baseline: footBase, fg: inkSoft})
	}
	// Meta lines, up from the rule (or the bottom of the card when there
	// is no footer to set apart): time last, zone above it.
	metaBottom := footBase
	if len(p.texts) > footFrom {
		ruleY := footBase - m.footSize - m.ruleGap
		p.fills = append(p.fills, fill{image.Rect(m.margin, ruleY, m.w-m.margin, ruleY+2), rule})
		metaBottom = ruleY - m.ruleGap
	}
	metaLH := lineHeight(m.metaSize)
	if t := timeLabel(c.At, c.Lang); t != "" {
		b := fit(p.faces, regular, t, textW, metaLH, 1, m.metaSize, m.metaSize*4/5, 2)
		ti := textItem{role: "time", b: b, x: m.margin, width: textW, fg: inkSoft}
		ti.baseline = metaBottom - p.descent(b)
		metaBottom = p.top(ti)
		p.texts = append(p.texts, ti)
	}
	if z := zoneLabel(clean(c.Zone), c.Lang); z != "" {
		b := fit(p.faces, bold, z, textW, m.zoneLines*metaLH, m.zoneLines, m.metaSize, m.metaSize*4/5, 2)
		ti := textItem{role: "zone", b: b, x: m.margin, width: textW, fg: inkSoft}
		ti.baseline = metaBottom - p.descent(b) - (len(b.lines)-1)*lineHeight(b.size)
		metaBottom = p.top(ti)
		p.texts = append(p.texts, ti)
	}

	// The headline takes the space left between the band and the meta
	// lines, in the largest type at which it fits.
	p.headRegion = image.Rect(m.margin, y+m.gap, m.w-m.margin, metaBottom-m.gap/2)
	head := fit(p.faces, bold, clean(c.Headline), textW, p.headRegion.Dy(), m.headLines, m.headMax, m.headMin, m.headStep)
	p.texts = append(p.texts, textItem{role: "headline", b: head, x: m.margin, width: textW,
		baseline: p.headRegion.Min.Y + p.ascent(head), fg: inkStrong})
	return p, nil
}

// hashtag is the tag as drawn: one word, with its #.
func hashtag(s string) string {
	s = strings.ReplaceAll(clean(s), " ", "")
	s = strings.TrimLeft(s, "#")
	if s == "" {
		return ""
	}
	return "#" + s
}
