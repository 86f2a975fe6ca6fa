// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/desk"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/triage"
)

// The OpenAPI document is kept true by these tests and by the scenarios of
// api_test.go, which check every answer against it with the small schema
// checker below. The checker knows a subset of JSON Schema; the document
// must stay inside it (TestOpenAPISchemasUseCheckedSubset), so nothing in
// it goes unchecked by accident.

// openAPI is the parsed document.
type openAPI map[string]any

func loadOpenAPI(t testing.TB) openAPI {
	t.Helper()
	var doc openAPI
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// resolve follows a local JSON pointer such as "#/components/schemas/Office".
func (doc openAPI) resolve(ref string) (map[string]any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("only local references are supported: %q", ref)
	}
	var cur any = map[string]any(doc)
	for _, part := range strings.Split(rest, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %q is not inside an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("%s: no %q", ref, part)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an object", ref)
	}
	return m, nil
}

// deref returns obj, or what its $ref points to.
func (doc openAPI) deref(obj map[string]any) (map[string]any, error) {
	for range 10 {
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, nil
		}
		var err error
		if obj, err = doc.resolve(ref); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("too many nested references")
}

func (doc openAPI) paths() map[string]any {
	p, _ := doc["paths"].(map[string]any)
	return p
}

// operation returns the operation of method on an OpenAPI path template.
func (doc openAPI) operation(method, path string) (map[string]any, bool) {
	item, ok := doc.paths()[path].(map[string]any)
	if !ok {
		return nil, false
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	return op, ok
}

// responseSchema returns the JSON schema documented for an answer, and
// whether that status is documented at all. A documented answer without
// content (204) has a nil schema.
func (doc openAPI) responseSchema(method, path string, status int) (map[string]any, bool, error) {
	op, ok := doc.operation(method, path)
	if !ok {
		return nil, false, nil
	}
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, false, nil
	}
	resp, err := doc.deref(resp)
	if err != nil {
		return nil, true, err
	}
	return mediaSchema(resp), true, nil
}

// requestSchema returns the JSON schema of an operation's request body.
func (doc openAPI) requestSchema(method, path string) map[string]any {
	op, ok := doc.operation(method, path)
	if !ok {
		return nil
	}
	body, _ := op["requestBody"].(map[string]any)
	return mediaSchema(body)
}

func mediaSchema(obj map[string]any) map[string]any {
	content, _ := obj["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	return schema
}

// checkedKeywords is the JSON Schema subset the checker understands:
// the first group is checked, the second is annotation only.
var checkedKeywords = map[string]bool{
	"$ref": true, "type": true, "required": true, "properties": true, "items": true,
	"enum": true, "pattern": true, "maxLength": true, "additionalProperties": true,
	"description": true, "format": true, "title": true, "example": true,
}

// check validates v against schema and returns every problem found.
func (doc openAPI) check(schema map[string]any, v any, at string) []string {
	if at == "" {
		at = "$"
	}
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, at+": "+fmt.Sprintf(format, args...)) }
	schema, err := doc.deref(schema)
	if err != nil {
		bad("%v", err)
		return probs
	}
	for k := range schema {
		if !checkedKeywords[k] {
			bad("schema keyword %q is outside the checked subset", k)
		}
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				s, _ := x.(string)
				types = append(types, s)
			}
		}
		if !slices.ContainsFunc(types, func(typ string) bool { return hasType(v, typ) }) {
			bad("%s is not of type %v", describe(v), types)
			return probs
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		bad("%s is not one of %v", describe(v), enum)
	}
	switch v := v.(type) {
	case string:
		if p, ok := schema["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				bad("bad pattern %q: %v", p, err)
			} else if !re.MatchString(v) {
				bad("%q does not match %s", v, p)
			}
		}
		if n, ok := schema["maxLength"].(float64); ok && float64(len([]rune(v))) > n {
			bad("longer than %v characters", n)
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range v {
				probs = append(probs, doc.check(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		for _, r := range asStrings(schema["required"]) {
			if _, ok := v[r]; !ok {
				bad("required property %q is missing", r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for name, x := range v {
			ps, ok := props[name].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					bad("property %q is not documented", name)
				}
				continue
			}
			probs = append(probs, doc.check(ps, x, at+"."+name)...)
		}
	}
	return probs
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "null":
		return v == nil
	}
	return false
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		b = append(b[:60], "…"...)
	}
	return string(b)
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// specPath is the OpenAPI path of a route: the document's server URL is
// the prefix.
func specPath(rt route) string { return strings.TrimPrefix(rt.Path, Prefix) }

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || servers[0].(map[string]any)["url"] != Prefix {
		t.Errorf("servers = %v, want one with url %s", servers, Prefix)
	}
	bearer, err := doc.resolve("#/components/securitySchemes/bearer")
	if err != nil || bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("components.securitySchemes.bearer = %v, %v; want an http bearer scheme", bearer, err)
	}
	for _, name := range []string{"Person", "Office", "Error", "Me"} {
		if _, err := doc.resolve("#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}

	// Every route is documented with its method, and nothing else is.
	registered := map[string]route{}
	for _, rt := range routes {
		key := strings.ToLower(rt.Method) + " " + specPath(rt)
		if _, dup := registered[key]; dup {
			t.Errorf("route %s is registered twice", key)
		}
		registered[key] = rt
		if _, ok := doc.operation(rt.Method, specPath(rt)); !ok {
			t.Errorf("route %s %s is not in openapi.json", rt.Method, rt.Path)
		}
	}
	for path, item := range doc.paths() {
		for m := range item.(map[string]any) {
			if slices.Contains(httpMethods, m) {
				if _, ok := registered[m+" "+path]; !ok {
					t.Errorf("openapi.json documents %s %s, which routes.go does not register", strings.ToUpper(m), path)
				}
			}
		}
	}

	// What each operation documents matches what its route does.
	wildcard := regexp.MustCompile(`\{([^}]+)\}`)
	for _, rt := range routes {
		op, ok := doc.operation(rt.Method, specPath(rt))
		if !ok {
			continue
		}
		name := rt.Method + " " + specPath(rt)
		responses, _ := op["responses"].(map[string]any)
		security, hasSecurity := op["security"].([]any)
		if rt.Access == public {
			if !hasSecurity || len(security) != 0 {
				t.Errorf("%s needs no token: document it with \"security\": []", name)
			}
		} else {
			if hasSecurity {
				t.Errorf("%s needs a token: leave the document's global security in force", name)
			}
			for _, status := range []string{"401", "403", "500"} {
				if _, ok := responses[status]; !ok {
					t.Errorf("%s does not document %s", name, status)
				}
			}
		}
		if rt.Perm != "" {
			if d, _ := op["description"].(string); !strings.Contains(d, "`"+string(rt.Perm)+"`") {
				t.Errorf("%s: its description must name the permission `%s` that routes.go requires", name, rt.Perm)
			}
		}
		if _, ok := op["requestBody"]; ok {
			for _, status := range []string{"400", "422"} {
				if _, ok := responses[status]; !ok {
					t.Errorf("%s takes a body but does not document %s", name, status)
				}
			}
		}
		if wildcard.MatchString(rt.Path) {
			if _, ok := responses["404"]; !ok {
				t.Errorf("%s names a resource but does not document 404", name)
			}
		}
		// Path parameters are documented by the names the mux uses.
		var want, got []string
		for _, m := range wildcard.FindAllStringSubmatch(rt.Path, -1) {
			want = append(want, m[1])
		}
		item := doc.paths()[specPath(rt)].(map[string]any)
		params, _ := item["parameters"].([]any)
		opParams, _ := op["parameters"].([]any)
		for _, p := range append(params, opParams...) {
			pm, err := doc.deref(p.(map[string]any))
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if pm["in"] == "path" {
				got = append(got, pm["name"].(string))
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters documented %v, routed %v", name, got, want)
		}
	}
}

// TestOpenAPIEnums keeps the enums of the document equal to the lists the
// code declares once.
func TestOpenAPIEnums(t *testing.T) {
	doc := loadOpenAPI(t)
	enum := func(ref string) []string {
		s, err := doc.resolve(ref)
		if err != nil {
			t.Fatal(err)
		}
		return asStrings(s["enum"])
	}
	var perms, roles []string
	for _, p := range org.AllPermissions {
		perms = append(perms, string(p))
	}
	for _, r := range org.Roles {
		roles = append(roles, string(r))
	}
	codes := []string{codeBadRequest, codeUnauthorized, codeForbidden, codeNotFound, codeMethodNotAllowed,
		codeConflict, codeInvalid, codeInternal}
	var statuses []string
	for _, st := range desk.Statuses {
		statuses = append(statuses, string(st))
	}
	for _, c := range []struct {
		ref  string
		want []string
	}{
		{"#/components/schemas/Permission", perms},
		{"#/components/schemas/RoleCode", roles},
		{"#/components/schemas/Error/properties/error/properties/code", codes},
		{"#/components/schemas/StatusRequest/properties/status", statuses},
		{"#/components/schemas/Conversation/properties/status", statuses},
		{"#/components/schemas/TriageLabels/properties/category", triage.Categories},
		{"#/components/schemas/TriageLabels/properties/office", triage.Offices},
		{"#/components/schemas/TriageLabels/properties/urgency", triage.Urgencies},
		{"#/components/schemas/TriageLabels/properties/moderation", triage.Moderations},
		{"#/components/schemas/ModerationRequest/properties/action", moderationActions},
		{"#/components/schemas/Moderation/properties/action", moderationActions},
	} {
		if got := enum(c.ref); !slices.Equal(got, c.want) {
			t.Errorf("%s enum = %v, want %v", c.ref, got, c.want)
		}
	}
	rule, err := doc.resolve("#/components/schemas/ModerationRequest/properties/rule")
	if err != nil {
		t.Fatal(err)
	}
	var rules []int
	for _, n := range rule["enum"].([]any) {
		rules = append(rules, int(n.(float64)))
	}
	if !slices.Equal(rules, desk.PolicyRules) {
		t.Errorf("policy rules enum = %v, want %v", rules, desk.PolicyRules)
	}
}

// TestOpenAPISchemasUseCheckedSubset walks every schema of the document:
// references resolve and only keywords the checker knows are used.
func TestOpenAPISchemasUseCheckedSubset(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(schema map[string]any, at string)
	walk = func(schema map[string]any, at string) {
		for k, v := range schema {
			if !checkedKeywords[k] {
				t.Errorf("%s: schema keyword %q is outside the subset the tests check", at, k)
			}
			switch k {
			case "$ref":
				if _, err := doc.resolve(v.(string)); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			case "properties":
				for name, p := range v.(map[string]any) {
					walk(p.(map[string]any), at+".properties."+name)
				}
			case "items":
				walk(v.(map[string]any), at+".items")
			}
		}
	}
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, s := range schemas {
		walk(s.(map[string]any), "components.schemas."+name)
	}
	for path, item := range doc.paths() {
		for m, op := range item.(map[string]any) {
			if !slices.Contains(httpMethods, m) {
				continue
			}
			at := m + " " + path
			if s := doc.requestSchema(m, path); s != nil {
				walk(s, at+" request")
			}
			for status, resp := range op.(map[string]any)["responses"].(map[string]any) {
				r, err := doc.deref(resp.(map[string]any))
				if err != nil {
					t.Errorf("%s %s: %v", at, status, err)
					continue
				}
				if _, ok := r["description"].(string); !ok {
					t.Errorf("%s %s: a response needs a description", at, status)
				}
				if s := mediaSchema(r); s != nil {
					walk(s, at+" "+status)
				}
			}
		}
	}
}

// TestCheckerCatchesProblems makes sure the checker is not a yes-man.
func TestCheckerCatchesProblems(t *testing.T) {
	doc := loadOpenAPI(t)
	office := map[string]any{"$ref": "#/components/schemas/Office"}
	good := map[string]any{"id": "1", "code": "urp", "name": "URP", "email": "", "created_at": "2026-01-01T00:00:00Z"}
	if probs := doc.check(office, good, ""); len(probs) > 0 {
		t.Fatalf("good office refused: %v", probs)
	}
	for name, v := range map[string]any{
		"missing field": map[string]any{"id": "1", "code": "urp", "name": "URP", "email": ""},
		"wrong type":    map[string]any{"id": 1.0, "code": "urp", "name": "URP", "email": "", "created_at": "x"},
		"bad pattern":   map[string]any{"id": "1", "code": "URP!", "name": "URP", "email": "", "created_at": "x"},
		"not an object": []any{},
	} {
		if probs := doc.check(office, v, ""); len(probs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	role := map[string]any{"$ref": "#/components/schemas/Role"}
	if probs := doc.check(role, map[string]any{"id": "1", "role": "viewer", "office": nil}, ""); len(probs) > 0 {
		t.Errorf("role without office refused: %v", probs)
	}
	if probs := doc.check(role, map[string]any{"id": "1", "role": "boss", "office": nil}, ""); len(probs) == 0 {
		t.Error("unknown role accepted")
	}
	create := map[string]any{"$ref": "#/components/schemas/OfficeCreate"}
	if probs := doc.check(create, map[string]any{"code": "urp", "name": "URP", "nome": "x"}, ""); len(probs) == 0 {
		t.Error("undocumented request field accepted")
	}
}
