// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/piazza-pa/piazza/internal/audit"
)

type auditView struct {
	Entries []audit.Entry
	Next    string // query string of the next page, empty on the last
}

// auditLog browses the log; it has no action that changes an entry.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	f := audit.Filter{OrgID: rc.Org.ID, Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target"), Before: q.Get("before"), Limit: 50}
	loc := rc.Org.Location()
	form := map[string]string{"actor": f.Actor, "action": f.Action, "target": f.Target, "from": q.Get("from"), "to": q.Get("to")}
	errs := map[string]string{}
	if v := q.Get("from"); v != "" {
		if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
			f.From = t
		} else {
			errs["from"] = s.t(rc, "audit.bad_date")
		}
	}
	if v := q.Get("to"); v != "" {
		if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
			f.To = t.AddDate(0, 0, 1) // the whole "to" day is included
		} else {
			errs["to"] = s.t(rc, "audit.bad_date")
		}
	}
	entries, err := s.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	view := auditView{Entries: entries}
	if len(entries) == f.Limit {
		next := url.Values{}
		for k, v := range form {
			if v != "" {
				next.Set(k, v)
			}
		}
		next.Set("before", entries[len(entries)-1].ID)
		view.Next = next.Encode()
	}
	return s.render(w, r, rc, http.StatusOK, "audit", &page{Title: s.t(rc, "audit.title"), Data: view, Form: form, Errors: errs})
}
