// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
)

// MaxFeedSize bounds what ParseFeed reads: index feeds list links, not
// messages, but some keep weeks of entries.
const MaxFeedSize = 4 << 20

// atomNamespace is the namespace of Atom 1.0 (RFC 4287).
const atomNamespace = "http://www.w3.org/2005/Atom"

// FeedEntry is one alert listed by a feed. Regional civil protections publish
// index feeds (Atom or RSS) with a link per alert; the importer fetches Link
// and reads it with Parse. When the document carries the message itself (a
// bare CAP document, or Atom content holding an <alert>), Alert is set.
type FeedEntry struct {
	ID      string    // Atom id, RSS guid (or link), or the CAP identifier
	Title   string    // as the feed writes it
	Updated time.Time // zero when the feed gives no date it can be read
	Link    string    // the CAP message, as written: resolve it against the feed's URL
	Alert   *Alert    // the message, when the document embeds it
	Err     error     // why an embedded message was refused; Alert is then nil
}

// ParseFeed reads an Atom 1.0 or RSS 2.0 index feed of CAP messages, or a
// single CAP message (returned as one entry with Alert set), of at most
// MaxFeedSize bytes. For each entry the link to the CAP message is the one
// typed application/cap+xml when there is one, else the alternate link.
//
// Specs: https://www.rfc-editor.org/rfc/rfc4287 (Atom),
// https://www.rssboard.org/rss-specification (RSS 2.0),
// http://docs.oasis-open.org/emergency-adopt/cap-feeds/v1.0/cn02/cap-feeds-v1.0-cn02.doc (CAP feeds)
func ParseFeed(r io.Reader) ([]FeedEntry, error) {
	b, err := readLimited(r, MaxFeedSize)
	if err != nil {
		return nil, err
	}
	d := newDecoder(b)
	root, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	switch root.Name.Local {
	case "feed":
		if root.Name.Space != atomNamespace {
			return nil, fmt.Errorf("cap: feed: <feed> in namespace %q is not Atom 1.0 (%s)", root.Name.Space, atomNamespace)
		}
		var f atomFeed
		if err := d.DecodeElement(&f, &root); err != nil {
			return nil, fmt.Errorf("cap: feed: %w", err)
		}
		return f.entries(), nil
	case "rss":
		var f rssFeed
		if err := d.DecodeElement(&f, &root); err != nil {
			return nil, fmt.Errorf("cap: feed: %w", err)
		}
		return f.entries(), nil
	case "alert":
		var w alertXML
		if err := d.DecodeElement(&w, &root); err != nil {
			return nil, decodeError(err)
		}
		a, err := alertOf(&w)
		if err != nil {
			return nil, err
		}
		return []FeedEntry{{ID: a.Identifier, Title: title(a), Updated: a.Sent, Alert: a}}, nil
	}
	return nil, fmt.Errorf("cap: feed: root element <%s> is neither an Atom feed, an RSS 2.0 feed nor a CAP alert", root.Name.Local)
}

// rootElement returns the first element of the document.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.StartElement{}, errors.New("cap: feed: empty document")
			}
			return xml.StartElement{}, fmt.Errorf("cap: feed: %w", err)
		}
		if start, ok := tok.(xml.StartElement); ok {
			return start, nil
		}
	}
}

// title is what a bare CAP message shows as an entry title.
func title(a *Alert) string {
	for _, in := range a.Info {
		if in.Headline != "" {
			return in.Headline
		}
	}
	for _, in := range a.Info {
		if in.Event != "" {
			return in.Event
		}
	}
	return a.Identifier
}

type atomFeed struct {
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published"`
	Links     []atomLink   `xml:"link"`
	Content   *atomContent `xml:"content"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomContent struct {
	Type  string    `xml:"type,attr"`
	Src   string    `xml:"src,attr"`
	Alert *alertXML `xml:"alert"`
}

func (f *atomFeed) entries() []FeedEntry {
	out := make([]FeedEntry, 0, len(f.Entries))
	for _, e := range f.Entries {
		fe := FeedEntry{
			ID:    strings.TrimSpace(e.ID),
			Title: strings.TrimSpace(e.Title),
			Link:  e.link(),
		}
		for _, s := range []string{e.Updated, e.Published} {
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
				fe.Updated = t
				break
			}
		}
		if e.Content != nil && e.Content.Alert != nil {
			fe.Alert, fe.Err = alertOf(e.Content.Alert)
		}
		out = append(out, fe)
	}
	return out
}

// link picks where the entry's CAP message is: out-of-line content or a link
// typed as CAP first, then the alternate link (rel absent or "alternate").
func (e *atomEntry) link() string {
	if c := e.Content; c != nil && c.Src != "" && isCAPType(c.Type) {
		return strings.TrimSpace(c.Src)
	}
	for _, l := range e.Links {
		if isCAPType(l.Type) {
			return strings.TrimSpace(l.Href)
		}
	}
	for _, l := range e.Links {
		if l.Rel == "" || l.Rel == "alternate" {
			return strings.TrimSpace(l.Href)
		}
	}
	if c := e.Content; c != nil && c.Src != "" {
		return strings.TrimSpace(c.Src)
	}
	return ""
}

type rssFeed struct {
	Items []rssItem `xml:"channel>item"`
}

type rssItem struct {
	Title      string         `xml:"title"`
	Links      []rssText      `xml:"link"` // a slice: <atom:link> shares the local name
	GUID       string         `xml:"guid"`
	PubDate    string         `xml:"pubDate"`
	Date       string         `xml:"http://purl.org/dc/elements/1.1/ date"`
	Enclosures []rssEnclosure `xml:"enclosure"`
}

type rssText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type rssEnclosure struct {
	URL  string `xml:"url,attr"`
	Type string `xml:"type,attr"`
}

// rssDates are the forms of RFC 822 dates RSS feeds write in practice.
var rssDates = []string{
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC822Z, time.RFC822, "2 Jan 2006 15:04:05 -0700",
}

func (f *rssFeed) entries() []FeedEntry {
	out := make([]FeedEntry, 0, len(f.Items))
	for _, it := range f.Items {
		fe := FeedEntry{Title: strings.TrimSpace(it.Title), Link: it.link()}
		fe.ID = strings.TrimSpace(it.GUID)
		if fe.ID == "" {
			fe.ID = fe.Link
		}
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(it.Date)); err == nil {
			fe.Updated = t
		}
		for _, layout := range rssDates {
			if t, err := time.Parse(layout, strings.TrimSpace(it.PubDate)); err == nil {
				fe.Updated = t
				break
			}
		}
		out = append(out, fe)
	}
	return out
}

// link picks where the item's CAP message is: an enclosure typed as CAP,
// else the item's own <link>.
func (it *rssItem) link() string {
	for _, e := range it.Enclosures {
		if isCAPType(e.Type) {
			return strings.TrimSpace(e.URL)
		}
	}
	for _, l := range it.Links {
		if l.XMLName.Space == "" {
			return strings.TrimSpace(l.Text)
		}
	}
	return ""
}

// isCAPType reports a media type of CAP documents.
func isCAPType(t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	return err == nil && (mt == "application/cap+xml" || mt == "application/common-alerting-protocol+xml")
}
