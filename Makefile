# Packaging for huecast. Each target works from a clean clone in one command;
# everything it makes goes to dist/. See docs/PACKAGING.md.
#
#   make package-linux     dist/huecast-$(VERSION)-linux-amd64.tar.xz
#   make package-deb       dist/huecast_$(VERSION)_amd64.deb (from the tar.xz's binary)
#   make package-windows   dist/huecast-$(VERSION)-windows-amd64.exe (mingw-w64 cross build)
#   make package-msi       dist/huecast-$(VERSION)-windows-amd64.msi (wixl, from the .exe)
#   make headless          dist/huecast-headless-$(VERSION)-{linux,darwin}-{amd64,arm64}:
#                          static, no window, no Fyne or cgo (go build -tags nowindow)
#   make packages          all of them
#   make check-packages    validate them (desktop-file-validate, appstreamcli, --version,
#                          PE checks, the .deb installed and removed, the headless binary)
#   make test-packages     run the built packages for real: the .exe and the .msi under
#                          Wine (e2e/wine_test.go), after make packages
#   make icon              redraw assets/icon.png from scripts/gen-icon
#   make clean             remove dist/ and anything a broken packaging run left behind
#
# Needs: Go, a C compiler and Fyne's X11/GL headers for Linux; Debian's
# gcc-mingw-w64-x86-64 for Windows; dpkg-dev for the .deb, wixl for the .msi;
# desktop-file-utils, appstream, file and wine for the checks
# (scripts/test-deps.sh installs them all).
# The fyne tool (pinned in scripts/install-fyne-tool.sh) is installed on demand.
# The headless binaries need only Go.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

# VERSION comes from FyneApp.toml, the one place it is written down.
VERSION := $(shell awk -F'"' '/^\[/{s=$$0} s=="[Details]" && /^Version[[:space:]]*=/{print $$2; exit}' FyneApp.toml)
DIST ?= dist
export DIST := $(abspath $(DIST))

.PHONY: package-linux package-deb package-windows package-msi headless packages check-packages \
	test-packages fyne-tool icon clean

# The tool is installed first, once, so `make -j2 packages` does not install it twice at once.
package-linux: fyne-tool
	scripts/package.sh linux

package-windows: fyne-tool
	scripts/package.sh windows

package-deb: package-linux
	scripts/package.sh deb

package-msi: package-windows
	scripts/package.sh msi

headless:
	scripts/package.sh headless

packages: package-deb package-msi headless

check-packages:
	scripts/check-packages.sh linux deb windows msi headless

test-packages:
	HUECAST_DIST="$(DIST)" go test -tags packages -count=1 -timeout 15m -run 'TestWine' -v ./e2e

fyne-tool:
	scripts/install-fyne-tool.sh

icon:
	go run ./scripts/gen-icon -o assets/icon.png

# fyne package runs on a copy of the source, but a run of fyne by hand in the
# checkout leaves these behind; fyne.syso would break every Linux build.
clean:
	rm -rf "$(DIST)"
	rm -f fyne.syso fyne_metadata_init.go huecast huecast.exe huecast.exe.manifest
	rm -rf tmp-pkg
