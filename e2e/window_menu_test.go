package e2e

import (
	"image"
	"image/color"
	"strings"
	"testing"
	"time"
)

// What a person does in a real window besides clicking a colour: open the
// Room menu and pick an item, fill in a dialog, read the title. The places
// to click are found on the window's own picture, not hard-coded, so that a
// change of font or padding moves them without breaking the tests.

const (
	// menuBar is the height of the menu bar at the top of the window.
	menuBar = 26
	// minSection is the least height of a group of menu items, or of a
	// row in a list: taller than a separator line or a letter's stroke.
	minSection = 20
)

// openMenu clicks the word "Room" in the menu bar, and returns the picture
// with the menu open and the column the menu's groups are read in (see
// menuSections).
func openMenu(t *testing.T, x *xserver, win, shot string) (image.Image, int) {
	t.Helper()
	img := waitShot(t, x, win, shot, windowWait, func(img image.Image) bool { return !light(img, 0, menuBar).Empty() })
	word := light(img, 0, menuBar)
	if err := x.click(win, centre(word)); err != nil {
		t.Fatal(err)
	}
	// The menu drops below the bar, starting a little left of the word;
	// its left margin holds no text.
	col := word.Min.X - 4
	img = waitShot(t, x, win, shot, windowWait, func(img image.Image) bool { return len(menuSections(img, col)) >= 2 })
	return img, col
}

// menuItem opens the Room menu and clicks the item-th of the n items in
// the section-th group of items (groups are parted by separator lines).
func menuItem(t *testing.T, x *xserver, win string, section, item, n int, shot string) {
	t.Helper()
	img, col := openMenu(t, x, win, shot)
	s := menuSections(img, col)
	if section >= len(s) {
		t.Fatalf("the menu has %d groups, want more than %d; see %s", len(s), section, save(t, shot, img))
	}
	g := s[section]
	y := g.min + (g.max-g.min)*(2*item+1)/(2*n)
	t.Logf("the menu: %s; clicking item %d of group %d (y=%d)", save(t, shot, img), item+1, section+1, y)
	if err := x.click(win, image.Pt(col+40, y)); err != nil {
		t.Fatal(err)
	}
}

// span is the rows min up to (not including) max.
type span struct{ min, max int }

// menuSections reads column x below the menu bar of a picture with a menu
// open: the menu's background, parted by one-pixel separator lines, gives
// one span per group of items.
func menuSections(img image.Image, x int) []span {
	b := img.Bounds()
	bg := img.At(b.Min.X+x, b.Min.Y+menuBar+8)
	return runsOf(img, x, menuBar, b.Dy(), func(c color.Color) bool { return sameColor(c, bg) })
}

// runsOf returns the runs, down column x from row from to row to, of
// pixels that in accepts, taller than minSection.
func runsOf(img image.Image, x, from, to int, in func(color.Color) bool) []span {
	b := img.Bounds()
	var out []span
	start := -1
	for y := from; y <= to; y++ {
		if y < to && y < b.Dy() && in(img.At(b.Min.X+x, b.Min.Y+y)) {
			if start < 0 {
				start = y
			}
			continue
		}
		if start >= 0 && y-start >= minSection {
			out = append(out, span{start, y})
		}
		start = -1
	}
	return out
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2
}

// light is the bounding box of the light (text) pixels of rows from to to.
func light(img image.Image, from, to int) image.Rectangle {
	b := img.Bounds()
	var box image.Rectangle
	for y := from; y < to && y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if r>>8 > 150 && g>>8 > 150 && bl>>8 > 150 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func centre(r image.Rectangle) image.Point {
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
}

// primaryButton finds a dialog's highlighted button (Save, Join) by its
// saturated blue, and how many pixels it has: the palette's Blue is paler
// (more green) and, like everything behind a dialog, dimmed. Only pixels
// inside a patch of that blue count, not the focused field's thin border
// of the same colour.
func primaryButton(img image.Image) (image.Point, int) {
	b := img.Bounds()
	blue := func(x, y int) bool {
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		r, g, bl = r>>8, g>>8, bl>>8
		return bl > 220 && r < 80 && g > 80 && g < 130
	}
	const in = 4 // farther from the patch's edge than a border is thick
	box, n := image.Rectangle{}, 0
	for y := in; y < b.Dy()-in; y++ {
		for x := in; x < b.Dx()-in; x++ {
			if blue(x, y) && blue(x-in, y) && blue(x+in, y) && blue(x, y-in) && blue(x, y+in) {
				box = box.Union(image.Rect(x, y, x+1, y+1))
				n++
			}
		}
	}
	return centre(box), n
}

// keys presses keys ("Tab", "ctrl+a", "Return") with real (XTEST) input
// events, into the window with the keyboard focus.
func (x *xserver) keys(keys ...string) error {
	_, err := x.run("xdotool", append([]string{"key", "--delay", "50"}, keys...)...)
	return err
}

// typeText types s as a person would, key by key.
func (x *xserver) typeText(s string) error {
	_, err := x.run("xdotool", "type", "--delay", "50", s)
	return err
}

// focus gives win the keyboard focus (there is no window manager to do it).
func (x *xserver) focus(win string) error {
	_, err := x.run("xdotool", "windowfocus", "--sync", win)
	return err
}

// waitTitle waits until win's title is want, as the X server has it.
func waitTitle(t *testing.T, x *xserver, win, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var got string
	for {
		out, err := x.run("xdotool", "getwindowname", win)
		got = strings.TrimSpace(string(out))
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window's title is %q (%v), not %q, after %v", got, err, want, within)
		}
		time.Sleep(xPoll) // polling an external program, with a bound
	}
}

// shotOnFailure saves the whole screen as name if t has failed by the
// time its cleanups run; register it after the windows start, so that it
// runs before they are killed.
func shotOnFailure(t *testing.T, x *xserver, name string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if img, err := x.shot("root"); err == nil {
			t.Logf("the screen when the test failed: %s", save(t, name, img))
		} else {
			t.Logf("no screenshot at failure: %v", err)
		}
	})
}
