package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/scan"
)

// diagnoseListen is how long Diagnose listens to mDNS.
const diagnoseListen = 3 * time.Second

// Diagnose writes to w, for a person or a bug report, what discovery sees
// from here: the interfaces it uses and those it leaves out with why, the
// hubs of cfg's room mDNS hears for a few seconds, what the unicast search
// finds (when cfg.Scan), and whether this machine reaches its own port.
// It sends what a search sends, on the interfaces a search uses.
func Diagnose(ctx context.Context, cfg Config, w io.Writer) error {
	p := New(cfg)
	fmt.Fprintf(w, "huecast network diagnosis, room %q, peer id %s\n\n", p.room, p.cfg.ID)
	use, err := diagnoseIfaces(w, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmDNS (%s of listening):\n", diagnoseListen)
	if cfg.Discovery == nil {
		fmt.Fprintln(w, "  off (--no-mdns)")
	} else {
		diagnoseMDNS(ctx, w, cfg.Discovery, p.room, p.cfg.ID)
	}
	fmt.Fprintln(w, "\nSearch of the local subnets (GET /api/peer):")
	if !cfg.Scan || cfg.Discovery == nil {
		fmt.Fprintln(w, "  off (--no-scan or --no-mdns)")
	} else {
		diagnoseSearch(ctx, w, scan.Config{Room: p.room, Self: p.cfg.ID, Subnets: lan.Subnets(use), Ports: []int{7788}})
	}
	fmt.Fprintln(w, "\nThis machine's port:")
	fmt.Fprintf(w, "  %s\n", selfReach(ctx, cfg.Listen, lan.Host(use, "")))
	fmt.Fprintln(w, "\nIf no other peer shows up, the usual causes:")
	for _, c := range AloneCauses() {
		fmt.Fprintln(w, "  - "+c)
	}
	return nil
}

// diagnoseIfaces lists the interfaces discovery uses and those it leaves
// out with why, and returns those it uses.
func diagnoseIfaces(w io.Writer, cfg Config) ([]lan.Iface, error) {
	all, err := lan.Classify(cfg.Ifaces)
	if err != nil {
		return nil, err
	}
	var use []lan.Iface
	fmt.Fprintln(w, "Interfaces:")
	for _, x := range all {
		var addrs []string
		for _, a := range x.Addrs {
			addrs = append(addrs, a.String())
		}
		if x.Why == "" {
			use = append(use, x)
			fmt.Fprintf(w, "  use     %-12s %v\n", x.Name, addrs)
		} else {
			fmt.Fprintf(w, "  ignore  %-12s %v: %s\n", x.Name, addrs, x.Why)
		}
	}
	if len(use) == 0 {
		fmt.Fprintln(w, "  No LAN interface is up: connect to a network, or name one with --iface.")
	}
	if ip := lan.Host(use, ""); ip != nil {
		fmt.Fprintf(w, "  Phones would open http://%s/\n", net.JoinHostPort(ip.String(), portOf(cfg.Listen)))
	}
	return use, nil
}

// diagnoseMDNS lists the hubs of room that d hears for diagnoseListen.
func diagnoseMDNS(ctx context.Context, w io.Writer, d Discovery, room, self string) {
	bctx, cancel := context.WithTimeout(ctx, diagnoseListen)
	defer cancel()
	found := make(chan discovery.Hub)
	done := make(chan error, 1)
	go func() { done <- d.Browse(bctx, room, self, found) }()
	n := 0
	for {
		select {
		case h := <-found:
			n++
			fmt.Fprintf(w, "  heard hub %s (%s) at %s\n", h.ID, h.Name, h.URL)
		case err := <-done:
			if err != nil {
				fmt.Fprintf(w, "  cannot listen: %v\n", err)
			}
			if n == 0 {
				fmt.Fprintln(w, "  heard no hub of this room: none is running, or multicast (UDP 5353) is blocked here or by the network")
			}
			return
		}
	}
}

// diagnoseSearch lists the peers the unicast search sc finds.
func diagnoseSearch(ctx context.Context, w io.Writer, sc scan.Config) {
	for _, s := range sc.Subnets {
		fmt.Fprintf(w, "  searching %s on %s\n", s.Net, s.Iface)
	}
	answers := make(chan scan.Answer)
	stats := make(chan scan.Stats, 1)
	go func() { stats <- scan.Search(ctx, sc, answers) }()
	for {
		select {
		case a := <-answers:
			role := "searching"
			if a.Hosting {
				role = "hosting"
			} else if a.Hub != "" {
				role = "joined to " + a.Hub
			}
			fmt.Fprintf(w, "  found peer %s (%s) at %s, %s\n", a.ID, a.Name, a.Addr, role)
		case st := <-stats:
			fmt.Fprintf(w, "  asked %d addresses, %d answered as peers of this room, %d answered otherwise\n",
				st.Asked, st.Answered, st.Ignored)
			return
		}
	}
}

// selfReach says whether this machine reaches its own huecast port at its
// LAN address.
func selfReach(ctx context.Context, listen string, ip net.IP) string {
	if ip == nil {
		return "no LAN address to try"
	}
	if listen == "" {
		listen = DefaultListen
	}
	addr := net.JoinHostPort(ip.String(), portOf(listen))
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		if a, perr := scan.Probe(ctx, addr); perr == nil {
			return fmt.Sprintf("%s is in use by a huecast peer (%s, room %q): reachable", addr, a.ID, a.Room)
		}
		return fmt.Sprintf("cannot listen on %s (%v), and %s does not answer as huecast", listen, err, addr)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Sprintf("%s: no answer from ourselves: a firewall drops it", addr)
		}
		return fmt.Sprintf("%s: %v", addr, err)
	}
	c.Close()
	return fmt.Sprintf("%s: reachable from this machine (other machines may still be blocked by its firewall)", addr)
}

func portOf(listen string) string {
	if listen == "" {
		listen = DefaultListen
	}
	_, port, err := net.SplitHostPort(listen)
	if err != nil || port == "" || port == "0" {
		return strconv.Itoa(7788)
	}
	return port
}
