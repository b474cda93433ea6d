#!/usr/bin/env bash
# install-fyne-tool.sh installs the fyne packaging tool at the version the
# project pins, into $(go env GOPATH)/bin, and prints the path of the binary.
# It is idempotent: when the right version is already there it does nothing.
#
# The version is pinned because `fyne package` output (the .desktop file, the
# Windows resource, the FyneApp.toml schema it reads) changes between releases.
set -euo pipefail

FYNE_TOOL_VERSION="${FYNE_TOOL_VERSION:-v1.7.4}"
bin="$(go env GOPATH)/bin/fyne"

if [[ -x "$bin" ]] && go version -m "$bin" 2>/dev/null |
	grep -Eq "^[[:space:]]+mod[[:space:]]+fyne.io/tools[[:space:]]+${FYNE_TOOL_VERSION}([[:space:]]|$)"; then
	echo "$bin"
	exit 0
fi

echo "installing fyne.io/tools/cmd/fyne@${FYNE_TOOL_VERSION}" >&2
# GOFLAGS=-mod=mod keeps a vendor dir or the project's go.mod from getting in the way:
# go install pkg@version always builds in module mode outside the current module.
GOFLAGS= go install "fyne.io/tools/cmd/fyne@${FYNE_TOOL_VERSION}"
"$bin" version >&2 || true
echo "$bin"
