package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The committed icon must be what this program draws, so a design change always
// goes through the generator and the PNG never drifts from its source.
func TestCommittedIconMatchesGenerator(t *testing.T) {
	if testing.Short() {
		t.Skip("draws the full 1024 px icon")
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "assets", "icon.png"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	drawn := render(size)
	if committed.Bounds() != drawn.Bounds() {
		t.Fatalf("committed icon is %v, generator draws %v", committed.Bounds(), drawn.Bounds())
	}
	diff := 0
	var first image.Point
	b := drawn.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := committed.At(x, y).RGBA()
			r2, g2, b2, a2 := drawn.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				if diff == 0 {
					first = image.Pt(x, y)
				}
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("%d pixels differ (first at %v): run go run ./scripts/gen-icon -o assets/icon.png and commit", diff, first)
	}
}

func TestSegmentGapsSeparateColours(t *testing.T) {
	mid := (ringInnerR + ringOuterR) / 2
	// Twelve o'clock is the boundary between the last and first segment: a gap.
	if _, ok := segment(0, -mid); ok {
		t.Error("point on the boundary at twelve o'clock is inside a segment, want the gap")
	}
	// 30° clockwise from twelve o'clock is the middle of the first segment.
	c, ok := segment(mid*0.5, -mid*0.866)
	if !ok || c != palette[0] {
		t.Errorf("middle of the first segment = %v, %v; want %v", c, ok, palette[0])
	}
}
