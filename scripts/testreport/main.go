// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// Command testreport reads `go test -json` on stdin and prints, per
// package, how many tests passed and how many ran on each database engine
// (the "sqlite" and "postgres" subtests of storetest.Each), so a CI log
// shows at a glance that the suite ran on both. The output of failed tests
// is printed in full. It exits 1 when anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type pkgStats struct {
	pass, fail, skip  int
	sqlite, postgres  int
	result            string
	elapsed           float64
	failedTestOutputs map[string][]string
}

func main() {
	stats := map[string]*pkgStats{}
	get := func(p string) *pkgStats {
		if stats[p] == nil {
			stats[p] = &pkgStats{failedTestOutputs: map[string][]string{}}
		}
		return stats[p]
	}
	outputs := map[string][]string{} // package/test → output lines
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Build errors and other non-JSON lines: show them as they are.
			fmt.Println(sc.Text())
			continue
		}
		s := get(e.Package)
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Print(e.Output)
		case "output":
			outputs[key] = append(outputs[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				s.result, s.elapsed = e.Action, e.Elapsed
				if e.Action == "fail" && len(outputs[key]) > 0 {
					s.failedTestOutputs["(package)"] = outputs[key]
				}
				continue
			}
			last := e.Test[strings.LastIndex(e.Test, "/")+1:]
			if e.Action == "pass" {
				switch last {
				case "sqlite":
					s.sqlite++
				case "postgres":
					s.postgres++
				}
			}
			if strings.Contains(e.Test, "/") {
				if e.Action == "fail" {
					s.failedTestOutputs[e.Test] = outputs[key]
				}
				continue
			}
			switch e.Action {
			case "pass":
				s.pass++
			case "fail":
				s.fail++
				s.failedTestOutputs[e.Test] = outputs[key]
			case "skip":
				s.skip++
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(stats))
	for p := range stats {
		if p != "" {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	failed := false
	var total pkgStats
	for _, p := range names {
		s := stats[p]
		if s.result == "" {
			s.result = "?"
		}
		if s.result == "fail" {
			failed = true
			for test, lines := range s.failedTestOutputs {
				fmt.Printf("--- FAIL %s %s\n%s", p, test, strings.Join(lines, ""))
			}
		}
		if s.pass+s.fail+s.skip == 0 && s.result != "fail" {
			continue
		}
		fmt.Printf("%-4s %-55s %3d passed %2d skipped  sqlite %3d  postgres %3d  %5.1fs\n",
			s.result, strings.TrimPrefix(p, "github.com/piazza-pa/piazza/"), s.pass, s.skip, s.sqlite, s.postgres, s.elapsed)
		total.pass += s.pass
		total.skip += s.skip
		total.sqlite += s.sqlite
		total.postgres += s.postgres
	}
	fmt.Printf("total: %d tests passed, %d skipped; database subtests passed on sqlite: %d, on postgres: %d\n",
		total.pass, total.skip, total.sqlite, total.postgres)
	if os.Getenv("PIAZZA_TEST_DATABASE_URL") != "" && total.postgres == 0 {
		fmt.Println("testreport: PIAZZA_TEST_DATABASE_URL is set but no test ran on PostgreSQL")
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}
