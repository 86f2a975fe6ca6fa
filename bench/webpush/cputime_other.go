// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

//go:build !unix

package main

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
