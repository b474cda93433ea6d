package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// Tools the real-window tests drive the X server with; scripts/test-deps.sh
// installs them (xvfb, xdotool, imagemagick).
var x11Tools = []string{"Xvfb", "xdotool", "import"}

const (
	// xTimeout bounds one run of xdotool or import; both take milliseconds.
	xTimeout = 10 * time.Second
	// windowWait bounds the wait for a window to map and draw; a cold start
	// under the race detector with software GL takes a few seconds.
	windowWait = 30 * time.Second
	xPoll      = 20 * time.Millisecond
)

// windowArtifacts is where the window tests keep their screenshots and logs, so
// that a failed run can be looked at (gitignored).
const windowArtifacts = "artifacts/window"

// requireX skips t when the tools for a real window are missing, or fails
// it when HUECAST_E2E_REQUIRED=1.
func requireX(t *testing.T) {
	t.Helper()
	var missing []string
	for _, tool := range x11Tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("no %s on PATH; scripts/test-deps.sh installs them", strings.Join(missing, ", "))
	if os.Getenv(netns.EnvRequired) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", msg, netns.EnvRequired)
	}
	t.Skip("skipping the real-window test: " + msg)
}

// xserver is an Xvfb the test started; it is killed at cleanup.
type xserver struct {
	t       *testing.T
	display string
}

// startX starts Xvfb on a free display (Xvfb picks it and prints it).
func startX(t *testing.T, width, height int) *xserver {
	t.Helper()
	cmd := exec.Command("Xvfb", "-displayfd", "1", "-screen", "0", fmt.Sprintf("%dx%dx24", width, height),
		"-nolisten", "tcp", "-noreset")
	p := netns.Start(t, cmd)
	line, err := p.WaitLine(windowWait, func(l string) bool { _, err := strconv.Atoi(strings.TrimSpace(l)); return err == nil })
	if err != nil {
		t.Fatalf("Xvfb did not start: %v", err)
	}
	return &xserver{t: t, display: ":" + strings.TrimSpace(line)}
}

// env returns the environment for a program on this X server. Each program
// gets its own config and runtime directories, as on separate machines.
func (x *xserver) env(home string) []string {
	run := filepath.Join(home, "run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		x.t.Fatal(err)
	}
	return append(os.Environ(), "DISPLAY="+x.display, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_RUNTIME_DIR="+run, "FYNE_THEME=dark", "WAYLAND_DISPLAY=")
}

// run runs an X tool against this server and returns its standard output.
func (x *xserver) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	cmd.WaitDelay = xTimeout
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	timer := time.AfterFunc(xTimeout, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes(), nil
}

// window waits until the process pid shows a window and returns its id.
func (x *xserver) window(pid int) string {
	x.t.Helper()
	deadline := time.Now().Add(windowWait)
	for time.Now().Before(deadline) {
		// search exits 1 while there is no such window yet.
		if out, err := x.run("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid)); err == nil {
			if ids := strings.Fields(string(out)); len(ids) > 0 {
				return ids[0]
			}
		}
		time.Sleep(xPoll) // polling an external program, with a bound
	}
	x.t.Fatalf("no window for pid %d within %v", pid, windowWait)
	return ""
}

// shot captures a window (or "root") as it is on screen.
func (x *xserver) shot(win string) (image.Image, error) {
	data, err := x.run("import", "-window", win, "png:-")
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(data))
}

// save writes img under the windowArtifacts directory.
func save(t *testing.T, name string, img image.Image) string {
	t.Helper()
	return writePNG(t, filepath.Join(windowArtifacts, name), img)
}

func writePNG(t *testing.T, path string, img image.Image) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// click moves the pointer to p inside window win and clicks the left button,
// with real (XTEST) input events, as a person's mouse would.
func (x *xserver) click(win string, p image.Point) error {
	_, err := x.run("xdotool", "mousemove", "--window", win, strconv.Itoa(p.X), strconv.Itoa(p.Y), "click", "1")
	return err
}

func (x *xserver) move(win string, left, top int) error {
	_, err := x.run("xdotool", "windowmove", "--sync", win, strconv.Itoa(left), strconv.Itoa(top))
	return err
}

func hexRGBA(hex string) color.RGBA {
	var c color.RGBA
	fmt.Sscanf(hex, "#%02x%02x%02x", &c.R, &c.G, &c.B)
	c.A = 0xff
	return c
}

func same(a color.Color, b color.RGBA) bool {
	r, g, bl, _ := a.RGBA()
	return uint8(r>>8) == b.R && uint8(g>>8) == b.G && uint8(bl>>8) == b.B
}

func hexOf(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// circleCentre finds the circle of colour c in img: the middle of the
// longest horizontal run of c (the circle's widest row, longer than any
// button) and of the longest vertical run through it. ok is false when no
// run is longer than minDiameter.
func circleCentre(img image.Image, c color.RGBA, minDiameter int) (image.Point, bool) {
	b := img.Bounds()
	longest := func(n int, at func(i int) bool) (start, length int) {
		run := 0
		for i := 0; i < n; i++ {
			if at(i) {
				run++
				if run > length {
					start, length = i-run+1, run
				}
			} else {
				run = 0
			}
		}
		return start, length
	}
	var best, bestLen, bestY int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		s, l := longest(b.Dx(), func(i int) bool { return same(img.At(b.Min.X+i, y), c) })
		if l > bestLen {
			best, bestLen, bestY = b.Min.X+s, l, y
		}
	}
	if bestLen < minDiameter {
		return image.Point{}, false
	}
	x := best + bestLen/2
	s, l := longest(b.Dy(), func(i int) bool { return same(img.At(x, b.Min.Y+i), c) })
	if l < minDiameter || bestY < b.Min.Y+s || bestY >= b.Min.Y+s+l {
		return image.Point{}, false
	}
	return image.Pt(x-b.Min.X, s+l/2), true
}

// patchCentre returns the middle of the bounding box of every pixel of
// colour c, and how many there are: a colour button, when nothing else on
// screen has its colour.
func patchCentre(img image.Image, c color.RGBA) (image.Point, int) {
	b := img.Bounds()
	box, n := image.Rectangle{}, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if same(img.At(x, y), c) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return image.Pt((box.Min.X+box.Max.X)/2-b.Min.X, (box.Min.Y+box.Max.Y)/2-b.Min.Y), n
}
