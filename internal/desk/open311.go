// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/triage"
)

// Open311 GeoReport v2: municipal ticketing systems create and follow
// requests. A service is one office and one triage category; a service
// request is a conversation of the desk.

// SourceOpen311 marks the requests created through the Open311 API.
const SourceOpen311 = "open311"

// Open311Max is the most requests one Open311 query returns.
const Open311Max = 1000

// Attachment kinds an Open311 request carries besides photos.
const (
	AttachLocation = "location" // Name is "lat,long"
	AttachAddress  = "address"  // Name is the address as written
)

var officeCodePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// ServiceCode is the Open311 code of an office and a category:
// "lavori_pubblici.intervento".
func ServiceCode(officeCode, category string) string {
	if officeCode == "" || category == "" {
		return ""
	}
	return officeCode + "." + category
}

// ParseServiceCode splits a service code into office code and category;
// ok is false for anything that is not one.
func ParseServiceCode(code string) (officeCode, category string, ok bool) {
	i := strings.LastIndexByte(code, '.')
	if i < 0 {
		return "", "", false
	}
	officeCode, category = code[:i], code[i+1:]
	if !officeCodePattern.MatchString(officeCode) || !slices.Contains(triage.Categories, category) {
		return "", "", false
	}
	return officeCode, category, true
}

// IngestRouted ingests a message whose office and category the citizen
// chose (an Open311 service): they take the place of triage's. Urgency
// and moderation stay triage's, and nothing is learned: the labels were
// not confirmed by a person, who still confirms them in the desk.
func (s *Service) IngestRouted(ctx context.Context, in Inbound, officeCode, category string) (Ingested, error) {
	if !slices.Contains(triage.Categories, category) {
		return Ingested{}, invalidf("category %q", category)
	}
	officeID, err := s.officeID(ctx, in.OrgID, officeCode)
	if err != nil {
		return Ingested{}, err
	}
	res, err := s.Ingest(ctx, in)
	if err != nil || res.Duplicate || !res.NewConversation {
		return res, err
	}
	if _, err := s.DB.Write.ExecContext(ctx, `UPDATE desk_conversations SET office_id = $1, category = $2 WHERE id = $3 AND org_id = $4`,
		officeID, category, res.ConversationID, in.OrgID); err != nil {
		return Ingested{}, fmt.Errorf("desk: ingest routed: %w", err)
	}
	res.Labels.Office, res.Labels.Category = officeCode, category
	return res, nil
}

// officeID finds an office by code; the cached configuration is reloaded
// once when it does not know the code (an office created seconds ago).
func (s *Service) officeID(ctx context.Context, orgID, code string) (string, error) {
	for range 2 {
		cfg, err := s.config(ctx, orgID)
		if err != nil {
			return "", err
		}
		if id, ok := cfg.offices[code]; ok {
			return id, nil
		}
		s.forget(orgID)
	}
	return "", invalidf("office %q", code)
}

// Open311Filter selects the requests of an Open311 query.
type Open311Filter struct {
	// IDs, when set, are the only condition (the spec ignores the others).
	IDs []string
	// Services are service codes; empty means all.
	Services []string
	// Status is "open", "closed" or "" (both).
	Status string
	// Start and End bound when the requests were made; zero is unbounded.
	Start, End time.Time
	// Limit defaults to, and is capped at, Open311Max.
	Limit int
}

// Open311Request is a service request as Open311 shows it.
type Open311Request struct {
	ID         string
	Source     string
	Status     Status
	OfficeCode string
	OfficeName string
	Category   string
	// Description is the citizen's first message; Notes the desk's latest
	// reply that reached the citizen.
	Description string
	Notes       string
	HasPosition bool
	Lat, Long   float64
	Address     string
	MediaURL    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ServiceCode is the request's Open311 service code, empty when the
// conversation has no office.
func (r Open311Request) ServiceCode() string { return ServiceCode(r.OfficeCode, r.Category) }

// Open311Status is "open" while the desk works on the request, "closed"
// once it is answered or closed.
func (r Open311Request) Open311Status() string {
	if r.Status.Open() {
		return "open"
	}
	return "closed"
}

// Open311Requests returns the requests of an organisation that came
// through Open311 or the web form, the newest first. Messages from social
// media never appear: they are people's comments and private messages.
//
// The API is public, so the content of web form requests stays out of it:
// their authors were promised it would only serve to answer them, and
// their status page is reached by a secret link. Open311 requests are
// shown whole, as the spec's clients expect.
func (s *Service) Open311Requests(ctx context.Context, orgID string, f Open311Filter) ([]Open311Request, error) {
	if f.Limit <= 0 || f.Limit > Open311Max {
		f.Limit = Open311Max
	}
	where := []string{"c.org_id = $1", "c.source IN ('" + SourceOpen311 + "', '" + SourceWebForm + "')"}
	args := []any{orgID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.IDs) > 0 {
		if len(f.IDs) > Open311Max {
			return nil, invalidf("more than %d ids", Open311Max)
		}
		ph := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ph[i] = arg(id)
		}
		where = append(where, "c.id IN ("+strings.Join(ph, ", ")+")")
	} else {
		if len(f.Services) > 0 {
			var or []string
			for _, code := range f.Services {
				office, cat, ok := ParseServiceCode(code)
				if !ok {
					return nil, invalidf("service code %q", code)
				}
				or = append(or, "(o.code = "+arg(office)+" AND c.category = "+arg(cat)+")")
			}
			where = append(where, "("+strings.Join(or, " OR ")+")")
		}
		switch f.Status {
		case "":
		case "open":
			where = append(where, "c.status IN ('new', 'assigned', 'waiting')")
		case "closed":
			where = append(where, "c.status IN ('answered', 'closed')")
		default:
			return nil, invalidf("status %q", f.Status)
		}
		if !f.Start.IsZero() {
			where = append(where, "c.created_at >= "+arg(f.Start.UTC()))
		}
		if !f.End.IsZero() {
			where = append(where, "c.created_at <= "+arg(f.End.UTC()))
		}
	}
	// The first citizen message is the description; the latest reply sent
	// is the status note (internal notes and failed replies never show).
	//nolint:gosec // G202: only placeholders are concatenated
	q := `SELECT c.id, c.source, c.status, c.category, COALESCE(o.code, ''), COALESCE(o.name, ''), c.created_at, c.updated_at,
		COALESCE(f.text, ''), COALESCE(f.attachments, '[]'), COALESCE(f.hidden, FALSE), COALESCE(r.text, '')
		FROM desk_conversations c
		LEFT JOIN offices o ON o.id = c.office_id
		LEFT JOIN desk_messages f ON f.id = (SELECT m.id FROM desk_messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
			ORDER BY m.created_at, m.id LIMIT 1)
		LEFT JOIN desk_messages r ON r.id = (SELECT m.id FROM desk_messages m WHERE m.conversation_id = c.id AND m.direction = 'out'
			AND m.state = 'sent' AND m.private = FALSE ORDER BY m.created_at DESC, m.id DESC LIMIT 1)
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY c.created_at DESC, c.id DESC LIMIT ` + arg(f.Limit)
	rows, err := s.DB.Read.QueryContext(ctx, q, args...) //nolint:gosec // G202: only placeholders are concatenated
	if err != nil {
		return nil, fmt.Errorf("desk: open311 requests: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []Open311Request
	for rows.Next() {
		var r Open311Request
		var status, atts string
		var hidden bool
		if err := rows.Scan(&r.ID, &r.Source, &status, &r.Category, &r.OfficeCode, &r.OfficeName, &r.CreatedAt, &r.UpdatedAt,
			&r.Description, &atts, &hidden, &r.Notes); err != nil {
			return nil, fmt.Errorf("desk: open311 requests: %w", err)
		}
		r.Status = Status(status)
		if r.Source != SourceOpen311 {
			r.Description, r.Notes = "", ""
			out = append(out, r)
			continue
		}
		if hidden {
			r.Description = "" // hidden under the moderation policy
		}
		var list []channel.Attachment
		_ = json.Unmarshal([]byte(atts), &list)
		r.applyAttachments(list)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("desk: open311 requests: %w", err)
	}
	return out, nil
}

func (r *Open311Request) applyAttachments(list []channel.Attachment) {
	for _, a := range list {
		switch a.Kind {
		case AttachLocation:
			if lat, long, ok := ParsePosition(a.Name); ok && !r.HasPosition {
				r.Lat, r.Long, r.HasPosition = lat, long, true
			}
		case AttachAddress:
			if r.Address == "" {
				r.Address = a.Name
			}
		case "photo":
			if r.MediaURL == "" && (strings.HasPrefix(a.URL, "https://") || strings.HasPrefix(a.URL, "http://")) {
				r.MediaURL = a.URL
			}
		}
	}
}

// FormatPosition writes a position as a location attachment names it.
func FormatPosition(lat, long float64) string {
	return strconv.FormatFloat(lat, 'f', 6, 64) + "," + strconv.FormatFloat(long, 'f', 6, 64)
}

// ParsePosition reads "lat,long".
func ParsePosition(s string) (lat, long float64, ok bool) {
	a, b, found := strings.Cut(s, ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	long, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || !(lat >= -90 && lat <= 90) || !(long >= -180 && long <= 180) {
		return 0, 0, false
	}
	return lat, long, true
}
