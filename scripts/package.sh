#!/usr/bin/env bash
# package.sh builds one installable huecast package with `fyne package` and puts
# it in dist/:
#
#	scripts/package.sh linux    -> dist/huecast-VERSION-linux-amd64.tar.xz
#	scripts/package.sh windows  -> dist/huecast-VERSION-windows-amd64.exe
#	scripts/package.sh headless -> dist/huecast-headless-VERSION-{linux,darwin}-{amd64,arm64}
#	scripts/package.sh deb      -> dist/huecast_VERSION_amd64.deb     (from the linux tar.xz)
#	scripts/package.sh msi      -> dist/huecast-VERSION-windows-amd64.msi (from the .exe)
#	scripts/package.sh flags    -> prints the C compiler, C flags and go build flags the linux
#	                               package is built with, as shell assignments
#
# The headless kind is a plain static binary per OS and architecture, built
# with the nowindow tag (no Fyne, no cgo): no fyne tool and no copy of the
# source, since go build leaves the checkout as it was.
#
# The .deb and the .msi wrap the binaries the linux and windows targets built,
# so they cost no compile: the .deb (dpkg-deb) adds hicolor icons, AppStream
# metainfo and Depends on the libraries Fyne opens at run time; the .msi
# (msitools' wixl) is described by packaging/huecast.wxs.
#
# VERSION is [Details] Version in FyneApp.toml. The Windows build is a cross
# build through Debian's mingw-w64 (gcc-mingw-w64-x86-64); no Docker.
#
# fyne package works in the source directory: it writes the binary, a
# fyne_metadata_init.go, a fyne.syso (Windows) there, and it bumps Build in
# FyneApp.toml after every run. So it runs on a copy of the source in a
# temporary directory, and the checkout is never changed. --release builds with
# -trimpath, so the copy's path does not defeat Go's build cache.
#
# fyne package --release sets CGO_CFLAGS (-O3 and hardening) and CGO_LDFLAGS
# itself, after any from the environment, so those are cleared first: the
# package is built the same whoever runs this. The flags target asks the fyne
# tool which flags it builds the linux package with; a build run with them
# (scripts/test.sh does) shares Go's cached compile of the cgo packages
# (go-gl's, minutes of C) with the package.
set -euo pipefail

target="${1:?usage: package.sh linux|windows|headless|deb|msi|flags}"
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
	for os in linux darwin; do
		for arch in amd64 arm64; do
			out="$dist/huecast-headless-$version-$os-$arch"
			CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" \
				go build -tags nowindow -trimpath -ldflags "-s -w" -o "$out" .
			echo "$out"
		done
	done
	exit 0
fi

id="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^ID[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"

# The libraries GLFW opens with dlopen, which dpkg-shlibdeps cannot see: X11
# and its extensions, and the Wayland backend's (libdecor is optional there).
deb_dlopened="libx11-6, libx11-xcb1, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1, libxext6, libxrender1, libegl1, libwayland-cursor0, libwayland-egl1, libxkbcommon0"

if [[ "$target" == deb ]]; then
	tarball="$dist/huecast-$version-linux-$arch.tar.xz"
	[[ -f "$tarball" ]] || { echo "package.sh: $tarball missing: run make package-linux" >&2; exit 1; }
	stage="$(mktemp -d "${TMPDIR:-/tmp}/huecast-deb.XXXXXX")"
	trap 'rm -rf "$stage"' EXIT
	tar -xJf "$tarball" -C "$stage"
	pkg="$stage/root"
	install -D -m 0755 "$(find "$stage/huecast" -path '*/bin/huecast' -type f)" "$pkg/usr/bin/huecast"
	install -D -m 0644 "$(find "$stage/huecast" -name "$id.desktop")" "$pkg/usr/share/applications/$id.desktop"
	install -D -m 0644 "$root/packaging/$id.metainfo.xml" "$pkg/usr/share/metainfo/$id.metainfo.xml"
	(cd "$root" && go run ./scripts/icons -hicolor "$pkg/usr/share/icons/hicolor" -name "$id" assets/icon.png)
	# dpkg-shlibdeps reads a debian/control for the package's name.
	mkdir -p "$stage/shlibs/debian"
	printf 'Source: huecast\n\nPackage: huecast\nArchitecture: amd64\n' >"$stage/shlibs/debian/control"
	linked="$(cd "$stage/shlibs" && dpkg-shlibdeps -O -e "$pkg/usr/bin/huecast" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
	[[ -n "$linked" ]] || { echo "package.sh: dpkg-shlibdeps found no libraries for huecast" >&2; exit 1; }
	mkdir -p "$pkg/DEBIAN"
	cat >"$pkg/DEBIAN/control" <<-EOF
		Package: huecast
		Version: $version
		Architecture: $arch
		Maintainer: The huecast authors <huecast@users.noreply.github.com>
		Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
		Depends: $linked, $deb_dlopened
		Recommends: libgl1-mesa-dri
		Section: net
		Priority: optional
		Homepage: https://github.com/huecast/huecast
		Description: one colour, live on every screen in the room
		 Run huecast on several machines of one network: each window shows a big
		 circle and colour buttons, and a click on any of them turns every circle
		 that colour at once. One peer hosts the room and the others find it over
		 mDNS; when the host leaves another takes over. Phones join from a web page
		 the host serves.
	EOF
	out="$dist/huecast_${version}_$arch.deb"
	dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
	echo "$out"
	exit 0
fi

if [[ "$target" == msi ]]; then
	exe="$dist/huecast-$version-windows-$arch.exe"
	[[ -f "$exe" ]] || { echo "package.sh: $exe missing: run make package-windows" >&2; exit 1; }
	command -v wixl >/dev/null || { echo "package.sh: wixl not found; install Debian's wixl (msitools)" >&2; exit 1; }
	stage="$(mktemp -d "${TMPDIR:-/tmp}/huecast-msi.XXXXXX")"
	trap 'rm -rf "$stage"' EXIT
	cp "$exe" "$stage/huecast.exe"
	(cd "$root" && go run ./scripts/icons -ico "$stage/huecast.ico" assets/icon.png)
	out="$dist/huecast-$version-windows-$arch.msi"
	# wixl warns through GLib about attributes it does not know; there are none.
	(cd "$stage" && wixl -a x64 -D Version="$version" -D Exe=huecast.exe -D Icon=huecast.ico \
		-o "$out" "$root/packaging/huecast.wxs")
	echo "$out"
	exit 0
fi

fyne="$("$root/scripts/install-fyne-tool.sh")"
unset CGO_CFLAGS CGO_LDFLAGS

# cgo_cc CC prints CC behind scripts/cgo-cc, which spares the C compiler the
# spelling suggestions that make cgo's probe of go-gl's names two minutes
# long, twice per cold build. CC is left as it is when scripts/test.sh has
# set it so already, or when the checkout's path has a quote that CC could
# not carry.
cgo_cc() {
	if [[ $1 == *"/scripts/cgo-cc"* || $root == *"'"* ]]; then
		printf '%s\n' "$1"
	else
		printf "'%s' %s\n" "$root/scripts/cgo-cc" "$1"
	fi
}

stage="$(mktemp -d "${TMPDIR:-/tmp}/huecast-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

if [[ "$target" == flags ]]; then
	# fyne runs $GO for the build; this one writes down the C flags it was
	# given and whether it was asked for -trimpath, and builds nothing.
	cat >"$stage/go" <<-'EOF'
		#!/usr/bin/env bash
		printf 'export CC=%q CGO_CFLAGS=%q CGO_LDFLAGS=%q\n' "$CC" "${CGO_CFLAGS-}" "${CGO_LDFLAGS-}" >"$HUECAST_FLAGS_OUT"
		for arg; do [[ $arg != -trimpath ]] || echo trimpath >>"$HUECAST_FLAGS_OUT"; done
	EOF
	chmod +x "$stage/go"
	mkdir "$stage/src"
	# Without a FyneApp.toml it says it leaves the metadata out: only said on failure.
	(cd "$stage/src" && CC="$(cgo_cc "${CC:-gcc}")" GO="$stage/go" HUECAST_FLAGS_OUT="$stage/flags" \
		"$fyne" build --os linux --release \
		>"$stage/out" 2>&1) || true
	[[ -s "$stage/flags" ]] || { cat "$stage/out" >&2; echo "package.sh: $fyne build did not run go" >&2; exit 1; }
	if grep -qx trimpath "$stage/flags"; then
		sed -i '/^trimpath$/d' "$stage/flags"
		# GOFLAGS from the environment replaces the one from go env -w.
		goflags="$(go env GOFLAGS)"
		printf 'export GOFLAGS=%q\n' "${goflags:+$goflags }-trimpath" >>"$stage/flags"
	fi
	cat "$stage/flags"
	exit 0
fi

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
	CC="$(cgo_cc "${CC:-gcc}")" "$fyne" package --os linux --release
	out="$dist/huecast-$version-linux-$arch.tar.xz"
	mv huecast.tar.xz "$out"
	;;
windows)
	cc="${WINDOWS_CC:-x86_64-w64-mingw32-gcc}"
	if ! command -v "$cc" >/dev/null; then
		echo "package.sh: $cc not found; install Debian's gcc-mingw-w64-x86-64" >&2
		exit 1
	fi
	CC="$(cgo_cc "$cc")" CGO_ENABLED=1 GOOS=windows GOARCH="$arch" \
		"$fyne" package --os windows --release
	out="$dist/huecast-$version-windows-$arch.exe"
	mv huecast.exe "$out"
	;;
*)
	echo "package.sh: unknown target $target (want linux, windows, headless, deb or msi)" >&2
	exit 2
	;;
esac
echo "$out"
