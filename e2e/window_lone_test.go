package e2e

import (
	"context"
	"image"
	"path/filepath"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

const (
	// aloneWithin bounds the wait for the alone status: it comes 8 s into
	// hosting with nobody joining, after the start's one-second search.
	aloneWithin = 30 * time.Second
	// statusTop and statusBottom bound the status line in a 640×480
	// window, between the menu bar and the circle.
	statusTop, statusBottom = 30, 60
	// shortStatus and longStatus tell "Looking for room lobby…" or
	// "Hosting room lobby at 10.77.…:7788" (under 300 px) from the alone status, which fills the line and ends in
	// an ellipsis.
	shortStatus, longStatus = 420, 580
)

// TestALoneWindowSaysSo starts one window, with discovery on, on a LAN of
// its own (a network namespace), as a person who is first in the room or
// whose network keeps peers apart: after hosting 8 s with nobody joining,
// its status line says so, filling the line where the statuses before it
// ("Looking for room lobby on the network…", "Hosting room lobby at …")
// took less than half.
func TestALoneWindowSaysSo(t *testing.T) {
	requireX(t)
	bin := buildWindowBinary(t)
	nw := netns.New(t, 1)
	h := nw.Hosts[0]
	x := startX(t, screenW, screenH)
	cmd := h.Command(context.Background(), bin, "--name", "lone")
	cmd.Env = x.env(filepath.Join(t.TempDir(), "lone"))
	started := time.Now()
	p := netns.Start(t, cmd)
	win := x.window(p.PID())
	if err := x.move(win, 0, 0); err != nil {
		t.Fatal(err)
	}

	green := hexRGBA(startGreen)
	first := waitShot(t, x, win, "lone-1-hosting.png", windowWait, func(img image.Image) bool {
		_, ok := circleCentre(img, green, minDiameter)
		return ok && statusExtent(img) > 0 && statusExtent(img) < shortStatus
	})
	t.Logf("hosting, %v after start: %s (status to x=%d)", time.Since(started).Round(time.Millisecond), save(t, "lone-1-hosting.png", first), statusExtent(first))
	alone := waitShot(t, x, win, "lone-2-alone.png", aloneWithin, func(img image.Image) bool {
		return statusExtent(img) > longStatus
	})
	took := time.Since(started)
	t.Logf("the alone status, %v after start: %s", took.Round(time.Millisecond), save(t, "lone-2-alone.png", alone))
	if took < 8*time.Second {
		t.Fatalf("the alone status came %v after start, before 8 s of hosting", took)
	}
}

// statusExtent is the rightmost column of the status line's text (light
// pixels on the dark theme) in a window's picture; 0 when it has none.
func statusExtent(img image.Image) int {
	b := img.Bounds()
	right := 0
	for y := b.Min.Y + statusTop; y < b.Min.Y+statusBottom && y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 150 && g>>8 > 150 && bl>>8 > 150 && x-b.Min.X > right {
				right = x - b.Min.X
			}
		}
	}
	return right
}
