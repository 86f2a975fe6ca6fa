// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package apptest starts a whole Piazza (database, jobs, web, API) for
// end-to-end and browser tests, on SQLite or on the package's PostgreSQL
// database, with the demo organisation seeded.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/app"
	"github.com/piazza-pa/piazza/internal/config"
	"github.com/piazza-pa/piazza/internal/demo"
	"github.com/piazza-pa/piazza/internal/mail/mailtest"
	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// Instance is a running Piazza.
type Instance struct {
	URL  string
	App  *app.App
	Mail *mailtest.Server
}

// Option changes the environment an instance is configured from.
type Option func(env map[string]string)

// Env sets one PIAZZA_* variable of the instance.
func Env(name, value string) Option {
	return func(env map[string]string) { env[name] = value }
}

// Each starts an instance per engine (SQLite always; PostgreSQL when
// storetest.EnvURL is set) and runs fn against it as a subtest.
func Each(t *testing.T, fn func(t *testing.T, in *Instance), opts ...Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Start(t, store.SQLite, opts...)) })
	if os.Getenv(storetest.EnvURL) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Start(t, store.Postgres, opts...)) })
	}
}

// Start runs Piazza on a free local port until the test ends. The
// incident map has no tile server unless an option gives one, so that no
// test's browser fetches tiles from the Internet.
func Start(t testing.TB, engine store.Engine, opts ...Option) *Instance {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	smtp := mailtest.NewServer(t)
	env := map[string]string{
		"PIAZZA_LISTEN":     ln.Addr().String(),
		"PIAZZA_DATA_DIR":   filepath.Join(t.TempDir(), "data"),
		"PIAZZA_PUBLIC_URL": url,
		"PIAZZA_SMTP_URL":   smtp.URL(),
		"PIAZZA_DEMO":       "true",
		"PIAZZA_SECRET_KEY": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"PIAZZA_MAP_TILES":  "none",
	}
	for _, o := range opts {
		o(env)
	}
	if engine == store.Postgres {
		env["PIAZZA_DATABASE_URL"] = storetest.URL(t)
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: true})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, a.DB, a.Orgs, a.Auth); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s")
		}
		_ = a.Close()
	})
	waitHealthy(t, url)
	return &Instance{URL: url, App: a, Mail: smtp}
}

func waitHealthy(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("piazza at %s not healthy within 15s", url)
}
