package e2e

import (
	"context"
	"image"
	"image/color"
	"path/filepath"
	"testing"

	"github.com/huecast/huecast/e2e/netns"
)

// TestPickingARoomNearbyJoinsIt is a person whose window started in room
// lobby, on a LAN where others are in kitchen and attic (headless peers in
// namespaces of their own, found by mDNS). Room → Rooms nearby… lists the
// three rooms, the window's own (lobby) first and marked; a click on kitchen joins
// it: kitchen's host reports the window as a member (and attic's never
// does), the title says kitchen, the circle shows kitchen's colour, and a
// colour kitchen's host sets afterwards shows in the circle too.
func TestPickingARoomNearbyJoinsIt(t *testing.T) {
	requireX(t)
	bin := buildWindowBinary(t)
	headless := buildLANBinary(t)
	nw := netns.New(t, 3)
	chef := startHC(t, headless, nw.Hosts[0], "chef", "--host", "--room", "kitchen")
	aunt := startHC(t, headless, nw.Hosts[1], "aunt", "--host", "--room", "attic")
	for _, h := range []*hc{chef, aunt} {
		h.must(lanWait, "hosting", nil)
		h.must(lanWait, "joined", nil) // its own hub, which then has a colour to change
	}
	chef.say("#ff0000")
	chef.must(lanWait, "color", func(e ev) bool { return e.str("color") == "#ff0000" })

	// The window, in a namespace of the LAN, reaches the host's Xvfb through
	// its socket file /tmp/.X11-unix/X<n>; Xvfb's abstract socket belongs to
	// the host's network namespace and cannot be reached from another.
	x := startX(t, screenW, screenH)
	cmd := nw.Hosts[2].Command(context.Background(), bin, "--name", "win", "--room", "lobby")
	cmd.Env = x.env(filepath.Join(t.TempDir(), "win"))
	p := netns.Start(t, cmd)
	shotOnFailure(t, x, "nearby-failed.png")
	win := x.window(p.PID())
	if err := x.move(win, 0, 0); err != nil {
		t.Fatal(err)
	}
	green, red, purple := hexRGBA(startGreen), hexRGBA("#ff0000"), hexRGBA("#800080")
	var at image.Point
	lobby := waitShot(t, x, win, "nearby-1-lobby.png", windowWait, func(img image.Image) bool {
		var ok bool
		at, ok = circleCentre(img, green, minDiameter)
		_, link := linkCentre(img)
		return ok && link >= 50 // hosting lobby
	})
	t.Logf("hosting lobby: %s", save(t, "nearby-1-lobby.png", lobby))

	// Room → Rooms nearby…: the first item.
	menuItem(t, x, win, 0, 0, 4, "nearby-2-menu.png")
	var rows []row
	var col int
	list := waitShot(t, x, win, "nearby-3-list.png", renameWait, func(img image.Image) bool {
		rows, col = listRows(img)
		// lobby first, marked and not pickable; then attic and kitchen.
		return len(rows) == 3 && !rows[0].lit && rows[1].lit && rows[2].lit
	})
	t.Logf("rooms nearby: %s; rows %+v", save(t, "nearby-3-list.png", list), rows)
	kitchen := image.Pt(col+80, (rows[2].min+rows[2].max)/2)
	if err := x.click(win, kitchen); err != nil {
		t.Fatal(err)
	}

	chef.must(renameWait, "peer_joined", func(e ev) bool { return e.str("name") == "win" })
	waitTitle(t, x, win, "huecast — kitchen", renameWait)
	joined := waitShot(t, x, win, "nearby-4-kitchen.png", renameWait, func(img image.Image) bool {
		return same(img.At(img.Bounds().Min.X+at.X, img.Bounds().Min.Y+at.Y), red)
	})
	t.Logf("joined kitchen, with its colour: %s", save(t, "nearby-4-kitchen.png", joined))

	chef.say("#800080")
	chef.must(lanWait, "color", func(e ev) bool { return e.str("color") == "#800080" })
	set := waitShot(t, x, win, "nearby-5-purple.png", windowWait, func(img image.Image) bool {
		c, ok := circleCentre(img, purple, minDiameter)
		return ok && c == at
	})
	t.Logf("chef's purple in the window: %s", save(t, "nearby-5-purple.png", set))
	for _, e := range aunt.all() {
		if e.str("event") == "peer_joined" {
			t.Fatalf("attic's host saw a member join: %v", e)
		}
	}
}

// maxRow is the most a row of a list is tall: a button, 36 px or so.
const maxRow = 60

// row is a row of a list; lit when its text is light, as a button's that
// can be clicked is (a disabled one's is grey).
type row struct {
	span
	lit bool
}

// listRows finds the rows (buttons) of the list in an open dialog, and the
// column they were read in: the dialog's title is the topmost light text
// below the menu bar (everything behind a dialog is dimmed), and the rows
// start a little right of its left edge, each a patch of its own colour on
// the dialog's background.
func listRows(img image.Image) ([]row, int) {
	b := img.Bounds()
	title := firstLine(img, menuBar+1, b.Dy())
	if title.Empty() || title.Min.Y < 4 {
		return nil, 0
	}
	col := title.Min.X + 12
	bg := img.At(b.Min.X+col, b.Min.Y+title.Min.Y-4)
	var rows []row
	for _, s := range runsOf(img, col, title.Max.Y, b.Dy(), func(c color.Color) bool { return !sameColor(c, bg) }) {
		// Below the dialog, what it dims runs to the window's bottom.
		if s.max-s.min <= maxRow && s.max < b.Dy() {
			rows = append(rows, row{s, !light(img, s.min, s.max).Empty()})
		}
	}
	return rows, col
}

// firstLine is the bounding box of the first line of light text in rows
// from to to: from the first row with light pixels to the next without.
func firstLine(img image.Image, from, to int) image.Rectangle {
	var box image.Rectangle
	for y := from; y < to; y++ {
		line := light(img, y, y+1)
		if line.Empty() && !box.Empty() {
			break
		}
		box = box.Union(line)
	}
	return box
}
