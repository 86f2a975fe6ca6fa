// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxMessageSize bounds what Parse reads: a CAP message is a few kilobytes,
// and an endpoint that streams more is broken or hostile.
const MaxMessageSize = 1 << 20

// ErrTooLarge is returned by Parse and ParseFeed when the input is longer
// than their limit.
var ErrTooLarge = errors.New("cap: document too large")

// The wire types mirror the schema element for element; encoding/xml writes
// struct fields in order, so their order is the order CAP 1.2 requires.
// Times, sizes and decimals travel as text, converted by toWire and fromWire.

type alertXML struct {
	XMLName     xml.Name  // the root's name, checked on import: any namespace matches here
	Identifier  string    `xml:"identifier"`
	Sender      string    `xml:"sender"`
	Sent        string    `xml:"sent"`
	Status      string    `xml:"status"`
	MsgType     string    `xml:"msgType"`
	Source      string    `xml:"source,omitempty"`
	Scope       string    `xml:"scope"`
	Restriction string    `xml:"restriction,omitempty"`
	Addresses   string    `xml:"addresses,omitempty"`
	Code        []string  `xml:"code"`
	Note        string    `xml:"note,omitempty"`
	References  string    `xml:"references,omitempty"`
	Incidents   string    `xml:"incidents,omitempty"`
	Info        []infoXML `xml:"info"`
}

type infoXML struct {
	Language     string         `xml:"language,omitempty"`
	Category     []string       `xml:"category"`
	Event        string         `xml:"event"`
	ResponseType []string       `xml:"responseType"`
	Urgency      string         `xml:"urgency"`
	Severity     string         `xml:"severity"`
	Certainty    string         `xml:"certainty"`
	Audience     string         `xml:"audience,omitempty"`
	EventCode    []valueNameXML `xml:"eventCode"`
	Effective    string         `xml:"effective,omitempty"`
	Onset        string         `xml:"onset,omitempty"`
	Expires      string         `xml:"expires,omitempty"`
	SenderName   string         `xml:"senderName,omitempty"`
	Headline     string         `xml:"headline,omitempty"`
	Description  string         `xml:"description,omitempty"`
	Instruction  string         `xml:"instruction,omitempty"`
	Web          string         `xml:"web,omitempty"`
	Contact      string         `xml:"contact,omitempty"`
	Parameter    []valueNameXML `xml:"parameter"`
	Resource     []resourceXML  `xml:"resource"`
	Area         []areaXML      `xml:"area"`
}

type resourceXML struct {
	ResourceDesc string `xml:"resourceDesc"`
	MIMEType     string `xml:"mimeType"`
	Size         string `xml:"size,omitempty"`
	URI          string `xml:"uri,omitempty"`
	DerefURI     string `xml:"derefUri,omitempty"`
	Digest       string `xml:"digest,omitempty"`
}

type areaXML struct {
	AreaDesc string         `xml:"areaDesc"`
	Polygon  []string       `xml:"polygon"`
	Circle   []string       `xml:"circle"`
	Geocode  []valueNameXML `xml:"geocode"`
	Altitude string         `xml:"altitude,omitempty"`
	Ceiling  string         `xml:"ceiling,omitempty"`
}

// valueNameXML has no omitempty: the schema requires both elements.
type valueNameXML struct {
	ValueName string `xml:"valueName"`
	Value     string `xml:"value"`
}

// Marshal validates a and writes it as a CAP 1.2 document, with the XML
// declaration, in UTF-8. It returns the *ValidationError of Validate when a
// breaks a rule of the standard.
func Marshal(a *Alert) ([]byte, error) {
	if err := Validate(a); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(toWire(a)); err != nil {
		return nil, fmt.Errorf("cap: marshal %s: %w", a.Identifier, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func toWire(a *Alert) *alertXML {
	w := &alertXML{
		XMLName:     xml.Name{Space: Namespace, Local: "alert"},
		Identifier:  a.Identifier,
		Sender:      a.Sender,
		Sent:        FormatTime(a.Sent),
		Status:      string(a.Status),
		MsgType:     string(a.MsgType),
		Source:      a.Source,
		Scope:       string(a.Scope),
		Restriction: a.Restriction,
		Addresses:   a.Addresses,
		Code:        a.Code,
		Note:        a.Note,
		References:  a.References,
		Incidents:   a.Incidents,
	}
	for _, in := range a.Info {
		wi := infoXML{
			Language:     in.Language,
			Category:     strs(in.Category),
			Event:        in.Event,
			ResponseType: strs(in.ResponseType),
			Urgency:      string(in.Urgency),
			Severity:     string(in.Severity),
			Certainty:    string(in.Certainty),
			Audience:     in.Audience,
			EventCode:    valueNamesToWire(in.EventCode),
			Effective:    optionalTime(in.Effective),
			Onset:        optionalTime(in.Onset),
			Expires:      optionalTime(in.Expires),
			SenderName:   in.SenderName,
			Headline:     in.Headline,
			Description:  in.Description,
			Instruction:  in.Instruction,
			Web:          in.Web,
			Contact:      in.Contact,
			Parameter:    valueNamesToWire(in.Parameter),
		}
		for _, r := range in.Resource {
			wr := resourceXML{
				ResourceDesc: r.ResourceDesc,
				MIMEType:     r.MIMEType,
				URI:          r.URI,
				DerefURI:     r.DerefURI,
				Digest:       r.Digest,
			}
			if r.Size != 0 {
				wr.Size = strconv.FormatInt(r.Size, 10)
			}
			wi.Resource = append(wi.Resource, wr)
		}
		for _, ar := range in.Area {
			wi.Area = append(wi.Area, areaXML{
				AreaDesc: ar.AreaDesc,
				Polygon:  ar.Polygon,
				Circle:   ar.Circle,
				Geocode:  valueNamesToWire(ar.Geocode),
				Altitude: optionalDecimal(ar.Altitude),
				Ceiling:  optionalDecimal(ar.Ceiling),
			})
		}
		w.Info = append(w.Info, wi)
	}
	return w
}

func strs[T ~string](vs []T) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func valueNamesToWire(vns []ValueName) []valueNameXML {
	if vns == nil {
		return nil
	}
	out := make([]valueNameXML, len(vns))
	for i, vn := range vns {
		out[i] = valueNameXML(vn)
	}
	return out
}

func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatTime(t)
}

// optionalDecimal writes an xs:decimal, which has no exponent: 'f' never
// writes one.
func optionalDecimal(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// Parse reads one CAP 1.2 or 1.1 message of at most MaxMessageSize bytes and
// returns it only when it follows the standard: an error names each problem
// (a *ValidationError, matched by ErrInvalid), so an import can log why a
// feed's message was refused. Text elements keep their content; identifiers,
// times, enumerations and other tokens lose surrounding whitespace.
func Parse(r io.Reader) (*Alert, error) {
	b, err := readLimited(r, MaxMessageSize)
	if err != nil {
		return nil, err
	}
	var w alertXML
	if err := newDecoder(b).Decode(&w); err != nil {
		return nil, decodeError(err)
	}
	return alertOf(&w)
}

// alertOf turns a decoded <alert> into an Alert, or says why it cannot.
func alertOf(w *alertXML) (*Alert, error) {
	if w.XMLName.Local != "alert" {
		return nil, fmt.Errorf("cap: parse: root element <%s> is not a CAP <alert>", w.XMLName.Local)
	}
	if w.XMLName.Space != Namespace && w.XMLName.Space != Namespace11 {
		return nil, fmt.Errorf("cap: parse: namespace %q is neither CAP 1.2 (%s) nor CAP 1.1 (%s)", w.XMLName.Space, Namespace, Namespace11)
	}
	var c checker
	a := fromWire(w, &c)
	// What fromWire could not read is reported once, not again as missing.
	c.seen = make(map[string]bool, len(c.problems))
	for _, p := range c.problems {
		c.seen[p.Path] = true
	}
	c.alert(a)
	if err := c.err(); err != nil {
		if a.Identifier != "" {
			return nil, fmt.Errorf("cap: parse %q: %w", a.Identifier, err)
		}
		return nil, err
	}
	return a, nil
}

// fromWire converts the text of a decoded message, reporting to c what
// cannot be converted (times, sizes, decimals).
func fromWire(w *alertXML, c *checker) *Alert {
	tok := strings.TrimSpace
	a := &Alert{
		Identifier:  tok(w.Identifier),
		Sender:      tok(w.Sender),
		Sent:        readTime(c, "sent", w.Sent),
		Status:      Status(tok(w.Status)),
		MsgType:     MsgType(tok(w.MsgType)),
		Source:      w.Source,
		Scope:       Scope(tok(w.Scope)),
		Restriction: w.Restriction,
		Addresses:   tok(w.Addresses),
		Note:        w.Note,
		References:  tok(w.References),
		Incidents:   tok(w.Incidents),
	}
	for _, code := range w.Code {
		a.Code = append(a.Code, tok(code))
	}
	for i, wi := range w.Info {
		path := index("info", i)
		in := Info{
			Language:     tok(wi.Language),
			Category:     tokens[Category](wi.Category),
			Event:        wi.Event,
			ResponseType: tokens[ResponseType](wi.ResponseType),
			Urgency:      Urgency(tok(wi.Urgency)),
			Severity:     Severity(tok(wi.Severity)),
			Certainty:    Certainty(tok(wi.Certainty)),
			Audience:     wi.Audience,
			EventCode:    valueNamesFromWire(wi.EventCode),
			Effective:    readTime(c, path+".effective", wi.Effective),
			Onset:        readTime(c, path+".onset", wi.Onset),
			Expires:      readTime(c, path+".expires", wi.Expires),
			SenderName:   wi.SenderName,
			Headline:     wi.Headline,
			Description:  wi.Description,
			Instruction:  wi.Instruction,
			Web:          tok(wi.Web),
			Contact:      wi.Contact,
			Parameter:    valueNamesFromWire(wi.Parameter),
		}
		for j, wr := range wi.Resource {
			r := Resource{
				ResourceDesc: wr.ResourceDesc,
				MIMEType:     tok(wr.MIMEType),
				URI:          tok(wr.URI),
				DerefURI:     wr.DerefURI,
				Digest:       tok(wr.Digest),
			}
			if size := tok(wr.Size); size != "" {
				n, err := strconv.ParseInt(size, 10, 64)
				if err != nil || n < 0 {
					c.add(index(path+".resource", j)+".size", "%q is not a size in bytes", size)
				} else {
					r.Size = n
				}
			}
			in.Resource = append(in.Resource, r)
		}
		for j, wa := range wi.Area {
			ap := index(path+".area", j)
			ar := Area{
				AreaDesc: wa.AreaDesc,
				Polygon:  tokens[string](wa.Polygon),
				Circle:   tokens[string](wa.Circle),
				Geocode:  valueNamesFromWire(wa.Geocode),
				Altitude: readDecimal(c, ap+".altitude", wa.Altitude),
				Ceiling:  readDecimal(c, ap+".ceiling", wa.Ceiling),
			}
			in.Area = append(in.Area, ar)
		}
		a.Info = append(a.Info, in)
	}
	return a
}

func tokens[T ~string](vs []string) []T {
	if vs == nil {
		return nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(strings.TrimSpace(v))
	}
	return out
}

func valueNamesFromWire(vns []valueNameXML) []ValueName {
	if vns == nil {
		return nil
	}
	out := make([]ValueName, len(vns))
	for i, vn := range vns {
		out[i] = ValueName{ValueName: strings.TrimSpace(vn.ValueName), Value: vn.Value}
	}
	return out
}

func readTime(c *checker, path, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := ParseTime(s)
	if err != nil {
		// Real regional feeds write "Z" or fractions of a second, which
		// CAP forbids: on import the instant is what matters. Piazza's own
		// output stays strict (FormatTime).
		if lt, lerr := time.Parse(time.RFC3339Nano, s); lerr == nil && timeRepresentable(lt) == nil {
			return lt.Truncate(time.Second).In(time.FixedZone("", 0))
		}
		c.add(path, "%s", strings.TrimPrefix(err.Error(), "cap: "))
	}
	return t
}

func readDecimal(c *checker, path, s string) *float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	f, ok := parseDecimal(s)
	if !ok {
		c.add(path, "%q is not a decimal number", s)
		return nil
	}
	return &f
}

// readLimited reads all of r, failing with ErrTooLarge past limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cap: read: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// newDecoder reads XML strictly: unknown entities are errors (so nothing is
// expanded from a DTD), and encoding/xml bounds the nesting depth.
func newDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charsetReader
	return d
}

func decodeError(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("cap: parse: empty document")
	}
	return fmt.Errorf("cap: parse: %w", err)
}

// charsetReader converts the single-byte encodings Italian feeds still
// declare; encoding/xml reads UTF-8 itself.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	var high *[32]rune // 0x80–0x9F; nil: as in ISO-8859-1
	switch strings.ToLower(label) {
	case "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1":
	case "windows-1252", "cp1252":
		high = &cp1252
	default:
		return nil, fmt.Errorf("encoding %q is not supported (UTF-8, ISO-8859-1, windows-1252 or US-ASCII)", label)
	}
	// The input is already in memory and bounded by the caller's limit.
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/4)
	for _, c := range b {
		r := rune(c)
		if high != nil && c >= 0x80 && c < 0xA0 {
			r = high[c-0x80]
		}
		out.WriteRune(r)
	}
	return &out, nil
}

// cp1252 is windows-1252 from 0x80 to 0x9F; its five unassigned bytes keep
// their ISO-8859-1 meaning.
var cp1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}
