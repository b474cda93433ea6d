package e2e

import (
	"context"
	"image"
	"path/filepath"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// renameWait bounds each step of a rename seen from outside: the window
// searching its new room for a second before hosting it, then a listing
// (--rooms looks for up to 3 s) or a peer's join, on a loaded machine.
const renameWait = 45 * time.Second

// TestRenamingALoneWindowKeepsItsColour is a person alone in room lobby
// (first in, or on a network that keeps peers apart) who picks a colour,
// then moves to room kitchen through Room → Name and room…: typing the new
// room and clicking Save in the real window. The window then hosts kitchen
// with the colour picked: its title says kitchen, `huecast --rooms` from
// another machine of the LAN lists kitchen hosted by it (and lobby no
// more), a peer that then comes to kitchen joins its hub and is welcomed
// with the colour, and the circle shows it throughout (read once the
// title changed, and again once that peer joined).
func TestRenamingALoneWindowKeepsItsColour(t *testing.T) {
	requireX(t)
	bin := buildWindowBinary(t)
	headless := buildLANBinary(t)
	nw := netns.New(t, 2)
	x := startX(t, screenW, screenH)
	cmd := nw.Hosts[0].Command(context.Background(), bin, "--name", "lone", "--room", "lobby")
	cmd.Env = x.env(filepath.Join(t.TempDir(), "lone"))
	p := netns.Start(t, cmd)
	shotOnFailure(t, x, "rename-failed.png")
	win := x.window(p.PID())
	if err := x.move(win, 0, 0); err != nil {
		t.Fatal(err)
	}

	// Hosting lobby: the page's address shows only once the window hosts.
	green, orange := hexRGBA(startGreen), hexRGBA("#ffa500")
	lobby := waitShot(t, x, win, "rename-1-lobby.png", windowWait, func(img image.Image) bool {
		_, ok := circleCentre(img, green, minDiameter)
		_, link := linkCentre(img)
		return ok && link >= 50
	})
	t.Logf("hosting lobby: %s", save(t, "rename-1-lobby.png", lobby))
	button, n := patchCentre(lobby, orange)
	if n < 500 {
		t.Fatalf("no orange button (%d orange pixels); see %s", n, filepath.Join(windowArtifacts, "rename-1-lobby.png"))
	}
	if err := x.click(win, button); err != nil {
		t.Fatal(err)
	}
	var at image.Point
	picked := waitShot(t, x, win, "rename-2-orange.png", windowWait, func(img image.Image) bool {
		var ok bool
		at, ok = circleCentre(img, orange, minDiameter)
		return ok
	})
	t.Logf("orange picked: %s", save(t, "rename-2-orange.png", picked))

	// Room → Name and room…: the first item after the first separator.
	menuItem(t, x, win, 1, 0, 2, "rename-3-menu.png")
	dialog := waitShot(t, x, win, "rename-4-dialog.png", windowWait, func(img image.Image) bool {
		_, n := primaryButton(img)
		return n > 300
	})
	t.Logf("the dialog: %s", save(t, "rename-4-dialog.png", dialog))
	if err := x.focus(win); err != nil {
		t.Fatal(err)
	}
	// Tab to the room (the second field), select its text, type over it.
	if err := x.keys("Tab", "Tab", "ctrl+a"); err != nil {
		t.Fatal(err)
	}
	if err := x.typeText("kitchen"); err != nil {
		t.Fatal(err)
	}
	saveAt, _ := primaryButton(dialog)
	if err := x.click(win, saveAt); err != nil {
		t.Fatal(err)
	}
	waitTitle(t, x, win, "huecast — kitchen", renameWait)
	saved, err := x.shot(win)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saved: %s", save(t, "rename-5-saved.png", saved))
	if c := saved.At(saved.Bounds().Min.X+at.X, saved.Bounds().Min.Y+at.Y); !same(c, orange) {
		t.Fatalf("the circle at %v is %s once saved, want orange; see %s", at, hexOf(c), filepath.Join(windowArtifacts, "rename-5-saved.png"))
	}

	// Another machine of the LAN hears kitchen, hosted by the window.
	listed := waitListed(t, headless, nw.Hosts[1], renameWait, func(rs []roomLine) bool {
		return len(rs) == 1 && rs[0].Room == "kitchen"
	})
	want := roomLine{"room", "kitchen", "lone", 1, false, "ws://" + nw.Hosts[0].Addr + ":" + lanPort + "/ws"}
	if listed[0] != want {
		t.Fatalf("listed %+v, want %+v", listed[0], want)
	}

	// A peer coming to kitchen joins the window's hub and gets the colour.
	k := startHC(t, headless, nw.Hosts[1], "cook", "--room", "kitchen")
	joined := k.must(renameWait, "joined", nil)
	if joined.str("host") != "lone" || joined.str("room") != "kitchen" || joined.str("color") != "#ffa500" {
		t.Fatalf("cook joined %v, want lone's hub in kitchen with #ffa500", joined)
	}
	after := waitShot(t, x, win, "rename-6-kitchen.png", windowWait, func(img image.Image) bool {
		_, link := linkCentre(img)
		return link >= 50
	})
	t.Logf("the window in kitchen: %s", save(t, "rename-6-kitchen.png", after))
	if c := after.At(after.Bounds().Min.X+at.X, after.Bounds().Min.Y+at.Y); !same(c, orange) {
		t.Fatalf("the circle at %v is %s after the rename, want orange; see %s", at, hexOf(c), filepath.Join(windowArtifacts, "rename-6-kitchen.png"))
	}
	if _, ok := circleCentre(after, orange, minDiameter); !ok {
		t.Fatalf("no orange circle after the rename; see %s", filepath.Join(windowArtifacts, "rename-6-kitchen.png"))
	}
}

// waitListed runs huecast --rooms in h until ok accepts what it lists,
// and returns that; it fails t after within.
func waitListed(t *testing.T, bin string, h *netns.Host, within time.Duration, ok func([]roomLine) bool) []roomLine {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		rs, _, _ := runRooms(t, bin, h)
		if ok(rs) {
			return rs
		}
		if time.Now().After(deadline) {
			t.Fatalf("huecast --rooms lists %+v after %v", rs, within)
		}
	}
}
