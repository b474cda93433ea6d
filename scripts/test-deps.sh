#!/usr/bin/env bash
# Installs what the tests and the packages need on Debian/Ubuntu, on top of
# scripts/deps.sh (building and running):
#   network tests      iproute2, nftables
#   real windows       xvfb, xauth, xdotool, ImageMagick, Mesa's software GL, xprop
#   the web page       chromium; Node for the Socket.IO reference (bench/)
#   packages           make, xz, mingw-w64's C compiler (the Windows build), wixl and
#                      msitools (the MSI), dpkg-dev (the .deb), desktop-file-utils,
#                      appstream (metainfo), file
#   running them       wine (the Windows build and its MSI), curl and jq
# Uses sudo when not root. Idempotent.
set -euo pipefail
extra=(iproute2 nftables chromium xvfb xauth xdotool imagemagick libgl1-mesa-dri
       make xz-utils gcc-mingw-w64-x86-64 wixl msitools dpkg-dev desktop-file-utils appstream
       file x11-utils wine curl jq)
# Node only where none is installed: Debian's nodejs conflicts with other installs.
command -v node >/dev/null || extra+=(nodejs npm)
exec "$(dirname "$0")/deps.sh" "${extra[@]}"
