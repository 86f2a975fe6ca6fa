// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/publish"
	"github.com/piazza-pa/piazza/internal/store"
)

// Atom (RFC 4287) documents. Specs: https://www.rfc-editor.org/rfc/rfc4287
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
	Title  string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	Lang      string     `xml:"xml:lang,attr,omitempty"`
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Content   atomText   `xml:"content"`
}

// feedLimit keeps the feed small for the sites and readers that poll it.
const feedLimit = 50

// postsFeed serves /o/{slug}/feeds/posts.atom: what the organisation
// published on its feed channel, for the institutional site and the press.
func (s *Server) postsFeed(w http.ResponseWriter, r *http.Request, _ *reqCtx, o org.Organisation) error {
	entries, err := s.Publish.FeedEntries(r.Context(), o.ID, feedLimit)
	if err != nil {
		return err
	}
	self := s.PublicURL + "/o/" + o.Slug + "/feeds/posts.atom"
	f := atomFeed{
		Lang:    "it",
		ID:      self,
		Title:   o.Name,
		Updated: atomTime(o.CreatedAt),
		Links: []atomLink{
			{Rel: "self", Href: self, Type: "application/atom+xml"},
			{Rel: "alternate", Href: s.PublicURL + "/o/" + o.Slug + "/", Type: "text/html"},
		},
		Author: atomPerson{Name: o.Name, URI: s.PublicURL + "/o/" + o.Slug + "/"},
	}
	var newest time.Time
	for _, e := range entries {
		if e.UpdatedAt.After(newest) {
			newest = e.UpdatedAt
		}
		f.Entries = append(f.Entries, s.atomEntry(o, self, e))
	}
	if !newest.IsZero() {
		f.Updated = atomTime(newest)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = w.Write([]byte(xml.Header))
	_, err = w.Write(out)
	return err
}

func (s *Server) atomEntry(o org.Organisation, self string, e publish.FeedEntry) atomEntry {
	title := strings.TrimSpace(e.Title)
	if title == "" {
		title = firstLine(e.Text, 80)
	}
	alt := e.LinkURL
	if alt == "" {
		alt = self + "#" + e.ID
	}
	ae := atomEntry{
		Lang:      e.Language,
		ID:        "urn:uuid:" + e.ID,
		Title:     title,
		Updated:   atomTime(e.UpdatedAt),
		Published: atomTime(e.PublishedAt),
		Links:     []atomLink{{Rel: "alternate", Href: alt, Type: "text/html"}},
		// Plain text: the author's words are never interpreted as markup.
		Content: atomText{Type: "text", Body: e.Text},
	}
	for _, id := range e.MediaIDs {
		if s.MediaURL != nil {
			ae.Links = append(ae.Links, atomLink{Rel: "enclosure", Href: s.MediaURL(o.ID, id)})
		}
	}
	return ae
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// firstLine is the first line of text, cut to n characters.
func firstLine(text string, n int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	if utf8.RuneCountInString(line) <= n {
		return line
	}
	r := []rune(line)
	return string(r[:n-1]) + "…"
}

// mediaFile serves a media file to whoever holds its signed link.
func (s *Server) mediaFile(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	orgID, id := r.PathValue("org"), r.PathValue("id")
	if s.VerifyMedia == nil || !s.VerifyMedia(orgID, id, r.URL.Query().Get("s")) {
		return store.ErrNotFound
	}
	m, data, err := s.Editorial.MediaData(r.Context(), orgID, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = w.Write(data) //nolint:gosec // G705: a stored upload of a sniffed type, served with nosniff and a sandbox CSP
	return err
}
