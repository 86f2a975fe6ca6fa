// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"context"
	"time"

	"github.com/piazza-pa/piazza/internal/org"
)

// The JSON shapes of the API, as openapi.json documents them. They are
// written out here rather than tagging the domain types, so a change in a
// domain never changes the API by accident.

// officeJSON is an office (components.schemas.Office).
type officeJSON struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func officeView(o org.Office) officeJSON {
	return officeJSON{ID: o.ID, Code: o.Code, Name: o.Name, Email: o.Email, CreatedAt: o.CreatedAt.UTC()}
}

// officeRefJSON names the office of a membership (components.schemas.OfficeRef).
type officeRefJSON struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// roleJSON is one membership: a role, with an office for roles that need
// one (components.schemas.Role).
type roleJSON struct {
	ID     string         `json:"id"`
	Role   string         `json:"role"`
	Office *officeRefJSON `json:"office"`
}

// personJSON is a member of the organisation (components.schemas.Person).
type personJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Disabled  bool       `json:"disabled"`
	TwoFactor bool       `json:"two_factor"`
	Roles     []roleJSON `json:"roles"`
}

// officeCodes maps office IDs to codes, since memberships carry only the
// office ID and name and the API names offices by code.
type officeCodes map[string]string

func (s *server) officeCodes(ctx context.Context, orgID string) (officeCodes, error) {
	offices, err := s.Orgs.Offices(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make(officeCodes, len(offices))
	for _, o := range offices {
		out[o.ID] = o.Code
	}
	return out, nil
}

func (codes officeCodes) roles(ms []org.Membership) []roleJSON {
	out := make([]roleJSON, 0, len(ms))
	for _, m := range ms {
		r := roleJSON{ID: m.ID, Role: string(m.Role)}
		if m.OfficeID != "" {
			r.Office = &officeRefJSON{ID: m.OfficeID, Code: codes[m.OfficeID], Name: m.OfficeName}
		}
		out = append(out, r)
	}
	return out
}

func (codes officeCodes) person(m org.Member) personJSON {
	return personJSON{ID: m.PersonID, Name: m.Name, Email: m.Email, Disabled: m.Disabled,
		TwoFactor: m.TOTPEnabled, Roles: codes.roles(m.Memberships)}
}
