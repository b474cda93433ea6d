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
# GOFLAGS is set so a flag meant for the project's own builds (-mod=vendor,
# -tags) does not leak into the tool's build; pkg@version ignores the project's
# go.mod. -trimpath, as fyne package --release builds huecast: the standard
# library and the modules the tool shares with huecast then compile once for both.
GOFLAGS=-trimpath go install "fyne.io/tools/cmd/fyne@${FYNE_TOOL_VERSION}"
"$bin" version >&2 || true
echo "$bin"
