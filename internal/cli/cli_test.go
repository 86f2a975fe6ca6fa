// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// testKey is a valid PIAZZA_SECRET_KEY (64 hex characters).
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// unreachableDB refuses connections at once: nothing listens on port 1.
const unreachableDB = "postgres://postgres@127.0.0.1:1/test?sslmode=disable"

// syncBuffer is a bytes.Buffer that a running serve may write while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type result struct {
	code           int
	stdout, stderr string
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func (r result) lastErrLine() string {
	ls := lines(r.stderr)
	if len(ls) == 0 {
		return ""
	}
	return ls[len(ls)-1]
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// lookupIn returns a lookup function reading only m, never the process
// environment.
func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// runCLI runs the piazza command with exactly the environment m.
func runCLI(t *testing.T, m map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	code := mainWith(t.Context(), args, &stdout, &stderr, lookupIn(m))
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs a command that must succeed.
func mustRun(t *testing.T, m map[string]string, args ...string) result {
	t.Helper()
	r := runCLI(t, m, args...)
	if r.code != 0 {
		t.Fatalf("piazza %s: %v", strings.Join(args, " "), r)
	}
	return r
}

// sqliteEnv is the environment of a fresh SQLite installation.
func sqliteEnv(t *testing.T) map[string]string {
	return map[string]string{"PIAZZA_DATA_DIR": filepath.Join(t.TempDir(), "data")}
}

// postgresEnv is the environment of an installation on the package's
// migrated PostgreSQL database; it skips without PIAZZA_TEST_DATABASE_URL.
func postgresEnv(t *testing.T) map[string]string {
	return map[string]string{
		"PIAZZA_DATA_DIR":     filepath.Join(t.TempDir(), "data"),
		"PIAZZA_DATABASE_URL": storetest.URL(t),
		"PIAZZA_SECRET_KEY":   testKey,
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freeAddr returns a local address nothing listens on (a moment ago).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestBadInput checks that every operator mistake ends with one line on
// stderr that says what to fix, and exit status 2.
func TestBadInput(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = busy.Close() })
	pwFile := writeFile(t, "correct horse battery staple\n")

	tests := []struct {
		name string
		env  map[string]string // added to a fresh SQLite environment
		args []string
		// usage: the full usage text may precede the line.
		usage bool
		want  []string // substrings of the last line
		leak  []string // what the output must never show
	}{
		{name: "listen nonsense", env: map[string]string{"PIAZZA_LISTEN": "nonsense"}, args: []string{"serve"},
			want: []string{"PIAZZA_LISTEN", "nonsense"}},
		{name: "listen port out of range", env: map[string]string{"PIAZZA_LISTEN": ":99999"}, args: []string{"serve"},
			want: []string{"PIAZZA_LISTEN"}},
		{name: "listen flag nonsense", args: []string{"serve", "--listen", "nonsense"}, usage: true,
			want: []string{"serve", "listen", "nonsense"}},
		{name: "mysql database", env: map[string]string{"PIAZZA_DATABASE_URL": "mysql://root:hunter2pw@x/db"}, args: []string{"migrate"},
			want: []string{"PIAZZA_DATABASE_URL", "mysql"}, leak: []string{"hunter2pw"}},
		{name: "malformed postgres URL", env: map[string]string{"PIAZZA_DATABASE_URL": "postgres://piazza:hunter2%zz@db/piazza", "PIAZZA_SECRET_KEY": testKey},
			args: []string{"migrate"}, want: []string{"PIAZZA_DATABASE_URL", "percent-encoded"}, leak: []string{"hunter2"}},
		{name: "postgres URL without host", env: map[string]string{"PIAZZA_DATABASE_URL": "postgres:///piazza", "PIAZZA_SECRET_KEY": testKey},
			args: []string{"migrate"}, want: []string{"PIAZZA_DATABASE_URL", "no host"}},
		{name: "unreachable postgres on migrate", env: map[string]string{"PIAZZA_DATABASE_URL": "postgres://postgres:hunter2pw@127.0.0.1:1/test?sslmode=disable", "PIAZZA_SECRET_KEY": testKey},
			args: []string{"migrate"}, want: []string{"PIAZZA_DATABASE_URL", "127.0.0.1:1"}, leak: []string{"hunter2pw"}},
		{name: "unreachable postgres on serve", env: map[string]string{"PIAZZA_DATABASE_URL": unreachableDB, "PIAZZA_SECRET_KEY": testKey, "PIAZZA_LISTEN": "127.0.0.1:0"},
			args: []string{"serve"}, want: []string{"PIAZZA_DATABASE_URL"}},
		{name: "unreachable postgres on org create", env: map[string]string{"PIAZZA_DATABASE_URL": unreachableDB, "PIAZZA_SECRET_KEY": testKey},
			args: []string{"org", "create", "--slug", "x", "--name", "X"}, want: []string{"PIAZZA_DATABASE_URL"}},
		{name: "postgres without secret key", env: map[string]string{"PIAZZA_DATABASE_URL": unreachableDB}, args: []string{"serve"},
			want: []string{"PIAZZA_SECRET_KEY", "piazza keygen"}},
		{name: "secret key too short", env: map[string]string{"PIAZZA_SECRET_KEY": "tooshortsecret"}, args: []string{"config"},
			want: []string{"PIAZZA_SECRET_KEY", "keygen"}, leak: []string{"tooshortsecret"}},
		{name: "secret key file missing", env: map[string]string{"PIAZZA_SECRET_KEY_FILE": "/nonexistent/piazza.key"}, args: []string{"serve"},
			want: []string{"PIAZZA_SECRET_KEY_FILE", "/nonexistent/piazza.key"}},
		{name: "secret key and its file", env: map[string]string{"PIAZZA_SECRET_KEY": testKey, "PIAZZA_SECRET_KEY_FILE": pwFile}, args: []string{"serve"},
			want: []string{"PIAZZA_SECRET_KEY", "not both"}, leak: []string{testKey}},
		{name: "smtp url wrong scheme", env: map[string]string{"PIAZZA_SMTP_URL": "http://u:mailpw123@mail.example"}, args: []string{"serve"},
			want: []string{"PIAZZA_SMTP_URL"}, leak: []string{"mailpw123"}},
		{name: "workers not a number", env: map[string]string{"PIAZZA_WORKERS": "many"}, args: []string{"serve"},
			want: []string{"PIAZZA_WORKERS"}},
		{name: "port in use", env: map[string]string{"PIAZZA_LISTEN": busy.Addr().String()}, args: []string{"serve"},
			want: []string{"PIAZZA_LISTEN", busy.Addr().String()}},
		{name: "serve extra argument", args: []string{"serve", "now"}, want: []string{"unexpected argument"}},
		{name: "no command", args: nil, usage: true, want: []string{"missing command"}},
		{name: "unknown command", args: []string{"frobnicate"}, usage: true, want: []string{"unknown command", "frobnicate"}},
		{name: "unknown subcommand", args: []string{"user", "delete"}, want: []string{"user", "unknown subcommand", "delete"}},
		{name: "missing subcommand", args: []string{"org"}, want: []string{"org", "missing subcommand"}},
		{name: "unknown flag", args: []string{"migrate", "--frobnicate"}, usage: true, want: []string{"migrate", "frobnicate"}},
		{name: "org create without name", args: []string{"org", "create", "--slug", "x"}, want: []string{"--slug and --name are required"}},
		{name: "user create without role", args: []string{"user", "create", "--org", "x", "--email", "a@example.it", "--password-file", pwFile},
			want: []string{"--role", "required"}},
		{name: "user create without password file", args: []string{"user", "create", "--org", "x", "--email", "a@example.it", "--role", "admin"},
			want: []string{"--password-file", "required"}},
		{name: "token create without email", args: []string{"token", "create", "--org", "x"}, want: []string{"--org and --email are required"}},
		{name: "backup without file", args: []string{"backup"}, want: []string{"piazza backup FILE"}},
		{name: "backup on postgres", env: map[string]string{"PIAZZA_DATABASE_URL": unreachableDB, "PIAZZA_SECRET_KEY": testKey},
			args: []string{"backup", "x.db"}, want: []string{"pg_dump"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := sqliteEnv(t)
			for k, v := range tt.env {
				env[k] = v
			}
			r := runCLI(t, env, tt.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%v", r.code, r)
			}
			if !tt.usage && len(lines(r.stderr)) != 1 {
				t.Errorf("stderr has %d lines, want 1\n%v", len(lines(r.stderr)), r)
			}
			last := r.lastErrLine()
			if !strings.HasPrefix(last, "piazza: ") {
				t.Errorf("last line %q does not start with \"piazza: \"", last)
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("last line %q does not mention %q", last, w)
				}
			}
			for _, l := range tt.leak {
				if strings.Contains(r.stderr+r.stdout, l) {
					t.Errorf("output shows the secret %q\n%v", l, r)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			// A mistake never leaves a database or a key behind.
			if _, err := os.Stat(env["PIAZZA_DATA_DIR"]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the data directory was created (stat: %v)", err)
			}
		})
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	dbPassword, smtpPassword, metricsToken := "dbpw-Zq81x", "smtppw-Kx93a", "metricstoken-Yw02b"
	keyFile := writeFile(t, testKey+"\n")
	env := map[string]string{
		"PIAZZA_DATABASE_URL":    "postgres://piazza:" + dbPassword + "@db.comune.example.it:5432/piazza?sslmode=verify-full",
		"PIAZZA_SECRET_KEY_FILE": keyFile,
		"PIAZZA_SMTP_URL":        "smtp://piazza:" + smtpPassword + "@smtp.comune.example.it:587",
		"PIAZZA_METRICS_TOKEN":   metricsToken,
		"PIAZZA_PUBLIC_URL":      "https://social.comune.example.it",
		"PIAZZA_DATA_DIR":        t.TempDir(),
	}
	r := mustRun(t, env, "config", "--listen", "127.0.0.1:9999")
	for _, secret := range []string{dbPassword, smtpPassword, metricsToken, testKey} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("piazza config shows the secret %q:\n%s", secret, r.stdout)
		}
	}
	cfg, err := config.Load(lookupIn(env))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range lines(r.stdout) {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Errorf("line %q is not VAR=value", l)
			continue
		}
		if _, dup := got[k]; dup {
			t.Errorf("%s printed twice", k)
		}
		got[k] = v
	}
	for _, s := range cfg.Settings() {
		if _, ok := got[s.Env]; !ok {
			t.Errorf("%s missing from piazza config", s.Env)
		}
	}
	if len(got) != len(cfg.Settings()) {
		t.Errorf("piazza config printed %d settings, want %d:\n%s", len(got), len(cfg.Settings()), r.stdout)
	}
	for k := range got {
		if !strings.HasPrefix(k, "PIAZZA_") {
			t.Errorf("unexpected variable %q", k)
		}
	}
	checks := map[string]string{
		"PIAZZA_LISTEN":        "127.0.0.1:9999", // the flag overrides the default
		"PIAZZA_PUBLIC_URL":    "https://social.comune.example.it",
		"PIAZZA_SMTP_URL":      "smtp.comune.example.it:587",
		"PIAZZA_DATABASE_URL":  "db.comune.example.it:5432/piazza",
		"PIAZZA_WORKERS":       "4",
		"PIAZZA_METRICS_TOKEN": "********",
		"PIAZZA_SECRET_KEY":    "********",
	}
	for k, want := range checks {
		if !strings.Contains(got[k], want) {
			t.Errorf("%s=%s, want it to show %q", k, got[k], want)
		}
	}
}

func TestKeygenAndVersion(t *testing.T) {
	r1 := mustRun(t, nil, "keygen")
	r2 := mustRun(t, nil, "keygen")
	key := strings.TrimSpace(r1.stdout)
	if len(lines(r1.stdout)) != 1 || key == "" {
		t.Fatalf("keygen printed %q, want one key", r1.stdout)
	}
	if key == strings.TrimSpace(r2.stdout) {
		t.Errorf("keygen printed the same key twice: %q", key)
	}
	// The key is accepted as is, and from a file with a trailing newline.
	mustRun(t, map[string]string{"PIAZZA_SECRET_KEY": key, "PIAZZA_DATA_DIR": t.TempDir()}, "config")
	mustRun(t, map[string]string{"PIAZZA_SECRET_KEY_FILE": writeFile(t, r1.stdout), "PIAZZA_DATA_DIR": t.TempDir()}, "config")

	for _, arg := range []string{"version", "--version", "-v"} {
		r := mustRun(t, nil, arg)
		if !regexp.MustCompile(`^piazza \S+\n$`).MatchString(r.stdout) {
			t.Errorf("piazza %s printed %q, want \"piazza VERSION\"", arg, r.stdout)
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}} {
		r := mustRun(t, nil, args...)
		if !strings.Contains(r.stdout, "piazza serve") || !strings.Contains(r.stdout, "piazza token create") {
			t.Errorf("piazza %s does not list the commands:\n%s", args[0], r.stdout)
		}
	}
	// -h on a command shows its flags and is not an error.
	r := mustRun(t, map[string]string{"PIAZZA_DATA_DIR": t.TempDir()}, "serve", "-h")
	if !strings.Contains(r.stderr, "-migrate") || !strings.Contains(r.stderr, "-secret-key-file") {
		t.Errorf("serve -h does not describe the flags:\n%s", r.stderr)
	}
}

// TestJourney walks an operator's first steps on each engine: create an
// organisation, an administrator and a token, serve, call the API, stop.
func TestJourney(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { journey(t, sqliteEnv(t)) })
	t.Run("postgres", func(t *testing.T) { journey(t, postgresEnv(t)) })
}

func journey(t *testing.T, env map[string]string) {
	slug := storetest.Unique("cli-")
	email := storetest.Unique("admin") + "@comune.example.it"
	pwFile := writeFile(t, "correct horse battery staple\n")

	r := mustRun(t, env, "org", "create", "--slug", slug, "--name", "Comune di Prova")
	if !strings.Contains(r.stdout, "created organisation "+slug) {
		t.Errorf("org create printed %q", r.stdout)
	}
	r = mustRun(t, env, "user", "create", "--org", slug, "--email", strings.ToUpper(email), "--password-file", pwFile, "--role", "admin", "--name", "Anna Amministratrice")
	if !strings.Contains(r.stdout, "created "+email+" with role admin in "+slug) {
		t.Errorf("user create printed %q", r.stdout)
	}
	// Granting another role to the same person keeps the password.
	r = mustRun(t, env, "user", "create", "--org", slug, "--email", email, "--password-file", writeFile(t, "another long password"), "--role", "editor")
	if !strings.Contains(r.stdout, "already existed") {
		t.Errorf("second user create printed %q", r.stdout)
	}

	shortPw := writeFile(t, "short")
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate organisation", []string{"org", "create", "--slug", slug, "--name", "Altro"}, "slug"},
		{"invalid slug", []string{"org", "create", "--slug", "Not A Slug", "--name", "Altro"}, "slug"},
		{"unknown role", []string{"user", "create", "--org", slug, "--email", "x@example.it", "--password-file", pwFile, "--role", "nonsense"}, `unknown role "nonsense"`},
		{"liaison without office", []string{"user", "create", "--org", slug, "--email", "x@example.it", "--password-file", pwFile, "--role", "liaison"}, "office"},
		{"unknown office", []string{"user", "create", "--org", slug, "--email", "x@example.it", "--password-file", pwFile, "--role", "liaison", "--office", "nope"}, `office "nope" does not exist`},
		{"unknown organisation", []string{"user", "create", "--org", "no-such-org", "--email", "x@example.it", "--password-file", pwFile, "--role", "admin"}, "piazza org create"},
		{"missing password file", []string{"user", "create", "--org", slug, "--email", "x@example.it", "--password-file", filepath.Join(t.TempDir(), "none"), "--role", "admin"}, "--password-file"},
		{"short password", []string{"user", "create", "--org", slug, "--email", "x@example.it", "--password-file", shortPw, "--role", "admin"}, "password"},
		{"invalid email", []string{"user", "create", "--org", slug, "--email", "not-an-email", "--password-file", pwFile, "--role", "admin"}, "email"},
		{"token for unknown person", []string{"token", "create", "--org", slug, "--email", "nobody@example.it"}, "no person"},
		{"token for unknown organisation", []string{"token", "create", "--org", "no-such-org", "--email", email}, "does not exist"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, env, tt.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%v", r.code, r)
			}
			if n := len(lines(r.stderr)); n != 1 {
				t.Errorf("stderr has %d lines, want 1\n%v", n, r)
			}
			if !strings.Contains(r.lastErrLine(), tt.want) {
				t.Errorf("last line %q does not mention %q", r.lastErrLine(), tt.want)
			}
		})
	}

	// A person of another organisation gets no token here.
	other := storetest.Unique("cli-other-")
	mustRun(t, env, "org", "create", "--slug", other, "--name", "Comune Vicino")
	r = runCLI(t, env, "token", "create", "--org", other, "--email", email)
	if r.code != 2 || !strings.Contains(r.lastErrLine(), "does not belong") {
		t.Errorf("token for a non-member: %v", r)
	}

	r = mustRun(t, env, "token", "create", "--org", slug, "--email", email, "--name", "integrazione")
	out := lines(r.stdout)
	token := out[len(out)-1]
	if !strings.HasPrefix(token, "pz_") || strings.ContainsAny(token, " \t") {
		t.Fatalf("the last line of token create is %q, want a pz_ token\n%v", token, r)
	}

	// Serve until the context is cancelled.
	addr := freeAddr(t)
	serveEnv := with(env, "PIAZZA_LISTEN", addr, "PIAZZA_SHUTDOWN_TIMEOUT", "5s", "PIAZZA_LOG_LEVEL", "warn")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- mainWith(ctx, []string{"serve"}, &stdout, &stderr, lookupIn(serveEnv)) }()

	base := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before answering\n--- stderr:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer 200 within 10s (last error %v)\n--- stderr:\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	get := func(authz string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/api/v1/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Errorf("GET /api/v1/me answered %d with no JSON: %v", resp.StatusCode, err)
		}
		return resp.StatusCode, body
	}
	status, me := get("Bearer " + token)
	if status != http.StatusOK {
		t.Errorf("GET /api/v1/me with the token: %d %v", status, me)
	} else {
		if me["email"] != email || me["name"] != "Anna Amministratrice" {
			t.Errorf("me = %v, want %s", me, email)
		}
		if o, _ := me["organisation"].(map[string]any); o == nil || o["slug"] != slug {
			t.Errorf("me.organisation = %v, want slug %s", me["organisation"], slug)
		}
	}
	if status, body := get(""); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me without a token: %d %v, want 401", status, body)
	}
	if status, body := get("Bearer " + token + "x"); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with a wrong token: %d %v, want 401", status, body)
	}

	// A second serve on the same address says so at once.
	r = runCLI(t, serveEnv, "serve")
	if r.code != 2 || !strings.Contains(r.lastErrLine(), "PIAZZA_LISTEN") || len(lines(r.stderr)) != 1 {
		t.Errorf("second serve on %s: %v", addr, r)
	}

	// Graceful shutdown: cancelling the context ends serve with status 0.
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited with %d after shutdown, want 0\n--- stderr:\n%s", code, stderr.String())
		}
	case <-time.After(8 * time.Second):
		t.Fatalf("serve did not stop within the 5s shutdown timeout\n--- stderr:\n%s", stderr.String())
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Errorf("/healthz still answers after shutdown")
	}
}

func TestBackup(t *testing.T) {
	env := sqliteEnv(t)
	slug := storetest.Unique("cli-backup-")
	mustRun(t, env, "org", "create", "--slug", slug, "--name", "Comune da Salvare")

	path := filepath.Join(t.TempDir(), "piazza-backup.db")
	r := mustRun(t, env, "backup", path)
	if !strings.Contains(r.stdout, path) || !strings.Contains(r.stdout, "secret.key") {
		t.Errorf("backup printed %q, want the path and a reminder of secret.key", r.stdout)
	}
	// The copy is a database holding the organisation.
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := org.NewService(db).OrganisationBySlug(t.Context(), slug); err != nil {
		t.Errorf("the backup does not hold organisation %s: %v", slug, err)
	}

	// An existing file is never overwritten.
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "backup", path)
	if r.code == 0 || len(lines(r.stderr)) != 1 || !strings.Contains(r.lastErrLine(), "already exists") {
		t.Errorf("backup onto an existing file: %v", r)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("backup changed the existing file (err %v)", err)
	}

	// The flag form of the configuration works too.
	path2 := filepath.Join(t.TempDir(), "second.db")
	mustRun(t, nil, "backup", "--data-dir", env["PIAZZA_DATA_DIR"], path2)
	if fi, err := os.Stat(path2); err != nil || fi.Size() == 0 {
		t.Errorf("backup with --data-dir wrote nothing: %v", err)
	}

	if os.Getenv(storetest.EnvURL) != "" {
		r = runCLI(t, postgresEnv(t), "backup", filepath.Join(t.TempDir(), "pg.db"))
		if r.code != 2 || !strings.Contains(r.lastErrLine(), "pg_dump") {
			t.Errorf("backup on PostgreSQL: %v", r)
		}
	}
}

// TestStaleSchema checks that on PostgreSQL serve refuses a schema older
// than the binary and says to migrate, and that migrate fixes it.
func TestStaleSchema(t *testing.T) {
	admin := os.Getenv(storetest.EnvURL)
	if admin == "" {
		t.Skip(storetest.EnvURL + " not set")
	}
	dbURL := emptyDatabase(t, admin)
	env := map[string]string{
		"PIAZZA_DATABASE_URL": dbURL,
		"PIAZZA_SECRET_KEY":   testKey,
		"PIAZZA_DATA_DIR":     t.TempDir(),
		"PIAZZA_LISTEN":       "127.0.0.1:0",
	}
	for _, args := range [][]string{{"serve"}, {"org", "create", "--slug", "x", "--name", "X"}} {
		r := runCLI(t, env, args...)
		if r.code != 2 {
			t.Fatalf("piazza %s on an empty database: %v", args[0], r)
		}
		if n := len(lines(r.stderr)); n != 1 {
			t.Errorf("piazza %s: stderr has %d lines, want 1\n%v", args[0], n, r)
		}
		if !strings.Contains(r.lastErrLine(), "piazza migrate") {
			t.Errorf("piazza %s: %q does not say to run piazza migrate", args[0], r.lastErrLine())
		}
	}

	version := regexp.MustCompile(`^database schema at version (\d+) \(postgres\)\n$`)
	r := mustRun(t, env, "migrate")
	m := version.FindStringSubmatch(r.stdout)
	if m == nil || m[1] == "0" {
		t.Fatalf("migrate printed %q", r.stdout)
	}
	// Migrating again changes nothing.
	r = mustRun(t, env, "migrate")
	if m2 := version.FindStringSubmatch(r.stdout); m2 == nil || m2[1] != m[1] {
		t.Errorf("second migrate printed %q, want version %s", r.stdout, m[1])
	}
	// The database now works.
	mustRun(t, env, "org", "create", "--slug", storetest.Unique("cli-stale-"), "--name", "Comune Aggiornato")

	// A schema newer than the binary asks for an upgrade of piazza instead.
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999999, 'future', now())`); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "serve")
	if r.code != 2 || !strings.Contains(r.lastErrLine(), "upgrade piazza") {
		t.Errorf("serve on a newer schema: %v", r)
	}
}

// emptyDatabase creates a database of its own on the server of admin and
// drops it when the test ends.
func emptyDatabase(t *testing.T, admin string) string {
	t.Helper()
	ctx := t.Context()
	name := "piazza_test_cli_stale_" + strings.ReplaceAll(store.NewID()[24:], "-", "")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
