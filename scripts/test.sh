#!/usr/bin/env bash
# The whole test suite: installs what it needs, then vet, build (cgo parts
# included), every test under the race detector, the fuzz targets, the
# benchmark bound, and every package with its checks. It ends with the
# seconds each step took, passed or failed.
#
# What makes it long on a fresh machine is go-gl's C compile: minutes on one
# core, once per set of build flags (Go caches a whole package per flag set).
# So the suite builds with the flags the Linux package is built with
# (`scripts/package.sh flags`), and the plain build, the e2e binaries and the
# Linux package share one compile; the race detector's is the second, built
# beside it on the other core; the Windows cross build is the third, started
# early on one core at the lowest priority, so it takes the time the tests
# leave idle while they wait on the network, and the timed ones keep the CPU
# when they need it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

step deps scripts/test-deps.sh
export PATH=$PATH:/usr/local/go/bin
# test-deps.sh installed Chromium, Xvfb and Wine, so their tests must run, not skip.
export HUECAST_E2E_REQUIRED=${HUECAST_E2E_REQUIRED:-1}
if [ -f bench/socketio/package-lock.json ] && [ ! -d bench/socketio/node_modules ]; then
	step npm bash -c 'cd bench/socketio && npm ci --no-audit --no-fund'
fi

gofmt_check() {
	local files
	files=$(gofmt -l $(git ls-files '*.go'))
	[ -z "$files" ] || { echo "gofmt needed:"; echo "$files"; return 1; }
}
step gofmt gofmt_check

step fyne-tool scripts/install-fyne-tool.sh
flags=$(scripts/package.sh flags)
echo "building as the Linux package is built: $flags"
eval "$flags"

# The race detector's build of every package, beside vet's plain build; the
# tests and e2e's race binaries then find it in the cache.
step_bg race-build go build -race ./...

# The Windows package (its own cross compile of go-gl), pinned to the last
# core at the lowest priority: it takes what the other steps leave idle, and
# the e2e tests, which time what they see, keep the other core.
windows_package() {
	nice -n 19 taskset -c "$(($(nproc) - 1))" make package-windows
}
step_bg windows-package windows_package

vet() {
	go vet ./...
	# The build-tagged variants of package main: the headless build, and the
	# profiling build (pprof.go), which nothing else compiles.
	go vet -tags nowindow .
	go vet -tags pprof .
	# The tests of the built packages (e2e/wine_test.go), which only run after them.
	go vet -tags packages ./e2e
}
step vet vet
step build go build ./...
step_wait race-build

# The unit tests first, on both cores; then the packages that start real
# programs, in namespaces, under Xvfb and in Chromium, which mostly wait.
mapfile -t e2e < <(go list ./e2e/...)
mapfile -t unit < <(go list ./... | grep -v -x -F "${e2e[@]/#/-e}")
step unit-tests go test -race -count=1 -timeout 20m "${unit[@]}"
step e2e-tests go test -race -count=1 -timeout 20m "${e2e[@]}"
# No file over 600 lines, no function over 90 (tests and generated files aside).
step sizes go run ./scripts/sizes

# Each fuzz target for a bounded time beyond its committed seeds
# (testdata/fuzz); FUZZTIME=0 skips, a longer one digs deeper.
fuzz() {
	local target
	for target in net/wire:FuzzDecodeIn net/wire:FuzzParseColor net/discovery:FuzzTXT; do
		go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$1" "./${target%%:*}"
	done
}
fuzztime=${FUZZTIME:-10s}
if [ "$fuzztime" != 0 ]; then
	step fuzz fuzz "$fuzztime"
fi

# Every package, built as a release is, and their checks (docs/PACKAGING.md).
step linux-packages make package-deb headless
step_wait windows-package
step windows-msi make package-msi
step check-packages make check-packages
# The Windows .exe and .msi run, installed and removed under Wine.
step test-packages make test-packages

# Fails if huecast's CPU per delivery or p99 grows against Socket.IO's,
# measured in the same run (bench/run.sh), so last, on a machine at rest.
step bench bench/run.sh ci
