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

// options is the command line, parsed.
type options struct {
	fs                                   *flag.FlagSet
	headless, host, noMDNS, noScan       bool
	diagnose, version, verbose, rooms    bool
	room, name, join, listen, iface      string
	passphrase, stateFile, flip, logFile string
	maxPeers                             int
	colorRate                            float64
	given                                map[string]bool // the flags the command line set
}

// errBadFlag is a command line the flag package refused; it has said why.
var errBadFlag = errors.New("bad flag")

// parse reads args into options. It returns flag.ErrHelp for -h and
// --help, errBadFlag for a flag it refused, or what else is wrong.
func parse(args []string) (options, error) {
	fs := flag.NewFlagSet("huecast", flag.ContinueOnError)
	o := options{fs: fs}
	fs.BoolVar(&o.headless, "headless", !hasWindow, "run a peer without a window")
	fs.StringVar(&o.room, "room", wire.DefaultRoom, "room to join or host")
	fs.StringVar(&o.name, "name", hostname(), "display name")
	fs.StringVar(&o.join, "join", "", "join this hub (ws://host:port/ws, or host:port) and skip discovery")
	fs.BoolVar(&o.host, "host", false, "host a hub here")
	fs.StringVar(&o.listen, "listen", peer.DefaultListen, "the hub's address when hosting (a free port if this one is taken)")
	fs.BoolVar(&o.noMDNS, "no-mdns", false, "no discovery: neither mDNS nor the subnet search (join by address, or host)")
	fs.BoolVar(&o.noScan, "no-scan", false, "when mDNS finds no hub, do not ask the local subnets' addresses (TCP 7788) instead")
	fs.StringVar(&o.iface, "iface", "", "use only these interfaces for discovery: NAME[,NAME] (by default LAN interfaces: not loopback, Docker, VM, tunnel or VPN ones)")
	fs.BoolVar(&o.diagnose, "diagnose", false, "print what discovery sees on this network (interfaces, mDNS, the subnet search, this port) and exit")
	fs.BoolVar(&o.rooms, "rooms", false, "list the rooms nearby, one JSON line each (room, host, members, locked, url), and exit; looks for up to 3 s")
	fs.StringVar(&o.passphrase, "passphrase", os.Getenv("HUECAST_PASSPHRASE"), "the room's passphrase (default $HUECAST_PASSPHRASE; the variable keeps it out of ps)")
	fs.IntVar(&o.maxPeers, "max-peers", hub.DefaultMaxPeers, "most peers a hub hosted here admits")
	fs.Float64Var(&o.colorRate, "color-rate", hub.DefaultColorRate, "colour changes a second each client of a hub hosted here may send (burst: twice that); negative: no limit")
	fs.StringVar(&o.stateFile, "state", "", "file where a headless peer keeps its id and the hubs it joined (default $HUECAST_STATE, else huecast/headless.json in your config folder; - keeps none)")
	fs.StringVar(&o.flip, "flip", "together", "when to show a colour: together (at the moment the whole room shows it) or now (on arrival)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.verbose, "v", false, "debug logs")
	fs.StringVar(&o.logFile, "log-file", "", "also write logs to this file (a window's default: huecast.log in the config directory; - for stderr only)")
	fs.Usage = func() {} // -h and --help print usage on stdout; a bad flag gets a hint
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return o, err
	} else if err != nil {
		return o, errBadFlag
	}
	o.given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.given[f.Name] = true })
	if o.host && o.join != "" {
		return o, errors.New("--host and --join exclude each other")
	}
	if o.flip != "together" && o.flip != "now" {
		return o, fmt.Errorf("--flip is together or now, not %q", o.flip)
	}
	return o, nil
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

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "huecast"
	}
	return h
}
