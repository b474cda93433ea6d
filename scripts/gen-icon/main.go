// Command gen-icon draws huecast's application icon and writes it as a PNG.
//
// Run it from the module root after changing the design, then commit the result:
//
//	go run ./scripts/gen-icon -o assets/icon.png
//
// The picture is the app in one glance: a big shared circle in the middle, held
// inside a ring of the six palette colours a person can pick from. Edges are
// anti-aliased by supersampling, and the output is deterministic, so a test can
// check that the committed icon is what this program draws.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

// size is the edge of the square icon in pixels. fyne package scales it down per
// platform (the Windows .ico, Linux pixmaps), so draw big and let it shrink.
const size = 1024

// samples is the supersampling grid per axis for pixels on an edge: samples²
// points give 1/256-step coverage, so no edge looks stepped at any size.
const samples = 16

// palette is the ring of choices, in colour-wheel order so neighbours blend
// rather than clash. The hex values are the ones the window's buttons use.
var palette = []color.NRGBA{
	{0xff, 0x00, 0x00, 0xff}, // red
	{0xff, 0xa5, 0x00, 0xff}, // orange
	{0xff, 0xd7, 0x00, 0xff}, // yellow
	{0x00, 0x80, 0x00, 0xff}, // green
	{0x1e, 0x90, 0xff, 0xff}, // blue
	{0x80, 0x00, 0x80, 0xff}, // purple
}

// Geometry, as fractions of the icon's half width so the design scales.
const (
	plateR      = 0.98 // light disc behind everything: keeps dark colours visible on dark panels
	rimWidth    = 0.02 // dark edge of the plate: keeps the plate visible on light panels
	ringOuterR  = 0.90
	ringInnerR  = 0.68
	discR       = 0.54 // the shared circle
	gapDegrees  = 7.0  // white gap between ring segments, measured on the ring's mid-line
	startDegree = -90  // first segment starts at twelve o'clock
)

var (
	plateColour = color.NRGBA{0xfa, 0xfa, 0xfa, 0xff}
	rimColour   = color.NRGBA{0x2a, 0x2e, 0x37, 0xff}
	discColour  = color.NRGBA{0x1e, 0x90, 0xff, 0xff} // blue: the circle everyone shares
)

func main() {
	out := flag.String("o", "assets/icon.png", "where to write the PNG")
	flag.Parse()

	data, err := encode(render(size))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-icon:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-icon:", err)
		os.Exit(1)
	}
}

// encode returns img as a PNG with the best compression the standard library has.
func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// render draws the icon at n×n pixels.
func render(n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	half := float64(n) / 2
	at := func(x, y float64) (color.NRGBA, bool) { return shade((x-half)/half, (y-half)/half) }
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			// Every shape is many pixels across, so a pixel whose four corners
			// agree lies inside one shape and needs no supersampling.
			c, ok := at(float64(px), float64(py))
			if uniform(at, float64(px), float64(py), c, ok) {
				if ok {
					img.SetNRGBA(px, py, c)
				}
				continue
			}
			img.SetNRGBA(px, py, supersample(at, float64(px), float64(py)))
		}
	}
	return img
}

// uniform reports whether the other three corners of the pixel at (x, y) have
// the colour c (ok false: transparent) of its top-left corner.
func uniform(at func(x, y float64) (color.NRGBA, bool), x, y float64, c color.NRGBA, ok bool) bool {
	for _, d := range [][2]float64{{1, 0}, {0, 1}, {1, 1}} {
		c2, ok2 := at(x+d[0], y+d[1])
		if c2 != c || ok2 != ok {
			return false
		}
	}
	return true
}

// supersample averages the colour over a samples×samples grid inside the pixel
// at (x, y), with coverage as alpha.
func supersample(at func(x, y float64) (color.NRGBA, bool), x, y float64) color.NRGBA {
	var r, g, b, a float64
	for sy := 0; sy < samples; sy++ {
		for sx := 0; sx < samples; sx++ {
			c, ok := at(x+(float64(sx)+0.5)/samples, y+(float64(sy)+0.5)/samples)
			if !ok {
				continue
			}
			r += float64(c.R)
			g += float64(c.G)
			b += float64(c.B)
			a++
		}
	}
	if a == 0 {
		return color.NRGBA{}
	}
	return color.NRGBA{
		R: uint8(math.Round(r / a)),
		G: uint8(math.Round(g / a)),
		B: uint8(math.Round(b / a)),
		A: uint8(math.Round(a / (samples * samples) * 255)),
	}
}

// shade returns the opaque colour at (x, y), in units of the icon's half width
// with the origin at the centre, and false where the icon is transparent.
func shade(x, y float64) (color.NRGBA, bool) {
	d := math.Hypot(x, y)
	switch {
	case d > plateR:
		return color.NRGBA{}, false
	case d > plateR-rimWidth:
		return rimColour, true
	case d <= discR:
		return discColour, true
	case d >= ringInnerR && d <= ringOuterR:
		if c, ok := segment(x, y); ok {
			return c, true
		}
	}
	return plateColour, true
}

// segment returns the palette colour of the ring segment under (x, y), or false
// in the gap between two segments. The gap has parallel sides (a constant width
// in pixels, not a wedge), which reads cleaner at small sizes.
func segment(x, y float64) (color.NRGBA, bool) {
	step := 2 * math.Pi / float64(len(palette))
	midR := (ringInnerR + ringOuterR) / 2
	halfGap := midR * math.Sin(gapDegrees*math.Pi/180/2)
	for i, c := range palette {
		start := float64(startDegree)*math.Pi/180 + float64(i)*step
		// Distance from the point to each boundary ray, signed so that inside
		// the segment both are positive.
		d1 := x*-math.Sin(start) + y*math.Cos(start)
		end := start + step
		d2 := x*math.Sin(end) - y*math.Cos(end)
		if d1 >= halfGap && d2 >= halfGap {
			return c, true
		}
	}
	return color.NRGBA{}, false
}
