#!/usr/bin/env bash
# package.sh builds one installable huecast package with `fyne package` and puts
# it in dist/:
#
#	scripts/package.sh linux    -> dist/huecast-VERSION-linux-amd64.tar.xz
#	scripts/package.sh windows  -> dist/huecast-VERSION-windows-amd64.exe
#	scripts/package.sh headless -> dist/huecast-headless-VERSION-linux-{amd64,arm64}
#
# The headless kind is a plain static binary per architecture, built with the
# nowindow tag (no Fyne, no cgo): no fyne tool and no copy of the source, since
# go build leaves the checkout as it was.
#
# VERSION is [Details] Version in FyneApp.toml. The Windows build is a cross
# build through Debian's mingw-w64 (gcc-mingw-w64-x86-64); no Docker.
#
# fyne package works in the source directory: it writes the binary, a
# fyne_metadata_init.go, a fyne.syso (Windows) there, and it bumps Build in
# FyneApp.toml after every run. So it runs on a copy of the source in a
# temporary directory, and the checkout is never changed. --release builds with
# -trimpath, so the copy's path does not defeat Go's build cache.
set -euo pipefail

target="${1:?usage: package.sh linux|windows|headless}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${DIST:-$root/dist}"
arch=amd64

# version reads [Details] Version from FyneApp.toml.
version="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^Version[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"
if [[ -z "$version" ]]; then
	echo "package.sh: no [Details] Version in $root/FyneApp.toml" >&2
	exit 1
fi

if [[ "$target" == headless ]]; then
	mkdir -p "$dist"
	cd "$root"
	for arch in amd64 arm64; do
		out="$dist/huecast-headless-$version-linux-$arch"
		CGO_ENABLED=0 GOOS=linux GOARCH="$arch" \
			go build -tags nowindow -trimpath -ldflags "-s -w" -o "$out" .
		echo "$out"
	done
	exit 0
fi

fyne="$("$root/scripts/install-fyne-tool.sh")"

stage="$(mktemp -d "${TMPDIR:-/tmp}/huecast-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
src="$stage/huecast"
mkdir -p "$src"

# Copy the source: what git tracks plus untracked files it does not ignore, or
# the whole tree less build outputs when this is not a git checkout.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	tar -C "$root" --exclude=./.git --exclude=./dist --exclude=./bin -cf - . | tar -xf - -C "$src"
fi

mkdir -p "$dist"
cd "$src"
case "$target" in
linux)
	"$fyne" package --os linux --release
	out="$dist/huecast-$version-linux-$arch.tar.xz"
	mv huecast.tar.xz "$out"
	;;
windows)
	cc="${WINDOWS_CC:-x86_64-w64-mingw32-gcc}"
	if ! command -v "$cc" >/dev/null; then
		echo "package.sh: $cc not found; install Debian's gcc-mingw-w64-x86-64" >&2
		exit 1
	fi
	CC="$cc" CGO_ENABLED=1 GOOS=windows GOARCH="$arch" \
		"$fyne" package --os windows --release
	out="$dist/huecast-$version-windows-$arch.exe"
	mv huecast.exe "$out"
	;;
*)
	echo "package.sh: unknown target $target (want linux, windows or headless)" >&2
	exit 2
	;;
esac
echo "$out"
