// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package config

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// spec ties one setting to its variable, its help and its parser. Load,
// RegisterFlags, Validate and Settings all walk the same table, so a new
// setting is one entry here.
type spec struct {
	env       string
	help      string
	secret    bool // read from env+"_FILE" too; flag only in the file form; redacted
	redactURL bool // a secret URL printed with only its password hidden
	isBool    bool
	get       func(*Config) string
	// set parses and checks one value and stores it. Its error is the
	// message of an *Error and never quotes a secret.
	set func(*Config, string) error
}

var specs = []spec{
	{
		env:  "PIAZZA_LISTEN",
		help: "Address the web server listens on, host:port",
		get:  func(c *Config) string { return c.Listen },
		set: func(c *Config, v string) error {
			if err := checkListen(v); err != nil {
				return err
			}
			c.Listen = v
			return nil
		},
	},
	{ //nolint:gosec // G101: the help text shows an example URL, not a credential
		env:       "PIAZZA_DATABASE_URL",
		help:      "Database URL: empty or a file path for the embedded SQLite, postgres://user:password@host/db for PostgreSQL",
		secret:    true,
		redactURL: true,
		get:       func(c *Config) string { return c.DatabaseURL },
		set: func(c *Config, v string) error {
			v, err := parseDatabaseURL(v)
			if err != nil {
				return err
			}
			c.DatabaseURL = v
			return nil
		},
	},
	{
		env:  "PIAZZA_DATA_DIR",
		help: "Directory for the SQLite database and generated keys",
		get:  func(c *Config) string { return c.DataDir },
		set: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		},
	},
	{
		env:    "PIAZZA_SECRET_KEY",
		help:   "Key that encrypts stored credentials, 32 bytes as base64 or 64 hex characters; required with PostgreSQL",
		secret: true,
		get:    func(c *Config) string { return c.SecretKey },
		set: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if v != "" && !validSecretKey(v) {
				return errors.New("must be 32 bytes written as base64 or as 64 hex characters; generate one with: piazza keygen")
			}
			c.SecretKey = v
			return nil
		},
	},
	{
		env:  "PIAZZA_PUBLIC_URL",
		help: "Address the outside world reaches, e.g. https://social.comune.example.it; empty = http://localhost:PORT",
		get:  func(c *Config) string { return c.PublicURL },
		set: func(c *Config, v string) error {
			if err := checkPublicURL(v); err != nil {
				return err
			}
			c.PublicURL = v
			return nil
		},
	},
	{ //nolint:gosec // G101: the help text shows an example URL, not a credential
		env:       "PIAZZA_SMTP_URL",
		help:      "Mail server, smtp://user:password@host:587 or smtps://user:password@host:465; empty = mail only logged",
		secret:    true,
		redactURL: true,
		get:       func(c *Config) string { return c.SMTPURL },
		set: func(c *Config, v string) error {
			if err := checkSMTPURL(v); err != nil {
				return err
			}
			c.SMTPURL = v
			return nil
		},
	},
	{ //nolint:gosec // G101: the help text shows an example URL, not a credential
		env:       "PIAZZA_IMAP_URL",
		help:      "The citizen desk's mailbox, imaps://user:password@host:993/INBOX (or imap:// with STARTTLS); empty = no email in the desk",
		secret:    true,
		redactURL: true,
		get:       func(c *Config) string { return c.IMAPURL },
		set: func(c *Config, v string) error {
			if err := checkIMAPURL(v); err != nil {
				return err
			}
			c.IMAPURL = v
			return nil
		},
	},
	{
		env:  "PIAZZA_IMAP_ORG",
		help: "Slug of the organisation whose desk receives the mailbox's messages; empty = the default or only organisation",
		get:  func(c *Config) string { return c.IMAPOrg },
		set: func(c *Config, v string) error {
			c.IMAPOrg = v
			return nil
		},
	},
	{
		env:  "PIAZZA_MAIL_FROM",
		help: "Sender of system mail, e.g. Comune di Esempio <social@comune.example.it>",
		get:  func(c *Config) string { return c.MailFrom },
		set: func(c *Config, v string) error {
			if _, err := mail.ParseAddress(v); err != nil {
				return fmt.Errorf("invalid mail address %s: %v", quote(v), strings.TrimPrefix(err.Error(), "mail: "))
			}
			c.MailFrom = v
			return nil
		},
	},
	{
		env:  "PIAZZA_DEFAULT_ORG",
		help: "Slug of the organisation whose public pages also answer without the /o/{slug} prefix",
		get:  func(c *Config) string { return c.DefaultOrg },
		set: func(c *Config, v string) error {
			if v != "" && !slugPattern.MatchString(v) {
				return fmt.Errorf("invalid organisation slug %s (lowercase letters, digits and '-', at most 40)", quote(v))
			}
			c.DefaultOrg = v
			return nil
		},
	},
	{
		env:  "PIAZZA_MAP_TILES",
		help: "Tile server of the map that draws an incident's area, a URL template with {z}, {x} and {y}; none = no map, the area is typed",
		get: func(c *Config) string {
			if c.MapTiles == "" {
				return mapTilesNone
			}
			return c.MapTiles
		},
		set: func(c *Config, v string) error {
			v, err := parseMapTiles(v)
			if err != nil {
				return err
			}
			c.MapTiles = v
			return nil
		},
	},
	{
		env:  "PIAZZA_MAP_ATTRIBUTION",
		help: "Credit the map shows for its tiles, as the tile server's terms ask",
		get:  func(c *Config) string { return c.MapAttribution },
		set: func(c *Config, v string) error {
			v = strings.TrimSpace(v)
			if utf8.RuneCountInString(v) > 300 || strings.ContainsFunc(v, unicode.IsControl) {
				return errors.New("must be one line of text, at most 300 characters")
			}
			c.MapAttribution = v
			return nil
		},
	},
	{
		env:    "PIAZZA_ALLOW_PRIVATE_NETWORKS",
		help:   "Let outbound calls reach private and loopback addresses (tests, intranet instances)",
		isBool: true,
		get:    func(c *Config) string { return strconv.FormatBool(c.AllowPrivateNetworks) },
		set:    func(c *Config, v string) error { return parseBool(v, &c.AllowPrivateNetworks) },
	},
	{
		env:  "PIAZZA_LOG_LEVEL",
		help: "Log level: debug, info, warn or error",
		get:  func(c *Config) string { return c.LogLevel },
		set: func(c *Config, v string) error {
			return parseChoice(v, &c.LogLevel, "log level", "debug", "info", "warn", "error")
		},
	},
	{
		env:  "PIAZZA_LOG_FORMAT",
		help: "Log format: text or json",
		get:  func(c *Config) string { return c.LogFormat },
		set: func(c *Config, v string) error {
			return parseChoice(v, &c.LogFormat, "log format", "text", "json")
		},
	},
	{
		env:  "PIAZZA_SESSION_LIFETIME",
		help: "How long a login lasts, at least 5m",
		get:  func(c *Config) string { return formatDuration(c.SessionLifetime) },
		set:  func(c *Config, v string) error { return parseDuration(v, 5*time.Minute, &c.SessionLifetime) },
	},
	{
		env:    "PIAZZA_METRICS_TOKEN",
		help:   "Bearer token that /metrics requires when set",
		secret: true,
		get:    func(c *Config) string { return c.MetricsToken },
		set: func(c *Config, v string) error {
			for _, r := range v {
				if r <= ' ' || r >= 0x7f {
					return errors.New("must be printable ASCII without spaces, since it travels in an HTTP header")
				}
			}
			c.MetricsToken = v
			return nil
		},
	},
	{
		env:    "PIAZZA_DEMO",
		help:   "Create the demo organisation if missing and run the sandbox platforms",
		isBool: true,
		get:    func(c *Config) string { return strconv.FormatBool(c.Demo) },
		set:    func(c *Config, v string) error { return parseBool(v, &c.Demo) },
	},
	{
		env:  "PIAZZA_WORKERS",
		help: "Maximum workers per job lane, 1 to 100",
		get:  func(c *Config) string { return strconv.Itoa(c.Workers) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return fmt.Errorf("invalid number of workers %s (want 1 to 100)", quote(v))
			}
			c.Workers = n
			return nil
		},
	},
	{
		env:  "PIAZZA_SHUTDOWN_TIMEOUT",
		help: "How long shutdown waits for requests and jobs to finish",
		get:  func(c *Config) string { return formatDuration(c.ShutdownTimeout) },
		set:  func(c *Config, v string) error { return parseDuration(v, time.Second, &c.ShutdownTimeout) },
	},
}

// slugPattern is the rule of org.ValidSlug, repeated so that config does not
// depend on a domain package.
var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

func checkListen(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			err = errors.New(ae.Err) // AddrError repeats the address
		}
		return fmt.Errorf("invalid address %s: %v (want host:port, e.g. :8080)", quote(v), err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid address %s: port must be a number from 0 to 65535", quote(v))
	}
	return nil
}

// parseDatabaseURL returns v with the scheme of a PostgreSQL URL in lower
// case, the form store recognises.
func parseDatabaseURL(v string) (string, error) {
	scheme, ok := urlScheme(v)
	if !ok {
		return v, nil // a SQLite file path
	}
	if !isPostgresScheme(scheme) {
		return "", fmt.Errorf("unsupported scheme %s: use postgres://… for PostgreSQL, or a plain file path (or nothing) for the embedded SQLite", quote(scheme))
	}
	rest := v[len(scheme):]
	if !strings.HasPrefix(rest, "://") {
		return "", errors.New("a PostgreSQL URL starts with postgres://")
	}
	v = strings.ToLower(scheme) + rest
	u, err := url.Parse(v)
	if err != nil {
		// url.Error quotes the URL, password included: say only what to fix.
		return "", errors.New("not a valid PostgreSQL URL (special characters in the user name and password must be percent-encoded)")
	}
	// host=/run/postgresql in the query selects a Unix socket.
	if u.Hostname() == "" && u.Query().Get("host") == "" {
		return "", errors.New("the PostgreSQL URL has no host (want postgres://user:password@host:5432/database)")
	}
	return v, nil
}

func checkSMTPURL(v string) error {
	if v == "" {
		return nil
	}
	scheme, ok := urlScheme(v)
	if !ok || !strings.HasPrefix(v[len(scheme):], "://") {
		return errors.New("must start with smtp:// or smtps://")
	}
	if s := strings.ToLower(scheme); s != "smtp" && s != "smtps" {
		return fmt.Errorf("unsupported scheme %s (want smtp or smtps)", quote(scheme))
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("not a valid SMTP URL (special characters in the user name and password must be percent-encoded)")
	}
	if u.Hostname() == "" {
		return errors.New("the SMTP URL has no host (want smtp://user:password@host:587)")
	}
	return nil
}

func checkIMAPURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		return errors.New("not a valid IMAP URL (special characters in the user name and password must be percent-encoded)")
	}
	if s := strings.ToLower(u.Scheme); s != "imap" && s != "imaps" {
		return errors.New("must start with imaps:// or imap://")
	}
	if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
		return errors.New("the IMAP URL needs a user and a host (want imaps://user:password@host:993/INBOX)")
	}
	return nil
}

func checkPublicURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %s: want an absolute http:// or https:// URL, e.g. https://social.comune.example.it", quote(v))
	}
	if u.User != nil {
		return fmt.Errorf("invalid URL %s: must not contain a user name or password", quote(v))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#") {
		return fmt.Errorf("invalid URL %s: must not have a query or a fragment", quote(v))
	}
	return nil
}

// mapTilesNone is how PIAZZA_MAP_TILES turns the map off: an empty
// variable means "not set", hence the default server.
const mapTilesNone = "none"

// tilePlaceholders are the variables Leaflet fills in a tile URL; any
// other {name} would make it throw on the page.
var tilePlaceholder = regexp.MustCompile(`\{[^{}]*\}`)

var knownTilePlaceholders = map[string]bool{"{z}": true, "{x}": true, "{y}": true, "{-y}": true, "{s}": true, "{r}": true}

// parseMapTiles checks a tile URL template the way the browser will use
// it: an absolute http(s) URL whose host is fixed, except for a {s}
// subdomain in front (the Content-Security-Policy then allows *.host).
// "none" and "" give "", no map.
func parseMapTiles(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, mapTilesNone) {
		return "", nil
	}
	for _, p := range tilePlaceholder.FindAllString(v, -1) {
		if !knownTilePlaceholders[p] {
			return "", fmt.Errorf("invalid tile URL %s: unknown placeholder %s (use {z}, {x}, {y}, {-y}, {s}, {r})", quote(v), p)
		}
	}
	if !strings.Contains(v, "{z}") || !strings.Contains(v, "{x}") || (!strings.Contains(v, "{y}") && !strings.Contains(v, "{-y}")) {
		return "", fmt.Errorf("invalid tile URL %s: want {z}, {x} and {y}, e.g. %s, or none", quote(v), DefaultMapTiles)
	}
	sample := strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{-y}", "0", "{r}", "").Replace(v)
	u, err := url.Parse(sample)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || strings.ContainsAny(v, " \t\"'<>`") {
		return "", fmt.Errorf("invalid tile URL %s: want an absolute http:// or https:// URL template, e.g. %s, or none", quote(v), DefaultMapTiles)
	}
	if u.User != nil || u.Fragment != "" || strings.Contains(v, "#") {
		return "", fmt.Errorf("invalid tile URL %s: must not contain a user name, a password or a fragment", quote(v))
	}
	// The host goes into the Content-Security-Policy: only {s} in front.
	_, afterScheme, _ := strings.Cut(v, "://")
	host, _, _ := strings.Cut(afterScheme, "/")
	host, _, _ = strings.Cut(host, "?")
	if strings.Contains(strings.TrimPrefix(host, "{s}."), "{") {
		return "", fmt.Errorf("invalid tile URL %s: the host may hold only a {s} subdomain in front", quote(v))
	}
	return v, nil
}

// validSecretKey follows auth.ParseSecretKey: hex first, since 64 hex
// characters are also valid base64 (of 48 bytes).
func validSecretKey(v string) bool {
	if len(v) == 64 {
		if _, err := hex.DecodeString(v); err == nil {
			return true
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err := enc.Strict().DecodeString(v); err == nil && len(key) == 32 {
			return true
		}
	}
	return false
}

func parseBool(v string, dst *bool) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("invalid boolean %s (want true or false)", quote(v))
	}
	*dst = b
	return nil
}

func parseChoice(v string, dst *string, what string, choices ...string) error {
	lv := strings.ToLower(v)
	for _, c := range choices {
		if lv == c {
			*dst = c
			return nil
		}
	}
	return fmt.Errorf("invalid %s %s (want %s)", what, quote(v), strings.Join(choices, ", "))
}

func parseDuration(v string, minimum time.Duration, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("invalid duration %s (examples: 30s, 15m, 12h)", quote(v))
	}
	if d < minimum {
		return fmt.Errorf("duration %s is shorter than the minimum of %s", quote(v), formatDuration(minimum))
	}
	*dst = d
	return nil
}

// formatDuration writes 12h rather than time's 12h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// schemePattern finds the scheme of something URL-shaped. It wants "://",
// so a Windows drive (C:\piazza.db) stays a path, except for file:, sqlite:
// and postgres:, which would otherwise become oddly named SQLite files.
var schemePattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://|^((?i:file|sqlite3?|postgres(?:ql)?)):`)

// urlScheme returns the scheme of v when v looks like a URL rather than a
// file path.
func urlScheme(v string) (string, bool) {
	m := schemePattern.FindStringSubmatch(v)
	switch {
	case m == nil:
		return "", false
	case m[1] != "":
		return m[1], true
	default:
		return m[2], true
	}
}

func isPostgresScheme(s string) bool {
	return strings.EqualFold(s, "postgres") || strings.EqualFold(s, "postgresql")
}

// redactURL replaces the password of a URL, in the user info or in a
// password parameter (libpq accepts both), keeping host and database
// visible; an unparsable URL is hidden whole.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return redacted
	}
	// url escapes '*' in user info, so mark the spot and replace it after.
	const mark = "piazza-redacted-password"
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), mark)
		}
	}
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		for i, p := range params {
			key, _, _ := strings.Cut(p, "=")
			if k, err := url.QueryUnescape(key); err != nil || strings.Contains(strings.ToLower(k), "password") {
				params[i] = key + "=" + mark
			}
		}
		u.RawQuery = strings.Join(params, "&")
	}
	u.Fragment, u.RawFragment = "", ""
	return strings.ReplaceAll(u.String(), mark, redacted)
}
