#!/usr/bin/env bash
# Installs what huecast needs on Debian/Ubuntu: Go's cgo toolchain and
# Fyne's X11/GL headers, iproute2 and nftables for the network tests, Xvfb, xdotool and
# ImageMagick (with Mesa's software GL) for the real-window test, Node for the
# Socket.IO reference, Chromium for the web page's tests; for the packages
# (make package-linux/windows, check-packages): make, xz, mingw-w64's C compiler,
# desktop-file-validate, file and xprop; curl and jq for the headless binary's
# check. Uses sudo when not root. Idempotent.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
      libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev iproute2 nftables chromium
      xvfb xauth xdotool imagemagick libgl1-mesa-dri
      make xz-utils gcc-mingw-w64-x86-64 desktop-file-utils file x11-utils curl jq)
# Node only where none is installed: Debian's nodejs conflicts with other installs.
command -v node >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "deps: Go 1.24+ is needed: https://go.dev/dl/" >&2; exit 1; }
go mod download
