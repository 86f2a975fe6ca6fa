// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package x

import (
	"context"
	"time"
)

// PunycodeEncode exposes punycodeEncode to the tests.
var PunycodeEncode = punycodeEncode

// SetNow replaces the connector's clock.
func SetNow(c *Connector, now func() time.Time) { c.now = now }

// SetSleep replaces the connector's wait between polls of a video's
// processing.
func SetSleep(c *Connector, sleep func(ctx context.Context, d time.Duration) error) { c.sleep = sleep }
