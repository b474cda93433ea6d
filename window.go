//go:build !nowindow

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2/app"

	"github.com/huecast/huecast/assets"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/ui"
)

// hasWindow says this build can open a window; nowindow.go's build cannot.
const hasWindow = true

// appID is FyneApp.toml's ID; Fyne keeps the preferences under it.
const appID = "io.github.huecast.huecast"

// runWindow runs a peer in a window until the window closes or ctx ends,
// starting with what ui.Startup makes of the flags (given names those the
// command line set) and the window's saved choices.
func runWindow(ctx context.Context, cfg peer.Config, given map[string]bool) (err error) {
	if err := canShow(); err != nil {
		return err
	}
	// GLFW panics when it cannot open a window on the display it was given
	// (a DISPLAY that went away, say); a person should read why, not a stack.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot open a window (%v); check DISPLAY, or run with --headless", r)
		}
	}()
	a := app.NewWithID(appID)
	a.SetIcon(assets.Icon())
	s := ui.Startup(a.Preferences(), ui.Start{Name: cfg.Name, Room: cfg.Room, FlipNow: cfg.FlipNow}, given, peer.NewID)
	cfg.Name, cfg.Room, cfg.FlipNow, cfg.ID, cfg.Remembered = s.Name, s.Room, s.FlipNow, s.ID, s.Remembered
	cfg.Early = ui.FlipEarly
	r := peer.NewRestarter(cfg)
	u := ui.New(a, r, ui.Settings{Name: cfg.Name, Room: cfg.Room, Join: cfg.Join, Passphrase: cfg.Passphrase})
	u.SetNearby(hubRooms{})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	u.Run(ctx) // on main's goroutine, as Fyne needs
	cancel()
	return <-done
}

// hubRooms lists the rooms nearby for the window by asking its hub, which
// looks for everyone in the room (net/nearby).
type hubRooms struct{}

func (hubRooms) Rooms(ctx context.Context, hub string) ([]ui.Room, error) {
	rs, err := nearby.Fetch(ctx, hub)
	out := make([]ui.Room, 0, len(rs))
	for _, r := range rs {
		out = append(out, ui.Room{Room: r.Room, Host: r.Host, Members: r.Members, Locked: r.Locked, URL: r.URL, Here: r.Here})
	}
	return out, err
}

// canShow says, on desktops that need one, that there is no display to open
// a window on.
func canShow() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset); run with --headless, or from a desktop session")
		}
	}
	return nil
}
