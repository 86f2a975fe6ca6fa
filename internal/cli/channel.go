// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/piazza-pa/piazza/internal/channel"
	"github.com/piazza-pa/piazza/internal/store"
)

// channelTest asks the platform whether an account's credentials work,
// like the "Verifica" button: piazza channel test ID.
func (e *env) channelTest(ctx context.Context, args []string) error {
	var id string
	a, fs, err := e.openApp(ctx, "channel test", args, nil, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if fs.NArg() != 1 {
		return usagef("channel test: give one account id (see piazza channel list --org SLUG)")
	}
	id = fs.Arg(0)
	ctx = cliCtx(ctx)
	acct, err := a.Publish.AccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("channel test: no channel account with id %q", id)
	} else if err != nil {
		return err
	}
	ident, err := a.Publish.CheckAccount(ctx, acct.OrgID, acct.ID)
	if err != nil {
		kind := channel.KindOf(err)
		fmt.Fprintf(e.stdout, "%s %s (%s): FAILED (%s): %s\n", acct.Platform, acct.Name, acct.ID, kind, err)
		if kind == channel.Auth {
			fmt.Fprintln(e.stdout, "the account is now marked as needing attention; its publications wait until it is reconnected")
		}
		return errors.New("channel test: the platform refused the check")
	}
	fmt.Fprintf(e.stdout, "%s %s (%s): OK as %s %s %s\n", acct.Platform, acct.Name, acct.ID, ident.Name, ident.Handle, ident.URL)
	return nil
}

// channelList prints the accounts of an organisation.
func (e *env) channelList(ctx context.Context, args []string) error {
	var slug string
	a, _, err := e.openApp(ctx, "channel list", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "org", "", "organisation slug")
	}, func() error {
		if slug == "" {
			return usagef("channel list: --org is required")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer a.Close()
	o, err := a.Orgs.OrganisationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return usagef("channel list: organisation %q does not exist", slug)
	} else if err != nil {
		return err
	}
	accts, err := a.Publish.Accounts(ctx, o.ID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPLATFORM\tNAME\tHANDLE\tSTATUS\tSANDBOX")
	for _, ac := range accts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\n", ac.ID, ac.Platform, ac.Name, ac.Handle, ac.Status, ac.Sandbox)
	}
	return tw.Flush()
}
