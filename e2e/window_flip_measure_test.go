package e2e

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
	"github.com/huecast/huecast/net/wire"
)

// pixelEvery paces the reads of the circle's pixel: often enough to time a
// flip to about a millisecond, seldom enough to leave the window and Xvfb
// the CPU they draw with (a read is a round trip to Xvfb of well under one).
const pixelEvery = time.Millisecond

// TestMeasureWindowFlip gives BENCHMARKS.md the window's flip error: when a
// real window's circle changes on screen against when headless peers of the
// same room show the colour (their shown_unix_ms). A headless host and a
// headless peer on 127.0.0.1, and a window (built as packaged) joined to
// them on Xvfb; the host sets 20 colours, one after another, and a loop reads
// one pixel of the circle from Xvfb over the X11 protocol every
// pixelEvery, timestamping with the same Unix clock the headless peers
// print. A flip's moment is the middle between the last read of the old
// colour and the first of the new. It runs only with HUECAST_MEASURE=1:
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureWindowFlip -v -count=1
func TestMeasureWindowFlip(t *testing.T) {
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	requireX(t)
	const flips = 20
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", dir, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin := filepath.Join(dir, "huecast")
	x := startX(t, screenW, screenH)

	hostCmd := exec.Command(bin, "--headless", "--state", "-", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	in, err := hostCmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	host := netns.Start(t, hostCmd)
	line, err := host.WaitLine(waitFor, netns.Contains(`"event":"hosting"`))
	if err != nil {
		t.Fatal(err)
	}
	var hosting struct{ URL string }
	if err := json.Unmarshal([]byte(line), &hosting); err != nil {
		t.Fatal(err)
	}
	bob := netns.Start(t, exec.Command(bin, "--headless", "--state", "-", "--no-mdns", "--join", hosting.URL, "--name", "bob"))
	if _, err := bob.WaitLine(waitFor, netns.Contains(`"event":"joined"`)); err != nil {
		t.Fatal(err)
	}
	win := windowed(t, x, bin, "win", hosting.URL)
	if _, err := host.WaitLine(waitFor, netns.Contains(`"name":"win"`)); err != nil {
		t.Fatalf("the window did not join: %v", err)
	}
	w := x.window(win.PID())
	if err := x.move(w, 0, 0); err != nil {
		t.Fatal(err)
	}
	green := hexRGBA(startGreen)
	waitShot(t, x, w, "flip-window.png", windowWait, func(img image.Image) bool {
		_, ok := circleCentre(img, green, minDiameter)
		return ok
	})
	root, err := x.shot("root")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the window: %s", save(t, "flip-root.png", root))
	at, ok := circleCentre(root, green, minDiameter)
	if !ok {
		t.Fatal("no circle on the screen")
	}
	px, err := dialPixels(x.display)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	if c, err := px.at(at.X, at.Y); err != nil || c != green {
		t.Fatalf("pixel %v reads %v (%v), want the circle's green", at, c, err)
	}

	// Right after joining (the link's burst of pings still refining the
	// offset), then settled, as e2e's TestMeasureFlip measures.
	flipRound(t, in, px, at, host, bob, flips, "joined")
	<-time.After(settled) // the second round's condition: this much later
	flipRound(t, in, px, at, host, bob, flips, "settled")
}

// frameGap is the time between Fyne's frames (ui's frameGap).
const frameGap = time.Second / 60

// settled is how long after the first round the second starts: past the
// link's faster pings after a join.
const settled = 10 * time.Second

// flipRound sets n colours through the host's stdin, one after another, and
// logs how far the window's flips were from the headless peers'.
func flipRound(t *testing.T, in io.Writer, px *pixelReader, at image.Point, host, bob *netns.Proc, n int, when string) {
	t.Helper()
	var errs, headless []float64
	var brackets []time.Duration
	for i := range n {
		want := wire.Palette[1+i%(len(wire.Palette)-1)]
		// Sent right after the last flip showed, each colour's moment would
		// fall at the same point between two of the window's frames every
		// time; a random pause of up to a frame spreads the moments over
		// the whole gap, as people's clicks are.
		<-time.After(rand.N(frameGap))
		if _, err := fmt.Fprintln(in, want.Hex); err != nil {
			t.Fatal(err)
		}
		flip, bracket := watchPixel(t, px, at.X, at.Y, hexRGBA(want.Hex), 5*time.Second)
		brackets = append(brackets, bracket)
		shownHost, shownBob := shownUnixMS(t, host, want.Hex), shownUnixMS(t, bob, want.Hex)
		ref := (shownHost + shownBob) / 2
		errs = append(errs, flip-ref)
		headless = append(headless, math.Abs(shownHost-shownBob))
		t.Logf("%s: flip %2d %-6s window %+6.2f ms from the headless peers (host %+.2f, bob %+.2f), read ±%.2f ms",
			when, i+1, want.Name, flip-ref, flip-shownHost, flip-shownBob, float64(bracket.Microseconds())/2000)
	}
	slices.Sort(brackets)
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("%s, %d flips; reads of the circle's pixel bracket a flip by %v (median), %v (worst); load average %s",
		when, n, brackets[n/2].Round(10*time.Microsecond), brackets[n-1].Round(10*time.Microsecond), strings.TrimSpace(string(load)))
	t.Logf("%s: window − headless peers: median %+.2f ms, median |error| %.2f ms, worst %+.2f ms",
		when, medianMS(errs), medianMS(absAll(errs)), worstMS(errs))
	t.Logf("%s: headless host − headless peer: median %.2f ms, worst %.2f ms", when, medianMS(headless), worstMS(headless))
}

// watchPixel reads (x, y) until it shows want and returns when it changed
// (Unix ms, the middle between the last read before and the first after)
// and the time between those two reads.
func watchPixel(t *testing.T, px *pixelReader, x, y int, want color.RGBA, within time.Duration) (float64, time.Duration) {
	t.Helper()
	pace := time.NewTicker(pixelEvery)
	defer pace.Stop()
	last := time.Now()
	for deadline := last.Add(within); last.Before(deadline); <-pace.C {
		c, err := px.at(x, y)
		now := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		if c == want {
			mid := last.Add(now.Sub(last) / 2)
			return float64(mid.UnixMicro()) / 1000, now.Sub(last)
		}
		last = now
	}
	t.Fatalf("the circle did not turn %s within %v", hexOf(want), within)
	return 0, 0
}

// shownUnixMS waits for p's color event of hex and returns its shown_unix_ms.
func shownUnixMS(t *testing.T, p *netns.Proc, hex string) float64 {
	t.Helper()
	line, err := p.WaitLine(waitFor, func(l string) bool {
		return strings.Contains(l, `"event":"color"`) && strings.Contains(l, `"color":"`+hex+`"`)
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Shown float64 `json:"shown_unix_ms"`
	}
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Shown == 0 {
		t.Fatalf("color line %q: %v", line, err)
	}
	return ev.Shown
}

func medianMS(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[len(s)/2]
}

// worstMS is the value farthest from zero.
func worstMS(vs []float64) float64 {
	var w float64
	for _, v := range vs {
		if math.Abs(v) > math.Abs(w) {
			w = v
		}
	}
	return w
}

func absAll(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = math.Abs(v)
	}
	return out
}
