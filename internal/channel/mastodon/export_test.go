// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package mastodon

import "time"

// SetNow sets the connector's clock, for the tests of package
// mastodon_test (which use the fake, itself an importer of this package).
func SetNow(c *Connector, now func() time.Time) { c.now = now }

// SetPollInterval sets the first wait before looking at a video being
// processed, so that tests do not wait half a second.
func SetPollInterval(c *Connector, d time.Duration) { c.pollInterval = d }
