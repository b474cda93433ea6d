package main

import (
	"context"
	"flag"

	"fyne.io/fyne/v2/app"

	"github.com/huecast/huecast/assets"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/ui"
)

// appID is FyneApp.toml's ID; Fyne keeps the preferences under it.
const appID = "io.github.huecast.huecast"

// runWindow runs a peer in a window until the window closes or ctx ends. A
// name or room the person chose in the window last time wins over the
// defaults, but not over flags the command line gave (given).
func runWindow(ctx context.Context, cfg peer.Config, given map[string]bool) error {
	a := app.NewWithID(appID)
	a.SetIcon(assets.Icon())
	if !given["name"] {
		cfg.Name = a.Preferences().StringWithFallback(ui.PrefName, cfg.Name)
	}
	if !given["room"] {
		cfg.Room = a.Preferences().StringWithFallback(ui.PrefRoom, cfg.Room)
	}
	r := peer.NewRestarter(cfg)
	u := ui.New(a, r, ui.Settings{Name: cfg.Name, Room: cfg.Room, Join: cfg.Join})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	u.Run(ctx) // on main's goroutine, as Fyne needs
	cancel()
	return <-done
}

// given returns the flags the command line set.
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
