// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package bluesky

import "time"

// SetNow sets the connector's clock, for the tests of package bluesky_test
// (which use the fake, itself an importer of this package).
func SetNow(c *Connector, now func() time.Time) { c.now = now }
