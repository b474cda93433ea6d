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
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// version is the release; FyneApp.toml's Version must match (main_test.go checks).
const version = "0.1.0"

func main() {
	fs := flag.NewFlagSet("huecast", flag.ContinueOnError)
	var (
		headlessMode = fs.Bool("headless", !hasWindow, "run a peer without a window")
		room         = fs.String("room", wire.DefaultRoom, "room to join or host")
		name         = fs.String("name", hostname(), "display name")
		join         = fs.String("join", "", "join this hub (ws://host:port/ws, or host:port) and skip discovery")
		host         = fs.Bool("host", false, "host a hub here")
		listen       = fs.String("listen", peer.DefaultListen, "the hub's address when hosting (a free port if this one is taken)")
		noMDNS       = fs.Bool("no-mdns", false, "no discovery: neither mDNS nor the subnet search (join by address, or host)")
		noScan       = fs.Bool("no-scan", false, "when mDNS finds no hub, do not ask the local subnets' addresses (TCP 7788) instead")
		iface        = fs.String("iface", "", "use only these interfaces for discovery: NAME[,NAME] (by default LAN interfaces: not loopback, Docker, VM, tunnel or VPN ones)")
		diagnose     = fs.Bool("diagnose", false, "print what discovery sees on this network (interfaces, mDNS, the subnet search, this port) and exit")
		rooms        = fs.Bool("rooms", false, "list the rooms nearby, one JSON line each (room, host, members, locked, url), and exit; looks for up to 3 s")
		passphrase   = fs.String("passphrase", os.Getenv("HUECAST_PASSPHRASE"), "the room's passphrase (default $HUECAST_PASSPHRASE; the variable keeps it out of ps)")
		maxPeers     = fs.Int("max-peers", hub.DefaultMaxPeers, "most peers a hub hosted here admits")
		colorRate    = fs.Float64("color-rate", hub.DefaultColorRate, "colour changes a second each client of a hub hosted here may send (burst: twice that); negative: no limit")
		stateFile    = fs.String("state", "", "file where a headless peer keeps its id and the hubs it joined (default $HUECAST_STATE, else huecast/headless.json in your config folder; - keeps none)")
		flip         = fs.String("flip", "together", "when to show a colour: together (at the moment the whole room shows it) or now (on arrival)")
		showVersion  = fs.Bool("version", false, "print the version and exit")
		verbose      = fs.Bool("v", false, "debug logs")
		logFile      = fs.String("log-file", "", "also write logs to this file (a window's default: huecast.log in the config directory; - for stderr only)")
	)
	fs.Usage = func() {} // -h and --help print usage on stdout; a bad flag gets a hint
	if err := fs.Parse(os.Args[1:]); errors.Is(err, flag.ErrHelp) {
		usage(os.Stdout, fs)
		return
	} else if err != nil {
		shortUsage(os.Stderr)
		os.Exit(2)
	}
	if *showVersion {
		fmt.Println("huecast", version)
		return
	}
	if *host && *join != "" {
		fmt.Fprintln(os.Stderr, "huecast: --host and --join exclude each other")
		os.Exit(2)
	}
	if *flip != "together" && *flip != "now" {
		fmt.Fprintf(os.Stderr, "huecast: --flip is together or now, not %q\n", *flip)
		os.Exit(2)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log, closeLog, err := newLogger(*logFile, !*headlessMode, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "huecast:", err)
		os.Exit(2)
	}
	defer closeLog()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := peer.Config{Page: web.Handler(), Name: *name, Room: *room, Join: *join, Host: *host, Listen: *listen, Logger: log,
		Passphrase: *passphrase, MaxPeers: *maxPeers, ColorRate: *colorRate, FlipNow: *flip == "now"}
	if *iface != "" {
		cfg.Ifaces = strings.Split(*iface, ",")
	}
	if !*noMDNS {
		d, err := discovery.New(discovery.Config{Ifaces: cfg.Ifaces, Logger: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, "huecast:", err)
			os.Exit(2)
		}
		cfg.Discovery, cfg.Scan = d, !*noScan
		cfg.Rooms = nearby.NewCache(nearbyConfig(cfg.Ifaces, d, *noScan, log))
		if *rooms {
			listRooms(ctx, nearbyConfig(cfg.Ifaces, d, *noScan, log)(), cfg.Ifaces, os.Stdout, os.Stderr)
			return
		}
	} else if *rooms {
		fmt.Fprintln(os.Stderr, "huecast: --rooms listens for mDNS and asks the subnets, which --no-mdns forbids")
		os.Exit(2)
	}
	if *diagnose {
		if err := peer.Diagnose(ctx, cfg, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "huecast:", err)
			os.Exit(1)
		}
		return
	}
	if !*headlessMode {
		if err := runWindow(ctx, cfg, given(fs)); err != nil {
			log.Error("huecast: " + err.Error())
			os.Exit(1)
		}
		return
	}
	statePath := *stateFile
	switch statePath {
	case "":
		statePath = headless.StatePath()
	case "-":
		statePath = ""
	}
	id, note, release, err := headless.ClaimID(statePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "huecast:", err)
		os.Exit(2)
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
	if err := <-done; err != nil {
		log.Error("huecast: " + err.Error())
		os.Exit(1)
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "huecast"
	}
	return h
}

// given returns the flags the command line set.
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
