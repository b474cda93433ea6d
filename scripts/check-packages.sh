#!/usr/bin/env bash
# check-packages.sh checks the packages in dist/ the way a person installing
# them would meet them. It fails (exit 1) on the first package that is wrong.
#
#	scripts/check-packages.sh [linux] [deb] [windows] [msi] [headless]   (default: all)
#
# Linux: the tar.xz holds the binary, a .desktop file and the icon; the .desktop
# passes desktop-file-validate; the tarball's own Makefile installs it into a
# DESTDIR; the installed binary prints "huecast VERSION" for --version, and
# under Xvfb its window's WM_CLASS is the .desktop file's StartupWMClass, so
# desktops show the window under the launcher's icon.
# .deb: it holds /usr/bin/huecast, the .desktop file, hicolor icons from 16 to
# 512 px and AppStream metainfo that `appstreamcli validate` accepts for this
# VERSION; it Depends on libGL and X11; `apt-get install ./….deb` installs it
# (root, or sudo), the installed huecast prints its version and opens a window
# whose WM_CLASS is the .desktop file's, and `apt-get purge` leaves none of
# its files behind.
# Windows: `file` calls the .exe a PE32+ GUI x86-64 executable, and its
# resources hold an icon, a manifest and a version resource of VERSION.
# .msi: its tables name huecast VERSION from its publisher, install huecast.exe
# per user and put a shortcut with the icon in the Start menu. (Wine installs,
# runs and removes it in e2e/wine_test.go: make test-packages.)
# Headless: `file` calls the Linux binaries statically linked (x86-64, ARM
# aarch64) and the macOS ones Mach-O (x86_64, arm64);
# the amd64 one has no Fyne in its build info, prints "huecast VERSION" for
# --version, and started without --headless (and without a display) it hosts:
# its "hosting" event comes on stdout and the hub's /api/state answers JSON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${DIST:-$root/dist}"
version="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^Version[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"
id="$(awk -F'"' '/^\[/{s=$0} s=="[Details]" && /^ID[[:space:]]*=/{print $2; exit}' "$root/FyneApp.toml")"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(linux deb windows msi headless)

fail() {
	echo "check-packages: FAIL: $*" >&2
	exit 1
}
pass() { echo "check-packages: ok: $*"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/huecast-check.XXXXXX")"
started=() # processes this script started, killed on exit
cleanup() {
	local p
	for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

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

	check_wm_class "$dest/usr/bin/huecast" "$desktop"
}

# check_wm_class opens the packaged binary's window on a private Xvfb and
# compares its WM_CLASS with StartupWMClass. The window hosts on loopback with
# discovery off: nothing leaves this machine.
check_wm_class() {
	local bin="$1" desktop="$2" want
	want="$(sed -n 's/^StartupWMClass=//p' "$desktop")"
	[[ -n "$want" ]] || fail ".desktop has no StartupWMClass"
	local xpid apid display="" win="" class="" i
	# The file exists before the poll reads it: the background Xvfb's
	# redirection happens in its own process, possibly after the first read.
	: >"$work/display"
	Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
	xpid=$!
	started+=("$xpid")
	# Xvfb writes the display number it chose once it accepts clients.
	for ((i = 0; i < 100; i++)); do
		display="$(tr -dc 0-9 <"$work/display")"
		[[ -n "$display" ]] && break
		sleep 0.1
	done
	[[ -n "$display" ]] || fail "Xvfb did not start: $(cat "$work/xvfb.log")"
	mkdir -p "$work/home/run"
	chmod 700 "$work/home/run"
	env -u WAYLAND_DISPLAY DISPLAY=":$display" HOME="$work/home" XDG_CONFIG_HOME="$work/home/config" \
		XDG_RUNTIME_DIR="$work/home/run" "$bin" --no-mdns --listen 127.0.0.1:0 --name check \
		>"$work/app.log" 2>&1 &
	apid=$!
	started+=("$apid")
	# Bounded poll (20 s) for the window.
	for ((i = 0; i < 200; i++)); do
		win="$(DISPLAY=":$display" xdotool search --onlyvisible --pid "$apid" 2>/dev/null | head -n1)" || true
		[[ -n "$win" ]] && break
		kill -0 "$apid" 2>/dev/null || break
		sleep 0.1
	done
	[[ -n "$win" ]] && class="$(DISPLAY=":$display" xprop -id "$win" WM_CLASS 2>&1)" || true
	kill "$apid" 2>/dev/null || true
	wait "$apid" 2>/dev/null || true
	kill "$xpid" 2>/dev/null || true
	wait "$xpid" 2>/dev/null || true
	[[ -n "$win" ]] || fail "the packaged huecast showed no window under Xvfb: $(cat "$work/app.log")"
	# WM_CLASS(STRING) = "instance", "class"; the class is what desktops match.
	[[ "$class" == *", \"$want\"" ]] || fail "window $class, want class \"$want\" (StartupWMClass)"
	pass "window $class matches StartupWMClass=$want"
}

check_deb() {
	local deb="$dist/huecast_${version}_amd64.deb" out f
	[[ -f "$deb" ]] || fail "$deb missing: run make package-deb"
	out="$(dpkg-deb -c "$deb" | awk '{print $6}')"
	for f in ./usr/bin/huecast "./usr/share/applications/$id.desktop" "./usr/share/metainfo/$id.metainfo.xml"; do
		grep -qx "$f" <<<"$out" || fail "$(basename "$deb") lacks $f"
	done
	for f in 16 22 24 32 48 64 128 256 512; do
		grep -qx "./usr/share/icons/hicolor/${f}x$f/apps/$id.png" <<<"$out" || fail "$(basename "$deb") lacks the ${f}px icon"
	done
	pass "$(basename "$deb") holds the binary, the .desktop file, the metainfo and 9 hicolor icons"
	[[ "$(dpkg-deb -f "$deb" Version)" == "$version" ]] || fail "$(basename "$deb") is version $(dpkg-deb -f "$deb" Version), want $version"
	out="$(dpkg-deb -f "$deb" Depends)"
	for f in libc6 libgl1 libx11-6 libxcursor1 libxrandr2 libxi6; do
		[[ ", $out," == *", $f"[\ ,]* ]] || fail "Depends lacks $f: $out"
	done
	pass "Depends: $out"

	local tree="$work/deb"
	dpkg-deb -x "$deb" "$tree"
	out="$(appstreamcli validate --no-net --strict "$tree/usr/share/metainfo/$id.metainfo.xml" 2>&1)" ||
		fail "appstreamcli validate: $out"
	out="$(appstreamcli validate-tree --no-net "$tree" 2>&1)" || fail "appstreamcli validate-tree: $out"
	# The newest release the software centre shows is this version.
	out="$(grep -o '<release version="[^"]*"' "$tree/usr/share/metainfo/$id.metainfo.xml" | head -n1 | cut -d'"' -f2)"
	[[ "$out" == "$version" ]] || fail "the metainfo's newest release is $out, want $version"
	pass "appstreamcli validate and validate-tree accept the metainfo; newest release $out"

	local sudo=""
	[[ "$(id -u)" == 0 ]] || sudo=sudo
	# Waits for dpkg's lock rather than failing while something else installs.
	local apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
	"${apt[@]}" install "$deb" >"$work/apt.log" 2>&1 || fail "apt-get install $deb: $(tail -n 20 "$work/apt.log")"
	[[ "$(dpkg-query -W -f '${Status} ${Version}' huecast)" == "install ok installed $version" ]] ||
		fail "after apt-get install: $(dpkg-query -W -f '${Status} ${Version}' huecast 2>&1)"
	pass "apt-get install ./$(basename "$deb")"
	out="$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 20 /usr/bin/huecast --version 2>&1)" || fail "/usr/bin/huecast --version: $out"
	[[ "$out" == "huecast $version" ]] || fail "/usr/bin/huecast --version printed '$out'"
	pass "/usr/bin/huecast --version: $out"
	check_wm_class /usr/bin/huecast "/usr/share/applications/$id.desktop"
	local files
	files="$(dpkg-query -L huecast | while read -r f; do [[ -f "$f" ]] && echo "$f"; done)"
	"${apt[@]}" purge huecast >>"$work/apt.log" 2>&1 || fail "apt-get purge huecast: $(tail -n 20 "$work/apt.log")"
	dpkg-query -W -f '${Status}' huecast 2>/dev/null | grep -q 'ok installed' && fail "huecast is still installed after apt-get purge"
	for f in $files; do
		[[ ! -e "$f" ]] || fail "$f is left after apt-get purge huecast"
	done
	pass "apt-get purge huecast removed all $(wc -w <<<"$files") of its files"
}

check_msi() {
	local msi="$dist/huecast-$version-windows-amd64.msi" out
	[[ -f "$msi" ]] || fail "$msi missing: run make package-msi"
	out="$(msiinfo export "$msi" Property)" || fail "msiinfo cannot read $msi: $out"
	grep -qP "^ProductVersion\t$version\r?$" <<<"$out" || fail "the MSI's ProductVersion is not $version"
	grep -qP "^Manufacturer\t\S" <<<"$out" || fail "the MSI names no Manufacturer (the publisher)"
	grep -qP "^ARPPRODUCTICON\t" <<<"$out" || fail "the MSI has no ARPPRODUCTICON (the icon in Installed apps)"
	pass "$(basename "$msi"): huecast $version, $(grep -P '^Manufacturer\t' <<<"$out" | cut -f2 | tr -d '\r')"
	out="$(msiinfo export "$msi" Directory)"
	grep -qP "^ProgramsDir\tLocalAppDataFolder\tPrograms" <<<"$out" || fail "the MSI does not install under %LocalAppData%\\Programs"
	out="$(msiinfo export "$msi" Shortcut)"
	grep -qP "\tProgramMenuFolder\thuecast\t" <<<"$out" || fail "the MSI has no Start-menu shortcut: $out"
	grep -qP "\thuecast.ico\t" <<<"$out" || fail "the Start-menu shortcut has no icon: $out"
	out="$(msiinfo suminfo "$msi")"
	grep -q "x64;1033" <<<"$out" || fail "the MSI is not for x64: $out"
	pass "per-user install under %LocalAppData%\\Programs\\huecast, a Start-menu shortcut with the icon"
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

check_headless() {
	local bin="$dist/huecast-headless-$version-linux-amd64" arm="$dist/huecast-headless-$version-linux-arm64" out
	[[ -f "$bin" && -f "$arm" ]] || fail "$bin or $arm missing: run make headless"
	out="$(file -b "$bin")"
	[[ "$out" == "ELF 64-bit LSB executable, x86-64,"* && "$out" == *", statically linked,"* ]] ||
		fail "file says '$out', want a statically linked x86-64 ELF executable"
	pass "file $(basename "$bin"): ${out%%, Go BuildID*}"
	out="$(file -b "$arm")"
	[[ "$out" == "ELF 64-bit LSB executable, ARM aarch64,"* && "$out" == *", statically linked,"* ]] ||
		fail "file says '$out', want a statically linked ARM aarch64 ELF executable"
	pass "file $(basename "$arm"): ${out%%, Go BuildID*}"
	local mac want
	for mac in amd64:x86_64 arm64:arm64; do
		want="${mac#*:}" mac="$dist/huecast-headless-$version-darwin-${mac%:*}"
		[[ -f "$mac" ]] || fail "$mac missing: run make headless"
		out="$(file -b "$mac")"
		[[ "$out" == "Mach-O 64-bit $want executable"* ]] || fail "file says '$out', want a Mach-O 64-bit $want executable"
		pass "file $(basename "$mac"): $out"
	done
	out="$(go version -m "$bin")" || fail "go version -m $bin: $out"
	[[ "$out" != *fyne.io* ]] || fail "$bin links Fyne: $(grep fyne.io <<<"$out")"
	pass "$(basename "$bin") has no Fyne in its build info"

	out="$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 20 "$bin" --version 2>&1)" ||
		fail "$(basename "$bin") --version exited $?: $out"
	[[ "$out" == "huecast $version" ]] || fail "--version printed '$out', want 'huecast $version'"
	pass "$(basename "$bin") --version: $out"

	# No --headless and no display: this build must host anyway. Loopback only
	# and --no-mdns, so nothing leaves this machine; port 0 picks a free port,
	# which the "hosting" event names.
	local pid url="" state="" i
	env -u DISPLAY -u WAYLAND_DISPLAY "$bin" --no-mdns --host --listen 127.0.0.1:0 --name check \
		>"$work/headless.out" 2>"$work/headless.err" </dev/null &
	pid=$!
	started+=("$pid")
	# Bounded poll (10 s) for the hosting event, then for the hub's state.
	for ((i = 0; i < 100; i++)); do
		url="$(jq -Rr 'fromjson? | select(.event == "hosting") | .url' "$work/headless.out" | head -n1)"
		url="${url#ws://}" && url="${url%/ws}"
		[[ -n "$url" ]] && state="$(curl -fsS --max-time 1 "http://$url/api/state" 2>/dev/null)" &&
			jq -e 'type == "object"' <<<"$state" >/dev/null 2>&1 && break
		state=""
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -n "$state" ]]; then
		# Memory once hosting, for the record (not a check): RssAnon is heap
		# and stacks, VmRSS adds the binary's own pages.
		pass "hosting, $(grep -E '^(VmRSS|RssAnon):' "/proc/$pid/status" | tr -s ' \t\n' ' ')"
	fi
	# SIGTERM ends it cleanly; bounded (5 s) before SIGKILL. A child that
	# exited stays a zombie (state Z) until waited for, so read its state.
	local rc=0
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		[[ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" =~ ^Z?$ ]] && break
		sleep 0.1
	done
	((i < 50)) || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	[[ -n "$url" ]] || fail "$(basename "$bin") without --headless printed no hosting event: $(cat "$work/headless.out" "$work/headless.err")"
	[[ -n "$state" ]] || fail "GET http://$url/api/state gave no JSON within 10 s: $(cat "$work/headless.err")"
	pass "$(basename "$bin") without --headless hosts at $url; /api/state: $(jq -c . <<<"$state" | cut -c1-120)"
	((rc == 0)) || fail "$(basename "$bin") exited $rc on SIGTERM, want 0: $(cat "$work/headless.err")"
	pass "SIGTERM stopped it with exit status 0"
}

for t in "${targets[@]}"; do
	case "$t" in
	linux) check_linux ;;
	deb) check_deb ;;
	windows) check_windows ;;
	msi) check_msi ;;
	headless) check_headless ;;
	*) fail "unknown target $t (want linux, deb, windows, msi or headless)" ;;
	esac
done
