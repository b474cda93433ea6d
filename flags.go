package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

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

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "huecast"
	}
	return h
}
