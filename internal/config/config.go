// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package config reads Piazza's settings from PIAZZA_* environment variables,
// lets command-line flags override them, and prints them with secrets
// redacted for `piazza config`.
//
// Every secret can also come from a file named by PIAZZA_X_FILE (Docker and
// systemd credentials), and on the command line only in that form, because a
// secret given as a flag shows in ps. The package keeps no global state: the
// caller owns the *Config and passes it on.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Config is the whole configuration of one Piazza process.
type Config struct {
	Listen               string        // PIAZZA_LISTEN
	DatabaseURL          string        // PIAZZA_DATABASE_URL: "" or a path = SQLite, postgres:// = PostgreSQL (secret)
	DataDir              string        // PIAZZA_DATA_DIR
	SecretKey            string        // PIAZZA_SECRET_KEY: AES-GCM key for credentials at rest (secret)
	PublicURL            string        // PIAZZA_PUBLIC_URL: "" = derived from Listen
	SMTPURL              string        // PIAZZA_SMTP_URL: "" = mail logged, not sent (secret)
	MailFrom             string        // PIAZZA_MAIL_FROM
	IMAPURL              string        // PIAZZA_IMAP_URL: the desk's mailbox, "" = none (secret)
	IMAPOrg              string        // PIAZZA_IMAP_ORG: organisation slug the mailbox belongs to
	DefaultOrg           string        // PIAZZA_DEFAULT_ORG: organisation slug served without /o/{slug}
	MapTiles             string        // PIAZZA_MAP_TILES: tile URL template of the incident map, "" = no map ("none")
	MapAttribution       string        // PIAZZA_MAP_ATTRIBUTION: credit shown on the map, as the tile server asks
	AllowPrivateNetworks bool          // PIAZZA_ALLOW_PRIVATE_NETWORKS
	LogLevel             string        // PIAZZA_LOG_LEVEL: debug|info|warn|error
	LogFormat            string        // PIAZZA_LOG_FORMAT: text|json
	SessionLifetime      time.Duration // PIAZZA_SESSION_LIFETIME
	MetricsToken         string        // PIAZZA_METRICS_TOKEN: bearer token for /metrics (secret)
	Demo                 bool          // PIAZZA_DEMO
	Workers              int           // PIAZZA_WORKERS: max workers per job lane
	ShutdownTimeout      time.Duration // PIAZZA_SHUTDOWN_TIMEOUT
}

// Setting describes one setting and its current value, for `piazza config`
// and for the README table.
type Setting struct {
	Env     string // environment variable, e.g. "PIAZZA_LISTEN"
	Flag    string // flag name without dashes, e.g. "listen"; for secrets the file form, e.g. "secret-key-file"
	Value   string // current value; secrets redacted (URLs keep everything but the password)
	Secret  bool   // the value may come from Env+"_FILE" and is never printed
	Default string // default value, "" when none
	Help    string // one English line
}

// Error is an invalid setting. Var names the environment variable (or its
// _FILE form when that file is the problem); Msg never contains a secret.
type Error struct {
	Var string
	Msg string
}

// Error returns one line, so the CLI can print it as is before exiting 2.
func (e *Error) Error() string {
	return strings.Join(strings.Fields(e.Var+": "+e.Msg), " ")
}

// The incident map's tiles by default: OpenStreetMap's own server, whose
// usage policy (https://operations.osmfoundation.org/policies/tiles/) fits
// a newsroom's occasional drawing, with the credit it requires.
const (
	DefaultMapTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultMapAttribution = "© OpenStreetMap contributors"
)

// redacted replaces secret values in every output.
const redacted = "********"

// maxSecretFile bounds _FILE reads, so pointing one at /dev/zero or a log
// fails fast instead of filling memory.
const maxSecretFile = 64 << 10

func defaults() Config {
	return Config{
		Listen:          ":8080",
		DataDir:         "./data",
		MailFrom:        "Piazza <piazza@localhost>",
		MapTiles:        DefaultMapTiles,
		MapAttribution:  DefaultMapAttribution,
		LogLevel:        "info",
		LogFormat:       "text",
		SessionLifetime: 12 * time.Hour,
		Workers:         4,
		ShutdownTimeout: 20 * time.Second,
	}
}

// Load returns the defaults overridden by the environment, read through
// lookupEnv (os.LookupEnv when nil). An empty variable counts as unset. Each
// value is checked on its own; cross-field checks wait for Validate, after
// flags had their say. Errors are *Error.
func Load(lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	c := defaults()
	for i := range specs {
		s := &specs[i]
		v, fromFile, err := s.lookup(lookupEnv)
		if err != nil {
			return nil, err
		}
		if v == "" {
			continue
		}
		if err := s.set(&c, v); err != nil {
			msg := err.Error()
			if fromFile != "" {
				msg += " (read from " + fromFile + ")"
			}
			return nil, &Error{Var: s.env, Msg: msg}
		}
	}
	return &c, nil
}

// lookup returns the value of s from the environment, reading the _FILE
// variant of a secret; fromFile names that variant when it was used.
func (s *spec) lookup(lookupEnv func(string) (string, bool)) (v, fromFile string, err error) {
	v, _ = lookupEnv(s.env)
	if !s.secret {
		return v, "", nil
	}
	fileVar := s.env + "_FILE"
	path, _ := lookupEnv(fileVar)
	if path == "" {
		return v, "", nil
	}
	if v != "" {
		return "", "", &Error{Var: s.env, Msg: "set either " + s.env + " or " + fileVar + ", not both"}
	}
	v, err = readSecretFile(path)
	if err != nil {
		return "", "", &Error{Var: fileVar, Msg: err.Error()}
	}
	return v, fileVar, nil
}

// readSecretFile reads a secret from path, without the trailing newline
// that editors and `echo` add.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", quote(path), pathErr(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", quote(path), pathErr(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("file %s is larger than %d KiB", quote(path), maxSecretFile>>10)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("file %s is empty", quote(path))
	}
	return v, nil
}

// pathErr drops the path that *fs.PathError repeats.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Validate checks every value again (a caller may have changed fields by
// hand) and the rules that involve more than one setting. Errors are *Error.
func (c *Config) Validate() error {
	for i := range specs {
		s := &specs[i]
		scratch := *c
		if err := s.set(&scratch, s.get(c)); err != nil {
			return &Error{Var: s.env, Msg: err.Error()}
		}
	}
	if c.IsPostgres() && c.SecretKey == "" {
		return &Error{Var: "PIAZZA_SECRET_KEY", Msg: "required with PostgreSQL, since every instance must decrypt the same credentials; generate one with: piazza keygen"}
	}
	return nil
}

// IsPostgres reports whether DatabaseURL names a PostgreSQL server.
func (c *Config) IsPostgres() bool {
	scheme, ok := urlScheme(c.DatabaseURL)
	return ok && isPostgresScheme(scheme)
}

// SQLitePath returns the SQLite database file: DatabaseURL when it is a path,
// otherwise piazza.db in DataDir.
func (c *Config) SQLitePath() string {
	if c.DatabaseURL != "" && !c.IsPostgres() {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "piazza.db")
}

// Settings lists every setting in a stable order, secrets redacted.
func (c *Config) Settings() []Setting {
	def := defaults()
	out := make([]Setting, 0, len(specs))
	for i := range specs {
		s := &specs[i]
		out = append(out, Setting{
			Env:     s.env,
			Flag:    s.flagName(),
			Value:   s.display(c),
			Secret:  s.secret,
			Default: s.display(&def),
			Help:    s.help,
		})
	}
	return out
}

// Write prints one PIAZZA_X=value line per setting, secrets redacted.
func (c *Config) Write(w io.Writer) error {
	var b strings.Builder
	for _, s := range c.Settings() {
		v := s.Value
		// Keep one setting per line whatever a path contains.
		if strings.ContainsFunc(v, unicode.IsControl) {
			v = strconv.Quote(v)
		}
		b.WriteString(s.Env + "=" + v + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RegisterFlags adds one flag per setting to fs, named after the variable
// (PIAZZA_DATA_DIR becomes -data-dir). Secrets get only the file form
// (-secret-key-file), so they never show in ps. Each flag's default is the
// current value, so parsing after Load lets flags override the environment;
// values given by flag get the same checks as the environment's.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	for i := range specs {
		s := &specs[i]
		switch {
		case s.secret:
			fs.Var(&secretFileFlag{c: c, s: s}, s.flagName(), "file holding the "+lowerFirst(s.help)+" (or "+s.env+")")
		case s.isBool:
			fs.Var(&boolFlag{settingFlag{c: c, s: s}}, s.flagName(), s.help+" ("+s.env+")")
		default:
			fs.Var(&settingFlag{c: c, s: s}, s.flagName(), s.help+" ("+s.env+")")
		}
	}
}

// settingFlag sets one non-secret setting from the command line.
type settingFlag struct {
	c *Config
	s *spec
}

func (f *settingFlag) String() string {
	// The flag package calls String on a zero value to detect defaults.
	if f.c == nil {
		return ""
	}
	return f.s.get(f.c)
}

func (f *settingFlag) Set(v string) error { return f.s.set(f.c, v) }

// boolFlag lets "-demo" stand for "-demo=true".
type boolFlag struct{ settingFlag }

func (f *boolFlag) IsBoolFlag() bool { return true }

func (f *boolFlag) String() string {
	if f.c == nil {
		return "false"
	}
	return f.settingFlag.String()
}

// secretFileFlag sets a secret from the file it names.
type secretFileFlag struct {
	c    *Config
	s    *spec
	path string
}

func (f *secretFileFlag) String() string { return f.path }

func (f *secretFileFlag) Set(path string) error {
	v, err := readSecretFile(path)
	if err != nil {
		return err
	}
	if err := f.s.set(f.c, v); err != nil {
		return err
	}
	f.path = path
	return nil
}

func (s *spec) flagName() string {
	name := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(s.env, "PIAZZA_"), "_", "-"))
	if s.secret {
		name += "-file"
	}
	return name
}

// display is the value as printed: secrets redacted, URLs with their
// password replaced so the operator still sees which server is used.
func (s *spec) display(c *Config) string {
	v := s.get(c)
	if !s.secret || v == "" {
		return v
	}
	if s.redactURL {
		if _, ok := urlScheme(v); ok {
			return redactURL(v)
		}
		return v // a SQLite path
	}
	return redacted
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// quote shows a user's value in a message, shortened so a pasted file
// cannot flood the terminal.
func quote(s string) string {
	const maxRunes = 80
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes]) + "…"
	}
	return strconv.Quote(s)
}
