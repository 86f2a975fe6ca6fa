// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/demo"
)

func (e *env) serve(ctx context.Context, args []string) error {
	var migrate bool
	cfg, fs, err := e.loadConfig("serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&migrate, "migrate", false, "apply pending migrations before serving (PostgreSQL; SQLite always does)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	log := e.logger(cfg)
	// Bind first: a port in use is an operator's mistake to report at once.
	ln, err := app.Listen(cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: migrate})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		created, err := demo.Seed(ctx, a.DB, a.Orgs, a.Auth)
		if err != nil {
			return err
		}
		e.printDemo(created, "http://"+displayAddr(ln.Addr().String()))
	} else if n, err := a.Orgs.CountOrganisations(ctx); err == nil && n == 0 {
		log.Warn("no organisation yet: create one with `piazza org create --slug SLUG --name NAME`, then a person with `piazza user create`, or try `piazza serve --demo`")
	}
	return a.Serve(ctx, ln)
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, "[::]:") {
		return "localhost:" + strings.TrimPrefix(addr, "[::]:")
	}
	if strings.HasPrefix(addr, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(addr, "0.0.0.0:")
	}
	return addr
}

func (e *env) printDemo(created bool, url string) {
	w := e.stdout
	if created {
		fmt.Fprintln(w, "Demo: created the fictional Comune di Vallebella (organisation \"demo\").")
	} else {
		fmt.Fprintln(w, "Demo: the Comune di Vallebella (organisation \"demo\") already exists; logins unchanged.")
	}
	fmt.Fprintf(w, "Open %s/login and sign in with one of these (password %q):\n", url, demo.Password)
	for _, l := range demo.Logins {
		extra := ""
		if l.Office != "" {
			extra = " (" + l.Office + ")"
		}
		fmt.Fprintf(w, "  %-10s %s%s\n", l.Role, l.Email, extra)
	}
}
