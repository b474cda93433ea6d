#!/usr/bin/env bash
# The whole test suite: installs what it needs, then vet, build (cgo parts
# included), every test under the race detector, the fuzz targets, the
# benchmark bound, and every package with its checks. It ends with the wall
# and CPU seconds each step took, passed or failed.
#
# What makes it long on a fresh machine is compiling, go-gl's cgo above all,
# once per set of build flags (Go caches a whole package per flag set), and
# on 2 cores the suite is bound by CPU, so it compiles as little as the
# checks allow:
#   - every cgo build goes through scripts/cgo-cc, which spares gcc the
#     spelling suggestions that made cgo's probe of go-gl's names two
#     minutes on one core, twice per cold build of go-gl;
#   - everything is built with the C compiler and flags the Linux package is
#     built with (`scripts/package.sh flags`), so vet, the build, the e2e
#     binaries and the Linux package share one compile of go-gl for Linux;
#   - the race detector's build leaves the window out (the nowindow tag):
#     only package main's window.go and bench/cmd/fyne-baseline need go-gl,
#     so package main's tests run under the race detector in the headless
#     build and once more without it in the windowed one, e2e's race-detector
#     peers are the headless build, and the window tests drive the plain
#     windowed build (with Fyne's thread checks on);
#   - the Windows build is the second and last compile of go-gl (mingw-w64).
# On 2 cores the CPU is the limit, so nothing waits that could work:
#   - apt waits on the network and the disk: the Debian packages install in
#     the background, each set in time for what needs it;
#   - go-gl's cgo and C are the longest single-threaded part of vet's
#     build. Go's own compiles, many and short, run at nice 10 beside them
#     (scripts/toolexec-nice), so they are not starved and do not end alone
#     on one core;
#   - the packages (Windows, Linux, headless) and the fuzz targets build and
#     run at the lowest priority (SCHED_IDLE; their checks at nice 19), in
#     the CPU the tests leave idle, mostly while the e2e tests wait on
#     networks, windows and browsers.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

export PATH=$PATH:/usr/local/go/bin
# test-deps.sh installs Chromium, Xvfb and Wine, so their tests must run, not skip.
export HUECAST_E2E_REQUIRED=${HUECAST_E2E_REQUIRED:-1}

# The Debian packages install in the background, one apt after another (apt
# allows one at a time), each in time for what needs it: Go's cgo toolchain
# and Fyne's headers while the fyne tool compiles, mingw-w64 for the Windows
# build, then what only the tests need (Chromium, Wine, Xvfb, Node...) while
# go-gl compiles.
step_bg build-deps scripts/deps.sh
step_bg windows-cc after build-deps scripts/deps.sh gcc-mingw-w64-x86-64
step_bg test-deps after windows-cc scripts/test-deps.sh

gofmt_check() {
	local files
	files=$(gofmt -l $(git ls-files '*.go'))
	[ -z "$files" ] || { echo "gofmt needed:"; echo "$files"; return 1; }
}
step gofmt gofmt_check

step fyne-tool scripts/install-fyne-tool.sh
# The fyne tool's flags depend on the C compiler's version.
step_wait build-deps
flags=$(scripts/package.sh flags)
echo "building as the Linux package is built: $flags"
eval "$flags"
# Go's tools at nice 10 beside go-gl's C (scripts/toolexec-nice), where the
# checkout's path allows it: GOFLAGS splits on spaces.
if [[ $PWD != *[[:space:]]* ]]; then
	export GOFLAGS="$GOFLAGS -toolexec=$PWD/scripts/toolexec-nice"
fi

# Every package builds without its window but two: package main (window.go)
# and the baseline Fyne program (bench/cmd/fyne-baseline) open a window
# through Fyne's GL driver, so they need go-gl. The race detector's build is
# the others' and main's headless one (the nowindow tag): no race build of
# go-gl and GLFW, and of Fyne's driver over them.
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

# The headless binaries, four platforms' cross compiles that need nothing but
# Go, in whatever CPU is idle from now on; then their check, once test-deps
# has brought `file`, at nice 19 rather than idle: it waits for a hub with a
# bound.
headless_packages() {
	(idle make headless)
	after test-deps nice -n 19 scripts/check-packages.sh headless
}
step_bg headless-packages headless_packages

# The Windows .exe, its own cross compile of go-gl, GLFW and Fyne, in the
# CPU the builds and tests leave idle. Then, once test-deps has brought wixl
# and Wine, at nice 19 rather than idle (the checks wait for windows with a
# bound): the .msi, their checks, and the .exe and the .msi run, installed
# and removed under Wine (docs/PACKAGING.md).
windows_packages() {
	(idle after windows-cc make package-windows)
	after test-deps nice -n 19 scripts/package.sh msi
	nice -n 19 scripts/check-packages.sh windows msi
	nice -n 19 make test-packages
}
step_bg windows-packages windows_packages

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
step_wait windows-cc
step_wait test-deps
if [ -f bench/socketio/package-lock.json ] && [ ! -d bench/socketio/node_modules ]; then
	step npm bash -c 'cd bench/socketio && npm ci --no-audit --no-fund'
fi

# The Linux packages reuse vet's build and link, in the idle time of the
# tests, then their checks, at nice 19 rather than idle: they wait for windows
# with a bound.
linux_packages() {
	(idle make package-deb)
	nice -n 19 scripts/check-packages.sh linux deb
}
step_bg linux-packages linux_packages
step_wait race-build

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

# Every package, built as a release is, and checked (docs/PACKAGING.md).
step_wait linux-packages
step_wait headless-packages
step_wait windows-packages

# Fails if huecast's CPU per delivery or p99 grows against Socket.IO's,
# measured in the same run (bench/run.sh), so last, on a machine at rest.
step bench bench/run.sh ci
