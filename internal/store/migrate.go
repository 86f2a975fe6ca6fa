// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationsFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations lists the embedded migrations of an engine in order.
func Migrations(engine Engine) ([]Migration, error) {
	return readMigrations(migrationsFS, path.Join("migrations", string(engine)))
}

func readMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %s/%s: name must be NNNN_name.sql", dir, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createVersionsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TIMESTAMP NOT NULL
)`

// SchemaStatus says how the database compares with this binary.
type SchemaStatus struct {
	Applied     int // highest applied Piazza migration
	Latest      int // highest migration this binary knows
	RiverOK     bool
	RiverDetail string
}

// Current reports whether the schema matches this binary exactly.
func (s SchemaStatus) Current() bool { return s.Applied == s.Latest && s.RiverOK }

// Status reads which migrations are applied, without changing anything.
func (db *DB) Status(ctx context.Context) (SchemaStatus, error) {
	all, err := Migrations(db.Engine)
	if err != nil {
		return SchemaStatus{}, err
	}
	st := SchemaStatus{}
	if len(all) > 0 {
		st.Latest = all[len(all)-1].Version
	}
	applied, err := db.appliedVersions(ctx, db.Read)
	if err != nil {
		return st, err
	}
	for v := range applied {
		st.Applied = max(st.Applied, v)
	}
	// A River schema that cannot be read (e.g. no tables yet) is reported
	// as not current rather than as a failure of Status itself.
	if res, verr := db.riverValidate(ctx); verr == nil {
		st.RiverOK = res.OK
		st.RiverDetail = strings.Join(res.Messages, "; ")
	} else {
		st.RiverDetail = verr.Error()
	}
	return st, nil
}

func (db *DB) appliedVersions(ctx context.Context, q Querier) (map[int]bool, error) {
	applied := map[int]bool{}
	exists, err := db.tableExists(ctx, q, "schema_migrations")
	if err != nil || !exists {
		return applied, err
	}
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("store: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func (db *DB) tableExists(ctx context.Context, q Querier, name string) (bool, error) {
	var n int
	var err error
	if db.Engine == Postgres {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`, name).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, name).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("store: look for table %s: %w", name, err)
	}
	return n > 0, nil
}

// Migrate applies every pending migration, each in its own transaction,
// then River's own migrations. It is safe to run on an up-to-date database.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	all, err := Migrations(db.Engine)
	if err != nil {
		return err
	}
	if _, err := db.Write.ExecContext(ctx, db.Dialect().Rewrite(createVersionsTable)); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	if db.Engine == Postgres {
		// Two instances starting together must not both migrate.
		// The lock belongs to a session, so hold one connection for it.
		conn, err := db.Write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7417001)`); err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7417001)`) }()
	}
	applied, err := db.appliedVersions(ctx, db.Write)
	if err != nil {
		return err
	}
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if log != nil {
			log.Info("applied migration", "version", m.Version, "name", m.Name)
		}
	}
	return db.riverMigrate(ctx, log)
}

func (db *DB) riverMigrate(ctx context.Context, log *slog.Logger) error {
	// River's migrator is chatty at info level even when there is nothing
	// to do; Piazza reports what was applied itself.
	quiet := &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)}
	var res *rivermigrate.MigrateResult
	var err error
	if db.Engine == Postgres {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(db.Pool), quiet); err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db.Write), quiet); err == nil {
			res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("store: River migrations: %w", err)
	}
	if log != nil && res != nil {
		for _, v := range res.Versions {
			log.Info("applied River migration", "version", v.Version, "name", v.Name)
		}
	}
	return nil
}

func (db *DB) riverValidate(ctx context.Context) (*rivermigrate.ValidateResult, error) {
	quiet := &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)}
	if db.Engine == Postgres {
		m, err := rivermigrate.New(riverpgxv5.New(db.Pool), quiet)
		if err != nil {
			return nil, err
		}
		return m.Validate(ctx)
	}
	m, err := rivermigrate.New(riversqlite.New(db.Write), quiet)
	if err != nil {
		return nil, err
	}
	return m.Validate(ctx)
}
