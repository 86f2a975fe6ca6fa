// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/piazza-pa/piazza/internal/store"
	"github.com/piazza-pa/piazza/internal/store/storetest"
)

// The two migration folders must pair up: same numbers, same names, so a
// change is never made on one engine only.
func TestMigrationsMatch(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
		if lite[i].Version != i+1 {
			t.Errorf("migration %s: version %d, want %d (no gaps)", lite[i].Name, lite[i].Version, i+1)
		}
	}
	// Every table created on one engine exists on the other.
	table := regexp.MustCompile(`(?i)CREATE TABLE (\w+)`)
	for i := range lite {
		a := table.FindAllStringSubmatch(lite[i].SQL, -1)
		b := table.FindAllStringSubmatch(pg[i].SQL, -1)
		if len(a) != len(b) {
			t.Errorf("migration %04d creates %d tables on sqlite, %d on postgres", lite[i].Version, len(a), len(b))
			continue
		}
		for j := range a {
			if !strings.EqualFold(a[j][1], b[j][1]) {
				t.Errorf("migration %04d: table %s vs %s", lite[i].Version, a[j][1], b[j][1])
			}
		}
	}
}

func TestMigrateAndStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st, err := db.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Current() {
			t.Fatalf("fresh migrated database not current: %+v", st)
		}
		// Migrating again changes nothing.
		if err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStaleSchemaDetected(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current() || st.Applied != 0 || st.Latest < 1 {
		t.Fatalf("empty database reported as %+v", st)
	}
}

func TestAuditLogAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := store.NewID()
		_, err := db.Write.ExecContext(ctx, `INSERT INTO audit_log (id, action, created_at) VALUES ($1, 'test.append', $2)`, id, store.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.ExecContext(ctx, `UPDATE audit_log SET action = 'x' WHERE id = $1`, id); err == nil {
			t.Error("UPDATE on audit_log succeeded")
		}
		if _, err := db.Write.ExecContext(ctx, `DELETE FROM audit_log WHERE id = $1`, id); err == nil {
			t.Error("DELETE on audit_log succeeded")
		}
	})
}

func TestTxRollsBackAndNormalizes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		slug := storetest.Unique("tx")
		now := store.Now()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, slug, name, created_at, updated_at) VALUES ($1, $2, 'x', $3, $3)`, store.NewID(), slug, now); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE slug = $1`, slug).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled back insert visible: n=%d err=%v", n, err)
		}
		insert := func() error {
			_, err := db.Write.ExecContext(ctx, `INSERT INTO organisations (id, slug, name, created_at, updated_at) VALUES ($1, $2, 'x', $3, $3)`, store.NewID(), slug, now)
			return store.Normalize(err)
		}
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		if err := insert(); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate slug: got %v, want ErrConflict", err)
		}
		var created time.Time
		err = store.Normalize(db.Read.QueryRowContext(ctx, `SELECT created_at FROM organisations WHERE slug = $1`, slug).Scan(&created))
		if err != nil || !created.Equal(now) {
			t.Fatalf("time round trip: %v %v != %v", err, created, now)
		}
		err = store.Normalize(db.Read.QueryRowContext(ctx, `SELECT created_at FROM organisations WHERE slug = 'nope-nope'`).Scan(&created))
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing row: got %v", err)
		}
	})
}

func TestBackupSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	copyDB, err := store.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	st, err := copyDB.Status(ctx)
	if err != nil || !st.Current() {
		t.Fatalf("backup not a current database: %+v %v", st, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
}
