// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package store

import (
	"time"

	"github.com/google/uuid"
)

// NewID returns a UUIDv7 as text: sortable by creation time, generated in
// the application so both engines agree.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Now is the current time as stored: UTC, truncated to microseconds, the
// precision PostgreSQL keeps, so a value read back equals the value written.
func Now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Time normalises a time for storage the same way.
func Time(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
