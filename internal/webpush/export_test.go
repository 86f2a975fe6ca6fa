// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package webpush

import "time"

// SetClock makes s read the time from now, to test token refresh.
func SetClock(s *Sender, now func() time.Time) { s.now = now }
