// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package cap builds, validates, writes and reads OASIS Common Alerting
// Protocol 1.2 messages. Every alert, update and cancel Piazza publishes is
// also served as CAP, and the alerts of an external CAP feed (a regional civil
// protection's) are read here before they become draft incidents for a person
// to confirm.
//
// Specs: http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2-os.html
//
// Marshal writes CAP 1.2 only, and only what Validate accepts. Parse also
// reads CAP 1.1 (urn:oasis:names:tc:emergency:cap:1.1), which many feeds still
// publish: 1.2 kept the elements of 1.1 in the same order and only added
// values (responseType Avoid and AllClear), so a 1.1 message is read as a 1.2
// Alert and the same rules apply to it.
//
// The package does no I/O of its own: the caller fetches a feed or a message
// and hands Parse or ParseFeed its body.
package cap

import "time"

// Namespace is the XML namespace of CAP 1.2, the version Marshal writes.
const Namespace = "urn:oasis:names:tc:emergency:cap:1.2"

// Namespace11 is the XML namespace of CAP 1.1, accepted by Parse.
const Namespace11 = "urn:oasis:names:tc:emergency:cap:1.1"

// Alert is a CAP <alert>: the message and its routing. Fields mirror the
// elements of the standard, in the order of its schema; the empty value of
// an optional field means the element is absent.
type Alert struct {
	Identifier  string    // unique for the sender; no spaces, commas, < or &
	Sender      string    // who sent it; same character rules as Identifier
	Sent        time.Time // written with its offset, in the zone it carries
	Status      Status
	MsgType     MsgType
	Source      string
	Scope       Scope
	Restriction string   // required when Scope is Restricted
	Addresses   string   // required when Scope is Private; space separated, quoted when they contain spaces
	Code        []string // handling codes of a profile
	Note        string
	References  string // "sender,identifier,sent" entries separated by whitespace; see Reference
	Incidents   string
	Info        []Info // one per language
}

// Info is a CAP <info> block: the event in one language.
type Info struct {
	Language     string // RFC 3066 tag such as "it-IT"; CAP reads an empty one as "en-US"
	Category     []Category
	Event        string
	ResponseType []ResponseType
	Urgency      Urgency
	Severity     Severity
	Certainty    Certainty
	Audience     string
	EventCode    []ValueName
	Effective    time.Time // zero: absent
	Onset        time.Time // zero: absent
	Expires      time.Time // zero: absent
	SenderName   string
	Headline     string
	Description  string
	Instruction  string
	Web          string // absolute URI of a page with more information
	Contact      string
	Parameter    []ValueName
	Resource     []Resource
	Area         []Area
}

// Resource is a CAP <resource>: a file that supplements an Info, such as a
// map or a photo.
type Resource struct {
	ResourceDesc string
	MIMEType     string
	Size         int64  // bytes; 0: absent
	URI          string // absolute, or relative when DerefURI carries the content
	DerefURI     string // the content itself, base64
	Digest       string // SHA-1 of the content, hex
}

// Area is a CAP <area>: where the Info applies. Polygons and circles are
// kept as the text CAP defines ("lat,lon lat,lon …" and "lat,lon radiusKm");
// FormatPolygon and FormatCircle write them from points.
type Area struct {
	AreaDesc string
	Polygon  []string
	Circle   []string
	Geocode  []ValueName
	Altitude *float64 // feet above mean sea level; nil: absent
	Ceiling  *float64 // feet; only together with Altitude
}

// ValueName is the pair CAP uses for eventCode, parameter and geocode: the
// name of a system of codes and a value in it.
type ValueName struct {
	ValueName string
	Value     string
}
