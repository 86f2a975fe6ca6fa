// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Package archtest holds tests that guard the shape of the code base rather
// than its behaviour: the dependency rule between domains, connectors and
// infrastructure written in CONTRIBUTING.md, checked against the import graph
// that `go list` reports, and the SPDX header every Go file must start with.
//
// It has no code of its own; `go test ./internal/archtest` runs the checks.
package archtest
