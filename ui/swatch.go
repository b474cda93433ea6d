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
// labelled in black or white, whichever reads better on it.
type swatch struct {
	widget.BaseWidget
	name  string
	fill  color.Color
	onTap func()
}

var (
	_ fyne.Tappable      = (*swatch)(nil)
	_ desktop.Cursorable = (*swatch)(nil)
)

func newSwatch(name string, fill color.Color, onTap func()) *swatch {
	s := &swatch{name: name, fill: fill, onTap: onTap}
	s.ExtendBaseWidget(s)
	return s
}

func (s *swatch) Tapped(*fyne.PointEvent) {
	if s.onTap != nil {
		s.onTap()
	}
}

func (s *swatch) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (s *swatch) CreateRenderer() fyne.WidgetRenderer {
	tile := canvas.NewRectangle(s.fill)
	tile.CornerRadius = theme.InputRadiusSize()
	label := canvas.NewText(s.name, readableOn(s.fill))
	label.Alignment = fyne.TextAlignCenter
	label.TextStyle = fyne.TextStyle{Bold: true}
	return widget.NewSimpleRenderer(container.NewStack(tile, container.NewPadded(label)))
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
