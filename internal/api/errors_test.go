// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/piazza-pa/piazza/internal/alert"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

func TestToError(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		fields []string
	}{
		{"api error", badRequest("x"), 400, codeBadRequest, nil},
		{"one invalid field", fmt.Errorf("org: create office: %w", &valid.Error{Field: "code", Key: "admin.office.code.taken"}), 422, codeInvalid, []string{"code"}},
		{"several invalid fields", valid.Errors{{Field: "name", Key: "auth.name.invalid"}, {Field: "email", Key: "auth.email.invalid"}}, 422, codeInvalid, []string{"name", "email"}},
		{"bad token", fmt.Errorf("wrapped: %w", auth.ErrBadToken), 401, codeUnauthorized, nil},
		{"not found", fmt.Errorf("org: office x: %w", store.ErrNotFound), 404, codeNotFound, nil},
		{"forbidden", store.ErrForbidden, 403, codeForbidden, nil},
		{"conflict", errors.Join(store.ErrConflict, errors.New("UNIQUE constraint failed")), 409, codeConflict, nil},
		{"anything else", errors.New("pq: connection refused to 10.0.0.5"), 500, codeInternal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := toError(tt.err)
			if e.Status != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s, want %d %s", e.Status, e.Code, tt.status, tt.code)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
				if f.Code == "" || f.Message == "" {
					t.Errorf("field error without code or message: %+v", f)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", fields, tt.fields)
			}
		})
	}
}

// TestInternalErrorsStayInTheLog: the client gets a generic message, the
// log gets the detail.
func TestInternalErrorsStayInTheLog(t *testing.T) {
	var logBuf bytes.Buffer
	s := &server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))}}
	rec := httptest.NewRecorder()
	s.fail(rec, httptest.NewRequest("GET", "/api/v1/offices", nil), errors.New("store: secret detail at 10.0.0.5"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret detail") {
		t.Errorf("answer %d %s leaks or is not a 500", rec.Code, rec.Body)
	}
	if !strings.Contains(logBuf.String(), "secret detail") {
		t.Errorf("log %q lacks the detail", logBuf.String())
	}
	var body struct{ Error Error }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != codeInternal {
		t.Errorf("body %s: %v", rec.Body, err)
	}
}

func TestPanicBecomes500(t *testing.T) {
	var logBuf bytes.Buffer
	s := &server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))}}
	h := s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/me", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"internal"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logBuf.String(), "boom") {
		t.Errorf("panic not logged: %q", logBuf.String())
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		token  string
		ok     bool
	}{
		{"Bearer pz_abc", "pz_abc", true},
		{"bearer pz_abc", "pz_abc", true},
		{"BEARER  pz_abc ", "pz_abc", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic pz_abc", "", false},
		{"Bearer pz_abc pz_def", "", false},
		{"Bearerpz_abc", "", false},
	}
	for _, tt := range tests {
		token, ok := bearerToken(tt.header)
		if token != tt.token || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.header, token, ok, tt.token, tt.ok)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
		msg  string // substring of the error message
	}{
		{`{"code": "urp", "name": "URP"}`, true, ""},
		{"  {\"code\": \"urp\"}\n\n", true, ""},
		{``, false, "empty"},
		{`{"code": "urp", "nome": "x"}`, false, `unknown field "nome"`},
		{`{"code": 1}`, false, `field "code" must be a string`},
		{`{"code": "urp"`, false, "ends too early"},
		{`{"code": "urp"}}`, false, "single JSON object"},
		{`{"code": "urp"} {"code": "x"}`, false, "single JSON object"},
		{`[]`, false, "must be a JSON object"},
		{`"urp"`, false, "must be a JSON object"},
		{`{"code": "urp",}`, false, "malformed JSON at byte"},
	}
	for _, tt := range tests {
		var req officeCreateRequest
		err := decodeJSON(strings.NewReader(tt.body), &req)
		if tt.ok {
			if err != nil || req.Code != "urp" {
				t.Errorf("%q: %v, %+v", tt.body, err, req)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%q: got %v, want a 400 mentioning %q", tt.body, err, tt.msg)
		}
	}
}

// FuzzDecodeOffice feeds arbitrary bodies to the JSON decoding of the
// office and person requests: it must never panic, and must either accept
// valid JSON or answer 400 with a message that echoes no raw input.
func FuzzDecodeOffice(f *testing.F) {
	for _, seed := range []string{
		`{"code": "urp", "name": "URP", "email": "urp@comune.example"}`,
		`{"code": null, "name": 5}`,
		`{"email": ""}`,
		`{"code": "urp"} {}`,
		`[{"code": "urp"}]`,
		`{"code": "\u0000\ud800"}`,
		`{"name": "` + strings.Repeat("a", 100) + `"`,
		`{"role": "admin", "office": "urp", "password": "x", "lang": "en", "extra": true}`,
		``, `null`, `{`, `}`, `"`, `1e999`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dst := range []any{&officeCreateRequest{}, &officePatchRequest{}, &personCreateRequest{}} {
			err := decodeJSON(bytes.NewReader(data), dst)
			if err == nil {
				if !json.Valid(data) {
					t.Fatalf("accepted invalid JSON %q", data)
				}
				continue
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
				t.Fatalf("%q: got %v, want a 400 *Error", data, err)
			}
			if !utf8.ValidString(e.Message) {
				t.Fatalf("message is not UTF-8: %q", e.Message)
			}
		}
	})
}

// FuzzBearerToken: any Authorization header is parsed without panicking,
// and what comes out is one word.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"Bearer pz_abc", "bearer", "Basic x", " Bearer  x ", "Bearer\tx", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := bearerToken(header)
		if ok && (token == "" || strings.ContainsAny(token, " \t")) {
			t.Fatalf("bearerToken(%q) = %q", header, token)
		}
	})
}

// A delivery's error in Piazza's own words carries its catalog key as
// error_code; a platform's words carry none.
func TestDeliveryErrorCode(t *testing.T) {
	v := alertDetail(alert.Alert{}, []alert.Delivery{
		{Error: "canale disattivato", ErrorKey: "alert.delivery.error.channel_disabled"},
		{Error: "(#200) Permissions error"},
	})
	if got := v.Deliveries[0].ErrorCode; got != "alert.delivery.error.channel_disabled" {
		t.Errorf("Piazza's own error: code %q", got)
	}
	if got := v.Deliveries[1].ErrorCode; got != "" {
		t.Errorf("the platform's error: code %q, want none", got)
	}
}
