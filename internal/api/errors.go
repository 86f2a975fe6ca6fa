// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// Error is the body of every error answer:
//
//	{"error": {"code": "not_found", "message": "…", "fields": [...]}}
//
// Code is stable and meant for programs; message is English prose for
// people; fields name the invalid input of a 422.
type Error struct {
	Status  int          `json:"-"`
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
}

// FieldError is one invalid field of a request body. Code is the same
// translation key the web interface shows in the person's language.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("api: %d %s: %s", e.Status, e.Code, e.Message) }

// Error codes, as documented in openapi.json.
const (
	codeBadRequest       = "bad_request"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeInvalid          = "invalid"
	codeInternal         = "internal"
)

var (
	errUnauthorized = &Error{Status: http.StatusUnauthorized, Code: codeUnauthorized,
		Message: `missing or malformed token: send "Authorization: Bearer pz_…"`}
	errNoRoute          = &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: "no such API endpoint"}
	errMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed,
		Message: "method not allowed on this endpoint (see the Allow header)"}
)

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Code: codeForbidden, Message: msg}
}

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeBadRequest, Message: fmt.Sprintf(format, args...)}
}

// toError is the one mapping from errors to answers. Only messages written
// for clients leave the server; anything unexpected becomes a generic 500
// and its detail stays in the log.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if es, ok := valid.As(err); ok {
		out := &Error{Status: http.StatusUnprocessableEntity, Code: codeInvalid, Message: "the request has invalid fields"}
		for _, fe := range es {
			out.Fields = append(out.Fields, FieldError{Field: fe.Field, Code: fe.Key, Message: fieldMessage(fe)})
		}
		return out
	}
	switch {
	case errors.Is(err, auth.ErrBadToken):
		return &Error{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: "invalid or revoked token"}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: "not found"}
	case errors.Is(err, store.ErrForbidden):
		return forbidden("not allowed")
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: codeConflict, Message: "it already exists"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: codeInternal,
		Message: "internal error; the server log has the details"}
}

// fail writes err as a JSON error answer.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := toError(err)
	if e.Status >= 500 {
		s.Logger.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		v := `Bearer realm="piazza"`
		if errors.Is(err, auth.ErrBadToken) {
			v += `, error="invalid_token"` // RFC 6750 §3.1
		}
		w.Header().Set("WWW-Authenticate", v)
	}
	writeJSON(w, e.Status, struct {
		Error *Error `json:"error"`
	}{e})
}
