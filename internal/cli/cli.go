// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package cli is the piazza command: serve, migrate, user, token, org,
// config, backup, keygen, version. Configuration comes from PIAZZA_*
// variables, flags override them. Exit status: 0 ok, 1 failure, 2 bad
// configuration or usage (one clear line on stderr).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/config"
)

// usageError is a mistake in how the command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// env is the process environment; tests replace it.
type env struct {
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
}

// Main runs the command line and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return mainWith(ctx, args, stdout, stderr, os.LookupEnv)
}

// mainWith is Main with the context and the environment given, for tests.
func mainWith(ctx context.Context, args []string, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := &env{stdout: stdout, stderr: stderr, lookup: lookup}
	err := e.run(ctx, args)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "piazza: "+strings.Join(strings.Fields(err.Error()), " "))
	var ue *usageError
	var ce *config.Error
	var se *app.StartupError
	if errors.As(err, &ue) || errors.As(err, &ce) || errors.As(err, &se) {
		return 2
	}
	return 1
}

const usage = `Piazza, the social media newsroom for public administrations.

Usage:
  piazza serve [--listen ADDR] [--demo] [--migrate]   run the web interface and the workers
  piazza migrate                                      apply database migrations
  piazza org create --slug SLUG --name NAME           create an organisation (ente)
  piazza user create --org SLUG --email EMAIL --password-file FILE --role ROLE [--office CODE] [--name NAME]
  piazza token create --org SLUG --email EMAIL [--name NAME]
  piazza channel list --org SLUG                      list an organisation's channel accounts
  piazza channel test ID                              check an account's credentials with its platform
  piazza backup FILE                                  consistent copy of a SQLite installation
  piazza config                                       print the effective configuration, secrets redacted
  piazza keygen                                       print a new PIAZZA_SECRET_KEY
  piazza version

Every command accepts the configuration flags (see piazza config, or README.md).
`

func (e *env) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return usagef("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "org":
		return e.sub(ctx, "org", rest, map[string]func(context.Context, []string) error{"create": e.orgCreate})
	case "user":
		return e.sub(ctx, "user", rest, map[string]func(context.Context, []string) error{"create": e.userCreate})
	case "token":
		return e.sub(ctx, "token", rest, map[string]func(context.Context, []string) error{"create": e.tokenCreate})
	case "channel":
		return e.sub(ctx, "channel", rest, map[string]func(context.Context, []string) error{"test": e.channelTest, "list": e.channelList})
	case "backup":
		return e.backup(ctx, rest)
	case "config":
		return e.config(rest)
	case "keygen":
		return e.keygen()
	case "version", "--version", "-v":
		fmt.Fprintln(e.stdout, "piazza", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	default:
		fmt.Fprint(e.stderr, usage)
		return usagef("unknown command %q", cmd)
	}
}

func (e *env) sub(ctx context.Context, name string, args []string, cmds map[string]func(context.Context, []string) error) error {
	if len(args) == 0 {
		return usagef("%s: missing subcommand (try: piazza %s create)", name, name)
	}
	f, ok := cmds[args[0]]
	if !ok {
		return usagef("%s: unknown subcommand %q", name, args[0])
	}
	return f(ctx, args[1:])
}

// loadConfig reads the environment, registers the configuration flags next
// to the command's own, parses args and validates the result.
func (e *env) loadConfig(name string, args []string, extra func(fs *flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	cfg, err := config.Load(e.lookup)
	if err != nil {
		return nil, nil, err
	}
	fs := flag.NewFlagSet("piazza "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg.RegisterFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, usagef("%s: %v", name, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	return cfg, fs, nil
}

func (e *env) logger(cfg *config.Config) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}
