// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// domains are the packages under internal/ that hold the product's rules.
// Their subpackages count as the domain too.
var domains = map[string]bool{
	"org": true, "auth": true, "audit": true, "notify": true,
	"editorial": true, "publish": true, "desk": true, "triage": true,
	"alert": true, "network": true, "analytics": true, "quality": true,
}

// contractHelpers are packages under internal/channel that belong to the
// contract (shared test kits for connectors), not to a platform.
var contractHelpers = map[string]bool{
	"channeltest": true,
}

// kind is the role a package plays in the dependency rule.
type kind int

const (
	kindOther     kind = iota // cmd/, bench/, and infrastructure without a rule of its own
	kindDomain                // internal/<domain>/...
	kindContract              // internal/channel and its helpers
	kindConnector             // internal/channel/<platform>/...
	kindHTTPX                 // internal/httpx/...
	kindWeb                   // internal/web/...
	kindAPI                   // internal/api/...
	kindStore                 // internal/store/...
	kindWiring                // internal/app, internal/cli, internal/demo: they wire everything
)

// pkgClass says what a package is: its kind and, for domains and
// connectors, which one (so a connector may import its own subpackages).
type pkgClass struct {
	kind kind
	name string // domain or platform name; infrastructure package name otherwise
}

// classify places a module package (path relative to the module root, such
// as "internal/channel/telegram/telegramtest") in the dependency rule.
func classify(rel string) pkgClass {
	parts := strings.Split(rel, "/")
	if parts[0] != "internal" || len(parts) < 2 {
		return pkgClass{kind: kindOther}
	}
	top := parts[1]
	switch {
	case domains[top]:
		return pkgClass{kindDomain, top}
	case top == "channel" && (len(parts) == 2 || contractHelpers[parts[2]]):
		return pkgClass{kindContract, "channel"}
	case top == "channel":
		return pkgClass{kindConnector, parts[2]}
	case top == "httpx":
		return pkgClass{kindHTTPX, top}
	case top == "web":
		return pkgClass{kindWeb, top}
	case top == "api":
		return pkgClass{kindAPI, top}
	case top == "store":
		return pkgClass{kindStore, top}
	case top == "app" || top == "cli" || top == "demo":
		return pkgClass{kindWiring, top}
	}
	return pkgClass{kindOther, top}
}

// listedPackage is the part of `go list -json` output the rule needs.
type listedPackage struct {
	ImportPath string
	Dir        string
	Imports    []string // direct imports of the non-test files
	Deps       []string // every package those reach, transitively
	Error      *struct{ Err string }
}

// graph is the module's import graph, with paths relative to the module root.
type graph struct {
	module string
	pkgs   map[string]listedPackage // by relative path
}

// rel turns an import path into a path relative to the module root, and
// reports whether the package belongs to this module.
func (g graph) rel(importPath string) (string, bool) {
	if rest, ok := strings.CutPrefix(importPath, g.module+"/"); ok {
		return rest, true
	}
	return importPath, false
}

// chain finds the shortest path of module imports from one package to
// another, for a message that shows where a forbidden import comes from.
func (g graph) chain(from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for p := cur; p != ""; p = prev[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		for _, imp := range g.pkgs[cur].Imports {
			r, ok := g.rel(imp)
			if _, seen := prev[r]; !ok || seen {
				continue
			}
			prev[r] = cur
			queue = append(queue, r)
		}
	}
	return []string{from, to}
}

// imports says "a imports b" and, when b is reached through other packages
// of the module, names them.
func (g graph) imports(from, to string) string {
	path := g.chain(from, to)
	if len(path) <= 2 {
		return fmt.Sprintf("%s imports %s", from, to)
	}
	return fmt.Sprintf("%s imports %s (through %s)", from, to, strings.Join(path[1:len(path)-1], " → "))
}

const rule = "(CONTRIBUTING.md)"

// violations checks every package of the graph against the dependency rule
// of CONTRIBUTING.md and returns one message per broken edge, sorted.
//
// Only the non-test files count: a domain's tests may use httptest or a
// connector's fake server.
func violations(g graph) []string {
	var out []string
	for from, p := range g.pkgs {
		c := classify(from)
		switch c.kind {
		case kindDomain:
			for _, imp := range p.Imports {
				if imp == "net/http" || strings.HasPrefix(imp, "net/http/") {
					out = append(out, fmt.Sprintf("%s imports %s: domains must not %s", from, imp, rule))
				}
			}
			for _, dep := range p.Deps {
				to, ok := g.rel(dep)
				if !ok {
					continue
				}
				switch classify(to).kind {
				case kindWeb, kindAPI, kindConnector, kindWiring:
					out = append(out, fmt.Sprintf("%s: domains must not %s", g.imports(from, to), rule))
				}
			}

		case kindConnector:
			for _, imp := range p.Imports {
				to, ok := g.rel(imp)
				if !ok {
					continue
				}
				tc := classify(to)
				allowed := tc.kind == kindContract || tc.kind == kindHTTPX ||
					(tc.kind == kindConnector && tc.name == c.name)
				if !allowed {
					out = append(out, fmt.Sprintf("%s imports %s: a connector imports only the channel contract, httpx and its own packages %s", from, to, rule))
				}
			}
			// Transitively too, so nothing reaches a domain through httpx
			// or the contract.
			for _, dep := range p.Deps {
				to, ok := g.rel(dep)
				if !ok || slices.Contains(p.Imports, dep) {
					continue
				}
				tc := classify(to)
				switch {
				case tc.kind == kindDomain, tc.kind == kindStore, tc.kind == kindWiring,
					tc.kind == kindWeb, tc.kind == kindAPI,
					tc.kind == kindConnector && tc.name != c.name:
					out = append(out, fmt.Sprintf("%s: a connector never reaches a domain, store, app or another connector %s", g.imports(from, to), rule))
				}
			}

		case kindContract:
			// Domains import the contract; the contract importing them back
			// would tie every domain to every other one.
			for _, dep := range p.Deps {
				to, ok := g.rel(dep)
				if !ok {
					continue
				}
				switch classify(to).kind {
				case kindDomain, kindConnector, kindStore, kindWiring, kindWeb, kindAPI:
					out = append(out, fmt.Sprintf("%s: the channel contract stands alone and must not %s", g.imports(from, to), rule))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// moduleRoot returns the directory holding go.mod and the module path.
func moduleRoot(t *testing.T) (dir, module string) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("go env GOMOD: not inside the module")
	}
	f, err := os.Open(gomod)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return filepath.Dir(gomod), strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	t.Fatalf("%s: no module line", gomod)
	return "", ""
}

// skippedDir reports whether a directory holds no Go code of ours: npm's
// packages (some ship .go files), vendored code, test fixtures, VCS data.
func skippedDir(name string) bool {
	switch name {
	case ".git", "node_modules", "vendor", "testdata":
		return true
	}
	return false
}

// loadGraph runs `go list` over the whole module.
func loadGraph(t *testing.T) graph {
	t.Helper()
	root, module := moduleRoot(t)
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Dir,Imports,Deps,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v\n%s", err, stderr.String())
	}
	g := graph{module: module, pkgs: map[string]listedPackage{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list ./...: decoding output: %v", err)
		}
		if rel, err := filepath.Rel(root, p.Dir); err == nil && slices.ContainsFunc(strings.Split(rel, string(filepath.Separator)), skippedDir) {
			continue
		}
		if p.Error != nil {
			// A package that does not build fails its own tests; the rule
			// is checked on what could be read.
			t.Logf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		r, _ := g.rel(p.ImportPath)
		g.pkgs[r] = p
	}
	if len(g.pkgs) == 0 {
		t.Fatal("go list ./... found no packages")
	}
	return g
}

// TestDependencyRule enforces the dependency rule of CONTRIBUTING.md on the
// module as it is: domains never import net/http, web, api or a concrete
// connector; a connector imports the channel contract, httpx, the standard
// library and libraries made for its platform, never another domain, store
// or app; only app wires everything together.
func TestDependencyRule(t *testing.T) {
	g := loadGraph(t)
	for _, v := range violations(g) {
		t.Error(v)
	}
}

// TestViolations checks the rule itself on a made-up module, so it is known
// to bite before the packages it guards exist.
func TestViolations(t *testing.T) {
	const m = "example.org/p"
	pkg := func(imports, deps []string) listedPackage {
		return listedPackage{Imports: imports, Deps: append(slices.Clone(imports), deps...)}
	}
	tests := []struct {
		name string
		pkgs map[string]listedPackage
		want []string
	}{
		{
			name: "clean",
			pkgs: map[string]listedPackage{
				"internal/org":                            pkg([]string{"context", m + "/internal/store"}, nil),
				"internal/publish":                        pkg([]string{m + "/internal/channel", m + "/internal/editorial"}, nil),
				"internal/editorial/cadence":              pkg([]string{"time"}, nil),
				"internal/store":                          pkg([]string{"database/sql"}, nil),
				"internal/channel":                        pkg([]string{"context"}, nil),
				"internal/channel/channeltest":            pkg([]string{m + "/internal/channel"}, nil),
				"internal/httpx":                          pkg([]string{"net/http"}, nil),
				"internal/channel/telegram":               pkg([]string{"net/http", m + "/internal/channel", m + "/internal/httpx"}, nil),
				"internal/channel/telegram/telegramtest":  pkg([]string{"net/http/httptest", m + "/internal/channel/telegram"}, []string{m + "/internal/channel", m + "/internal/httpx"}),
				"internal/app":                            pkg([]string{m + "/internal/channel/telegram", m + "/internal/web", m + "/internal/org"}, nil),
				"internal/web":                            pkg([]string{"net/http", m + "/internal/org"}, nil),
				"cmd/piazza":                              pkg([]string{m + "/internal/app"}, nil),
				"internal/channel/mastodon/mastodontest2": pkg([]string{m + "/internal/channel/mastodon"}, nil),
			},
		},
		{
			name: "domain imports net/http",
			pkgs: map[string]listedPackage{
				"internal/org": pkg([]string{"net/http"}, nil),
			},
			want: []string{"internal/org imports net/http: domains must not (CONTRIBUTING.md)"},
		},
		{
			name: "domain subpackage imports httptest",
			pkgs: map[string]listedPackage{
				"internal/editorial/cadence": pkg([]string{"net/http/httptest"}, nil),
			},
			want: []string{"internal/editorial/cadence imports net/http/httptest: domains must not (CONTRIBUTING.md)"},
		},
		{
			name: "domain reaches web through store",
			pkgs: map[string]listedPackage{
				"internal/desk":  pkg([]string{m + "/internal/store"}, []string{m + "/internal/web"}),
				"internal/store": pkg([]string{m + "/internal/web"}, nil),
				"internal/web":   pkg(nil, nil),
			},
			want: []string{"internal/desk imports internal/web (through internal/store): domains must not (CONTRIBUTING.md)"},
		},
		{
			name: "domain imports api, a connector and app",
			pkgs: map[string]listedPackage{
				"internal/alert": pkg([]string{m + "/internal/api", m + "/internal/channel/telegram", m + "/internal/app"}, nil),
			},
			want: []string{
				"internal/alert imports internal/api: domains must not (CONTRIBUTING.md)",
				"internal/alert imports internal/app: domains must not (CONTRIBUTING.md)",
				"internal/alert imports internal/channel/telegram: domains must not (CONTRIBUTING.md)",
			},
		},
		{
			name: "connector imports store, a domain and another connector",
			pkgs: map[string]listedPackage{
				"internal/channel/bluesky": pkg([]string{m + "/internal/store", m + "/internal/org", m + "/internal/channel/mastodon"}, nil),
			},
			want: []string{
				"internal/channel/bluesky imports internal/channel/mastodon: a connector imports only the channel contract, httpx and its own packages (CONTRIBUTING.md)",
				"internal/channel/bluesky imports internal/org: a connector imports only the channel contract, httpx and its own packages (CONTRIBUTING.md)",
				"internal/channel/bluesky imports internal/store: a connector imports only the channel contract, httpx and its own packages (CONTRIBUTING.md)",
			},
		},
		{
			name: "connector imports other infrastructure",
			pkgs: map[string]listedPackage{
				"internal/channel/x": pkg([]string{m + "/internal/config"}, nil),
			},
			want: []string{"internal/channel/x imports internal/config: a connector imports only the channel contract, httpx and its own packages (CONTRIBUTING.md)"},
		},
		{
			name: "connector reaches store through httpx",
			pkgs: map[string]listedPackage{
				"internal/channel/meta": pkg([]string{m + "/internal/httpx"}, []string{m + "/internal/store"}),
				"internal/httpx":        pkg([]string{m + "/internal/store"}, nil),
			},
			want: []string{"internal/channel/meta imports internal/store (through internal/httpx): a connector never reaches a domain, store, app or another connector (CONTRIBUTING.md)"},
		},
		{
			name: "contract imports a domain",
			pkgs: map[string]listedPackage{
				"internal/channel": pkg([]string{m + "/internal/editorial"}, nil),
			},
			want: []string{"internal/channel imports internal/editorial: the channel contract stands alone and must not (CONTRIBUTING.md)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := graph{module: m, pkgs: tt.pkgs}
			got := violations(g)
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
