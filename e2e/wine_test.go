//go:build packages

// The Windows packages as built (make packages), run under Wine on Xvfb: the
// portable .exe as a headless peer and as a window, and the .msi installed,
// started and removed. `make test-packages` runs them; they are behind the
// packages build tag because they need dist/ to hold what make packages
// built, which a plain go test does not.
//
// Every Windows program here talks only to a Linux host on 127.0.0.1, with
// --no-mdns and --listen 127.0.0.1:0: nothing is sent on the network.

package e2e

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/huecast/huecast/e2e/netns"
)

const (
	// envDist names the directory make packages wrote to (make test-packages
	// sets it); ../dist by default.
	envDist = "HUECAST_DIST"
	// wineWait bounds one Wine program's start: a cold wineserver, and Go's
	// runtime loading under Wine, take seconds on a loaded machine.
	wineWait = 60 * time.Second
	// wineBootWait bounds the making of the Wine prefix (wineboot --init),
	// about 45 s on a loaded 2-core machine.
	wineBootWait = 5 * time.Minute
	// wineArtifacts keeps the Windows window's screenshots and the logs.
	wineArtifacts = "artifacts/wine"
)

// wine is one Wine prefix, made for this test and used by every subtest.
type wine struct {
	t      *testing.T
	prefix string
	env    []string
}

// newWine makes a Wine prefix in a temporary directory, with the stand-in
// bcryptprimitives.dll (testdata/processprng.c) built by mingw-w64 in its
// system32, for programs shown on x. Its wineserver is stopped at cleanup.
func newWine(t *testing.T, x *xserver) *wine {
	t.Helper()
	for _, tool := range []string{"wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("no %s on PATH; scripts/test-deps.sh installs wine and gcc-mingw-w64-x86-64", tool)
		}
	}
	w := &wine{t: t, prefix: filepath.Join(t.TempDir(), "wineprefix")}
	// No Mono or Gecko (they would be downloaded), no debug chatter.
	w.env = append(os.Environ(), "WINEPREFIX="+w.prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree=;mshtml=", "DISPLAY="+x.display, "WAYLAND_DISPLAY=")
	dll := filepath.Join(t.TempDir(), "bcryptprimitives.dll")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-s", "-o", dll,
		"testdata/processprng.c", "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in bcryptprimitives.dll: %v\n%s", err, out)
	}
	began := time.Now()
	if out, err := w.run(wineBootWait, "wineboot", "--init"); err != nil {
		t.Fatalf("wineboot --init: %v\n%s", err, out)
	}
	// wineboot returns before the prefix's wineserver has written it all.
	if out, err := w.run(wineBootWait, "wineserver", "-w"); err != nil {
		t.Fatalf("wineserver -w: %v\n%s", err, out)
	}
	t.Logf("Wine prefix made in %v", time.Since(began).Round(100*time.Millisecond))
	t.Cleanup(func() {
		_, _ = w.run(wineWait, "wineserver", "-k")
		_, _ = w.run(wineWait, "wineserver", "-w")
	})
	data, err := os.ReadFile(dll)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// command returns a command that runs a Windows program (a path on this
// machine, or C:\…) in the prefix.
func (w *wine) command(args ...string) *exec.Cmd {
	cmd := exec.Command("wine", args...)
	cmd.Env = w.env
	return cmd
}

// run runs a Wine tool to its end, killing it after within, and returns its
// output. The output goes through a file, not a pipe: wineboot leaves the
// wineserver it started running, holding what it was given as stdout.
func (w *wine) run(within time.Duration, name string, args ...string) (string, error) {
	out, err := os.CreateTemp(w.t.TempDir(), "wine-out")
	if err != nil {
		return "", err
	}
	defer out.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = w.env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(within, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err = cmd.Wait()
	data, _ := os.ReadFile(out.Name())
	return string(data), err
}

// user returns the prefix's one user directory, drive_c/users/NAME.
func (w *wine) user() string {
	w.t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData"))
	for _, d := range dirs {
		if !strings.Contains(d, string(filepath.Separator)+"Public"+string(filepath.Separator)) {
			return filepath.Dir(d)
		}
	}
	w.t.Fatalf("no user directory in %s", w.prefix)
	return ""
}

// winPeer is a Windows huecast started under Wine, with its stdin.
type winPeer struct {
	*netns.Proc
	stdin io.WriteCloser
}

func (w *wine) start(t *testing.T, exe string, args ...string) winPeer {
	t.Helper()
	cmd := w.command(append([]string{exe}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	return winPeer{netns.Start(t, cmd), stdin}
}

// distFile returns the one file in the packages' directory matching pattern.
func distFile(t *testing.T, pattern string) string {
	t.Helper()
	dir := os.Getenv(envDist)
	if dir == "" {
		dir = "../dist"
	}
	found, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(found) != 1 {
		t.Fatalf("want one %s in %s, found %v: run make packages first", pattern, dir, found)
	}
	return found[0]
}

func TestWineRunsTheWindowsPackages(t *testing.T) {
	requireX(t)
	exe := distFile(t, "huecast-*-windows-amd64.exe")
	msi := distFile(t, "huecast-*-windows-amd64.msi")
	version := regexp.MustCompile(`huecast-(.+)-windows-amd64\.exe$`).FindStringSubmatch(exe)[1]
	if err := os.RemoveAll(wineArtifacts); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(wineArtifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	x := startX(t, 800, 600)
	w := newWine(t, x)
	// The Linux side: a headless host on loopback, built without a window.
	host, url := stdinHost(t, buildHeadless(t))
	winArgs := func(name string) []string {
		return []string{"--no-mdns", "--join", url, "--listen", "127.0.0.1:0", "--name", name}
	}

	t.Run("Version", func(t *testing.T) {
		out, err := w.run(wineWait, "wine", exe, "--version")
		if err != nil || strings.TrimSpace(out) != "huecast "+version {
			t.Fatalf("wine huecast.exe --version: %q, %v; want huecast %s", out, err, version)
		}
	})

	t.Run("HeadlessPeerSyncsBothWays", func(t *testing.T) {
		win := w.start(t, exe, append([]string{"--headless"}, winArgs("winnie")...)...)
		if _, err := win.WaitLine(wineWait, netns.Contains(`"event":"joined"`)); err != nil {
			t.Fatalf("the Windows peer did not join %s: %v", url, err)
		}
		if _, err := host.WaitLine(waitFor, joinedAs("winnie")); err != nil {
			t.Fatal(err)
		}
		// Linux to Windows.
		fmt.Fprintln(host.stdin, "purple")
		if _, err := win.WaitLine(waitFor, netns.Contains(`"color":"#800080"`)); err != nil {
			t.Fatalf("the Windows peer never saw the host's purple: %v", err)
		}
		// Windows to Linux.
		fmt.Fprintln(win.stdin, "#1e90ff")
		if _, err := host.WaitLine(waitFor, func(l string) bool {
			return strings.Contains(l, `"color":"#1e90ff"`) && strings.Contains(l, `"by":"winnie"`)
		}); err != nil {
			t.Fatalf("the host never saw winnie's blue: %v", err)
		}
		fmt.Fprintln(win.stdin, "quit")
		if err := win.Wait(wineWait); err != nil {
			t.Errorf("the Windows peer exited with %v after quit", err)
		}
	})

	t.Run("WindowShowsTheRoomAndAClickReachesIt", func(t *testing.T) {
		win := w.start(t, exe, winArgs("winwin")...)
		if _, err := host.WaitLine(wineWait, joinedAs("winwin")); err != nil {
			t.Fatalf("the Windows window did not join: %v", err)
		}
		id := wineWindow(t, x)
		fmt.Fprintln(host.stdin, "purple")
		purple, orange := hexRGBA("#800080"), hexRGBA("#ffa500")
		shot := waitShot(t, x, id, "wine-1-purple.png", wineWait, func(img image.Image) bool {
			_, ok := circleCentre(img, purple, minDiameter/2)
			return ok
		})
		t.Logf("the Windows window shows the host's purple: %s", writePNG(t, filepath.Join(wineArtifacts, "1-window-purple.png"), shot))
		button, n := patchCentre(shot, orange)
		if n < 300 {
			t.Fatalf("no Orange button in the Windows window (%d orange pixels)", n)
		}
		if err := x.click(id, button); err != nil {
			t.Fatal(err)
		}
		if _, err := host.WaitLine(waitFor, func(l string) bool {
			return strings.Contains(l, `"color":"#ffa500"`) && strings.Contains(l, `"by":"winwin"`)
		}); err != nil {
			t.Fatalf("a click on the Windows window's Orange never reached the room: %v", err)
		}
		shot = waitShot(t, x, id, "wine-2-orange.png", waitFor, func(img image.Image) bool {
			_, ok := circleCentre(img, orange, minDiameter/2)
			return ok
		})
		t.Logf("after the click: %s", writePNG(t, filepath.Join(wineArtifacts, "2-window-orange.png"), shot))
		if err := win.Kill(); err != nil {
			t.Fatal(err)
		}
		// A GUI program has no console: its log is in %AppData%\huecast.
		log := filepath.Join(w.user(), "AppData", "Roaming", "huecast", "huecast.log")
		data, err := os.ReadFile(log)
		if err != nil || !bytes.Contains(data, []byte("huecast started")) {
			t.Fatalf("the window's log %s: %v\n%s", log, err, data)
		}
		_ = os.WriteFile(filepath.Join(wineArtifacts, "window.log"), data, 0o644)
	})

	t.Run("MSIInstallsRunsAndUninstalls", func(t *testing.T) {
		began := time.Now()
		if out, err := w.run(wineWait, "wine", "msiexec", "/i", msi, "/qn"); err != nil {
			t.Fatalf("msiexec /i: %v\n%s", err, out)
		}
		t.Logf("installed in %v", time.Since(began).Round(100*time.Millisecond))
		user := w.user()
		installed := filepath.Join(user, "AppData", "Local", "Programs", "huecast", "huecast.exe")
		shortcut := filepath.Join(user, "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "huecast.lnk")
		if _, err := os.Stat(installed); err != nil {
			t.Fatalf("not installed where a per-user install goes: %v", err)
		}
		lnk, err := os.ReadFile(shortcut)
		if err != nil {
			t.Fatalf("no Start-menu shortcut: %v", err)
		}
		if !containsText(lnk, `Programs\huecast\huecast.exe`) {
			t.Errorf("the shortcut does not point at the installed huecast.exe:\n%q", lnk)
		}
		if entry := uninstallEntry(t, w); !strings.Contains(entry, "DisplayVersion    REG_SZ    "+version) ||
			!strings.Contains(entry, "Publisher    REG_SZ    The huecast authors") {
			t.Errorf("the uninstall entry lacks the version or the publisher:\n%s", entry)
		}

		p := w.start(t, installed, append([]string{"--headless"}, winArgs("installed")...)...)
		if _, err := host.WaitLine(wineWait, joinedAs("installed")); err != nil {
			t.Fatalf("the installed huecast did not join: %v", err)
		}
		fmt.Fprintln(p.stdin, "quit")
		if err := p.Wait(wineWait); err != nil {
			t.Errorf("the installed huecast exited with %v after quit", err)
		}

		if out, err := w.run(wineWait, "wine", "msiexec", "/x", msi, "/qn"); err != nil {
			t.Fatalf("msiexec /x: %v\n%s", err, out)
		}
		for _, f := range []string{installed, filepath.Dir(installed), shortcut} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s is left after uninstalling (stat: %v)", f, err)
			}
		}
		if entry := uninstallEntry(t, w); entry != "" {
			t.Errorf("the uninstall entry is left after uninstalling:\n%s", entry)
		}
		if out, err := w.run(wineWait, "wine", "reg", "query", `HKCU\Software\huecast`); err == nil {
			t.Errorf(`HKCU\Software\huecast is left after uninstalling:\n%s`, out)
		}
	})
}

// stdinHost starts a headless host on loopback, as hostFor does, with a
// stdin to set the room's colour from.
func stdinHost(t *testing.T, bin string) (winPeer, string) {
	t.Helper()
	cmd := exec.Command(bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "linus")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	host := winPeer{netns.Start(t, cmd), stdin}
	line, err := host.WaitLine(waitFor, netns.Contains(`"event":"hosting"`))
	if err != nil {
		t.Fatal(err)
	}
	url := regexp.MustCompile(`"url":"(ws://[^"]+)"`).FindStringSubmatch(line)
	if url == nil {
		t.Fatalf("hosting line %q has no url", line)
	}
	return host, url[1]
}

// uninstallEntry returns the Uninstall registry key that names huecast, or
// "". Windows keeps a per-user install's in HKCU; Wine 8 writes it to HKLM.
func uninstallEntry(t *testing.T, w *wine) string {
	t.Helper()
	for _, root := range []string{"HKCU", "HKLM"} {
		out, _ := w.run(wineWait, "wine", "reg", "query", root+`\Software\Microsoft\Windows\CurrentVersion\Uninstall`, "/s")
		for _, key := range strings.Split(strings.ReplaceAll(out, "\r", ""), "\n\n") {
			if strings.Contains(key, "DisplayName    REG_SZ    huecast\n") {
				return key
			}
		}
	}
	return ""
}

// containsText says whether data holds s, in ASCII or in UTF-16LE.
func containsText(data []byte, s string) bool {
	if bytes.Contains(data, []byte(s)) {
		return true
	}
	var wide bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		wide.Write([]byte{byte(u), byte(u >> 8)})
	}
	return bytes.Contains(data, wide.Bytes())
}

// joinedAs matches the host's event for a peer called name joining.
func joinedAs(name string) func(string) bool {
	return func(l string) bool {
		return strings.Contains(l, `"peer_joined"`) && strings.Contains(l, `"name":"`+name+`"`)
	}
}

// wineWindow waits for the one huecast window on x: Wine names it by its
// title, and the room goes in after it is shown.
func wineWindow(t *testing.T, x *xserver) string {
	t.Helper()
	deadline := time.Now().Add(wineWait)
	for time.Now().Before(deadline) {
		if out, err := x.run("xdotool", "search", "--onlyvisible", "--name", "^huecast"); err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				return ids[0]
			}
		}
		time.Sleep(xPoll) // polling an external program, with a bound
	}
	t.Fatalf("no huecast window on %s within %v", x.display, wineWait)
	return ""
}
