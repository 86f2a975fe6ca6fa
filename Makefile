# Piazza: `make demo` runs it with the demo data, `make test` runs every test.
# See CONTRIBUTING.md.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO ?= go
# Pinned here and in .ci/run; installed with `go install`.
GOLANGCI_LINT_VERSION ?= v2.15.0
TEST_TIMEOUT ?= 20m
FUZZTIME ?= 5s
# Packages whose tests also run under the race detector (both engines).
RACE_PKGS ?= ./internal/store/... ./internal/jobs/... ./internal/publish/...

.PHONY: assets build run demo test test-unit test-race fuzz lint bench clean

## assets: install the front-end packages from package-lock.json and build them for embedding
assets:
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    npm ci --no-audit --no-fund; \
	fi
	npm run build:assets

## build: the piazza binary in bin/, with the front-end assets embedded
build: assets
	$(GO) build -o bin/piazza ./cmd/piazza

## run, demo: serve with the demo organisation (fixed demo logins are printed)
run demo: assets
	$(GO) run ./cmd/piazza serve --demo

## test: every test (both engines when PIAZZA_TEST_DATABASE_URL is set), race on store, jobs and publishing, each fuzz target briefly
test: test-unit test-race fuzz

# The report lists, per package, the tests that ran on SQLite and on PostgreSQL.
test-unit:
	$(GO) build -o bin/testreport ./scripts/testreport
	$(GO) test -json -count=1 -timeout $(TEST_TIMEOUT) ./... | bin/testreport

# Patterns for packages that do not exist yet are left out: go test fails on them.
test-race:
	pkgs=(); for p in $(RACE_PKGS); do if [ -d "$${p%/...}" ]; then pkgs+=("$$p"); fi; done; \
	if [ $${#pkgs[@]} -gt 0 ]; then $(GO) test -count=1 -race -timeout $(TEST_TIMEOUT) "$${pkgs[@]}"; fi

## fuzz: run every `func Fuzz*` of the repository for FUZZTIME each; new targets are found by themselves
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## lint: golangci-lint at the pinned version (installed with `go install` if missing)
lint:
	gobin=$$($(GO) env GOBIN); bin=$${gobin:-$$($(GO) env GOPATH)/bin}/golangci-lint; \
	if ! "$$bin" version 2>/dev/null | grep -q "version $(GOLANGCI_LINT_VERSION:v%=%) built with $$($(GO) env GOVERSION) "; then \
	    $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); \
	fi; \
	"$$bin" run ./...

## bench: the benchmarks of bench/ (never in CI; record the figures in BENCHMARKS.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/...

clean:
	rm -rf bin
