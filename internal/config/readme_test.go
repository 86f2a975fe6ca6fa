// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/piazza-pa/piazza/internal/config"
)

// TestREADMEListsEverySetting keeps the README's configuration table true:
// every variable the program reads has a row, and no row names a variable
// that does not exist.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, s := range cfg.Settings() {
		known[s.Env] = true
		if !strings.Contains(readme, "| `"+s.Env+"` |") {
			t.Errorf("README.md has no table row for %s", s.Env)
		}
	}
	for _, line := range strings.Split(readme, "\n") {
		if !strings.HasPrefix(line, "| `PIAZZA_") {
			continue
		}
		name := strings.TrimPrefix(line, "| `")
		name = name[:strings.Index(name, "`")]
		if !known[name] {
			t.Errorf("README.md documents %s, which Piazza does not read", name)
		}
	}
}
