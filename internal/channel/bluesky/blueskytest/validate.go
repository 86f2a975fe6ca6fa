// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package blueskytest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/piazza-pa/piazza/internal/channel/bluesky"
	"github.com/piazza-pa/piazza/internal/channel/channeltest"
)

// validPost is what the fake keeps of a valid post.
type validPost struct {
	text  string
	lang  string
	link  string
	media []channeltest.ReceivedMedia
	blobs []blobRef
	// reply holds the root and the parent of a reply, nil for a post
	// that starts a thread.
	reply *postReply
}

// postReply is app.bsky.feed.post#replyRef.
type postReply struct {
	root, parent recordRef
}

// recordRef is com.atproto.repo.strongRef.
type recordRef struct {
	uri, cid string
}

// blobRef is a blob a record refers to.
type blobRef struct {
	cid, mime string
	size      int64
}

// uriRe is the lexicon's "uri" format (packages/syntax/src/uri.ts).
var uriRe = regexp.MustCompile(`^\w+:(?://)?[^\s/][^\s]*$`)

// issue is a lexicon validation failure: the message of the reference
// validator (packages/lex/lex-schema) and the JSON path of the value.
func issue(path, format string, args ...any) string {
	return fmt.Sprintf(format, args...) + " at " + path
}

// validatePost checks a post record against app.bsky.feed.post and the
// lexicons it refers to, returning the first issue.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
func (s *Server) validatePost(rec map[string]any) (validPost, string) {
	var p validPost
	const root = "$.record"
	text, msg := str(rec, "text", root, true)
	if msg != "" {
		return p, msg
	}
	if n := len(text); n > bluesky.MaxTextBytes {
		return p, issue(root+".text", "string too big (maximum %d, got %d)", bluesky.MaxTextBytes, n)
	}
	if n := uniseg.GraphemeClusterCount(text); n > bluesky.MaxGraphemes {
		return p, issue(root+".text", "grapheme too big (maximum %d, got %d)", bluesky.MaxGraphemes, n)
	}
	p.text = text
	created, msg := str(rec, "createdAt", root, true)
	if msg != "" {
		return p, msg
	}
	if _, err := time.Parse(time.RFC3339Nano, created); err != nil {
		return p, issue(root+".createdAt", "Invalid datetime (got %q)", created)
	}
	if v, ok := rec["langs"]; ok {
		langs, ok := v.([]any)
		if !ok {
			return p, issue(root+".langs", "Expected array value type (got %s)", kind(v))
		}
		if len(langs) > 3 {
			return p, issue(root+".langs", "array too big (maximum 3, got %d)", len(langs))
		}
		for i, l := range langs {
			ls, ok := l.(string)
			if !ok || !bluesky.ValidLanguage(ls) {
				return p, issue(fmt.Sprintf("%s.langs[%d]", root, i), "Invalid language (got %s)", show(l))
			}
			if i == 0 {
				p.lang = ls
			}
		}
	}
	if v, ok := rec["facets"]; ok {
		if msg := validateFacets(v, text); msg != "" {
			return p, msg
		}
	}
	if v, ok := rec["embed"]; ok {
		if msg := s.validateEmbed(v, &p); msg != "" {
			return p, msg
		}
	}
	if v, ok := rec["reply"]; ok {
		r, msg := validateReply(v)
		if msg != "" {
			return p, msg
		}
		p.reply = &r
	}
	return p, ""
}

// validateReply checks app.bsky.feed.post#replyRef: a root and a parent,
// each a com.atproto.repo.strongRef (an at:// URI and a CID).
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/com/atproto/repo/strongRef.json
func validateReply(v any) (postReply, string) {
	const path = "$.record.reply"
	var r postReply
	o, ok := v.(map[string]any)
	if !ok {
		return r, issue(path, "Expected object value type (got %s)", kind(v))
	}
	for _, k := range []string{"root", "parent"} {
		ref, ok := o[k].(map[string]any)
		if !ok {
			if o[k] == nil {
				return r, issue(path, "Missing required key %q", k)
			}
			return r, issue(path+"."+k, "Expected object value type (got %s)", kind(o[k]))
		}
		uri, msg := str(ref, "uri", path+"."+k, true)
		if msg != "" {
			return r, msg
		}
		if _, _, ok := splitATURI(uri); !ok {
			return r, issue(path+"."+k+".uri", "Invalid AT-URI (got %q)", uri)
		}
		cid, msg := str(ref, "cid", path+"."+k, true)
		if msg != "" {
			return r, msg
		}
		if !cidRe.MatchString(cid) {
			return r, issue(path+"."+k+".cid", "Invalid CID (got %q)", cid)
		}
		if k == "root" {
			r.root = recordRef{uri: uri, cid: cid}
		} else {
			r.parent = recordRef{uri: uri, cid: cid}
		}
	}
	return r, ""
}

// cidRe is a CID in its string forms: base32 CIDv1 ("b…") or base58
// CIDv0 ("Qm…").
var cidRe = regexp.MustCompile(`^(b[a-z2-7]{8,}|Qm[1-9A-HJ-NP-Za-km-z]{44})$`)

// validateFacets checks app.bsky.richtext.facet, then what the fake adds
// on top: each facet a non-empty slice of the text on UTF-8 boundaries,
// none overlapping.
//
// Specs: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/richtext/facet.json
func validateFacets(v any, text string) string {
	const path = "$.record.facets"
	facets, ok := v.([]any)
	if !ok {
		return issue(path, "Expected array value type (got %s)", kind(v))
	}
	type rng struct{ start, end int64 }
	var ranges []rng
	for i, f := range facets {
		fp := fmt.Sprintf("%s[%d]", path, i)
		fo, ok := f.(map[string]any)
		if !ok {
			return issue(fp, "Expected object value type (got %s)", kind(f))
		}
		idx, ok := fo["index"].(map[string]any)
		if !ok {
			return issue(fp, `Missing required key "index"`)
		}
		var r rng
		for _, k := range []string{"byteStart", "byteEnd"} {
			n, ok := integer(idx[k])
			if !ok {
				return issue(fp+".index", "Missing required key %q", k)
			}
			if n < 0 {
				return issue(fp+".index."+k, "integer too small (minimum 0, got %d)", n)
			}
			if k == "byteStart" {
				r.start = n
			} else {
				r.end = n
			}
		}
		if r.start >= r.end || r.end > int64(len(text)) || !boundary(text, r.start) || !boundary(text, r.end) {
			return issue(fp+".index", "byte range [%d, %d) is not a slice of the text (%d bytes) on character boundaries",
				r.start, r.end, len(text))
		}
		ranges = append(ranges, r)
		features, ok := fo["features"].([]any)
		if !ok {
			return issue(fp, `Missing required key "features"`)
		}
		for j, ft := range features {
			if msg := validateFeature(ft, fmt.Sprintf("%s.features[%d]", fp, j)); msg != "" {
				return msg
			}
		}
	}
	slices.SortFunc(ranges, func(a, b rng) int { return int(a.start - b.start) })
	for i := 1; i < len(ranges); i++ {
		if ranges[i].start < ranges[i-1].end {
			return issue(path, "facets [%d, %d) and [%d, %d) overlap",
				ranges[i-1].start, ranges[i-1].end, ranges[i].start, ranges[i].end)
		}
	}
	return ""
}

func boundary(text string, i int64) bool {
	return i == int64(len(text)) || utf8.RuneStart(text[i])
}

func validateFeature(v any, path string) string {
	f, ok := v.(map[string]any)
	if !ok {
		return issue(path, "Expected object value type (got %s)", kind(v))
	}
	switch f["$type"] {
	case bluesky.FeatureMention:
		did, msg := str(f, "did", path, true)
		if msg != "" {
			return msg
		}
		if !strings.HasPrefix(did, "did:") || strings.ContainsAny(did, " /?#") {
			return issue(path+".did", "Invalid DID (got %q)", did)
		}
	case bluesky.FeatureLink:
		uri, msg := str(f, "uri", path, true)
		if msg != "" {
			return msg
		}
		if !uriRe.MatchString(uri) {
			return issue(path+".uri", "Invalid uri (got %q)", uri)
		}
	case bluesky.FeatureTag:
		tag, msg := str(f, "tag", path, true)
		if msg != "" {
			return msg
		}
		if len(tag) > 640 {
			return issue(path+".tag", "string too big (maximum 640, got %d)", len(tag))
		}
		if n := uniseg.GraphemeClusterCount(tag); n > 64 {
			return issue(path+".tag", "grapheme too big (maximum 64, got %d)", n)
		}
	default:
		// The union is open: an unknown feature passes the lexicon. The
		// fake refuses it, since the connector should send none.
		return issue(path+".$type", "this fake PDS knows no facet feature %s", show(f["$type"]))
	}
	return ""
}

// validateEmbed checks app.bsky.embed.images and app.bsky.embed.external.
func (s *Server) validateEmbed(v any, p *validPost) string {
	const path = "$.record.embed"
	e, ok := v.(map[string]any)
	if !ok {
		return issue(path, "Expected object value type (got %s)", kind(v))
	}
	switch e["$type"] {
	case "app.bsky.embed.images":
		images, ok := e["images"].([]any)
		if !ok {
			return issue(path, `Missing required key "images"`)
		}
		if len(images) > bluesky.MaxImages {
			return issue(path+".images", "array too big (maximum %d, got %d)", bluesky.MaxImages, len(images))
		}
		for i, im := range images {
			ip := fmt.Sprintf("%s.images[%d]", path, i)
			img, ok := im.(map[string]any)
			if !ok {
				return issue(ip, "Expected object value type (got %s)", kind(im))
			}
			b, msg := blob(img["image"], ip, "image", s.opts.MaxImageBytes)
			if msg != "" {
				return msg
			}
			alt, msg := str(img, "alt", ip, true)
			if msg != "" {
				return msg
			}
			if ar, ok := img["aspectRatio"]; ok {
				if msg := aspectRatio(ar, ip+".aspectRatio"); msg != "" {
					return msg
				}
			}
			p.blobs = append(p.blobs, b)
			p.media = append(p.media, channeltest.ReceivedMedia{ContentType: b.mime, Bytes: int(b.size), AltText: alt})
		}
	case "app.bsky.embed.external":
		ext, ok := e["external"].(map[string]any)
		if !ok {
			return issue(path, `Missing required key "external"`)
		}
		ep := path + ".external"
		uri, msg := str(ext, "uri", ep, true)
		if msg != "" {
			return msg
		}
		if !uriRe.MatchString(uri) {
			return issue(ep+".uri", "Invalid uri (got %q)", uri)
		}
		for _, k := range []string{"title", "description"} {
			if _, msg := str(ext, k, ep, true); msg != "" {
				return msg
			}
		}
		if t, ok := ext["thumb"]; ok {
			b, msg := blob(t, ep, "thumb", bluesky.MaxThumbBytes)
			if msg != "" {
				return msg
			}
			p.blobs = append(p.blobs, b)
		}
		p.link = uri
	default:
		return issue(path+".$type", "this fake PDS knows no embed %s", show(e["$type"]))
	}
	return ""
}

// blob checks a blob reference: accept image/*, at most maxSize bytes.
//
// Specs: https://atproto.com/specs/data-model#blob-type
func blob(v any, parent, key string, maxSize int64) (blobRef, string) {
	path := parent + "." + key
	if v == nil {
		return blobRef{}, issue(parent, "Missing required key %q", key)
	}
	o, ok := v.(map[string]any)
	if !ok || o["$type"] != "blob" {
		return blobRef{}, issue(path, "Expected blob value type (got %s)", kind(v))
	}
	ref, _ := o["ref"].(map[string]any)
	cid, _ := ref["$link"].(string)
	mt, _ := o["mimeType"].(string)
	size, sok := integer(o["size"])
	if cid == "" || mt == "" || !sok {
		return blobRef{}, issue(path, "Expected blob value type (got object)")
	}
	if !strings.HasPrefix(mt, "image/") {
		return blobRef{}, issue(path, "Invalid mimeType (expected \"image/*\", got %q)", mt)
	}
	if size > maxSize {
		return blobRef{}, issue(path, "blob too big (maximum %d, got %d)", maxSize, size)
	}
	return blobRef{cid: cid, mime: mt, size: size}, ""
}

func aspectRatio(v any, path string) string {
	o, ok := v.(map[string]any)
	if !ok {
		return issue(path, "Expected object value type (got %s)", kind(v))
	}
	for _, k := range []string{"width", "height"} {
		n, ok := integer(o[k])
		if !ok {
			return issue(path, "Missing required key %q", k)
		}
		if n < 1 {
			return issue(path+"."+k, "integer too small (minimum 1, got %d)", n)
		}
	}
	return ""
}

// str reads a string property.
func str(o map[string]any, key, parent string, required bool) (string, string) {
	v, ok := o[key]
	if !ok || v == nil {
		if required {
			return "", issue(parent, "Missing required key %q", key)
		}
		return "", ""
	}
	s, ok := v.(string)
	if !ok {
		return "", issue(parent+"."+key, "Expected string value type (got %s)", kind(v))
	}
	return s, ""
}

// integer reads a JSON integer (decoded with UseNumber).
func integer(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// kind names a JSON value's type, as the validator's messages do.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
