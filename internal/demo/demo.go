// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package demo creates the fictional comune that `piazza serve --demo`
// shows a newcomer: organisation slug "demo", the offices of the desk
// taxonomy (shared/data/TAXONOMY.md, same codes), and one person per role
// with fixed logins. Each capability adds its own sample data here as it
// lands, so the demo always shows everything working.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
)

// Slug is the demo organisation's slug.
const Slug = "demo"

// Password is every demo person's password. It is public on purpose: the
// demo holds fictional data only.
const Password = "piazza-demo-2026"

// Office codes follow shared/data/TAXONOMY.md so triage suggestions map
// onto them directly.
var Offices = []org.OfficeInput{
	{Code: "urp", Name: "Ufficio Relazioni con il Pubblico", Email: "urp@comune-vallebella.example"},
	{Code: "polizia_locale", Name: "Polizia Locale", Email: "polizia.locale@comune-vallebella.example"},
	{Code: "mobilita", Name: "Mobilità e Trasporti", Email: "mobilita@comune-vallebella.example"},
	{Code: "lavori_pubblici", Name: "Lavori Pubblici e Manutenzioni", Email: "lavori.pubblici@comune-vallebella.example"},
	{Code: "ambiente", Name: "Ambiente, Verde e Rifiuti", Email: "ambiente@comune-vallebella.example"},
	{Code: "servizi_sociali", Name: "Servizi Sociali", Email: "servizi.sociali@comune-vallebella.example"},
	{Code: "scuola", Name: "Scuola ed Educazione", Email: "scuola@comune-vallebella.example"},
	{Code: "cultura", Name: "Cultura, Biblioteche e Musei", Email: "cultura@comune-vallebella.example"},
	{Code: "anagrafe", Name: "Servizi Demografici", Email: "anagrafe@comune-vallebella.example"},
	{Code: "tributi", Name: "Tributi", Email: "tributi@comune-vallebella.example"},
	{Code: "protezione_civile", Name: "Protezione Civile", Email: "protezione.civile@comune-vallebella.example"},
	{Code: "gabinetto", Name: "Gabinetto del Sindaco", Email: "gabinetto@comune-vallebella.example"},
}

// Login is a demo person.
type Login struct {
	Role   org.Role
	Email  string
	Name   string
	Office string // office code, for roles that need one
}

// Logins lists the demo people, one per role.
var Logins = []Login{
	{Role: org.RoleAdmin, Email: "admin@demo.piazza.test", Name: "Alessandra Amministratrice"},
	{Role: org.RoleManager, Email: "manager@demo.piazza.test", Name: "Marco Social Media Manager"},
	{Role: org.RoleEditor, Email: "redazione@demo.piazza.test", Name: "Elena Redattrice"},
	{Role: org.RoleCommunity, Email: "community@demo.piazza.test", Name: "Carlo Community Manager"},
	{Role: org.RoleLiaison, Email: "urp@demo.piazza.test", Name: "Lucia Referente URP", Office: "urp"},
	{Role: org.RoleGuest, Email: "ospite@demo.piazza.test", Name: "Giorgio Autore Ospite"},
	{Role: org.RoleCrisis, Email: "crisi@demo.piazza.test", Name: "Paola Protezione Civile"},
	{Role: org.RoleViewer, Email: "sindaco@demo.piazza.test", Name: "Sindaco Vittorio Lettore"},
}

// Seed creates the demo organisation when it does not exist yet and
// reports whether it did. An existing demo is left as it is, so work done
// in it survives restarts.
func Seed(ctx context.Context, db *store.DB, orgs *org.Service, people *auth.Service) (bool, error) {
	if _, err := orgs.OrganisationBySlug(ctx, Slug); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "demo"})
	o, err := orgs.CreateOrganisation(ctx, org.OrganisationInput{
		Slug: Slug, Name: "Comune di Vallebella (demo)", Timezone: "Europe/Rome", Languages: []string{"it", "en", "sl"},
	})
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	codes := map[string]string{}
	for _, in := range Offices {
		off, err := orgs.CreateOffice(ctx, o.ID, in)
		if err != nil {
			return false, fmt.Errorf("demo: office %s: %w", in.Code, err)
		}
		codes[in.Code] = off.ID
	}
	for _, l := range Logins {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			p, err := people.PersonByEmail(ctx, l.Email)
			if errors.Is(err, store.ErrNotFound) {
				p, err = people.CreatePerson(ctx, tx, auth.PersonInput{Email: l.Email, Name: l.Name, Password: Password, Lang: "it"})
			}
			if err != nil {
				return err
			}
			_, err = orgs.GrantTx(ctx, tx, o.ID, p.ID, l.Role, codes[l.Office])
			return err
		})
		if err != nil {
			return false, fmt.Errorf("demo: person %s: %w", l.Email, err)
		}
	}
	return true, nil
}
