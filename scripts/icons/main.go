// Command icons writes the icon sizes the packages need from the one drawn
// icon, assets/icon.png (1024×1024):
//
//	go run ./scripts/icons -hicolor DIR -name ID -ico FILE assets/icon.png
//
// -hicolor writes DIR/SIZExSIZE/apps/ID.png for every size in hicolorSizes,
// the freedesktop icon theme's layout that .deb and .rpm packages install
// under /usr/share/icons/hicolor. -ico writes a Windows icon holding the
// sizes in icoSizes, each stored as PNG (Windows Vista and later read them),
// for the MSI's Start-menu shortcut and its entry in Installed apps.
//
// Each size is an area average of the big icon (a box filter with partial
// pixels weighted), so edges stay smooth and the output is deterministic.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

var (
	hicolorSizes = []int{16, 22, 24, 32, 48, 64, 128, 256, 512}
	icoSizes     = []int{16, 24, 32, 48, 64, 256}
)

func main() {
	hicolor := flag.String("hicolor", "", "write DIR/NxN/apps/NAME.png for the hicolor theme")
	name := flag.String("name", "", "the icon's name in the theme: the app's ID")
	ico := flag.String("ico", "", "write a Windows .ico to this file")
	flag.Parse()
	if flag.NArg() != 1 || (*hicolor == "" && *ico == "") || (*hicolor != "" && *name == "") {
		fmt.Fprintln(os.Stderr, "usage: icons [-hicolor DIR -name ID] [-ico FILE] icon.png")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *hicolor, *name, *ico); err != nil {
		fmt.Fprintln(os.Stderr, "icons:", err)
		os.Exit(1)
	}
}

func run(src, hicolor, name, ico string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if b := img.Bounds(); b.Dx() != b.Dy() || b.Dx() < 512 {
		return fmt.Errorf("%s is %dx%d; want a square of at least 512", src, b.Dx(), b.Dy())
	}
	if hicolor != "" {
		for _, n := range hicolorSizes {
			data, err := encode(scale(img, n))
			if err != nil {
				return err
			}
			dir := filepath.Join(hicolor, fmt.Sprintf("%dx%d", n, n), "apps")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
				return err
			}
		}
	}
	if ico != "" {
		var images [][]byte
		for _, n := range icoSizes {
			data, err := encode(scale(img, n))
			if err != nil {
				return err
			}
			images = append(images, data)
		}
		if err := os.WriteFile(ico, icoFile(icoSizes, images), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}

// scale returns img shrunk to n×n by area averaging in premultiplied
// alpha, so transparent pixels do not darken the edges.
func scale(img image.Image, n int) *image.NRGBA {
	b := img.Bounds()
	src := float64(b.Dx()) / float64(n) // source pixels per output pixel
	out := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		y0, y1 := float64(y)*src, float64(y+1)*src
		for x := 0; x < n; x++ {
			x0, x1 := float64(x)*src, float64(x+1)*src
			var r, g, bl, a, area float64
			for sy := int(y0); float64(sy) < y1; sy++ {
				wy := min(y1, float64(sy+1)) - max(y0, float64(sy))
				for sx := int(x0); float64(sx) < x1; sx++ {
					w := wy * (min(x1, float64(sx+1)) - max(x0, float64(sx)))
					pr, pg, pb, pa := img.At(b.Min.X+sx, b.Min.Y+sy).RGBA() // premultiplied
					r, g, bl, a = r+w*float64(pr), g+w*float64(pg), bl+w*float64(pb), a+w*float64(pa)
					area += w
				}
			}
			if a == 0 {
				continue // transparent
			}
			un := func(v float64) uint8 { return uint8(min(255, v/a*255+0.5)) }
			out.SetNRGBA(x, y, color.NRGBA{un(r), un(g), un(bl), uint8(a/area/257 + 0.5)})
		}
	}
	return out
}

// icoFile lays out an ICONDIR, one ICONDIRENTRY per image, then the PNGs.
func icoFile(sizes []int, images [][]byte) []byte {
	var buf bytes.Buffer
	le := binary.LittleEndian
	w := func(v any) { _ = binary.Write(&buf, le, v) }
	w([3]uint16{0, 1, uint16(len(images))}) // reserved, type 1 = icon, count
	offset := 6 + 16*len(images)
	for i, data := range images {
		dim := uint8(sizes[i]) // 256 is written as 0
		w([4]uint8{dim, dim, 0, 0})
		w([2]uint16{1, 32}) // colour planes, bits per pixel
		w([2]uint32{uint32(len(data)), uint32(offset)})
		offset += len(data)
	}
	for _, data := range images {
		buf.Write(data)
	}
	return buf.Bytes()
}
