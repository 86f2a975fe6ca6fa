// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

// openAPISpec is the OpenAPI 3.1 document, written by hand; openapi_test.go
// checks it against routes.go and against real answers.
//
//go:embed openapi.json
var openAPISpec []byte

// openAPIDocument returns the document with info.version set to Piazza's
// version, so a client can tell which build it talks to.
func openAPIDocument(version string) []byte {
	if version == "" {
		return openAPISpec
	}
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		return openAPISpec // the test catches this; serve the file as it is
	}
	if info, ok := doc["info"].(map[string]any); ok {
		info["version"] = version
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return openAPISpec
	}
	return b
}

// serveOpenAPI answers GET /api/v1/openapi.json; it needs no token.
func (s *server) serveOpenAPI(w http.ResponseWriter, r *http.Request, _ *caller) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Access-Control-Allow-Origin", "*") // API explorers load it from other origins
	_, _ = w.Write(s.openAPI)
	return nil
}
