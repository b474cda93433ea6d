package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// swatch is a colour button: a rounded tile filled with its colour and
// labelled in black or white, whichever reads better on it. It takes the
// keyboard focus (Tab), shows it with a ring, and picks on Enter or Space.
type swatch struct {
	widget.BaseWidget
	name    string
	fill    color.Color
	onTap   func()
	onRune  func(rune) // runes typed while it has the focus: keys 1–6 keep working
	focused bool       // belongs to the UI goroutine
}

var (
	_ fyne.Tappable      = (*swatch)(nil)
	_ fyne.Focusable     = (*swatch)(nil)
	_ desktop.Cursorable = (*swatch)(nil)
)

func newSwatch(name string, fill color.Color, onTap func(), onRune func(rune)) *swatch {
	s := &swatch{name: name, fill: fill, onTap: onTap, onRune: onRune}
	s.ExtendBaseWidget(s)
	return s
}

func (s *swatch) Tapped(*fyne.PointEvent) {
	if s.onTap != nil {
		s.onTap()
	}
}

func (s *swatch) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (s *swatch) FocusGained() { s.focused = true; s.Refresh() }
func (s *swatch) FocusLost()   { s.focused = false; s.Refresh() }

// TypedKey picks the colour on Enter, Return or Space, as a button does.
func (s *swatch) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		s.Tapped(nil)
	}
}

func (s *swatch) TypedRune(r rune) {
	if s.onRune != nil && r != ' ' { // Space arrives as a key as well
		s.onRune(r)
	}
}

func (s *swatch) CreateRenderer() fyne.WidgetRenderer {
	tile := canvas.NewRectangle(s.fill)
	tile.CornerRadius = theme.InputRadiusSize()
	label := canvas.NewText(s.name, readableOn(s.fill))
	label.Alignment = fyne.TextAlignCenter
	label.TextStyle = fyne.TextStyle{Bold: true}
	// The ring is drawn in the label's colour, so it shows on any tile.
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeColor = readableOn(s.fill)
	ring.StrokeWidth = 2
	ring.CornerRadius = theme.InputRadiusSize()
	ring.Hidden = !s.focused
	return &swatchRenderer{s: s, ring: ring,
		WidgetRenderer: widget.NewSimpleRenderer(container.NewStack(tile, container.NewPadded(label), container.NewPadded(ring)))}
}

type swatchRenderer struct {
	fyne.WidgetRenderer
	s    *swatch
	ring *canvas.Rectangle
}

func (r *swatchRenderer) Refresh() {
	r.ring.Hidden = !r.s.focused
	r.WidgetRenderer.Refresh()
}

// keyButton is a widget.Button that passes the runes typed while it has the
// focus on, so keys 1–6 work wherever the focus is.
type keyButton struct {
	widget.Button
	onRune func(rune)
}

func newKeyButton(label string, onTap func(), onRune func(rune)) *keyButton {
	b := &keyButton{onRune: onRune}
	b.Text, b.OnTapped = label, onTap
	b.ExtendBaseWidget(b)
	return b
}

func (b *keyButton) TypedRune(r rune) {
	if b.onRune != nil && r != ' ' {
		b.onRune(r)
	}
}

// readableOn returns black or white, whichever contrasts more with c
// (WCAG relative luminance).
func readableOn(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
	// Contrast with black is (l+0.05)/0.05, with white 1.05/(l+0.05); they
	// are equal at l ≈ 0.179.
	if l > 0.179 {
		return color.Black
	}
	return color.White
}
