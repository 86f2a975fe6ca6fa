// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// The backend packages whose errors, problems and hints carry i18n keys
// (valid.New and Errors.Add, channel.Problem codes, RowError keys, quality
// and media codes, cadence warnings, alert card codes), relative to
// internal/i18n. Their subpackages (the connectors under channel,
// editorial/media, alert/card) are scanned too.
var backendDirs = []string{"../editorial", "../quality", "../publish", "../channel", "../alert"}

// backendKey matches a string literal that may be a message key of those
// packages. A literal ending in "." is the stem of a key built by
// concatenation (see keyFamilies).
var backendKey = regexp.MustCompile(`^(editorial|media|quality|channel|publish|alert)\.[a-z0-9_.]*$`)

// notKeys are literals that look like keys but never reach a translator.
// Audit actions (Action: in an audit.Change) are recognised by their field
// and need no entry here: the audit page shows them as code, untranslated.
var notKeys = map[string]string{
	"publish.publication":      "the River job kind of a publication",
	"publish.oauth.state":      "additional data sealing the OAuth state",
	"media.write":              "an X OAuth scope",
	"media.media_ids":          "a field of the X API, in the fake server",
	"alert.deliver":            "the River job kind of an alert's delivery",
	"alert.recover":            "the name of the periodic job that recovers deliveries",
	"alert.delivery_confirmed": "an audit action, chosen before the audit.Change",
	"alert.delivery_resent":    "an audit action, chosen before the audit.Change",
}

// keyFamilies are the keys built as stem + suffix. Every stem found in the
// sources must be here, so a new family cannot slip by unchecked.
var keyFamilies = map[string]func(s *keyScan) []string{
	// quality.Band.Key: one per constant of type Band.
	"quality.band.": func(s *keyScan) []string { return s.typedConsts["quality.Band"] },
	// editorial.validateRefs: "editorial.post." + ref.field + "_unknown".
	"editorial.post.": func(*keyScan) []string {
		return []string{"office_unknown", "campaign_unknown", "rubric_unknown"}
	},
	// alert.IncidentInput.validate: "alert.area." + a constant of type
	// areaCode, the problem of the drawn area.
	"alert.area.": func(s *keyScan) []string { return s.typedConsts["alert.areaCode"] },
	// alert.ParseZones: "alert.zone." + the areaCode of a zone's polygon;
	// a zone has no circle.
	"alert.zone.": func(s *keyScan) []string {
		return slices.DeleteFunc(slices.Clone(s.typedConsts["alert.areaCode"]), func(c string) bool {
			return c == "polygon_and_circle" || c == "radius"
		})
	},
}

// problemArgs is how many arguments channel.Problem.Args passes (limit,
// actual, over, media position), all ints.
const problemArgs = 4

// keyUse is what the sources say about one key.
type keyUse struct {
	where string // the first place it occurs, for messages
	// nargs are the argument counts of the calls that pass it with a
	// known number of arguments; ints marks keys whose arguments are all
	// ints (channel.Problem codes).
	nargs []int
	ints  bool
}

type keyScan struct {
	keys        map[string]*keyUse
	stems       map[string]string   // stem → where
	typedConsts map[string][]string // "pkg.Type" → string values
	consts      map[string]string   // "pkg.Name" → string value
	literals    map[string]bool     // every matching literal, keys or not
}

// scanBackendKeys parses the Go sources (tests and testdata excluded) under
// dirs and collects the keys they can produce.
func scanBackendKeys(dirs []string) (*keyScan, error) {
	s := &keyScan{keys: map[string]*keyUse{}, stems: map[string]string{},
		typedConsts: map[string][]string{}, consts: map[string]string{}, literals: map[string]bool{}}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// First the string constants, so that Code: ProblemTooLong resolves.
	for _, f := range files {
		pkg := f.Name.Name
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					v, ok := stringLit(vs.Values[i])
					if !ok {
						continue
					}
					s.consts[pkg+"."+name.Name] = v
					if id, ok := vs.Type.(*ast.Ident); ok {
						s.typedConsts[pkg+"."+id.Name] = append(s.typedConsts[pkg+"."+id.Name], v)
					}
				}
			}
		}
	}
	for _, f := range files {
		s.scanFile(fset, f)
	}
	return s, nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

// resolve gives the string a key expression stands for: a literal, or a
// constant of the scanned packages (Name in pkg, or other.Name).
func (s *keyScan) resolve(pkg string, e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		return stringLit(e)
	case *ast.Ident:
		v, ok := s.consts[pkg+"."+e.Name]
		return v, ok
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			v, ok := s.consts[x.Name+"."+e.Sel.Name]
			return v, ok
		}
	}
	return "", false
}

func (s *keyScan) use(key, where string) *keyUse {
	u := s.keys[key]
	if u == nil {
		u = &keyUse{where: where}
		s.keys[key] = u
	}
	return u
}

func (s *keyScan) scanFile(fset *token.FileSet, f *ast.File) {
	pkg := f.Name.Name
	skip := map[*ast.BasicLit]bool{} // audit actions and stems
	at := func(n ast.Node) string {
		p := fset.Position(n.Pos())
		return fmt.Sprintf("%s:%d", filepath.ToSlash(p.Filename), p.Line)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			// audit.Change{Action: "media.upload"}: a log entry's action,
			// also when built ("alert.delivery_" + state).
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Action" {
				ast.Inspect(n.Value, func(m ast.Node) bool {
					if lit, ok := m.(*ast.BasicLit); ok {
						skip[lit] = true
					}
					return true
				})
			}
		case *ast.BinaryExpr:
			// "quality.band." + string(b): a stem.
			if n.Op != token.ADD {
				break
			}
			for _, side := range []ast.Expr{n.X, n.Y} {
				if lit, ok := side.(*ast.BasicLit); ok && !skip[lit] {
					if v, ok := stringLit(lit); ok && backendKey.MatchString(v) {
						skip[lit] = true
						if _, seen := s.stems[v]; !seen {
							s.stems[v] = at(lit)
						}
					}
				}
			}
		case *ast.CompositeLit:
			// channel.Problem{Code: …}: formatted with Problem.Args.
			if !isProblemType(n.Type) {
				break
			}
			for _, elt := range n.Elts {
				kv, ok := elt.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Code" {
					continue
				}
				if v, ok := s.resolve(pkg, kv.Value); ok {
					u := s.use(v, at(kv))
					u.nargs = append(u.nargs, problemArgs)
					u.ints = true
				}
			}
		case *ast.CallExpr:
			// valid.New(field, key, args...) and Errors.Add(field, key, args...).
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "New" && sel.Sel.Name != "Add") || len(n.Args) < 2 || n.Ellipsis.IsValid() {
				break
			}
			if x, ok := sel.X.(*ast.Ident); sel.Sel.Name == "New" && (!ok || x.Name != "valid") {
				break
			}
			if v, ok := s.resolve(pkg, n.Args[1]); ok && backendKey.MatchString(v) {
				u := s.use(v, at(n))
				u.nargs = append(u.nargs, len(n.Args)-2)
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok {
			return true
		}
		v, ok := stringLit(lit)
		if !ok || !backendKey.MatchString(v) {
			return true
		}
		s.literals[v] = true
		if skip[lit] || notKeys[v] != "" {
			return true
		}
		if strings.HasSuffix(v, ".") {
			// A stem used other than in a + (a helper taking a prefix).
			if _, seen := s.stems[v]; !seen {
				s.stems[v] = at(lit)
			}
			return true
		}
		s.use(v, at(lit))
		return true
	})
}

func isProblemType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name == "Problem"
	case *ast.SelectorExpr:
		return t.Sel.Name == "Problem"
	}
	return false
}

// expand adds the members of every known family to the keys and reports
// the stems no family covers.
func (s *keyScan) expand() (unknownStems []string) {
	for stem, where := range s.stems {
		fam, ok := keyFamilies[stem]
		if !ok {
			unknownStems = append(unknownStems, stem+" ("+where+")")
			continue
		}
		for _, suffix := range fam(s) {
			s.use(stem+suffix, where)
		}
	}
	slices.Sort(unknownStems)
	return unknownStems
}

// indexedVerb is an explicitly indexed fmt verb, %[2]d.
var indexedVerb = regexp.MustCompile(`%[-+# 0]*(?:\d+)?(?:\.\d+)?\[(\d+)\]([a-zA-Z])`)

// argVerbs maps each argument index a message uses to its verb letter.
// Plain verbs (%d, %s) are reported apart: a message with arguments must
// index them, so that a translation can reorder them.
func argVerbs(msg string) (byIndex map[int]byte, plain []string) {
	byIndex = map[int]byte{}
	for _, m := range indexedVerb.FindAllStringSubmatch(msg, -1) {
		i, _ := strconv.Atoi(m[1])
		byIndex[i] = m[2][0]
	}
	return byIndex, verbs(indexedVerb.ReplaceAllString(msg, ""))
}

// checkBackendKeys lists what is wrong with the catalog for the keys found.
func checkBackendKeys(c *Catalog, keys map[string]*keyUse) []string {
	var bad []string
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		u := keys[key]
		var first map[int]byte
		for _, l := range Supported {
			msg, ok := c.messages[l][key]
			if !ok {
				bad = append(bad, fmt.Sprintf("%s: missing %s (used at %s)", l, key, u.where))
				continue
			}
			byIndex, plain := argVerbs(msg)
			if len(plain) > 0 {
				bad = append(bad, fmt.Sprintf("%s: %s has verbs %v without an index: write %%[1]d", l, key, plain))
			}
			for i, verb := range byIndex {
				for _, n := range u.nargs {
					if i > n {
						bad = append(bad, fmt.Sprintf("%s: %s uses argument %d, but %s passes %d", l, key, i, u.where, n))
						break
					}
				}
				if u.ints && verb != 'd' {
					bad = append(bad, fmt.Sprintf("%s: %s formats argument %d with %%%c, but it is an int", l, key, i, verb))
				}
			}
			if first == nil {
				first = byIndex
			} else if !maps.Equal(first, byIndex) {
				bad = append(bad, fmt.Sprintf("%s: %s uses arguments %s, %s uses %s", l, key, showVerbs(byIndex), Supported[0], showVerbs(first)))
			}
		}
	}
	return bad
}

func showVerbs(m map[int]byte) string {
	var parts []string
	for _, i := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%%[%d]%c", i, m[i]))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// TestBackendKeys fails when a key the backend packages can produce has no
// message in a language, or when the languages disagree on its arguments.
func TestBackendKeys(t *testing.T) {
	for _, dir := range backendDirs {
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("backend package: %v", err)
		}
	}
	s, err := scanBackendKeys(backendDirs)
	if err != nil {
		t.Fatal(err)
	}
	for _, stem := range s.expand() {
		t.Errorf("key stem %s: list its keys in keyFamilies", stem)
	}
	// The scan must see each kind of key, or it proves nothing.
	for _, key := range []string{
		"editorial.import.row_unreadable", // RowError{Key: …}
		"editorial.post.rubric_unknown",   // a family
		"quality.band.very_hard",          // a family from the Band constants
		"channel.problem.too_long",        // a Problem code constant
		"channel.problem.aspect_ratio",    // a connector's own Problem code
		"publish.problem.account_disabled",
		"media.cannot_fit", // media.Error codes
		"publish.cadence.quiet",
		"alert.incident.title_required", // valid.Errors.Add in alert
		"alert.area.radius",             // a family from the areaCode constants
		"alert.zone.no_surface",         // the same family, said of a zone
		"alert.card.size_unknown",       // a card.Error code constant, in a subpackage
	} {
		if _, ok := s.keys[key]; !ok {
			t.Errorf("the scan missed %s", key)
		}
	}
	if u := s.keys["channel.problem.too_long"]; u == nil || !u.ints || !slices.Contains(u.nargs, problemArgs) {
		t.Error("the scan did not see channel.problem.too_long as a Problem code")
	}
	if u := s.keys["editorial.comment.invalid"]; u == nil || !slices.Contains(u.nargs, 1) {
		t.Error("the scan did not count the arguments of valid.New")
	}
	for _, audit := range []string{"media.upload", "channel.connect", "alert.sent", "alert.delivery_"} {
		if _, ok := s.keys[audit]; ok {
			t.Errorf("audit action %s taken for a key", audit)
		}
		if _, ok := s.stems[audit]; ok {
			t.Errorf("audit action %s taken for a key stem", audit)
		}
	}
	for v, why := range notKeys {
		if !s.literals[v] {
			t.Errorf("notKeys lists %q (%s), no longer in the sources: drop it", v, why)
		}
	}
	if len(s.keys) < 100 {
		t.Errorf("only %d keys found: is the scan broken?", len(s.keys))
	}
	for _, msg := range checkBackendKeys(Default(), s.keys) {
		t.Error(msg)
	}
}

// TestCheckBackendKeys shows that the check fails on a missing key, on
// verbs that differ between languages, on a plain verb and on an argument
// the call does not pass.
func TestCheckBackendKeys(t *testing.T) {
	c, err := load(fstest.MapFS{
		"locales/it.json": {Data: []byte(`{"a.ok": "%[2]d su %[1]d", "a.only_it": "x", "a.kind": "%[1]s",
			"a.plain": "%d", "a.extra": "%[2]d", "a.problem": "%[1]s"}`)},
		"locales/en.json": {Data: []byte(`{"a.ok": "%[1]d, %[2]d", "a.kind": "%[1]d",
			"a.plain": "%d", "a.extra": "%[2]d", "a.problem": "%[1]s"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]*keyUse{
		"a.ok":      {where: "x.go:1", nargs: []int{2}},
		"a.only_it": {where: "x.go:2"},
		"a.missing": {where: "x.go:3"},
		"a.kind":    {where: "x.go:4", nargs: []int{1}},
		"a.plain":   {where: "x.go:5", nargs: []int{1}},
		"a.extra":   {where: "x.go:6", nargs: []int{1}},
		"a.problem": {where: "x.go:7", nargs: []int{4}, ints: true},
	}
	bad := checkBackendKeys(c, keys)
	for _, want := range []string{
		"en: missing a.only_it",
		"it: missing a.missing",
		"en: missing a.missing",
		"en: a.kind uses arguments [%[1]d], it uses [%[1]s]",
		"it: a.plain has verbs [%d] without an index",
		"it: a.extra uses argument 2, but x.go:6 passes 1",
		"it: a.problem formats argument 1 with %s, but it is an int",
	} {
		found := false
		for _, b := range bad {
			found = found || strings.HasPrefix(b, want)
		}
		if !found {
			t.Errorf("no complaint %q in %q", want, bad)
		}
	}
	for _, b := range bad {
		if strings.Contains(b, "a.ok") {
			t.Errorf("a.ok is fine, got %q", b)
		}
	}
}
