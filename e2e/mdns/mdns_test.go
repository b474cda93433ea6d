package mdns_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/huecast/huecast/e2e/netns"
	"github.com/huecast/huecast/net/discovery"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

// These tests multicast, so they run only inside namespaces they create:
// the test binary runs itself there as a helper (Go cannot move a goroutine
// into a namespace), chosen by helperEnv.
const helperEnv = "DISCOVERY_TEST_HELPER"

const helperWait = 10 * time.Second // any one expected line

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runHelper(os.Args[1:]))
	}
	// No goroutine may outlive Browse or Advertise (zeroconf's included).
	goleak.VerifyTestMain(m)
}

func runHelper(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	// Bounded, in case nobody stops the helper.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	before := goleak.IgnoreCurrent()
	var err error
	switch args[0] {
	case "advertise": // room id port
		var m *discovery.MDNS
		if m, err = discovery.New(discovery.Config{Logger: log}); err == nil {
			port, _ := strconv.Atoi(args[3])
			fmt.Println("ready")
			err = m.Advertise(ctx, discovery.Ad{Room: args[1], ID: args[2], Name: "helper " + args[2], Port: port})
		}
	case "browse": // room self duration
		var m *discovery.MDNS
		if m, err = discovery.New(discovery.Config{Logger: log}); err == nil {
			d, _ := time.ParseDuration(args[3])
			bctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			found := make(chan discovery.Hub)
			done := make(chan error, 1)
			go func() { done <- m.Browse(bctx, args[1], args[2], found) }()
			for waiting := true; waiting; {
				select {
				case h := <-found:
					b, _ := json.Marshal(h)
					fmt.Println(string(b))
				case err = <-done:
					waiting = false
				}
			}
			fmt.Println("done")
		}
	case "hostile":
		err = hostile(ctx, args[1])
	case "rawbrowse": // duration: every record of the service, addresses as sent
		var r *zeroconf.Resolver
		if r, err = zeroconf.NewResolver(zeroconf.SelectIPTraffic(zeroconf.IPv4AndIPv6)); err == nil {
			d, _ := time.ParseDuration(args[1])
			bctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			entries := make(chan *zeroconf.ServiceEntry)
			if err = r.Browse(bctx, discovery.Service, discovery.Domain, entries); err != nil {
				cancel()
			}
			for e := range entries {
				var ips []string
				for _, ip := range append(e.AddrIPv4, e.AddrIPv6...) {
					ips = append(ips, ip.String())
				}
				fmt.Println("entry " + e.Instance + " " + strings.Join(ips, " "))
			}
			fmt.Println("done")
		}
	default:
		err = fmt.Errorf("unknown mode %q", args[0])
	}
	if err == nil && args[0] != "hostile" {
		// Advertise and Browse have returned: zeroconf's goroutines must
		// have ended with them. (goleak.Find retries for a while.)
		if leak := goleak.Find(before); leak != nil {
			err = fmt.Errorf("goroutines outlived %s: %w", args[0], leak)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

// hostileRecords are wrong or hostile advertisements, each of which a
// browser must leave out. All are announced from address self.
func hostileRecords(self string) []struct {
	instance string
	ips      []string
	txt      []string
} {
	long := make([]string, 40)
	for i := range long {
		long[i] = fmt.Sprintf("k%d=%s", i, strings.Repeat("x", 200))
	}
	return []struct {
		instance string
		ips      []string
		txt      []string
	}{
		{"hostile-version", []string{self}, []string{"v=1", "room=lobby", "id=h1", "path=/ws"}},
		{"hostile-notxt", []string{self}, []string{"hello"}},
		{"hostile-room", []string{self}, []string{"v=3", "room=kitchen", "id=h3", "path=/ws"}},
		{"hostile-path", []string{self}, []string{"v=3", "room=lobby", "id=h4", "path=http://evil.example/"}},
		{"hostile-offlink", []string{"192.0.2.1"}, []string{"v=3", "room=lobby", "id=h5", "path=/ws"}},
		{"hostile-loopback", []string{"127.0.0.1"}, []string{"v=3", "room=lobby", "id=h6", "path=/ws"}},
		{"hostile-self", []string{self}, []string{"v=3", "room=lobby", "id=me", "path=/ws"}},
		{"hostile-huge", []string{self}, long},
	}
}

func hostile(ctx context.Context, self string) error {
	ifi, err := net.InterfaceByName(netns.Iface)
	if err != nil {
		return err
	}
	for _, r := range hostileRecords(self) {
		s, err := zeroconf.RegisterProxy(r.instance, discovery.Service, discovery.Domain, 7788, r.instance+".local.", r.ips, r.txt, []net.Interface{*ifi})
		if err != nil {
			return fmt.Errorf("%s: %w", r.instance, err)
		}
		defer s.Shutdown()
	}
	// And packets that are not DNS at all, and records zeroconf would not
	// announce: a service at port 0.
	c, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353})
	if err != nil {
		return err
	}
	defer c.Close()
	port0, err := rawAnswer("hostile-port0", 0, self, "v=3", "room=lobby", "id=h9", "path=/ws")
	if err != nil {
		return err
	}
	fmt.Println("ready")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range 300 {
		_, _ = c.Write([]byte("\x00\x00\x84\x00\x00\x01\x00\x05garbage"))
		_, _ = c.Write(port0)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// rawAnswer is an unsolicited mDNS answer announcing instance at ip:port
// with txt, built by hand to say what zeroconf's server never would.
func rawAnswer(instance string, port uint16, ip string, txt ...string) ([]byte, error) {
	svc := discovery.Service + "." + discovery.Domain
	name := instance + "." + svc
	host := instance + "." + discovery.Domain
	hdr := func(n string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: n, Rrtype: t, Class: dns.ClassINET, Ttl: 120}
	}
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	m.Answer = []dns.RR{
		&dns.PTR{Hdr: hdr(svc, dns.TypePTR), Ptr: name},
		&dns.SRV{Hdr: hdr(name, dns.TypeSRV), Port: port, Target: host},
		&dns.TXT{Hdr: hdr(name, dns.TypeTXT), Txt: txt},
		&dns.A{Hdr: hdr(host, dns.TypeA), A: net.ParseIP(ip).To4()},
	}
	return m.Pack()
}

// rawRecords are the instances rawAnswer announces in hostile mode.
var rawRecords = []string{"hostile-port0"}

func helper(t *testing.T, h *netns.Host, args ...string) *netns.Proc {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := h.Command(context.Background(), self, args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1", "GORACE=atexit_sleep_ms=0")
	return netns.Start(t, cmd)
}

func TestBrowseFindsOurRoomAndIgnoresHostileRecords(t *testing.T) {
	nw := netns.New(t, 4)
	hub, other, bad, browser := nw.Hosts[0], nw.Hosts[1], nw.Hosts[2], nw.Hosts[3]
	for _, p := range []*netns.Proc{
		helper(t, hub, "advertise", "lobby", "good1", "7788"),
		helper(t, other, "advertise", "kitchen", "other1", "7788"),
		helper(t, bad, "hostile", bad.Addr),
	} {
		if _, err := p.WaitLine(helperWait, netns.Contains("ready")); err != nil {
			t.Fatal(err)
		}
	}

	b := helper(t, browser, "browse", "Lobby", "me", "2s")
	if _, err := b.WaitLine(helperWait, netns.Contains("done")); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(helperWait); err != nil {
		t.Fatalf("browse: %v\n%s", err, b.Stderr())
	}
	var hubs []discovery.Hub
	for _, line := range b.Output() {
		var h discovery.Hub
		if json.Unmarshal([]byte(line), &h) == nil {
			hubs = append(hubs, h)
		}
	}
	want := discovery.Hub{ID: "good1", Name: "helper good1", Room: "lobby", URL: "ws://" + hub.Addr + ":7788/ws", Instance: "huecast-good1"}
	if len(hubs) != 1 || hubs[0] != want {
		t.Fatalf("found %+v, want only %+v\nstderr:\n%s", hubs, want, b.Stderr())
	}
	// Each wrong record was seen and left out, with a reason in the debug log.
	logs := b.Stderr()
	for _, r := range append(hostileRecords(bad.Addr), struct {
		instance string
		ips      []string
		txt      []string
	}{instance: "huecast-other1"}) {
		if !slices.ContainsFunc(strings.Split(logs, "\n"), func(l string) bool {
			return strings.Contains(l, "ignoring a record") && strings.Contains(l, "instance="+r.instance+" ")
		}) {
			t.Errorf("no debug line for %s in:\n%s", r.instance, logs)
		}
	}
	for _, instance := range rawRecords {
		if !slices.ContainsFunc(strings.Split(logs, "\n"), func(l string) bool {
			return strings.Contains(l, "ignoring a record") && strings.Contains(l, "instance="+instance+" ") && strings.Contains(l, "port 0")
		}) {
			t.Errorf("no debug line for %s (port 0) in:\n%s", instance, logs)
		}
	}
}

func TestBrowseLeavesOutOurOwnHub(t *testing.T) {
	nw := netns.New(t, 2)
	a := helper(t, nw.Hosts[0], "advertise", "lobby", "self1", "7788")
	if _, err := a.WaitLine(helperWait, netns.Contains("ready")); err != nil {
		t.Fatal(err)
	}
	// The same id browsing from another machine: its own record, left out.
	b := helper(t, nw.Hosts[1], "browse", "lobby", "self1", "1500ms")
	if _, err := b.WaitLine(helperWait, netns.Contains("done")); err != nil {
		t.Fatal(err)
	}
	for _, line := range b.Output() {
		if strings.HasPrefix(line, "{") {
			t.Fatalf("found our own hub: %s", line)
		}
	}
	if !strings.Contains(b.Stderr(), "our own record") {
		t.Fatalf("the record was never seen:\n%s", b.Stderr())
	}
}

func TestAdvertiseLeavesOutVirtualInterfaces(t *testing.T) {
	nw := netns.New(t, 2)
	adv, browser := nw.Hosts[0], nw.Hosts[1]
	// A Docker-like bridge and a VPN's tunnel beside the LAN interface.
	if err := adv.AddDockerAndVPN(); err != nil {
		t.Fatal(err)
	}
	a := helper(t, adv, "advertise", "lobby", "virt1", "7788")
	if _, err := a.WaitLine(helperWait, netns.Contains("ready")); err != nil {
		t.Fatal(err)
	}
	b := helper(t, browser, "rawbrowse", "2s")
	line, err := b.WaitLine(helperWait, netns.Contains("entry huecast-virt1 "))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(line, " "+adv.Addr) {
		t.Fatalf("the LAN address %s is not announced: %s", adv.Addr, line)
	}
	for _, bad := range []string{"172.17.", "10.8.0."} {
		if strings.Contains(line, bad) {
			t.Fatalf("a virtual interface's address is announced: %s", line)
		}
	}
}
