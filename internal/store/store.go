// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package store opens Piazza's database on either engine (embedded SQLite or
// PostgreSQL), applies migrations and offers the few helpers every domain
// needs: transactions with retry, normalised errors and sortable IDs.
//
// Domains write their own SQL in the subset both engines accept ($1
// placeholders, RETURNING, ON CONFLICT, CTEs); what differs sits behind
// Dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Engine names a database engine.
type Engine string

// The two engines Piazza runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what both *sql.DB and *sql.Tx offer, so domain queries run
// inside or outside a transaction alike.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database. On SQLite, Write is a pool of exactly one
// connection (SQLite allows one writer; River shares it) and Read a pool of
// several read-only connections. On PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	Write  *sql.DB
	Read   *sql.DB
	// Pool is the pgx pool on PostgreSQL (River's driver uses it), nil on SQLite.
	Pool *pgxpool.Pool
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
}

// IsPostgres reports whether the database is PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Open opens the database named by databaseURL: a postgres:// URL means
// PostgreSQL, anything else is the path of a SQLite file (created with its
// directory when missing). Open checks the connection before returning.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	if IsPostgresURL(databaseURL) {
		return openPostgres(ctx, databaseURL)
	}
	return openSQLite(ctx, databaseURL)
}

func openPostgres(ctx context.Context, databaseURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: invalid PostgreSQL URL: %w", redactErr(err))
	}
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	// pgxpool's default (4 on a small machine) starves a burst of webhooks
	// next to River, which keeps connections of its own; the URL's
	// pool_max_conns still decides when set.
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open PostgreSQL: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: cannot reach PostgreSQL at %s: %w", redactURL(databaseURL), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &DB{Engine: Postgres, Write: db, Read: db, Pool: pool}, nil
}

// sqliteDSN tunes each connection in the DSN so every pooled connection gets
// the same pragmas: busy_timeout first, so that switching to WAL waits for a
// concurrent opener instead of failing.
func sqliteDSN(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(ON)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_time_format", "sqlite")
	if readOnly {
		v.Add("_pragma", "query_only(ON)")
	} else {
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half-way when upgrading from a read lock.
		v.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	// One writer: SQLite serialises writes anyway, and a single connection
	// turns "database is locked" into waiting in the pool.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("store: open SQLite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Engine: SQLite, Write: w, Read: r, Path: path}, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	var errs []error
	if db.Read != nil && db.Read != db.Write {
		errs = append(errs, db.Read.Close())
	}
	if db.Write != nil {
		errs = append(errs, db.Write.Close())
	}
	if db.Pool != nil {
		db.Pool.Close()
	}
	return errors.Join(errs...)
}

// Ping checks the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	return db.Read.PingContext(ctx)
}

// Tx runs fn in a write transaction, committing when fn returns nil. On
// SQLite a "database is locked" failure retries the whole function a few
// times: fn must therefore be safe to re-run (no side effects outside tx).
// Never enqueue a job or call the network from fn: on SQLite the single
// write connection is held until fn returns.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.tx(ctx, fn)
		if err == nil || !IsBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of a SQLite database to path with
// VACUUM INTO, which is safe while Piazza runs. On PostgreSQL use pg_dump.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Engine != SQLite {
		return errors.New("store: backup works on SQLite only; use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s already exists", path)
	}
	if _, err := db.Write.ExecContext(ctx, "VACUUM INTO $1", path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.Redacted()
}

// redactErr drops pgx's parse error detail, which may echo the password.
func redactErr(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return errors.New("cannot parse the URL")
	}
	return err
}
