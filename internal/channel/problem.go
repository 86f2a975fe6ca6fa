// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package channel

// Args are the arguments of the problem's message, in the order the
// catalogs use them: limit, actual, over, media position.
func (p Problem) Args() []any { return []any{p.Limit, p.Actual, p.Over(), p.Media} }
