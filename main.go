// huecast: one colour, live on every screen in the room.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/headless"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/peer"
)

// version is the release; FyneApp.toml's Version must match (main_test.go checks).
const version = "0.1.0"

// The exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the peer, the window or the diagnosis failed
	exitUsage = 2 // the command line or the setup is wrong
)

// main parses the command line, then runs; every way out goes through its
// one os.Exit, after run's deferred closes (the log, the state lock) ran.
func main() {
	o, err := parse(os.Args[1:])
	code := exitOK
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(os.Stdout, o.fs)
	case errors.Is(err, errBadFlag):
		shortUsage(os.Stderr)
		code = exitUsage
	case err != nil:
		fmt.Fprintln(os.Stderr, "huecast:", err)
		code = exitUsage
	case o.version:
		fmt.Println("huecast", version)
	default:
		code = run(o)
	}
	os.Exit(code)
}

// run runs what o asks for until it ends or a signal comes, and returns the
// exit status.
func run(o options) int {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log, closeLog, err := newLogger(o.logFile, !o.headless, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "huecast:", err)
		return exitUsage
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := peer.Config{Page: web.Handler(), Name: o.name, Room: o.room, Join: o.join, Host: o.host, Listen: o.listen, Logger: log,
		Passphrase: o.passphrase, MaxPeers: o.maxPeers, ColorRate: o.colorRate, FlipNow: o.flip == "now"}
	if o.iface != "" {
		cfg.Ifaces = strings.Split(o.iface, ",")
	}
	if !o.noMDNS {
		d, err := discovery.New(discovery.Config{Ifaces: cfg.Ifaces, Logger: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, "huecast:", err)
			return exitUsage
		}
		cfg.Discovery, cfg.Scan = d, !o.noScan
		cfg.Rooms = nearby.NewCache(nearbyConfig(cfg.Ifaces, d, o.noScan, log))
		if o.rooms {
			listRooms(ctx, nearbyConfig(cfg.Ifaces, d, o.noScan, log)(), cfg.Ifaces, os.Stdout, os.Stderr)
			return exitOK
		}
	} else if o.rooms {
		fmt.Fprintln(os.Stderr, "huecast: --rooms listens for mDNS and asks the subnets, which --no-mdns forbids")
		return exitUsage
	}
	switch {
	case o.diagnose:
		if err := peer.Diagnose(ctx, cfg, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "huecast:", err)
			return exitFail
		}
		return exitOK
	case !o.headless:
		err = runWindow(ctx, cfg, o.given)
	default:
		err = runHeadless(ctx, stop, cfg, o.stateFile, log)
	}
	var setup setupError
	if errors.As(err, &setup) {
		fmt.Fprintln(os.Stderr, "huecast:", setup.err)
		return exitUsage
	}
	if err != nil {
		log.Error("huecast: " + err.Error())
		return exitFail
	}
	return exitOK
}

// setupError is a peer that could not start, as opposed to one that failed
// while it ran: the person reads it on stderr, with the usage status.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }

// runHeadless runs a peer without a window, that reads commands on stdin
// and keeps its id and the hubs it joined in the state file (stateFile:
// "" the default, "-" none).
func runHeadless(ctx context.Context, stop func(), cfg peer.Config, stateFile string, log *slog.Logger) error {
	statePath := stateFile
	switch statePath {
	case "":
		statePath = headless.StatePath()
	case "-":
		statePath = ""
	}
	id, note, release, err := headless.ClaimID(statePath)
	if err != nil {
		return setupError{err}
	}
	defer release()
	if note != "" {
		log.Info("huecast: " + note)
	}
	cfg.ID = id
	if st, err := headless.LoadState(statePath); err == nil {
		cfg.Remembered = st.Hubs
	}
	p := peer.New(cfg)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	headless.RunRemembering(ctx, p, os.Stdin, os.Stdout, stop, statePath)
	return <-done
}
