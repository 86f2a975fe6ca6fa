// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds request bodies: API objects are small, and a client must
// not make the server read without end.
const maxBody = 1 << 20

// readJSON decodes the request body into dst, refusing bodies over
// maxBody. Any problem is a 400 *Error.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeJSON(http.MaxBytesReader(w, r.Body, maxBody), dst)
}

// decodeJSON decodes exactly one JSON object from body into dst: unknown
// fields, trailing data and an empty body are errors, so a typo in a field
// name never passes silently. Every error it returns is a 400 *Error with
// a message that quotes nothing but field names and offsets.
func decodeJSON(body io.Reader, dst any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return decodeError(err)
		}
		return badRequest("the body must hold a single JSON object and nothing after it")
	}
	return nil
}

func decodeError(err error) *Error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooBig    *http.MaxBytesError
		invalidTo *json.InvalidUnmarshalError
	)
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty; send a JSON object")
	case errors.As(err, &tooBig):
		return badRequest("the body is larger than %d bytes", maxBody)
	case errors.As(err, &syntax):
		return badRequest("malformed JSON at byte %d", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends too early")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		return badRequest("field %q must be %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &invalidTo):
		// A programming error, not the client's: let it become a 500.
		return &Error{Status: http.StatusInternalServerError, Code: codeInternal, Message: "internal error"}
	}
	// encoding/json reports unknown fields with a plain error.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if len(name) > 80 {
			name = name[:80] + "…"
		}
		return badRequest("unknown field %s", strings.ToValidUTF8(name, "?"))
	}
	return badRequest("malformed JSON body")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "of another type"
}

// writeJSON writes v with status. Encoding happens before the header is
// sent, so a value that cannot be encoded still gets a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error; the server log has the details"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
