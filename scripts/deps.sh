#!/usr/bin/env bash
# Installs what building and running huecast needs on Debian/Ubuntu: Go's cgo
# toolchain and Fyne's X11/Wayland/GL headers, and checks that Go is there.
# Nothing for the tests or the packages: scripts/test-deps.sh adds those.
# Uses sudo when not root. Idempotent.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
      libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev)
missing=()
for p in "${pkgs[@]}" "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "deps: Go 1.24+ is needed: https://go.dev/dl/" >&2; exit 1; }
go mod download
