package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// Discovery on networks that are not clean: a switch that drops multicast,
// one that loses frames, machines with Docker and VPN interfaces, addresses
// that change. The switch's behaviour is nftables on the bridge's forward
// path, inside the bridge's own namespace.

const (
	// blockedBound: with multicast dropped, peers started together end in
	// one room within this of the last start.
	blockedBound = 5 * time.Second
	// lossBound: on a switch losing a fifth of all frames, one room within
	// this; hubs that missed each other meet on a host's slow look (every
	// 10 s), so it is generous.
	lossBound = 40 * time.Second
	// followBound: after an address change, the peer is heard of at its new
	// address within this (it takes about a second: the change is noticed
	// within one, then the peer reconnects or advertises afresh).
	followBound = 5 * time.Second
)

func TestDiscoveryLayers(t *testing.T) {
	netns.Require(t)
	bin := buildLANBinary(t)
	t.Run("MulticastDroppedOneRoomWithin5s", func(t *testing.T) { multicastDropped(t, bin) })
	t.Run("MDNSWorkingNoSubnetSearch", func(t *testing.T) { noSearchWithMDNS(t, bin) })
	t.Run("FramesLostOneRoomLastColour", func(t *testing.T) { framesLost(t, bin) })
	t.Run("ColourSaidWhileCutOffReachesEveryone", func(t *testing.T) { cutOffColour(t, bin) })
	t.Run("PartitionHealedUnderBlockedMulticast", func(t *testing.T) { partitionHealed(t, bin) })
	t.Run("VirtualInterfacesNeverShown", func(t *testing.T) { virtualNeverShown(t, bin) })
	t.Run("IPv6OnlyLANGetsABracketedURL", func(t *testing.T) { ipv6Only(t, bin) })
	t.Run("AddressChangeFollowed", func(t *testing.T) { addressChange(t, bin) })
	t.Run("DiagnoseSaysWhatItSees", func(t *testing.T) { diagnose(t, bin) })
	t.Run("HostileAnswersIgnored", func(t *testing.T) { hostileAnswers(t, bin) })
	t.Run("RememberedHubFirstWhenNothingElseWorks", func(t *testing.T) { rememberedHub(t, bin) })
	t.Run("SearchKeepsToTheRoomsPassphrase", func(t *testing.T) { searchPassphrase(t, bin) })
}

func multicastDropped(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	xs := startTogether(t, bin, nw.Hosts, "p")
	var last time.Time
	for _, x := range xs {
		if x.started.After(last) {
			last = x.started
		}
	}
	host, at := settle(t, xs, blockedBound+5*time.Second)
	took := at.Sub(last)
	t.Logf("one room, %s's hub, %v after the last start", host, took.Round(time.Millisecond))
	if took > blockedBound {
		t.Fatalf("one room only %v after the last start, over %v", took, blockedBound)
	}
	xs[3].say("teal")
	awaitAll(t, xs, lanWait, "color", func(e ev) bool { return e.str("color") == "#008080" })
	oneHub(t, xs, host)
}

// searched reports whether peer x ran a search of the subnets, by its log.
func searched(x *hc) bool { return strings.Contains(x.proc.Stderr(), "searched the subnets") }

func noSearchWithMDNS(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	// A search of the subnets asks every address; the switch sees ARP
	// requests for addresses nobody holds. Joining a hub found over mDNS
	// asks none of those.
	var held []string
	for _, h := range nw.Hosts {
		held = append(held, h.Addr)
	}
	if err := nw.Count("sweep", "arp operation request arp daddr ip != { "+strings.Join(held, ", ")+" }"); err != nil {
		t.Fatal(err)
	}
	host := startHC(t, bin, nw.Hosts[0], "p1", "--host")
	host.must(lanWait, "hosting", nil)
	// Alone, the host looks once by the subnets too (nobody answers mDNS):
	// wait for that look to end before counting.
	deadline := time.Now().Add(lanWait)
	for !searched(host) {
		if time.Now().After(deadline) {
			t.Fatalf("the lone host never searched the subnets:\n%s", tail(host.proc.Stderr()))
		}
		<-time.After(50 * time.Millisecond)
	}
	// The kernel asks for each unheld address up to three times, a second
	// apart, after the search has given up on it.
	<-time.After(3500 * time.Millisecond)
	if err := nw.ResetCounter("sweep"); err != nil {
		t.Fatal(err)
	}
	xs := []*hc{host}
	for i, h := range nw.Hosts[1:] {
		x := startHC(t, bin, h, fmt.Sprintf("p%d", i+2))
		x.must(lanWait, "joined", nil)
		xs = append(xs, x)
	}
	// One slow look of the host's (10 s) and its decision after.
	<-time.After(11500 * time.Millisecond)
	n, err := nw.Counted("sweep")
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		for _, x := range xs {
			t.Logf("%s searched: %v", x.name, searched(x))
		}
		t.Fatalf("%d ARP requests for unheld addresses with mDNS working: someone searched the subnets", n)
	}
	for _, x := range xs[1:] {
		if searched(x) {
			t.Fatalf("%s searched the subnets though mDNS found the hub", x.name)
		}
	}
	oneHub(t, xs, "p1")
}

func framesLost(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	if err := nw.Loss(20); err != nil {
		t.Fatal(err)
	}
	xs := startTogether(t, bin, nw.Hosts, "p")
	host, _ := settle(t, xs, lossBound)
	// Each colour from another peer, once the one before has reached
	// everyone: every peer ends on the last.
	for i, c := range []string{"#ff0000", "#00ff00", "#0000ff"} {
		xs[i+1].say(c)
		awaitShown(t, xs, lanWait*2, c)
	}
	oneHub(t, xs, host)
}

// awaitShown waits for every peer to show colour c: a colour event, or the
// welcome of a hub it joined (meanwhile) that had c already.
func awaitShown(t testing.TB, xs []*hc, within time.Duration, c string) {
	t.Helper()
	awaitAll(t, xs, within, "", func(e ev) bool {
		k := e.str("event")
		return (k == "color" || k == "joined") && e.str("color") == c
	})
}

// cutOffColour: a member's network stops carrying its frames (Wi-Fi gone
// for a while) just as its person clicks; the click is written into a
// connection that no longer arrives anywhere. Once the network is back,
// whatever hub the member finds (its old one, one it hosts meanwhile and
// then folds), the room shows that click.
func cutOffColour(t *testing.T, bin string) {
	nw := netns.New(t, 3)
	xs := startTogether(t, bin, nw.Hosts, "p")
	host, _ := settle(t, xs, lossBound)
	xs[0].say("#ff0000")
	awaitShown(t, xs, lanWait, "#ff0000")
	var h, m *hc
	var addr string
	for i, x := range xs {
		switch {
		case x.name == host:
			h = x
		case m == nil:
			m, addr = x, nw.Hosts[i].Addr
		}
	}
	if err := nw.Rule("ip saddr " + addr + " drop"); err != nil {
		t.Fatal(err)
	}
	if err := nw.Rule("ip daddr " + addr + " drop"); err != nil {
		t.Fatal(err)
	}
	m.say("#00ff00")
	// Both ends give the connection up (4 s of silence) before the
	// network comes back, so the frame cannot arrive late on it.
	m.must(lanWait, "disconnected", nil)
	h.must(lanWait, "peer_left", func(e ev) bool { return e.str("name") == m.name })
	if err := nw.Flush(); err != nil {
		t.Fatal(err)
	}
	awaitShown(t, xs, lossBound, "#00ff00")
	settle(t, xs, lossBound)
}

func partitionHealed(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	a, b := nw.Hosts[0].Addr+", "+nw.Hosts[1].Addr, nw.Hosts[2].Addr+", "+nw.Hosts[3].Addr
	split := func() error {
		if err := nw.BlockMulticast(); err != nil {
			return err
		}
		if err := nw.Rule("ip saddr { " + a + " } ip daddr { " + b + " } drop"); err != nil {
			return err
		}
		return nw.Rule("ip saddr { " + b + " } ip daddr { " + a + " } drop")
	}
	if err := split(); err != nil {
		t.Fatal(err)
	}
	xs := startTogether(t, bin, nw.Hosts, "p")
	h1, _ := settle(t, xs[:2], blockedBound+5*time.Second)
	h2, _ := settle(t, xs[2:], blockedBound+5*time.Second)
	if h1 == h2 {
		t.Fatalf("one hub, %s's, across the partition", h1)
	}
	// Heal only after both hubs' first look, so that they meet on a later
	// one: the slow look goes on while multicast stays blocked.
	deadline := time.Now().Add(lanWait)
	for _, x := range xs {
		if x.name != h1 && x.name != h2 {
			continue
		}
		for strings.Count(x.proc.Stderr(), "searched the subnets") < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("%s never looked again after hosting:\n%s", x.name, tail(x.proc.Stderr()))
			}
			<-time.After(50 * time.Millisecond)
		}
	}
	if err := nw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	host, at := settle(t, xs, 30*time.Second)
	t.Logf("one room, %s's hub, %v after the partition healed", host, at.Sub(healed).Round(time.Millisecond))
	oneHub(t, xs, host)
}

func virtualNeverShown(t *testing.T, bin string) {
	nw := netns.New(t, 2)
	h := nw.Hosts[0]
	// Made before anything else so that "the first address" would be theirs.
	if err := h.AddDockerAndVPN(); err != nil {
		t.Fatal(err)
	}
	host := startHC(t, bin, h, "p1", "--host")
	e := host.must(lanWait, "hosting", nil)
	if want := "ws://" + h.Addr + ":" + lanPort + "/ws"; e.str("url") != want {
		t.Fatalf("hosting at %s (the phone's address), want %s", e.str("url"), want)
	}
	j := startHC(t, bin, nw.Hosts[1], "p2")
	if e := j.must(lanWait, "joined", nil); !strings.Contains(e.str("url"), h.Addr) {
		t.Fatalf("joined %s, not the LAN address %s", e.str("url"), h.Addr)
	}
}

func ipv6Only(t *testing.T, bin string) {
	nw := netns.New(t, 1)
	h := nw.Hosts[0]
	if _, err := h.IP("addr", "del", h.Addr+"/24", "dev", h.Iface); err != nil {
		t.Fatal(err)
	}
	if _, err := h.IP("addr", "add", "fd77::11/64", "dev", h.Iface, "nodad"); err != nil {
		t.Fatal(err)
	}
	x := startHC(t, bin, h, "p1", "--host", "--no-mdns")
	e := x.must(lanWait, "hosting", nil)
	if want := "ws://[fd77::11]:" + lanPort + "/ws"; e.str("url") != want {
		t.Fatalf("hosting at %s, want %s", e.str("url"), want)
	}
}

func addressChange(t *testing.T, bin string) {
	nw := netns.New(t, 3)
	host := startHC(t, bin, nw.Hosts[0], "p1", "--host")
	host.must(lanWait, "hosting", nil)
	xs := []*hc{host}
	for i, h := range nw.Hosts[1:] {
		x := startHC(t, bin, h, fmt.Sprintf("p%d", i+2))
		x.must(lanWait, "joined", nil)
		xs = append(xs, x)
	}
	// A member moves to another address (a DHCP renew, say): it rejoins.
	m := nw.Hosts[1]
	moved := strings.TrimSuffix(m.Addr, "12") + "52"
	if err := readdress(m, moved); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	_, at, err := xs[1].await(followBound, "joined", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the moved member rejoined %v after the change", at.Sub(changed).Round(time.Millisecond))
	// The host moves: it advertises afresh and says its new address, which
	// the window shows phones.
	hmoved := strings.TrimSuffix(nw.Hosts[0].Addr, "11") + "51"
	if err := readdress(nw.Hosts[0], hmoved); err != nil {
		t.Fatal(err)
	}
	changed = time.Now()
	_, at, err = host.await(followBound, "hosting", func(e ev) bool { return strings.Contains(e.str("url"), hmoved) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the host said its new address %v after the change", at.Sub(changed).Round(time.Millisecond))
	h, _ := settle(t, xs, 30*time.Second)
	oneHub(t, xs, h)
}

// readdress moves host h's interface from its address to addr (same /24),
// as a DHCP server handing out another lease does.
func readdress(h *netns.Host, addr string) error {
	if _, err := h.IP("addr", "del", h.Addr+"/24", "dev", h.Iface); err != nil {
		return err
	}
	_, err := h.IP("addr", "add", addr+"/24", "dev", h.Iface)
	h.Addr = addr
	return err
}

func diagnose(t *testing.T, bin string) {
	nw := netns.New(t, 2)
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	hub := startHC(t, bin, nw.Hosts[0], "p1", "--host")
	hub.must(lanWait, "hosting", nil)
	d := nw.Hosts[1]
	if _, err := d.IP("link", "add", "docker0", "type", "bridge"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := d.Command(ctx, bin, "--diagnose", "--headless").CombinedOutput()
	if err != nil {
		t.Fatalf("--diagnose: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"use     eth1",
		"ignore  docker0",
		"ignore  lo",
		"heard no hub of this room",
		"found peer",
		nw.Hosts[0].Addr + ":7788, hosting",
		"reachable from this machine",
		"TCP port 7788 and UDP port 5353",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("--diagnose does not say %q:\n%s", want, s)
		}
	} // The hub, alone all along, says so with what to do.
	e := hub.must(15*time.Second, "alone", nil)
	if causes, _ := e["causes"].([]any); len(causes) < 4 || !strings.Contains(fmt.Sprint(causes), "TCP port 7788") {
		t.Fatalf("alone without the causes: %v", e)
	}
}

// hostileEnv makes TestHostileAnswerer serve, in the namespace it was
// started in, /api/peer the way its value names.
const hostileEnv = "HUECAST_HOSTILE"

// TestHostileAnswerer is not a test: TestDiscoveryLayers runs this test
// binary inside a namespace with hostileEnv set, to answer the subnet
// search on port 7788 as no huecast peer would.
func TestHostileAnswerer(t *testing.T) {
	kind := os.Getenv(hostileEnv)
	if kind == "" {
		t.Skip("a helper of TestDiscoveryLayers")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute) // bounded, in case nobody stops it
	defer cancel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch kind {
		case "wrong-room":
			w.Write([]byte(`{"id":"h1","room":"kitchen","hosting":true}`))
		case "huge":
			w.Write([]byte(`{"id":"h2","room":"lobby","hosting":true,"name":"`))
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for range 1024 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "drip":
			for _, b := range []byte(`{"id":"h3","room":"lobby","hosting":true}`) {
				w.Write([]byte{b})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(300 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		case "redirect":
			http.Redirect(w, r, "http://192.0.2.1/api/peer", http.StatusFound)
		case "not-json":
			w.Write([]byte("<html>router login</html>"))
		}
	})
	ln, err := net.Listen("tcp", ":"+lanPort)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { <-ctx.Done(); srv.Close() }()
	fmt.Println("ready")
	_ = srv.Serve(ln)
}

func hostileAnswers(t *testing.T, bin string) {
	kinds := []string{"wrong-room", "huge", "drip", "redirect", "not-json"}
	nw := netns.New(t, len(kinds)+2)
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range kinds {
		cmd := nw.Hosts[i].Command(context.Background(), self, "-test.run=^TestHostileAnswerer$", "-test.v")
		cmd.Env = append(os.Environ(), hostileEnv+"="+k)
		p := netns.Start(t, cmd)
		if _, err := p.WaitLine(lanWait, netns.Contains("ready")); err != nil {
			t.Fatal(err)
		}
	}
	host := startHC(t, bin, nw.Hosts[len(kinds)], "p1", "--host")
	host.must(lanWait, "hosting", nil)
	j := startHC(t, bin, nw.Hosts[len(kinds)+1], "p2")
	e, at, err := j.await(blockedBound, "joined", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.str("url"), nw.Hosts[len(kinds)].Addr) {
		t.Fatalf("joined %s, not the one real hub", e.str("url"))
	}
	t.Logf("joined the real hub %v after its start, past five hostile answerers", at.Sub(j.started).Round(time.Millisecond))
	j.say("#123456")
	host.must(lanWait, "color", func(e ev) bool { return e.str("color") == "#123456" })
	oneHub(t, []*hc{host, j}, "p1")
}

// startWithState starts a peer as startHC does, keeping its state in file.
func startWithState(t *testing.T, bin string, ns *netns.Host, name, file string, args ...string) *hc {
	t.Helper()
	return startWithEnv(t, bin, ns, name, []string{"HUECAST_STATE=" + file}, args...)
}

// startWithEnv starts a peer as startHC does, with env added.
func startWithEnv(t *testing.T, bin string, ns *netns.Host, name string, env []string, args ...string) *hc {
	t.Helper()
	x, cmd := prepareHC(t, bin, ns, name, args...)
	cmd.Env = append(cmd.Env, env...) // the last of a name wins
	x.started = time.Now()
	x.proc = netns.Start(t, cmd)
	go x.pump()
	return x
}

func rememberedHub(t *testing.T, bin string) {
	nw := netns.New(t, 2)
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	host := startHC(t, bin, nw.Hosts[0], "p1", "--host")
	host.must(lanWait, "hosting", nil)
	state := filepath.Join(t.TempDir(), "headless.json")
	first := startWithState(t, bin, nw.Hosts[1], "p2", state, "--join", nw.Hosts[0].Addr+":"+lanPort)
	first.must(lanWait, "joined", nil)
	if err := first.proc.Term(); err != nil {
		t.Fatal(err)
	}
	if err := first.proc.Wait(lanWait); err != nil {
		t.Fatal(err)
	}
	// Neither multicast nor the subnet search: only the hub it remembers.
	again := startWithState(t, bin, nw.Hosts[1], "p2", state, "--no-scan")
	e, at, err := again.await(blockedBound, "joined", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.str("url"), nw.Hosts[0].Addr) {
		t.Fatalf("joined %s, not the remembered hub", e.str("url"))
	}
	t.Logf("rejoined the remembered hub %v after starting", at.Sub(again.started).Round(time.Millisecond))
}

func searchPassphrase(t *testing.T, bin string) {
	nw := netns.New(t, 3)
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	ours := []string{"HUECAST_PASSPHRASE=blue moon"}
	host := startWithEnv(t, bin, nw.Hosts[0], "p1", ours, "--host")
	host.must(lanWait, "hosting", nil)
	// Same room name, another passphrase: another room; it hosts its own.
	other := startWithEnv(t, bin, nw.Hosts[1], "p2", []string{"HUECAST_PASSPHRASE=red sun"})
	if e := other.must(blockedBound, "joined", nil); !strings.Contains(e.str("url"), "127.0.0.1") {
		t.Fatalf("a peer of another passphrase joined %s", e.str("url"))
	}
	mate := startWithEnv(t, bin, nw.Hosts[2], "p3", ours)
	if e := mate.must(blockedBound, "joined", nil); !strings.Contains(e.str("url"), nw.Hosts[0].Addr) {
		t.Fatalf("a peer of the room's passphrase joined %s, not its hub", e.str("url"))
	}
}
