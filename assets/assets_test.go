package assets_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/huecast/huecast/assets"
)

func decodeIcon(t *testing.T) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(assets.IconPNG))
	if err != nil {
		t.Fatalf("embedded icon is not a PNG: %v", err)
	}
	return img
}

func TestIconIsLargeSquareAndTransparentOutsideTheCircle(t *testing.T) {
	img := decodeIcon(t)
	b := img.Bounds()
	if b.Dx() != b.Dy() {
		t.Errorf("icon is %d×%d, want square", b.Dx(), b.Dy())
	}
	if b.Dx() < 512 {
		t.Errorf("icon is %d px wide, want at least 512 (fyne package scales down, never up)", b.Dx())
	}
	corners := []image.Point{
		{b.Min.X, b.Min.Y}, {b.Max.X - 1, b.Min.Y},
		{b.Min.X, b.Max.Y - 1}, {b.Max.X - 1, b.Max.Y - 1},
	}
	for _, p := range corners {
		if _, _, _, a := img.At(p.X, p.Y).RGBA(); a != 0 {
			t.Errorf("corner %v has alpha %d, want transparent", p, a>>8)
		}
	}
	centre := color.NRGBAModel.Convert(img.At((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2)).(color.NRGBA)
	if centre.A != 0xff {
		t.Errorf("centre alpha %d, want the opaque shared circle", centre.A)
	}
}

// The icon is huecast's, not a placeholder: it shows every colour of the palette
// the window offers.
func TestIconShowsEveryPaletteColour(t *testing.T) {
	img := decodeIcon(t)
	seen := map[color.NRGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			seen[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)] = true
		}
	}
	palette := map[string]color.NRGBA{
		"green":  {0x00, 0x80, 0x00, 0xff},
		"blue":   {0x1e, 0x90, 0xff, 0xff},
		"orange": {0xff, 0xa5, 0x00, 0xff},
		"red":    {0xff, 0x00, 0x00, 0xff},
		"purple": {0x80, 0x00, 0x80, 0xff},
		"yellow": {0xff, 0xd7, 0x00, 0xff},
	}
	for name, c := range palette {
		if !seen[c] {
			t.Errorf("icon has no %s (%v) pixel", name, c)
		}
	}
}

func TestIconResourceServesTheEmbeddedPNG(t *testing.T) {
	res := assets.Icon()
	if res.Name() != "icon.png" {
		t.Errorf("resource name %q, want icon.png (Fyne picks the decoder by extension)", res.Name())
	}
	if !bytes.Equal(res.Content(), assets.IconPNG) {
		t.Error("resource content differs from IconPNG")
	}
}

// fyneApp is the part of FyneApp.toml (fyne tool v1.7.4 schema) that packaging relies on.
type fyneApp struct {
	Website     string
	Description string
	Details     struct {
		Icon, Name, ID, Version string
		Build                   int
	}
	LinuxAndBSD struct {
		GenericName, Comment string
		Categories, Keywords []string
	}
	Migrations map[string]bool
}

func TestFyneAppTOMLIsCompleteAndNamesTheIcon(t *testing.T) {
	var app fyneApp
	md, err := toml.DecodeFile(filepath.Join("..", "FyneApp.toml"), &app)
	if err != nil {
		t.Fatalf("read FyneApp.toml: %v", err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		t.Errorf("FyneApp.toml keys the tests do not know (typo, or a newer schema?): %v", undecoded)
	}
	d := app.Details
	checks := []struct {
		what string
		ok   bool
	}{
		{"Website is set", app.Website != ""},
		{"Description is set", app.Description != ""},
		{"Name is huecast (package names without spaces)", d.Name == "huecast"},
		{"ID is reverse DNS", regexp.MustCompile(`^[a-z][a-z0-9]*(\.[a-z][a-z0-9]*){2,}$`).MatchString(d.ID)},
		{"Version is x.y.z", regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(d.Version)},
		{"Build is positive", d.Build > 0},
		{"LinuxAndBSD has a comment", app.LinuxAndBSD.Comment != ""},
		{"LinuxAndBSD has categories", len(app.LinuxAndBSD.Categories) > 0},
		{"Migrations fyneDo is true", app.Migrations["fyneDo"]},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("FyneApp.toml: want %s; got %+v", c.what, app)
		}
	}

	icon, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(d.Icon)))
	if err != nil {
		t.Fatalf("FyneApp.toml Icon %q: %v", d.Icon, err)
	}
	if !bytes.Equal(icon, assets.IconPNG) {
		t.Errorf("FyneApp.toml Icon %q is not the icon the window uses (assets/icon.png)", d.Icon)
	}
}
