// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("cap: invalid message")

// Problem is one rule of CAP 1.2 that a message breaks.
type Problem struct {
	Path string // the element, e.g. "info[0].area[1].polygon[0]"
	Msg  string // what is wrong with it, in English, e.g. "required"
}

func (p Problem) String() string { return p.Path + ": " + p.Msg }

// ValidationError lists every problem of a message at once, so whoever fixes
// it (Piazza's developers, or the author of an imported feed) sees them all.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "cap: invalid message: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Validate checks a against the rules of CAP 1.2: the required elements, the
// enumerations, the characters allowed in identifiers, the scope's
// restriction or addresses, the references of updates and cancels, the
// geometry of areas and that every time can be written with its offset. It
// returns nil or a *ValidationError naming each problem.
func Validate(a *Alert) error {
	if a == nil {
		return &ValidationError{Problems: []Problem{{Path: "alert", Msg: "missing"}}}
	}
	var c checker
	c.alert(a)
	return c.err()
}

// checker collects problems while walking a message.
type checker struct {
	problems []Problem
	seen     map[string]bool // paths already reported by Parse, not repeated
}

func (c *checker) add(path, format string, args ...any) {
	if c.seen[path] {
		return
	}
	c.problems = append(c.problems, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: c.problems}
}

func (c *checker) alert(a *Alert) {
	c.token("identifier", a.Identifier)
	c.token("sender", a.Sender)
	c.time("sent", a.Sent, true)
	checkEnum(c, "status", a.Status, statuses, true)
	checkEnum(c, "msgType", a.MsgType, msgTypes, true)
	c.text("source", a.Source)
	checkEnum(c, "scope", a.Scope, scopes, true)
	c.text("restriction", a.Restriction)
	if a.Scope == ScopeRestricted && blank(a.Restriction) {
		c.add("restriction", "required when scope is Restricted")
	}
	c.text("addresses", a.Addresses)
	if a.Scope == ScopePrivate && blank(a.Addresses) {
		c.add("addresses", "required when scope is Private")
	}
	for i, code := range a.Code {
		c.text(index("code", i), code)
	}
	c.text("note", a.Note)
	c.references(a)
	c.text("incidents", a.Incidents)
	for i := range a.Info {
		c.info(index("info", i), &a.Info[i])
	}
}

func (c *checker) references(a *Alert) {
	if blank(a.References) {
		if a.MsgType.refersToEarlier() {
			c.add("references", "required for msgType %s: the messages it follows, as \"sender,identifier,sent\"", a.MsgType)
		}
		return
	}
	if !c.text("references", a.References) {
		return
	}
	if _, err := ParseReferences(a.References); err != nil {
		c.add("references", "%s", strings.TrimPrefix(err.Error(), "cap: "))
	}
}

func (c *checker) info(path string, in *Info) {
	if in.Language != "" && !isLanguage(in.Language) {
		c.add(path+".language", "%q is not a language tag such as it-IT", in.Language)
	}
	if len(in.Category) == 0 {
		c.add(path+".category", "required")
	}
	for i, cat := range in.Category {
		checkEnum(c, index(path+".category", i), cat, categories, true)
	}
	c.required(path+".event", in.Event)
	for i, rt := range in.ResponseType {
		checkEnum(c, index(path+".responseType", i), rt, responseTypes, true)
	}
	checkEnum(c, path+".urgency", in.Urgency, urgencies, true)
	checkEnum(c, path+".severity", in.Severity, severities, true)
	checkEnum(c, path+".certainty", in.Certainty, certainties, true)
	c.text(path+".audience", in.Audience)
	c.valueNames(path+".eventCode", in.EventCode)
	c.time(path+".effective", in.Effective, false)
	c.time(path+".onset", in.Onset, false)
	c.time(path+".expires", in.Expires, false)
	c.text(path+".senderName", in.SenderName)
	c.text(path+".headline", in.Headline)
	c.text(path+".description", in.Description)
	c.text(path+".instruction", in.Instruction)
	if in.Web != "" && c.text(path+".web", in.Web) {
		if u, err := url.Parse(in.Web); err != nil || !u.IsAbs() || strings.ContainsFunc(in.Web, unicode.IsSpace) {
			c.add(path+".web", "%q is not an absolute URI", in.Web)
		}
	}
	c.text(path+".contact", in.Contact)
	c.valueNames(path+".parameter", in.Parameter)
	for i := range in.Resource {
		c.resource(index(path+".resource", i), &in.Resource[i])
	}
	for i := range in.Area {
		c.area(index(path+".area", i), &in.Area[i])
	}
}

func (c *checker) resource(path string, r *Resource) {
	c.required(path+".resourceDesc", r.ResourceDesc)
	if c.required(path+".mimeType", r.MIMEType) {
		if _, _, err := mime.ParseMediaType(r.MIMEType); err != nil || !strings.Contains(r.MIMEType, "/") {
			c.add(path+".mimeType", "%q is not a MIME type such as image/png", r.MIMEType)
		}
	}
	if r.Size < 0 {
		c.add(path+".size", "must not be negative")
	}
	if r.URI != "" && c.text(path+".uri", r.URI) {
		if _, err := url.Parse(r.URI); err != nil || strings.ContainsFunc(r.URI, unicode.IsSpace) {
			c.add(path+".uri", "%q is not a URI", r.URI)
		}
	}
	if r.DerefURI != "" && c.text(path+".derefUri", r.DerefURI) {
		data := strings.Map(dropSpace, r.DerefURI)
		if _, err := base64.StdEncoding.DecodeString(data); err != nil {
			c.add(path+".derefUri", "not base64 content")
		}
	}
	c.text(path+".digest", r.Digest)
}

func (c *checker) area(path string, ar *Area) {
	c.required(path+".areaDesc", ar.AreaDesc)
	for i, p := range ar.Polygon {
		if msg := polygonProblem(p); msg != "" {
			c.add(index(path+".polygon", i), "%s", msg)
		}
	}
	for i, ci := range ar.Circle {
		if msg := circleProblem(ci); msg != "" {
			c.add(index(path+".circle", i), "%s", msg)
		}
	}
	c.valueNames(path+".geocode", ar.Geocode)
	if ar.Altitude != nil && !finite(*ar.Altitude) {
		c.add(path+".altitude", "must be a finite number")
	}
	if ar.Ceiling != nil {
		switch {
		case !finite(*ar.Ceiling):
			c.add(path+".ceiling", "must be a finite number")
		case ar.Altitude == nil:
			c.add(path+".ceiling", "only allowed together with altitude")
		case *ar.Ceiling < *ar.Altitude:
			c.add(path+".ceiling", "below the altitude")
		}
	}
}

func (c *checker) valueNames(path string, vns []ValueName) {
	for i, vn := range vns {
		p := index(path, i)
		c.required(p+".valueName", vn.ValueName)
		c.text(p+".value", vn.Value)
	}
}

// required reports a blank s; it returns whether s is present and well formed.
func (c *checker) required(path, s string) bool {
	if blank(s) {
		c.add(path, "required")
		return false
	}
	return c.text(path, s)
}

// token checks an identifier or sender: required, without spaces, commas,
// < or &, since references list them separated by commas and spaces.
func (c *checker) token(path, s string) {
	if blank(s) {
		c.add(path, "required")
		return
	}
	if msg := tokenProblem(s); msg != "" {
		c.add(path, "%s", msg)
	}
}

// tokenProblem says why s cannot be a CAP identifier or sender, or "".
func tokenProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	if strings.ContainsAny(s, ",<&") || strings.ContainsFunc(s, unicode.IsSpace) {
		return fmt.Sprintf("%q must not contain spaces, commas, < or &", s)
	}
	if msg := xmlTextProblem(s); msg != "" {
		return msg
	}
	return ""
}

// text checks that s can be written in XML as it is; it returns whether it can.
func (c *checker) text(path, s string) bool {
	if msg := xmlTextProblem(s); msg != "" {
		c.add(path, "%s", msg)
		return false
	}
	return true
}

func (c *checker) time(path string, t time.Time, required bool) {
	if t.IsZero() {
		if required {
			c.add(path, "required")
		}
		return
	}
	if err := timeRepresentable(t); err != nil {
		c.add(path, "%v", err)
	}
}

// checkEnum checks that v is one of the values of its CAP enumeration.
func checkEnum[T ~string](c *checker, path string, v T, allowed []T, required bool) {
	if v == "" {
		if required {
			c.add(path, "required")
		}
		return
	}
	if slices.Contains(allowed, v) {
		return
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	c.add(path, "%q is not one of %s", string(v), strings.Join(names, ", "))
}

// xmlTextProblem says why s cannot be written as XML character data and read
// back the same, or "": encoding/xml would replace the offending runes.
func xmlTextProblem(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for _, r := range s {
		if !isXMLChar(r) {
			return fmt.Sprintf("character %U is not allowed in XML", r)
		}
	}
	return ""
}

// isXMLChar is the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// isLanguage checks the xs:language pattern [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*.
func isLanguage(s string) bool {
	for i, part := range strings.Split(s, "-") {
		if len(part) < 1 || len(part) > 8 {
			return false
		}
		for _, r := range part {
			alpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
			if !alpha && (i == 0 || r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func finite(f float64) bool { return !math.IsInf(f, 0) && !math.IsNaN(f) }

func dropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

func index(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }
