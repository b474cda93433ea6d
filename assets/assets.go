// Package assets holds the files huecast ships inside its binary: the app icon.
//
// The icon is drawn by scripts/gen-icon; regenerate it with
//
//	go run ./scripts/gen-icon -o assets/icon.png
//
// FyneApp.toml names the same file, so the packaged icon (Linux pixmap, Windows
// .ico, macOS .icns) and the window icon are always one picture.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// IconPNG is the app icon: a 1024×1024 PNG with a transparent background.
//
//go:embed icon.png
var IconPNG []byte

// Icon returns the app icon as a Fyne resource, for fyne.App.SetIcon and
// fyne.Window.SetIcon.
func Icon() fyne.Resource {
	return fyne.NewStaticResource("icon.png", IconPNG)
}
