// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command piazza is the social media newsroom for public administrations.
package main

import (
	"os"

	"github.com/piazza-pa/piazza/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
