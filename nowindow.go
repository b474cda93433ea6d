//go:build nowindow

// The headless build: `go build -tags nowindow` leaves out window.go and with
// it Fyne, cgo, and the GL and X11 libraries Fyne needs at run time, so the
// binary is static and runs where no display libraries are installed.

package main

import (
	"context"
	"errors"

	"github.com/huecast/huecast/net/peer"
)

// hasWindow is false: --headless defaults to true in this build.
const hasWindow = false

// runWindow only says why there is no window here: asked for one with
// --headless=false, the person should learn which build they have.
func runWindow(context.Context, peer.Config, map[string]bool) error {
	return errors.New("this is huecast's headless build: it has no window; run it without --headless=false, or install the desktop build (make package-linux)")
}
