package e2e

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/huecast/huecast/net/wire"
)

// buildHeadless builds huecast as `make headless` does for this machine:
// static, without cgo, with the nowindow tag.
func buildHeadless(t *testing.T) string {
	t.Helper()
	return goBuild(t, "huecast-headless", []string{"CGO_ENABLED=0"}, "-tags", "nowindow", "-trimpath")
}

// The nowindow build is for machines without GL or X11 libraries: it must
// leave Fyne out, and started the way a person would start the desktop app,
// without --headless and without a display, run as a headless peer.
func TestNowindowBuildIsAHeadlessPeerWithoutFyne(t *testing.T) {
	bin := buildHeadless(t)

	t.Run("BuildInfoHasNoFyne", func(t *testing.T) {
		out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
		if err != nil {
			t.Fatalf("go version -m: %v\n%s", err, out)
		}
		info := string(out)
		for _, want := range []string{"-tags=nowindow", "CGO_ENABLED=0", "github.com/gorilla/websocket"} {
			if !strings.Contains(info, want) {
				t.Errorf("build info lacks %q:\n%s", want, info)
			}
		}
		if strings.Contains(info, "fyne.io") {
			t.Errorf("the nowindow build links Fyne:\n%s", info)
		}
	})

	t.Run("HostsWithoutTheHeadlessFlag", func(t *testing.T) {
		// With no display, the desktop build would fail to open its window
		// instead of printing events.
		t.Setenv("DISPLAY", "")
		t.Setenv("WAYLAND_DISPLAY", "")
		p := start(t, bin, "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "pi")
		url, _ := p.await("hosting", event("hosting"))["url"].(string)
		if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.HasSuffix(url, "/ws") {
			t.Fatalf("hosting url = %q, want ws://127.0.0.1:PORT/ws", url)
		}
		p.await("joined", event("joined"))
		page := "http://" + strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws") + "/"
		st := hubState(t, page)
		if len(st.Peers) != 1 || st.Peers[0].Name != "pi" || st.Color != wire.StartColor {
			t.Fatalf("/api/state = %+v, want only pi, colour %s", st, wire.StartColor)
		}
		// It reads commands as the headless mode does.
		io.WriteString(p.stdin, "blue\n")
		p.await("blue", colorEvent("#1e90ff"))
		p.stop()
	})

	t.Run("AskedForAWindowSaysWhichBuildThisIs", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, "--headless=false", "--no-mdns").CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("huecast --headless=false: err %v, want exit status 1; output:\n%s", err, out)
		}
		if !strings.Contains(string(out), "this is huecast's headless build: it has no window") {
			t.Fatalf("huecast --headless=false printed:\n%s", out)
		}
	})

	t.Run("HelpSaysHeadlessIsTheDefault", func(t *testing.T) {
		out, _ := exec.Command(bin, "-h").CombinedOutput()
		if !strings.Contains(string(out), "run a peer without a window (default true)") {
			t.Fatalf("huecast -h printed:\n%s", out)
		}
	})
}
