// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package config_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/config"
)

const (
	hexKey  = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testPW  = "hunter2-s3cret"
	pgURL   = "postgres://piazza:" + testPW + "@db.example.org:5432/piazza?sslmode=require"
	smtpURL = "smtps://newsroom:" + testPW + "@mail.example.org:465"
)

// Keys in every accepted encoding, with bytes that make std and url differ.
var (
	keyBytes  = bytes.Repeat([]byte{0xfb, 0xff}, 16)
	stdKey    = base64.StdEncoding.EncodeToString(keyBytes)
	rawStdKey = base64.RawStdEncoding.EncodeToString(keyBytes)
	urlKey    = base64.URLEncoding.EncodeToString(keyBytes)
	rawURLKey = base64.RawURLEncoding.EncodeToString(keyBytes)
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func load(t *testing.T, m map[string]string) *config.Config {
	t.Helper()
	c, err := config.Load(envOf(m))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// wantError checks that err is a one-line *config.Error naming variable and
// not containing any of the secrets.
func wantError(t *testing.T, err error, variable string, secrets ...string) *config.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %s", variable)
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %q (%T) is not a *config.Error", err, err)
	}
	if ce.Var != variable {
		t.Errorf("error names %s, want %s: %v", ce.Var, variable, err)
	}
	checkMessage(t, err.Error(), secrets...)
	if !strings.HasPrefix(err.Error(), variable+": ") || ce.Msg == "" {
		t.Errorf("error %q does not start with %q followed by a message", err, variable+": ")
	}
	return ce
}

func checkMessage(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("message spans lines: %q", msg)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("message %q reveals the secret %q", msg, s)
		}
	}
}

func defaultConfig() config.Config {
	return config.Config{
		Listen:          ":8080",
		DataDir:         "./data",
		MailFrom:        "Piazza <piazza@localhost>",
		MapTiles:        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
		MapAttribution:  "© OpenStreetMap contributors",
		LogLevel:        "info",
		LogFormat:       "text",
		SessionLifetime: 12 * time.Hour,
		Workers:         4,
		ShutdownTimeout: 20 * time.Second,
	}
}

func TestLoadDefaults(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"unset": {},
		// Compose files often write VAR= for "not set".
		"empty": {
			"PIAZZA_LISTEN": "", "PIAZZA_DATA_DIR": "", "PIAZZA_WORKERS": "", "PIAZZA_DEMO": "",
			"PIAZZA_SESSION_LIFETIME": "", "PIAZZA_SECRET_KEY": "", "PIAZZA_SECRET_KEY_FILE": "",
			"PIAZZA_MAP_TILES": "", "PIAZZA_MAP_ATTRIBUTION": "",
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := load(t, env)
			if want := defaultConfig(); *c != want {
				t.Errorf("Load = %+v, want %+v", *c, want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if c.IsPostgres() {
				t.Error("IsPostgres with no database URL")
			}
			if got, want := c.SQLitePath(), filepath.Join("data", "piazza.db"); got != want {
				t.Errorf("SQLitePath = %q, want %q", got, want)
			}
		})
	}
}

func TestLoadEnv(t *testing.T) {
	c := load(t, map[string]string{
		"PIAZZA_LISTEN":                 "127.0.0.1:9090",
		"PIAZZA_DATABASE_URL":           pgURL,
		"PIAZZA_DATA_DIR":               "/var/lib/piazza",
		"PIAZZA_SECRET_KEY":             hexKey,
		"PIAZZA_PUBLIC_URL":             "https://social.comune.example.it/piazza/",
		"PIAZZA_SMTP_URL":               smtpURL,
		"PIAZZA_MAIL_FROM":              "Comune di Esempio <social@comune.example.it>",
		"PIAZZA_DEFAULT_ORG":            "comune-esempio",
		"PIAZZA_MAP_TILES":              "https://{s}.tiles.example.it/osm/{z}/{x}/{y}{r}.png?key=abc",
		"PIAZZA_MAP_ATTRIBUTION":        "© OpenStreetMap, Regione FVG",
		"PIAZZA_ALLOW_PRIVATE_NETWORKS": "true",
		"PIAZZA_LOG_LEVEL":              "debug",
		"PIAZZA_LOG_FORMAT":             "json",
		"PIAZZA_SESSION_LIFETIME":       "8h30m",
		"PIAZZA_METRICS_TOKEN":          "tok-" + testPW,
		"PIAZZA_DEMO":                   "1",
		"PIAZZA_WORKERS":                "16",
		"PIAZZA_SHUTDOWN_TIMEOUT":       "45s",
	})
	want := config.Config{
		Listen:               "127.0.0.1:9090",
		DatabaseURL:          pgURL,
		DataDir:              "/var/lib/piazza",
		SecretKey:            hexKey,
		PublicURL:            "https://social.comune.example.it/piazza/",
		SMTPURL:              smtpURL,
		MailFrom:             "Comune di Esempio <social@comune.example.it>",
		DefaultOrg:           "comune-esempio",
		MapTiles:             "https://{s}.tiles.example.it/osm/{z}/{x}/{y}{r}.png?key=abc",
		MapAttribution:       "© OpenStreetMap, Regione FVG",
		AllowPrivateNetworks: true,
		LogLevel:             "debug",
		LogFormat:            "json",
		SessionLifetime:      8*time.Hour + 30*time.Minute,
		MetricsToken:         "tok-" + testPW,
		Demo:                 true,
		Workers:              16,
		ShutdownTimeout:      45 * time.Second,
	}
	if *c != want {
		t.Errorf("Load =\n%+v\nwant\n%+v", *c, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if !c.IsPostgres() {
		t.Error("IsPostgres = false for a postgres:// URL")
	}
}

// TestLoadAccepts covers the spellings each parser accepts and how it
// normalises them.
func TestLoadAccepts(t *testing.T) {
	tests := []struct {
		env, value string
		got        func(*config.Config) any
		want       any
	}{
		{"PIAZZA_LISTEN", ":0", func(c *config.Config) any { return c.Listen }, ":0"},
		{"PIAZZA_LISTEN", "[::1]:8080", func(c *config.Config) any { return c.Listen }, "[::1]:8080"},
		{"PIAZZA_LISTEN", "localhost:80", func(c *config.Config) any { return c.Listen }, "localhost:80"},
		{"PIAZZA_DATABASE_URL", "/srv/piazza/piazza.db", func(c *config.Config) any { return c.DatabaseURL }, "/srv/piazza/piazza.db"},
		{"PIAZZA_DATABASE_URL", `C:\piazza\piazza.db`, func(c *config.Config) any { return c.DatabaseURL }, `C:\piazza\piazza.db`},
		{"PIAZZA_DATABASE_URL", "postgresql://piazza@localhost/piazza", func(c *config.Config) any { return c.DatabaseURL }, "postgresql://piazza@localhost/piazza"},
		{"PIAZZA_DATABASE_URL", "POSTGRES://piazza@localhost/piazza", func(c *config.Config) any { return c.DatabaseURL }, "postgres://piazza@localhost/piazza"},
		{"PIAZZA_DATABASE_URL", "postgres:///piazza?host=/run/postgresql", func(c *config.Config) any { return c.DatabaseURL }, "postgres:///piazza?host=/run/postgresql"},
		{"PIAZZA_SECRET_KEY", hexKey, func(c *config.Config) any { return c.SecretKey }, hexKey},
		{"PIAZZA_SECRET_KEY", strings.ToUpper(hexKey), func(c *config.Config) any { return c.SecretKey }, strings.ToUpper(hexKey)},
		{"PIAZZA_SECRET_KEY", stdKey, func(c *config.Config) any { return c.SecretKey }, stdKey},
		{"PIAZZA_SECRET_KEY", rawStdKey, func(c *config.Config) any { return c.SecretKey }, rawStdKey},
		{"PIAZZA_SECRET_KEY", urlKey, func(c *config.Config) any { return c.SecretKey }, urlKey},
		{"PIAZZA_SECRET_KEY", rawURLKey, func(c *config.Config) any { return c.SecretKey }, rawURLKey},
		{"PIAZZA_SECRET_KEY", " " + stdKey + " ", func(c *config.Config) any { return c.SecretKey }, stdKey},
		{"PIAZZA_PUBLIC_URL", "http://localhost:8080", func(c *config.Config) any { return c.PublicURL }, "http://localhost:8080"},
		{"PIAZZA_SMTP_URL", "smtp://mail.example.org", func(c *config.Config) any { return c.SMTPURL }, "smtp://mail.example.org"},
		{"PIAZZA_MAIL_FROM", "social@comune.example.it", func(c *config.Config) any { return c.MailFrom }, "social@comune.example.it"},
		{"PIAZZA_DEFAULT_ORG", "demo", func(c *config.Config) any { return c.DefaultOrg }, "demo"},
		{"PIAZZA_MAP_TILES", "none", func(c *config.Config) any { return c.MapTiles }, ""},
		{"PIAZZA_MAP_TILES", " NONE ", func(c *config.Config) any { return c.MapTiles }, ""},
		{"PIAZZA_MAP_TILES", "http://127.0.0.1:8081/{z}/{x}/{y}.png", func(c *config.Config) any { return c.MapTiles }, "http://127.0.0.1:8081/{z}/{x}/{y}.png"},
		{"PIAZZA_MAP_TILES", "https://tms.example.it/{z}/{x}/{-y}.png", func(c *config.Config) any { return c.MapTiles }, "https://tms.example.it/{z}/{x}/{-y}.png"},
		{"PIAZZA_MAP_TILES", "https://maps.example.it/wmts?layer=base&z={z}&x={x}&y={y}", func(c *config.Config) any { return c.MapTiles }, "https://maps.example.it/wmts?layer=base&z={z}&x={x}&y={y}"},
		{"PIAZZA_MAP_ATTRIBUTION", "  © IGM  ", func(c *config.Config) any { return c.MapAttribution }, "© IGM"},
		{"PIAZZA_ALLOW_PRIVATE_NETWORKS", "T", func(c *config.Config) any { return c.AllowPrivateNetworks }, true},
		{"PIAZZA_ALLOW_PRIVATE_NETWORKS", "false", func(c *config.Config) any { return c.AllowPrivateNetworks }, false},
		{"PIAZZA_LOG_LEVEL", "WARN", func(c *config.Config) any { return c.LogLevel }, "warn"},
		{"PIAZZA_LOG_LEVEL", "error", func(c *config.Config) any { return c.LogLevel }, "error"},
		{"PIAZZA_LOG_FORMAT", "JSON", func(c *config.Config) any { return c.LogFormat }, "json"},
		{"PIAZZA_SESSION_LIFETIME", "5m", func(c *config.Config) any { return c.SessionLifetime }, 5 * time.Minute},
		{"PIAZZA_SESSION_LIFETIME", "720h", func(c *config.Config) any { return c.SessionLifetime }, 720 * time.Hour},
		{"PIAZZA_DEMO", "TRUE", func(c *config.Config) any { return c.Demo }, true},
		{"PIAZZA_WORKERS", "1", func(c *config.Config) any { return c.Workers }, 1},
		{"PIAZZA_WORKERS", "100", func(c *config.Config) any { return c.Workers }, 100},
		{"PIAZZA_SHUTDOWN_TIMEOUT", "1s", func(c *config.Config) any { return c.ShutdownTimeout }, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			env := map[string]string{"PIAZZA_SECRET_KEY": hexKey} // PostgreSQL needs it
			env[tt.env] = tt.value
			c := load(t, env)
			if got := tt.got(c); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// secretFields reaches the field behind each secret variable.
var secretFields = map[string]func(*config.Config) string{
	"PIAZZA_DATABASE_URL":  func(c *config.Config) string { return c.DatabaseURL },
	"PIAZZA_SECRET_KEY":    func(c *config.Config) string { return c.SecretKey },
	"PIAZZA_SMTP_URL":      func(c *config.Config) string { return c.SMTPURL },
	"PIAZZA_METRICS_TOKEN": func(c *config.Config) string { return c.MetricsToken },
	"PIAZZA_IMAP_URL":      func(c *config.Config) string { return c.IMAPURL },
}

var secretValues = map[string]string{
	"PIAZZA_DATABASE_URL":  pgURL,
	"PIAZZA_SECRET_KEY":    stdKey,
	"PIAZZA_SMTP_URL":      smtpURL,
	"PIAZZA_METRICS_TOKEN": "metrics-" + testPW,
	"PIAZZA_IMAP_URL":      "imaps://urp%40comune.example.it:" + testPW + "@imap.example.org:993/INBOX",
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadSecretFile(t *testing.T) {
	for env, value := range secretValues {
		for _, ending := range []string{"", "\n", "\r\n", "\n\n"} {
			t.Run(env+"/"+strings.ReplaceAll(strings.ReplaceAll(ending, "\r", "CR"), "\n", "LF"), func(t *testing.T) {
				c := load(t, map[string]string{env + "_FILE": writeFile(t, value+ending)})
				if got := secretFields[env](c); got != value {
					t.Errorf("%s = %q, want %q", env, got, value)
				}
			})
		}
	}
}

func TestLoadSecretFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	big := writeFile(t, strings.Repeat("x", 65<<10))
	for env, value := range secretValues {
		t.Run(env+"/both set", func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{env: value, env + "_FILE": writeFile(t, value)}))
			ce := wantError(t, err, env, testPW, value)
			if !strings.Contains(ce.Msg, env+"_FILE") {
				t.Errorf("message %q does not name %s_FILE", ce.Msg, env)
			}
		})
		t.Run(env+"/unreadable", func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{env + "_FILE": missing}))
			ce := wantError(t, err, env+"_FILE")
			if !strings.Contains(ce.Msg, missing) {
				t.Errorf("message %q does not name the file", ce.Msg)
			}
		})
		t.Run(env+"/empty file", func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{env + "_FILE": writeFile(t, "\n")}))
			_ = wantError(t, err, env+"_FILE")
		})
		t.Run(env+"/huge file", func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{env + "_FILE": big}))
			_ = wantError(t, err, env+"_FILE")
		})
	}
	// A file that holds a bad value is the variable's fault, with the file named.
	bad := map[string]string{
		"PIAZZA_DATABASE_URL":  "mysql://root:" + testPW + "@db/piazza",
		"PIAZZA_SECRET_KEY":    testPW,
		"PIAZZA_SMTP_URL":      "http://u:" + testPW + "@mail.example.org",
		"PIAZZA_METRICS_TOKEN": "two words " + testPW,
	}
	for env, value := range bad {
		t.Run(env+"/bad content", func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{env + "_FILE": writeFile(t, value+"\n")}))
			ce := wantError(t, err, env, testPW, value)
			if !strings.Contains(ce.Msg, env+"_FILE") {
				t.Errorf("message %q does not say the value came from %s_FILE", ce.Msg, env)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		env, value string
		secret     string // must not appear in the message; "" for non-secrets
	}{
		{"PIAZZA_LISTEN", "x", ""},
		{"PIAZZA_LISTEN", "8080", ""},
		{"PIAZZA_LISTEN", "localhost:", ""},
		{"PIAZZA_LISTEN", ":http", ""},
		{"PIAZZA_LISTEN", ":70000", ""},
		{"PIAZZA_LISTEN", "::1:8080", ""},
		{"PIAZZA_DATABASE_URL", "mysql://root:" + testPW + "@db/piazza", testPW},
		{"PIAZZA_DATABASE_URL", "http://db.example.org/piazza", ""},
		{"PIAZZA_DATABASE_URL", "sqlite:///data/piazza.db", ""},
		{"PIAZZA_DATABASE_URL", "file:piazza.db?mode=rwc", ""},
		{"PIAZZA_DATABASE_URL", "postgres:piazza", ""},
		{"PIAZZA_DATABASE_URL", "postgres://piazza:" + testPW + "@/piazza", testPW},
		{"PIAZZA_DATABASE_URL", "postgres://piazza:" + testPW + "%zz@db/piazza", testPW},
		{"PIAZZA_DATABASE_URL", "postgres://piazza:" + testPW + "@db:port/piazza", testPW},
		{"PIAZZA_DATABASE_URL", "postgres://piazza:pa ss" + testPW + "@db/piazza", testPW},
		{"PIAZZA_SECRET_KEY", testPW, testPW},
		{"PIAZZA_SECRET_KEY", hexKey[:62], hexKey[:62]},
		{"PIAZZA_SECRET_KEY", hexKey + "00", hexKey},
		{"PIAZZA_SECRET_KEY", base64.StdEncoding.EncodeToString(keyBytes[:31]), base64.StdEncoding.EncodeToString(keyBytes[:31])},
		{"PIAZZA_SECRET_KEY", base64.StdEncoding.EncodeToString(append(keyBytes, 1)), base64.StdEncoding.EncodeToString(append(keyBytes, 1))},
		{"PIAZZA_PUBLIC_URL", "social.comune.example.it", ""},
		{"PIAZZA_PUBLIC_URL", "/piazza", ""},
		{"PIAZZA_PUBLIC_URL", "ftp://social.comune.example.it", ""},
		{"PIAZZA_PUBLIC_URL", "https://", ""},
		{"PIAZZA_PUBLIC_URL", "https://social.comune.example.it/?a=b", ""},
		{"PIAZZA_PUBLIC_URL", "https://social.comune.example.it/?", ""},
		{"PIAZZA_PUBLIC_URL", "https://social.comune.example.it/#top", ""},
		{"PIAZZA_PUBLIC_URL", "https://user:pw@social.comune.example.it/", ""},
		{"PIAZZA_PUBLIC_URL", "https://social comune/", ""},
		{"PIAZZA_SMTP_URL", "mail.example.org:587", ""},
		{"PIAZZA_SMTP_URL", "http://u:" + testPW + "@mail.example.org", testPW},
		{"PIAZZA_SMTP_URL", "smtp://u:" + testPW + "@:587", testPW},
		{"PIAZZA_SMTP_URL", "smtp://u:" + testPW + "%@mail.example.org", testPW},
		{"PIAZZA_MAIL_FROM", "piazza", ""},
		{"PIAZZA_MAIL_FROM", "a@b, c@d", ""},
		{"PIAZZA_DEFAULT_ORG", "Comune", ""},
		{"PIAZZA_DEFAULT_ORG", "-comune", ""},
		{"PIAZZA_DEFAULT_ORG", "comune_esempio", ""},
		{"PIAZZA_DEFAULT_ORG", strings.Repeat("a", 41), ""},
		{"PIAZZA_MAP_TILES", "tile.openstreetmap.org/{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_TILES", "ftp://tiles.example.it/{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_TILES", "https://tiles.example.it/{z}/{x}.png", ""},
		{"PIAZZA_MAP_TILES", "https://tiles.example.it/{z}/{x}/{y}/{style}.png", ""},
		{"PIAZZA_MAP_TILES", "https://tiles-{z}.example.it/{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_TILES", "https://tiles.{s}.example.it/{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_TILES", "https://user:pw@tiles.example.it/{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_TILES", "https://tiles.example.it/{z}/{x}/{y}.png#top", ""},
		{"PIAZZA_MAP_TILES", "https://tiles.example.it/{z}/{x}/{y}.png; script-src *", ""},
		{"PIAZZA_MAP_TILES", "https:///{z}/{x}/{y}.png", ""},
		{"PIAZZA_MAP_ATTRIBUTION", "OpenStreetMap\ncontributors", ""},
		{"PIAZZA_MAP_ATTRIBUTION", strings.Repeat("©", 301), ""},
		{"PIAZZA_ALLOW_PRIVATE_NETWORKS", "yes", ""},
		{"PIAZZA_LOG_LEVEL", "verbose", ""},
		{"PIAZZA_LOG_FORMAT", "xml", ""},
		{"PIAZZA_SESSION_LIFETIME", "12", ""},
		{"PIAZZA_SESSION_LIFETIME", "4m59s", ""},
		{"PIAZZA_SESSION_LIFETIME", "-1h", ""},
		{"PIAZZA_METRICS_TOKEN", "two words" + testPW, testPW},
		{"PIAZZA_METRICS_TOKEN", "line\nbreak" + testPW, testPW},
		{"PIAZZA_METRICS_TOKEN", "caffè" + testPW, testPW},
		{"PIAZZA_DEMO", "on", ""},
		{"PIAZZA_WORKERS", "0", ""},
		{"PIAZZA_WORKERS", "101", ""},
		{"PIAZZA_WORKERS", "four", ""},
		{"PIAZZA_SHUTDOWN_TIMEOUT", "0s", ""},
		{"PIAZZA_SHUTDOWN_TIMEOUT", "soon", ""},
		{"PIAZZA_SHUTDOWN_TIMEOUT", "1\n2s", ""},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			_, err := config.Load(envOf(map[string]string{tt.env: tt.value}))
			_ = wantError(t, err, tt.env, tt.secret)
		})
	}
}

// TestValidate covers values set by hand and the cross-field rules.
func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*config.Config)
		wantVar string // "" = valid
		secret  string
	}{
		{"defaults", func(*config.Config) {}, "", ""},
		{"postgres with key", func(c *config.Config) { c.DatabaseURL, c.SecretKey = pgURL, hexKey }, "", ""},
		{"postgres without key", func(c *config.Config) { c.DatabaseURL = pgURL }, "PIAZZA_SECRET_KEY", testPW},
		{"sqlite without key", func(c *config.Config) { c.DatabaseURL = "/srv/piazza.db" }, "", ""},
		{"empty listen", func(c *config.Config) { c.Listen = "" }, "PIAZZA_LISTEN", ""},
		{"bad database URL", func(c *config.Config) { c.DatabaseURL = "mysql://u:" + testPW + "@h/d" }, "PIAZZA_DATABASE_URL", testPW},
		{"empty data dir", func(c *config.Config) { c.DataDir = "" }, "PIAZZA_DATA_DIR", ""},
		{"bad key", func(c *config.Config) { c.SecretKey = testPW }, "PIAZZA_SECRET_KEY", testPW},
		{"bad public URL", func(c *config.Config) { c.PublicURL = "example.org" }, "PIAZZA_PUBLIC_URL", ""},
		{"bad SMTP URL", func(c *config.Config) { c.SMTPURL = "smtp://u:" + testPW + "@" }, "PIAZZA_SMTP_URL", testPW},
		{"empty mail from", func(c *config.Config) { c.MailFrom = "" }, "PIAZZA_MAIL_FROM", ""},
		{"bad org", func(c *config.Config) { c.DefaultOrg = "Demo" }, "PIAZZA_DEFAULT_ORG", ""},
		{"no map", func(c *config.Config) { c.MapTiles, c.MapAttribution = "", "" }, "", ""},
		{"bad tiles", func(c *config.Config) { c.MapTiles = "https://tiles.example.it/" }, "PIAZZA_MAP_TILES", ""},
		{"bad log level", func(c *config.Config) { c.LogLevel = "" }, "PIAZZA_LOG_LEVEL", ""},
		{"bad log format", func(c *config.Config) { c.LogFormat = "logfmt" }, "PIAZZA_LOG_FORMAT", ""},
		{"short session", func(c *config.Config) { c.SessionLifetime = time.Minute }, "PIAZZA_SESSION_LIFETIME", ""},
		{"bad token", func(c *config.Config) { c.MetricsToken = "a b" + testPW }, "PIAZZA_METRICS_TOKEN", testPW},
		{"no workers", func(c *config.Config) { c.Workers = 0 }, "PIAZZA_WORKERS", ""},
		{"no shutdown time", func(c *config.Config) { c.ShutdownTimeout = 0 }, "PIAZZA_SHUTDOWN_TIMEOUT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, nil)
			tt.change(c)
			err := c.Validate()
			if tt.wantVar == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			_ = wantError(t, err, tt.wantVar, tt.secret)
		})
	}
}

func parseFlags(t *testing.T, env map[string]string, args ...string) (*config.Config, error) {
	t.Helper()
	c := load(t, env)
	fs := flag.NewFlagSet("piazza", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	return c, fs.Parse(args)
}

func TestFlagsOverrideEnv(t *testing.T) {
	env := map[string]string{
		"PIAZZA_LISTEN":           ":9000",
		"PIAZZA_LOG_LEVEL":        "debug",
		"PIAZZA_DEMO":             "false",
		"PIAZZA_WORKERS":          "8",
		"PIAZZA_SECRET_KEY":       hexKey,
		"PIAZZA_SESSION_LIFETIME": "2h",
		"PIAZZA_METRICS_TOKEN":    "from-env",
	}
	keyFile := writeFile(t, stdKey+"\n")
	dbFile := writeFile(t, pgURL+"\n")
	c, err := parseFlags(t, env,
		"--listen", "127.0.0.1:9999", "--demo", "-workers=16", "--secret-key-file", keyFile,
		"--database-url-file", dbFile, "--session-lifetime", "1h", "--log-format", "json",
		"--allow-private-networks=false", "--default-org", "demo", "--map-tiles", "none")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := defaultConfig()
	want.Listen = "127.0.0.1:9999"
	want.LogLevel = "debug" // from env: no flag given
	want.LogFormat = "json"
	want.Demo = true
	want.Workers = 16
	want.SecretKey = stdKey
	want.DatabaseURL = pgURL
	want.SessionLifetime = time.Hour
	want.MetricsToken = "from-env"
	want.DefaultOrg = "demo"
	want.MapTiles = ""
	if *c != want {
		t.Errorf("after flags =\n%+v\nwant\n%+v", *c, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestFlagsNoArgsKeepEnv(t *testing.T) {
	env := map[string]string{"PIAZZA_LISTEN": ":9000", "PIAZZA_DEMO": "true", "PIAZZA_SESSION_LIFETIME": "90m"}
	c, err := parseFlags(t, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":9000" || !c.Demo || c.SessionLifetime != 90*time.Minute {
		t.Errorf("flags changed environment values: %+v", *c)
	}
}

func TestFlagNames(t *testing.T) {
	c := load(t, secretValues)
	fs := flag.NewFlagSet("piazza", flag.ContinueOnError)
	c.RegisterFlags(fs)
	for _, name := range []string{
		"listen", "database-url-file", "data-dir", "secret-key-file", "public-url", "smtp-url-file",
		"mail-from", "default-org", "map-tiles", "map-attribution", "allow-private-networks", "log-level", "log-format",
		"session-lifetime", "metrics-token-file", "demo", "workers", "shutdown-timeout",
	} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag -%s not registered", name)
		}
	}
	// A secret on the command line shows in ps: only the file form exists.
	for _, name := range []string{"database-url", "secret-key", "smtp-url", "metrics-token"} {
		if fs.Lookup(name) != nil {
			t.Errorf("flag -%s takes a secret on the command line", name)
		}
	}
	if got := fs.Lookup("listen").DefValue; got != ":8080" {
		t.Errorf("-listen default = %q, want :8080", got)
	}
	if got := fs.Lookup("session-lifetime").DefValue; got != "12h" {
		t.Errorf("-session-lifetime default = %q, want 12h", got)
	}
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	checkMessage(t, strings.ReplaceAll(help.String(), "\n", " "), testPW, stdKey)
	if !strings.Contains(help.String(), "PIAZZA_LISTEN") {
		t.Errorf("flag help does not name the variables:\n%s", help.String())
	}
}

func TestFlagsInvalid(t *testing.T) {
	tests := []struct {
		args   []string
		flag   string
		secret string
	}{
		{[]string{"--listen", "x"}, "listen", ""},
		{[]string{"--workers", "0"}, "workers", ""},
		{[]string{"--demo=maybe"}, "demo", ""},
		{[]string{"--session-lifetime", "1m"}, "session-lifetime", ""},
		{[]string{"--public-url", "example.org"}, "public-url", ""},
		{[]string{"--log-level", "trace"}, "log-level", ""},
		{[]string{"--secret-key-file", writeFile(t, testPW)}, "secret-key-file", testPW},
		{[]string{"--database-url-file", writeFile(t, "mysql://u:"+testPW+"@h/d")}, "database-url-file", testPW},
		{[]string{"--smtp-url-file", writeFile(t, "smtp://u:"+testPW+"@")}, "smtp-url-file", testPW},
		{[]string{"--metrics-token-file", writeFile(t, "a b "+testPW)}, "metrics-token-file", testPW},
		{[]string{"--secret-key-file", filepath.Join(t.TempDir(), "missing")}, "secret-key-file", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseFlags(t, nil, tt.args...)
			if err == nil {
				t.Fatal("Parse accepted an invalid value")
			}
			if !strings.Contains(err.Error(), "-"+tt.flag) {
				t.Errorf("error %q does not name -%s", err, tt.flag)
			}
			checkMessage(t, err.Error(), tt.secret)
		})
	}
}

func TestWriteRedacts(t *testing.T) {
	env := map[string]string{
		"PIAZZA_DATABASE_URL":  pgURL,
		"PIAZZA_SECRET_KEY":    hexKey,
		"PIAZZA_SMTP_URL":      smtpURL,
		"PIAZZA_METRICS_TOKEN": "metrics-" + testPW,
		"PIAZZA_LISTEN":        ":9000",
	}
	c := load(t, env)
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, secret := range []string{testPW, hexKey, "metrics-"} {
		if strings.Contains(got, secret) {
			t.Errorf("Write reveals %q:\n%s", secret, got)
		}
	}
	for _, line := range []string{
		"PIAZZA_LISTEN=:9000",
		"PIAZZA_DATABASE_URL=postgres://piazza:********@db.example.org:5432/piazza?sslmode=require",
		"PIAZZA_SECRET_KEY=********",
		"PIAZZA_SMTP_URL=smtps://newsroom:********@mail.example.org:465",
		"PIAZZA_METRICS_TOKEN=********",
		"PIAZZA_MAIL_FROM=Piazza <piazza@localhost>",
		"PIAZZA_SESSION_LIFETIME=12h",
		"PIAZZA_DEMO=false",
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("Write lacks line %q:\n%s", line, got)
		}
	}
	if n := strings.Count(got, "\n"); n != len(c.Settings()) {
		t.Errorf("Write printed %d lines, want one per setting (%d)", n, len(c.Settings()))
	}

	// Unset secrets print empty, so "not set" and "set" stay distinguishable.
	out.Reset()
	if err := load(t, nil).Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "PIAZZA_SECRET_KEY=\n") {
		t.Errorf("unset secret not printed empty:\n%s", out.String())
	}
}

func TestWriteError(t *testing.T) {
	if err := load(t, nil).Write(failingWriter{}); err == nil {
		t.Error("Write ignored the writer's error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDatabaseURLRedacted(t *testing.T) {
	tests := []struct{ url, want string }{
		{pgURL, "postgres://piazza:********@db.example.org:5432/piazza?sslmode=require"},
		{"postgres://piazza@db/piazza", "postgres://piazza@db/piazza"},
		{"postgres://db/piazza?user=piazza&password=" + testPW, "postgres://db/piazza?user=piazza&password=********"},
		{"postgres://db/piazza?sslpassword=" + testPW + "&sslmode=verify-full", "postgres://db/piazza?sslpassword=********&sslmode=verify-full"},
		{"postgres://db/piazza?pass%77ord=" + testPW, "postgres://db/piazza?pass%77ord=********"},
		{"postgresql://u:" + testPW + "@[::1]:5432/piazza", "postgresql://u:********@[::1]:5432/piazza"},
		{"/srv/piazza/piazza.db", "/srv/piazza/piazza.db"},
		// Set by hand, unparsable: hidden whole.
		{"postgres://u:" + testPW + "%zz@db/piazza", "********"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := load(t, nil)
			c.DatabaseURL = tt.url
			for _, s := range c.Settings() {
				if s.Env != "PIAZZA_DATABASE_URL" {
					continue
				}
				if s.Value != tt.want {
					t.Errorf("Value = %q, want %q", s.Value, tt.want)
				}
				if !s.Secret {
					t.Error("database URL not marked secret")
				}
			}
		})
	}
}

func TestSettings(t *testing.T) {
	c := load(t, secretValues)
	settings := c.Settings()
	wantEnv := []string{
		"PIAZZA_LISTEN", "PIAZZA_DATABASE_URL", "PIAZZA_DATA_DIR", "PIAZZA_SECRET_KEY",
		"PIAZZA_PUBLIC_URL", "PIAZZA_SMTP_URL", "PIAZZA_IMAP_URL", "PIAZZA_IMAP_ORG", "PIAZZA_MAIL_FROM", "PIAZZA_DEFAULT_ORG",
		"PIAZZA_MAP_TILES", "PIAZZA_MAP_ATTRIBUTION",
		"PIAZZA_ALLOW_PRIVATE_NETWORKS", "PIAZZA_LOG_LEVEL", "PIAZZA_LOG_FORMAT",
		"PIAZZA_SESSION_LIFETIME", "PIAZZA_METRICS_TOKEN", "PIAZZA_DEMO", "PIAZZA_WORKERS",
		"PIAZZA_SHUTDOWN_TIMEOUT",
	}
	if len(settings) != len(wantEnv) {
		t.Fatalf("%d settings, want %d", len(settings), len(wantEnv))
	}
	fs := flag.NewFlagSet("piazza", flag.ContinueOnError)
	c.RegisterFlags(fs)
	flags := map[string]bool{}
	for i, s := range settings {
		if s.Env != wantEnv[i] {
			t.Errorf("setting %d is %s, want %s", i, s.Env, wantEnv[i])
		}
		if fs.Lookup(s.Flag) == nil {
			t.Errorf("%s: flag %q not registered", s.Env, s.Flag)
		}
		if flags[s.Flag] {
			t.Errorf("%s: flag %q used twice", s.Env, s.Flag)
		}
		flags[s.Flag] = true
		if s.Help == "" || strings.ContainsAny(s.Help, "\r\n") {
			t.Errorf("%s: help %q is not one line", s.Env, s.Help)
		}
		if _, isSecret := secretValues[s.Env]; s.Secret != isSecret {
			t.Errorf("%s: Secret = %v, want %v", s.Env, s.Secret, isSecret)
		}
		if s.Secret && strings.Contains(s.Value, testPW) {
			t.Errorf("%s: Value %q reveals the secret", s.Env, s.Value)
		}
	}
	defaults := map[string]string{}
	for _, s := range settings {
		defaults[s.Env] = s.Default
	}
	for env, want := range map[string]string{
		"PIAZZA_LISTEN": ":8080", "PIAZZA_DATA_DIR": "./data", "PIAZZA_DATABASE_URL": "",
		"PIAZZA_LOG_LEVEL": "info", "PIAZZA_WORKERS": "4", "PIAZZA_SHUTDOWN_TIMEOUT": "20s",
		"PIAZZA_SESSION_LIFETIME": "12h", "PIAZZA_DEMO": "false",
		"PIAZZA_MAP_TILES": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "PIAZZA_MAP_ATTRIBUTION": "© OpenStreetMap contributors",
	} {
		if defaults[env] != want {
			t.Errorf("%s: Default = %q, want %q", env, defaults[env], want)
		}
	}
	// Every default must load back to the default configuration.
	env := map[string]string{}
	for _, s := range settings {
		env[s.Env] = s.Default
	}
	if got, want := *load(t, env), defaultConfig(); got != want {
		t.Errorf("defaults do not round-trip: %+v", got)
	}
}

func TestDatabaseEngine(t *testing.T) {
	tests := []struct {
		url, dataDir string
		postgres     bool
		sqlitePath   string
	}{
		{"", "./data", false, filepath.Join("data", "piazza.db")},
		{"", "/var/lib/piazza", false, "/var/lib/piazza/piazza.db"},
		{"/srv/other.db", "/var/lib/piazza", false, "/srv/other.db"},
		{"piazza.db", "./data", false, "piazza.db"},
		{pgURL, "/var/lib/piazza", true, "/var/lib/piazza/piazza.db"},
		{"postgresql://db/piazza", "./data", true, filepath.Join("data", "piazza.db")},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c := load(t, map[string]string{"PIAZZA_DATABASE_URL": tt.url, "PIAZZA_DATA_DIR": tt.dataDir})
			if c.IsPostgres() != tt.postgres {
				t.Errorf("IsPostgres = %v, want %v", c.IsPostgres(), tt.postgres)
			}
			if got := c.SQLitePath(); got != tt.sqlitePath {
				t.Errorf("SQLitePath = %q, want %q", got, tt.sqlitePath)
			}
		})
	}
}

func TestErrorOneLine(t *testing.T) {
	err := &config.Error{Var: "PIAZZA_X", Msg: "first\nsecond\r\n third"}
	if got, want := err.Error(), "PIAZZA_X: first second third"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// secretMark starts every secret the fuzzer builds; no output may show it.
const secretMark = "QQSECRETQQ"

func FuzzLoad(f *testing.F) {
	f.Add(":8080", "", "pw", "db.example.org", "https://example.org", "12h", "k", "4", "true")
	f.Add("x", "mysql://a:b@c/d", "p@ss/w?rd#", "h:1", "ftp://x", "-1h", hexKey, "0", "maybe")
	f.Add("[::1]:80", "postgres://", "", "", "http://[::1", "5m", stdKey, "100", "1")
	f.Add("\n", "postgres://u:p@h/d?password=x", "\x00", "\n", "https://a/?b#c", "1\n", "\n", "\n", "\n")
	f.Fuzz(func(t *testing.T, listen, dbURL, password, host, publicURL, lifetime, key, workers, demo string) {
		envs := []map[string]string{
			{
				"PIAZZA_LISTEN":           listen,
				"PIAZZA_DATABASE_URL":     dbURL,
				"PIAZZA_PUBLIC_URL":       publicURL,
				"PIAZZA_SESSION_LIFETIME": lifetime,
				"PIAZZA_WORKERS":          workers,
				"PIAZZA_DEMO":             demo,
				"PIAZZA_DEFAULT_ORG":      host,
				"PIAZZA_MAIL_FROM":        host,
			},
			{
				"PIAZZA_DATABASE_URL":  "postgres://piazza:" + secretMark + password + "@" + host + "/piazza",
				"PIAZZA_SMTP_URL":      "smtp://piazza:" + secretMark + password + "@" + host,
				"PIAZZA_SECRET_KEY":    secretMark + key,
				"PIAZZA_METRICS_TOKEN": secretMark + password,
			},
			{
				"PIAZZA_DATABASE_URL": "postgres://db/piazza?password=" + secretMark + password + "&host=" + host,
				"PIAZZA_SECRET_KEY":   key,
			},
		}
		for _, env := range envs {
			c, err := config.Load(envOf(env))
			if err != nil {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("error %q is not a *config.Error", err)
				}
				checkMessage(t, err.Error(), secretMark)
				continue
			}
			if err := c.Validate(); err != nil {
				checkMessage(t, err.Error(), secretMark)
			}
			var out bytes.Buffer
			if err := c.Write(&out); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), secretMark) {
				t.Fatalf("Write reveals a secret:\n%s", out.String())
			}
			if n := strings.Count(out.String(), "\n"); n != len(c.Settings()) {
				t.Fatalf("Write printed %d lines for %d settings:\n%s", n, len(c.Settings()), out.String())
			}
		}
	})
}

// TestMapTilesNone: an empty variable means "not set" (the default
// server), so the map is turned off by the word none, which is also how
// `piazza config` prints it and how it loads back.
func TestMapTilesNone(t *testing.T) {
	c := load(t, map[string]string{"PIAZZA_MAP_TILES": "none"})
	if c.MapTiles != "" {
		t.Fatalf("MapTiles = %q, want empty (no map)", c.MapTiles)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "PIAZZA_MAP_TILES=none\n") {
		t.Fatalf("Write does not say none:\n%s", out.String())
	}
	if again := load(t, map[string]string{"PIAZZA_MAP_TILES": "none"}); again.MapTiles != "" {
		t.Errorf("none does not load back to no map: %q", again.MapTiles)
	}
	if def := load(t, map[string]string{"PIAZZA_MAP_TILES": ""}); def.MapTiles != config.DefaultMapTiles {
		t.Errorf("empty PIAZZA_MAP_TILES = %q, want the default %q", def.MapTiles, config.DefaultMapTiles)
	}
}
