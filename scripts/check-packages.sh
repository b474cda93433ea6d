#!/usr/bin/env bash
# check-packages.sh checks the packages in dist/ the way a person installing
# them would meet them. It fails (exit 1) on the first package that is wrong.
#
#	scripts/check-packages.sh [linux] [windows]   (default: both)
#
# Linux: the tar.xz holds the binary, a .desktop file and the icon; the .desktop
# passes desktop-file-validate; the tarball's own Makefile installs it into a
# DESTDIR; the installed binary prints "huecast VERSION" for --version.
# Windows: `file` calls the .exe a PE32+ GUI x86-64 executable, and its
# resources hold an icon, a manifest and a version resource of VERSION.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${DIST:-$root/dist}"
version="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^Version[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"
id="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^ID[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(linux windows)

fail() {
	echo "check-packages: FAIL: $*" >&2
	exit 1
}
pass() { echo "check-packages: ok: $*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/huecast-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

check_linux() {
	local tarball="$dist/huecast-$version-linux-amd64.tar.xz"
	[[ -f "$tarball" ]] || fail "$tarball missing: run make package-linux"
	tar -xJf "$tarball" -C "$work"
	local pkg="$work/huecast" desktop bin icon
	desktop="$(find "$pkg" -name "$id.desktop" -print -quit)"
	bin="$(find "$pkg" -path '*/bin/huecast' -type f -print -quit)"
	icon="$(find "$pkg" -path "*/pixmaps/$id.png" -print -quit)"
	[[ -n "$desktop" ]] || fail "no $id.desktop in $tarball"
	[[ -n "$bin" && -x "$bin" ]] || fail "no executable bin/huecast in $tarball"
	[[ -n "$icon" ]] || fail "no pixmaps/$id.png in $tarball"
	[[ -f "$pkg/Makefile" ]] || fail "no Makefile in $tarball"
	cmp -s "$icon" "$root/assets/icon.png" || fail "packaged icon differs from assets/icon.png"
	pass "$(basename "$tarball") holds $(cd "$pkg" && find . -type f | sort | tr '\n' ' ')"

	# desktop-file-validate prints hints and warnings but exits 0 on them; any
	# output at all is treated as a failure so the file stays spotless.
	local out
	out="$(desktop-file-validate "$desktop" 2>&1)" || fail "desktop-file-validate: $out"
	[[ -z "$out" ]] || fail "desktop-file-validate: $out"
	grep -qx 'Exec=huecast' "$desktop" || fail ".desktop Exec is not huecast: $(grep Exec= "$desktop")"
	grep -qx "Icon=$id" "$desktop" || fail ".desktop Icon is not $id"
	pass "desktop-file-validate $(basename "$desktop")"

	local dest="$work/root"
	make -s -C "$pkg" install DESTDIR="$dest" PREFIX=/usr >/dev/null
	for f in "usr/bin/huecast" "usr/share/applications/$id.desktop" "usr/share/pixmaps/$id.png"; do
		[[ -f "$dest/$f" ]] || fail "the package's Makefile did not install /$f"
	done
	pass "make install DESTDIR=... put bin, .desktop and icon in place"

	# --version must not need a display: unset DISPLAY so a window attempt fails loudly.
	out="$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 20 "$dest/usr/bin/huecast" --version 2>&1)" ||
		fail "huecast --version exited $?: $out"
	[[ "$out" == "huecast $version" ]] || fail "huecast --version printed '$out', want 'huecast $version'"
	pass "installed huecast --version: $out"
}

check_windows() {
	local exe="$dist/huecast-$version-windows-amd64.exe"
	[[ -f "$exe" ]] || fail "$exe missing: run make package-windows"
	local out
	out="$(file -b "$exe")"
	[[ "$out" == PE32+\ executable\ \(GUI\)\ x86-64* ]] || fail "file says '$out', want 'PE32+ executable (GUI) x86-64 ...'"
	pass "file: $out"
	# The version resource's strings are UTF-16LE; show them as a person would
	# look for them, then let pecheck parse the resource tree properly.
	local utf16
	utf16="$(printf '%s' "FileVersion" | sed 's/./&\\x00/g')"
	LC_ALL=C grep -aqP "$utf16" "$exe" || fail "no UTF-16LE FileVersion string in $exe"
	utf16="$(printf '%s' "$version" | sed 's/\./\\./g; s/[0-9]\|\\\./&\\x00/g')"
	LC_ALL=C grep -aqP "$utf16" "$exe" || fail "no UTF-16LE '$version' anywhere in $exe"
	(cd "$root" && go run ./scripts/pecheck -version "$version" "$exe") || fail "pecheck rejected $exe"
	pass "$(basename "$exe") version resource holds $version"
}

for t in "${targets[@]}"; do
	case "$t" in
	linux) check_linux ;;
	windows) check_windows ;;
	*) fail "unknown target $t (want linux or windows)" ;;
	esac
done
