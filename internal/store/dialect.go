// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package store

import "strings"

// Dialect is the one seam where the engines differ. Keep it small: most SQL
// is written once in the subset both accept.
type Dialect struct{ engine Engine }

// Dialect returns the seam for this database.
func (db *DB) Dialect() Dialect { return Dialect{engine: db.Engine} }

// Rewrite adapts portable DDL: TIMESTAMP becomes TIMESTAMPTZ on PostgreSQL.
func (d Dialect) Rewrite(sql string) string {
	if d.engine == Postgres {
		return strings.ReplaceAll(sql, "TIMESTAMP", "TIMESTAMPTZ")
	}
	return sql
}

// ILike returns a case-insensitive containment test of column against the
// placeholder param (e.g. "$3"), with the pattern built by LikePattern.
func (d Dialect) ILike(column, param string) string {
	if d.engine == Postgres {
		return column + " ILIKE " + param + " ESCAPE '\\'"
	}
	// SQLite's LIKE is already case-insensitive for ASCII.
	return column + " LIKE " + param + " ESCAPE '\\'"
}

// LikePattern escapes s for a LIKE containment match.
func LikePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
