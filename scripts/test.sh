#!/usr/bin/env bash
# The whole test suite: installs what it needs, then vet, build (cgo parts
# included), every test under the race detector, the fuzz targets, the
# benchmark bound, and every package with its checks. It ends with the wall
# and CPU seconds each step took, passed or failed.
#
# What makes it long on a fresh machine is compiling: go-gl's C alone is
# minutes on one core, once per set of build flags (Go caches a whole package
# per flag set), and on 2 cores the suite is bound by CPU, so it compiles as
# little as the checks allow:
#   - everything is built with the flags the Linux package is built with
#     (`scripts/package.sh flags`), so vet, the build, the e2e binaries and
#     the Linux package share one compile of go-gl for Linux;
#   - the race detector's build leaves the window out (the nowindow tag):
#     only package main's window.go and bench/cmd/fyne-baseline need go-gl,
#     so package main's tests run under the race detector in the headless
#     build and once more without it in the windowed one, e2e's race-detector
#     peers are the headless build, and the window tests drive the plain
#     windowed build (with Fyne's thread checks on);
#   - the Windows build is the second and last compile of go-gl (mingw-w64).
# What waits runs beside what computes, longest first:
#   - the Debian packages only the tests need (Chromium, Wine, Xvfb, Node...)
#     install in the background while go-gl compiles: apt waits on the network
#     and the disk, the compile on the CPU;
#   - the Windows build is the longest single-threaded part (go-gl's C through
#     mingw-w64, most of it cgo's probing of thousands of C names), so it
#     starts first, beside vet's Linux compile and the race build, at the
#     same priority; once the tests start it drops to nice 19, which yields to
#     them yet runs before the Linux packages and the fuzz targets (the lowest
#     priority, SCHED_IDLE), all in the CPU the tests leave idle, mostly while
#     the e2e tests wait on networks, windows and browsers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

# What compiling needs now (Go's cgo toolchain, Fyne's headers, mingw-w64 for
# the Windows build); the rest in the background, waited for before the tests.
step deps scripts/deps.sh gcc-mingw-w64-x86-64
step_bg test-deps scripts/test-deps.sh
export PATH=$PATH:/usr/local/go/bin
# test-deps.sh installs Chromium, Xvfb and Wine, so their tests must run, not skip.
export HUECAST_E2E_REQUIRED=${HUECAST_E2E_REQUIRED:-1}

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

# Every package builds without its window but two: package main (window.go)
# and the baseline Fyne program (bench/cmd/fyne-baseline) open a window
# through Fyne's GL driver, so they need go-gl. The race detector's build is
# the others' and main's headless one (the nowindow tag): no race build of
# go-gl, whose C alone is minutes.
#
# needs_gl [FLAG...] lists the packages that need go-gl when built with the
# go list flags given, tests included.
needs_gl() {
	go list "$@" -test -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' ./... |
		grep ' github.com/go-gl/' | cut -d' ' -f1 | sed 's/\.test$//' | sort -u
}
mapfile -t e2e < <(go list ./e2e/...)
mapfile -t windowed < <(needs_gl)
mapfile -t unit < <(go list ./... | grep -v -x -F "${e2e[@]/#/-e}" $(needs_gl -tags nowindow | sed 's/^/-e/'))

# idle CMD... runs CMD at the lowest CPU priority: only while nothing else
# wants the CPU, so that the tests, timed ones included, keep it when they
# need it. CMD may be a shell function: the step's own process changes.
idle() {
	chrt --idle -p 0 "$BASHPID" >/dev/null
	"$@"
}

# The race detector's build of every package the tests and the e2e binaries
# use, test-only imports included (Chromium's protocol), beside vet's build.
race_build() {
	go build -race -tags nowindow $(go list -tags nowindow -deps -test \
		-f '{{if and (not .ForTest) (or .GoFiles .CgoFiles)}}{{.ImportPath}}{{end}}' "${unit[@]}" "${e2e[@]}" |
		grep -v '\.test$')
}
step_bg race-build race_build

# The Windows .exe: its own cross compile of go-gl, single-threaded C for
# minutes, so it starts first and at the same priority as vet's compile; its
# .msi needs wixl, from test-deps, so that comes at the end.
step_bg windows-exe make package-windows

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
step_wait test-deps
if [ -f bench/socketio/package-lock.json ] && [ ! -d bench/socketio/node_modules ]; then
	step npm bash -c 'cd bench/socketio && npm ci --no-audit --no-fund'
fi

# The Linux packages reuse vet's build and link; the headless ones cross
# compile for three more platforms. Both in the idle time of the tests.
step_bg linux-packages idle make package-deb headless
step_wait race-build
# From here on the tests come first: the Windows build yields to them.
step_renice windows-exe 19

# The unit tests first, on both cores, under the race detector; package
# main's also in its windowed build, without it. Then the packages that start
# real programs, in namespaces, under Xvfb and in Chromium, which mostly wait.
unit_tests() {
	go test -race -tags nowindow -count=1 -timeout 20m "${unit[@]}"
	go test -count=1 -timeout 20m "${windowed[@]}"
}
step unit-tests unit_tests

# Each fuzz target for a bounded number of inputs beyond its committed seeds
# (testdata/fuzz); FUZZTIME=0 skips, a larger count (or a time, such as 1m)
# digs deeper. In the background during e2e's waits, at the lowest priority.
# A count, not a time: Go 1.26's fuzzer fails a target with a bare "context
# deadline exceeded" when a starved worker is still running as a -fuzztime
# duration ends (go.dev/issue/75804, fixed in Go 1.27); a count has no
# deadline, and the work done does not depend on how busy the machine is.
fuzz() {
	local target
	for target in net/wire:FuzzDecodeIn net/wire:FuzzParseColor net/discovery:FuzzTXT; do
		go test -run '^$' -fuzz "^${target#*:}\$" -fuzztime "$1" "./${target%%:*}"
	done
}
fuzztime=${FUZZTIME:-50000x}
if [ "$fuzztime" != 0 ]; then
	step_bg fuzz idle fuzz "$fuzztime"
fi

step e2e-tests go test -race -count=1 -timeout 20m "${e2e[@]}"
# No file over 600 lines, no function over 90 (tests and generated files aside).
step sizes go run ./scripts/sizes
if [ "$fuzztime" != 0 ]; then
	step_wait fuzz
fi

# Every package, built as a release is, and their checks (docs/PACKAGING.md).
step_wait linux-packages
step_wait windows-exe
step msi scripts/package.sh msi
step check-packages make check-packages
# The Windows .exe and .msi run, installed and removed under Wine.
step test-packages make test-packages

# Fails if huecast's CPU per delivery or p99 grows against Socket.IO's,
# measured in the same run (bench/run.sh), so last, on a machine at rest.
step bench bench/run.sh ci
