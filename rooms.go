package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/scan"
)

// roomsWait is how long --rooms listens: hubs answer mDNS within
// milliseconds and the subnet search ends within scan.Deadline; the
// rest is for the hubs heard to be asked who they are.
const roomsWait = 2500 * time.Millisecond

// roomsPort is the port the subnet search asks: where peers host unless
// it is taken.
const roomsPort = 7788

// nearbyConfig says how to look for the rooms nearby on the interfaces
// named (the LAN's when none): mDNS through d, and the subnet search
// unless noScan. It is built again for every look, as addresses change.
func nearbyConfig(ifaces []string, d *discovery.MDNS, noScan bool, log *slog.Logger) func() nearby.Config {
	return func() nearby.Config {
		cfg := nearby.Config{MDNS: d, Logger: log}
		if !noScan {
			ifs, _ := lan.Interfaces(ifaces)
			cfg.Scan = &scan.Config{Subnets: lan.Subnets(ifs), Ports: []int{roomsPort}, Logger: log}
		}
		return cfg
	}
}

// roomLine is one line of --rooms: nothing in it derives from a passphrase.
type roomLine struct {
	Event   string `json:"event"`
	Room    string `json:"room"`
	Host    string `json:"host"`
	Members int    `json:"members"`
	Locked  bool   `json:"locked"`
	URL     string `json:"url"`
}

// listRooms looks for roomsWait and prints one JSON line per room heard on
// out, or, when it hears none, says on errw what it looked at and what
// usually keeps rooms out of sight. It returns how many it printed.
func listRooms(ctx context.Context, cfg nearby.Config, ifaces []string, out, errw io.Writer) int {
	rooms := nearby.Look(ctx, cfg, roomsWait)
	enc := json.NewEncoder(out)
	for _, r := range rooms {
		_ = enc.Encode(roomLine{Event: "room", Room: r.Room, Host: r.Host, Members: r.Members, Locked: r.Locked, URL: r.URL})
	}
	if len(rooms) == 0 {
		fmt.Fprint(errw, noRooms(cfg, ifaces))
	}
	return len(rooms)
}

// noRooms explains an empty listing in words a person can act on.
func noRooms(cfg nearby.Config, ifaces []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "huecast: no room heard within %v.\n", roomsWait)
	ifs, err := lan.Interfaces(ifaces)
	var names, subnets []string
	for _, x := range ifs {
		names = append(names, x.Name)
	}
	for _, s := range lan.Subnets(ifs) {
		subnets = append(subnets, s.Net.String())
	}
	switch {
	case err != nil || len(names) == 0:
		b.WriteString("  No LAN interface is up (loopback, Docker, VM and VPN interfaces are left out; --iface names others).\n")
	default:
		fmt.Fprintf(&b, "  Listened for mDNS on %s", strings.Join(names, ", "))
		if cfg.Scan != nil {
			fmt.Fprintf(&b, " and asked every address of %s on TCP %d", strings.Join(subnets, ", "), roomsPort)
		}
		b.WriteString(".\n")
	}
	b.WriteString("  Nobody may be hosting yet: start huecast on another machine, or host here.\n")
	b.WriteString("  Check that this machine is on the same network as the others (not a guest network that keeps\n")
	b.WriteString("  devices apart), and that their firewalls let TCP 7788 in.\n")
	if cfg.Scan == nil {
		b.WriteString("  Without --no-scan the subnet search also finds rooms where the network drops multicast.\n")
	}
	return b.String()
}
