#!/usr/bin/env bash
# The whole test suite: installs what it needs, then vet, build (cgo parts
# included) and every test under the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-deps.sh
export PATH=$PATH:/usr/local/go/bin
# test-deps.sh installed Chromium, Xvfb and Wine, so their tests must run, not skip.
export HUECAST_E2E_REQUIRED=${HUECAST_E2E_REQUIRED:-1}
if [ -f bench/socketio/package-lock.json ] && [ ! -d bench/socketio/node_modules ]; then
  (cd bench/socketio && npm ci --no-audit --no-fund)
fi
test -z "$(gofmt -l $(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $(git ls-files '*.go'); exit 1; }
go vet ./...
# The build-tagged variants of package main: the headless build, and the
# profiling build (pprof.go), which nothing else compiles.
go vet -tags nowindow .
go vet -tags pprof .
# The tests of the built packages (e2e/wine_test.go), which only run after them.
go vet -tags packages ./e2e
go build ./...
go test -race -count=1 -timeout 20m ./...
# No file over 600 lines, no function over 90 (tests and generated files aside).
go run ./scripts/sizes
# Each fuzz target for a bounded time beyond its committed seeds
# (testdata/fuzz); FUZZTIME=0 skips, a longer one digs deeper.
fuzztime=${FUZZTIME:-10s}
if [ "$fuzztime" != 0 ]; then
  for target in net/wire:FuzzDecodeIn net/wire:FuzzParseColor net/discovery:FuzzTXT; do
    go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$fuzztime" "./${target%%:*}"
  done
fi
# Fails if huecast's CPU per delivery or p99 grows against Socket.IO's, measured in the same run (bench/run.sh).
bench/run.sh ci
# Every package, built as a release is, and their checks (docs/PACKAGING.md).
# Side by side: the Linux and Windows builds each spend minutes in one
# single-threaded C compile (go-gl), so two at once on 2 cores finish sooner.
make -j2 packages
make check-packages
# The Windows .exe and .msi run, installed and removed under Wine.
make test-packages
