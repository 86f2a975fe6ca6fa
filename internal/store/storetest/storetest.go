// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package storetest runs a database test on every engine: always on a fresh
// SQLite file, and on PostgreSQL too when PIAZZA_TEST_DATABASE_URL names a
// server. Each test package gets a PostgreSQL database of its own, since Go
// runs test packages in parallel.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/piazza-pa/piazza/internal/store"
)

// EnvURL names the PostgreSQL server used by tests.
const EnvURL = "PIAZZA_TEST_DATABASE_URL"

// Each runs fn as a "sqlite" subtest and, when EnvURL is set, a "postgres"
// subtest, each with a migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, SQLite(t))
	})
	if os.Getenv(EnvURL) != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, Postgres(t))
		})
	}
}

// SQLite opens a migrated database in a fresh temporary file.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "piazza.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

// Postgres opens the package's PostgreSQL database, created empty and
// migrated the first time a test of this package asks for it. Tests that
// share it must not depend on each other's rows: create data with unique
// names (see Unique).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " not set")
	}
	ctx := context.Background()
	pgOnce.Do(func() { pgURL, pgErr = createPackageDatabase(ctx, base) })
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	db, err := store.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// URL returns the URL of the package's migrated PostgreSQL database, for
// tests that start a whole server; it skips when EnvURL is unset.
func URL(t testing.TB) string {
	t.Helper()
	_ = Postgres(t)
	return pgURL
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

func createPackageDatabase(ctx context.Context, base string) (string, error) {
	name := packageDatabaseName()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("storetest: connect to %s: %w", EnvURL, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("storetest: drop %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("storetest: create %s: %w", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("storetest: parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return "", err
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		return "", err
	}
	return u.String(), nil
}

// packageDatabaseName derives a stable name from the test binary, so each
// package (and the -race build of it) has its own database.
func packageDatabaseName() string {
	exe, _ := os.Executable()
	wd, _ := os.Getwd()
	sum := sha256.Sum256([]byte(wd + "|" + exe + "|" + runtime.Version()))
	pkg := strings.ToLower(filepath.Base(wd))
	return "piazza_test_" + unsafeName.ReplaceAllString(pkg, "_") + "_" + hex.EncodeToString(sum[:4])
}

var (
	uniqueMu sync.Mutex
	uniqueN  int
)

// Unique returns prefix followed by a suffix unique in this process and
// unlikely to collide with a previous run, for slugs and emails in tests
// that share a database.
func Unique(prefix string) string {
	uniqueMu.Lock()
	defer uniqueMu.Unlock()
	uniqueN++
	return fmt.Sprintf("%s%d%s", prefix, uniqueN, store.NewID()[24:30])
}
