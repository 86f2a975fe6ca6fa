// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/audit"
	"github.com/piazza-pa/piazza/internal/auth"
	"github.com/piazza-pa/piazza/internal/org"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/valid"
)

// cliCtx marks actions taken from the command line in the audit log.
func cliCtx(ctx context.Context) context.Context {
	user := os.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	return audit.WithActor(ctx, audit.Actor{Label: "cli:" + user})
}

// openApp parses the command line, runs check on the command's own flags
// (so that a usage mistake is reported before the database is touched),
// then opens the application.
func (e *env) openApp(ctx context.Context, name string, args []string, extra func(fs *flag.FlagSet), check func() error) (*app.App, *flag.FlagSet, error) {
	cfg, fs, err := e.loadConfig(name, args, extra)
	if err != nil {
		return nil, nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, nil, err
		}
	}
	a, err := app.Open(ctx, cfg, e.logger(cfg), app.Options{})
	if err != nil {
		return nil, nil, err
	}
	return a, fs, nil
}

func (e *env) migrate(ctx context.Context, args []string) error {
	cfg, _, err := e.loadConfig("migrate", args, nil)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, e.logger(cfg), app.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.DB.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database schema at version %d (%s)\n", st.Applied, a.DB.Engine)
	return nil
}

func (e *env) orgCreate(ctx context.Context, args []string) error {
	var slug, name, tz string
	a, _, err := e.openApp(ctx, "org create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "slug", "", "organisation slug, used in public URLs (/o/SLUG/)")
		fs.StringVar(&name, "name", "", "organisation name, e.g. \"Comune di Trieste\"")
		fs.StringVar(&tz, "timezone", "Europe/Rome", "time zone")
	}, func() error {
		if slug == "" || name == "" {
			return usagef("org create: --slug and --name are required")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.Orgs.CreateOrganisation(cliCtx(ctx), org.OrganisationInput{Slug: slug, Name: name, Timezone: tz})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "created organisation %s (%s)\n", o.Slug, o.Name)
	return nil
}

func (e *env) userCreate(ctx context.Context, args []string) error {
	var slug, email, passwordFile, role, office, name, password string
	a, _, err := e.openApp(ctx, "user create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "org", "", "organisation slug")
		fs.StringVar(&email, "email", "", "the person's email, their login")
		fs.StringVar(&passwordFile, "password-file", "", "file holding the password (never on the command line); - reads stdin")
		fs.StringVar(&role, "role", "", "role: "+roleList())
		fs.StringVar(&office, "office", "", "office code, for roles that need one (liaison)")
		fs.StringVar(&name, "name", "", "display name (default: the part of the email before @)")
	}, func() error {
		if slug == "" || email == "" || role == "" || passwordFile == "" {
			return usagef("user create: --org, --email, --password-file and --role are required")
		}
		if !org.Role(role).Valid() {
			return usagef("user create: unknown role %q (one of: %s)", role, roleList())
		}
		var err error
		if password, err = readSecretFile(passwordFile); err != nil {
			return usagef("user create: --password-file: %v", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if name == "" {
		name = strings.SplitN(email, "@", 2)[0]
	}
	ctx = cliCtx(ctx)
	o, err := a.Orgs.OrganisationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("user create: organisation %q does not exist (create it with piazza org create)", slug)
	} else if err != nil {
		return err
	}
	officeID := ""
	if office != "" {
		off, err := a.Orgs.OfficeByCode(ctx, o.ID, office)
		if errors.Is(err, store.ErrNotFound) {
			return usagef("user create: office %q does not exist in %s", office, slug)
		} else if err != nil {
			return err
		}
		officeID = off.ID
	}
	var created bool
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		p, err := a.Auth.PersonByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			created = true
			p, err = a.Auth.CreatePerson(ctx, tx, auth.PersonInput{Email: email, Name: name, Password: password})
		}
		if err != nil {
			return err
		}
		_, err = a.Orgs.GrantTx(ctx, tx, o.ID, p.ID, org.Role(role), officeID)
		return err
	})
	if err != nil {
		return explain(err)
	}
	if created {
		fmt.Fprintf(e.stdout, "created %s with role %s in %s\n", auth.NormalizeEmail(email), role, slug)
	} else {
		fmt.Fprintf(e.stdout, "%s already existed (password unchanged); granted role %s in %s\n", auth.NormalizeEmail(email), role, slug)
	}
	return nil
}

func (e *env) tokenCreate(ctx context.Context, args []string) error {
	var slug, email, name string
	a, _, err := e.openApp(ctx, "token create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "org", "", "organisation slug")
		fs.StringVar(&email, "email", "", "the person the token acts for")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	}, func() error {
		if slug == "" || email == "" {
			return usagef("token create: --org and --email are required")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = cliCtx(ctx)
	o, err := a.Orgs.OrganisationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("token create: organisation %q does not exist", slug)
	} else if err != nil {
		return err
	}
	p, err := a.Auth.PersonByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("token create: no person with email %q", email)
	} else if err != nil {
		return err
	}
	g, err := a.Orgs.GrantsOf(ctx, o.ID, p.ID)
	if err != nil {
		return err
	}
	if !g.Member() {
		return usagef("token create: %s does not belong to %s", email, slug)
	}
	token, _, err := a.Auth.CreateAPIToken(ctx, o.ID, p.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "API token for %s in %s (shown once, keep it secret):\n%s\n", p.Email, slug, token)
	return nil
}

func (e *env) backup(ctx context.Context, args []string) error {
	cfg, fs, err := e.loadConfig("backup", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup: usage: piazza backup FILE")
	}
	if cfg.IsPostgres() {
		return usagef("backup: PostgreSQL is backed up with pg_dump (see README.md)")
	}
	db, err := store.Open(ctx, cfg.SQLitePath())
	if err != nil {
		return &app.StartupError{Msg: err.Error()}
	}
	defer db.Close()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backup written to %s; keep %s with it (the key for stored credentials)\n", fs.Arg(0), "secret.key")
	return nil
}

func (e *env) config(args []string) error {
	cfg, _, err := e.loadConfig("config", args, nil)
	if err != nil {
		return err
	}
	return cfg.Write(e.stdout)
}

func (e *env) keygen() error {
	k, err := auth.GenerateSecretKey()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, k)
	return nil
}

func roleList() string {
	names := make([]string, len(org.Roles))
	for i, r := range org.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func readSecretFile(path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<16))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// explain turns validation errors into a usage error naming the fields.
func explain(err error) error {
	if es, ok := valid.As(err); ok {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = e.Field + " (" + e.Key + ")"
		}
		return usagef("invalid %s", strings.Join(parts, ", "))
	}
	return err
}
