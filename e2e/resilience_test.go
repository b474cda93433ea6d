package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
	"github.com/huecast/huecast/net/wire"
)

// One bad peer cannot break the room: a peer nobody can reach (its
// firewall drops what comes in on its port), and a record that answers as
// host and refuses every join (e2e/liar), with the real binary in network
// namespaces.

const (
	// wholeBound: the room is one, and every colour crosses, within this
	// of the honest peers' start (or of a liar's appearing).
	wholeBound = 10 * time.Second
	// lowID sorts before any random peer id (16 hex digits).
	lowID = "0000000000000001"
	// passphrase of the locked variants.
	resiliencePass = "three words here"
)

func TestResilience(t *testing.T) {
	netns.Require(t)
	bin := buildLANBinary(t, "-race")
	liar := buildLiar(t)
	t.Run("FirewalledFirstPeer", func(t *testing.T) { firewalledFirst(t, bin) })
	t.Run("FirewalledLowestIDAtFailover", func(t *testing.T) { firewalledAtFailover(t, bin) })
	for _, locked := range []bool{false, true} {
		name := map[bool]string{false: "Open", true: "Locked"}[locked]
		t.Run("RefusingRecordFromTheStart"+name, func(t *testing.T) { liarFromStart(t, bin, liar, locked) })
		t.Run("RefusingRecordInARunningRoom"+name, func(t *testing.T) { liarInRunningRoom(t, bin, liar, locked) })
	}
}

// buildLiar builds e2e/liar into a directory of t's.
func buildLiar(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "liar")
	if out, err := exec.Command("go", "build", "-o", bin, "./liar").CombinedOutput(); err != nil {
		t.Fatalf("go build ./liar: %v\n%s", err, out)
	}
	return bin
}

// startWithID starts a peer as startHC does, with the peer id given.
func startWithID(t testing.TB, bin string, ns *netns.Host, name, id string, args ...string) *hc {
	t.Helper()
	file := filepath.Join(t.TempDir(), "state.json")
	b, _ := json.Marshal(map[string]string{"id": id})
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	x, cmd := prepareHC(t, bin, ns, name, args...)
	cmd.Env = append(cmd.Env, "HUECAST_STATE="+file)
	x.started = time.Now()
	x.proc = netns.Start(t, cmd)
	go x.pump()
	return x
}

// coloursCross has each peer in turn set a colour, and checks that every
// peer shows it within within.
func coloursCross(t testing.TB, xs []*hc, within time.Duration) {
	t.Helper()
	for i, x := range xs {
		c := fmt.Sprintf("#%02x%02x%02x", 0x10+i, 0x80, 0x20+i)
		x.say(c)
		awaitAll(t, xs, within, "color", func(e ev) bool { return e.str("color") == c })
	}
}

// neverPointedAt fails t if a peer said the room moved to url, or joined it.
func neverPointedAt(t testing.TB, xs []*hc, url string) {
	t.Helper()
	for _, x := range xs {
		for _, e := range x.all() {
			if (e.str("event") == "host_changed" || e.str("event") == "joined") && e.str("url") == url {
				t.Fatalf("%s followed the refusing record: %v", x.name, e)
			}
		}
	}
}

// firewalledWhole starts a firewalled peer, waits until it hosts, starts
// two others and returns how long after their start the three were one
// room with every colour crossing.
func firewalledWhole(t testing.TB, bin string) time.Duration {
	nw := netns.New(t, 3)
	port, _ := strconv.Atoi(lanPort)
	if err := nw.Hosts[0].Firewall(port); err != nil {
		t.Fatal(err)
	}
	walled := startHC(t, bin, nw.Hosts[0], "walled")
	walled.must(lanWait, "hosting", nil)
	walled.must(lanWait, "joined", nil)
	others := startTogether(t, bin, nw.Hosts[1:], "p")
	all := append([]*hc{walled}, others...)
	host, at := settle(t, all, wholeBound+5*time.Second)
	coloursCross(t, all, wholeBound)
	took := at.Sub(others[0].started)
	if host == "walled" {
		t.Fatalf("the room is hosted by the peer nobody can reach")
	}
	oneHub(t, all, host)
	t.Logf("firewalled first peer: one room, %s's, %v after the others started", host, took.Round(time.Millisecond))
	return took
}

// firewalledFirst: a firewalled peer hosts first; two more peers that
// cannot reach it form the room, and it joins them by dialing out.
func firewalledFirst(t *testing.T, bin string) {
	if took := firewalledWhole(t, bin); took > wholeBound {
		t.Fatalf("one room only %v after the others started, over %v", took, wholeBound)
	}
}

// firewalledAtFailover: a firewalled member with the lowest id is not
// elected when the host dies (the hub never reached its address); the
// others elect among themselves and it joins them.
func firewalledAtFailover(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	port, _ := strconv.Atoi(lanPort)
	if err := nw.Hosts[1].Firewall(port); err != nil {
		t.Fatal(err)
	}
	host := startHC(t, bin, nw.Hosts[0], "h")
	host.must(lanWait, "joined", nil)
	walled := startWithID(t, bin, nw.Hosts[1], "walled", lowID)
	if e := walled.must(lanWait, "joined", nil); e.str("host") != "h" {
		t.Fatalf("walled joined %v, want h's hub", e)
	}
	var xs = []*hc{walled}
	for i, ns := range nw.Hosts[2:] {
		x := startHC(t, bin, ns, fmt.Sprintf("p%d", i+1))
		x.must(lanWait, "joined", func(e ev) bool { return e.str("host") == "h" })
		xs = append(xs, x)
	}
	xs[1].say("purple")
	awaitAll(t, xs, lanWait, "color", func(e ev) bool { return e.str("color") == "#800080" })
	gone := time.Now()
	if err := host.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	successor, at := settleAfter(t, xs, wholeBound+5*time.Second, "h")
	coloursCross(t, xs, wholeBound)
	took := at.Sub(gone)
	t.Logf("firewalled lowest id at failover: one room, %s's, %v after the host died", successor, took.Round(time.Millisecond))
	if successor == "walled" {
		t.Fatalf("the room elected the member nobody can reach")
	}
	if took > wholeBound {
		t.Fatalf("one room only %v after the host died, over %v", took, wholeBound)
	}
	oneHub(t, xs, successor)
}

// settleAfter is settle for a room whose host old went: it waits for
// welcomes from another host.
func settleAfter(t testing.TB, xs []*hc, within time.Duration, old string) (string, time.Time) {
	t.Helper()
	for _, x := range xs {
		if _, _, err := x.await(within, "joined", func(e ev) bool { return e.str("host") != old }); err != nil {
			t.Fatal(err)
		}
	}
	return settle(t, xs, within)
}

// startLiar starts e2e/liar in ns: a record of room lobby with the lowest
// id that answers as host and refuses every join.
func startLiar(t testing.TB, liar string, ns *netns.Host, locked bool) *netns.Proc {
	t.Helper()
	args := []string{"--room", "lobby", "--id", "0000", "--port", lanPort, "--iface", ns.Iface}
	if locked {
		args = append(args, "--vk", wire.Verifier(wire.AuthKey(resiliencePass, "lobby")))
	}
	p := ns.Start(t, liar, args...)
	if _, err := p.WaitLine(lanWait, netns.Contains("ready")); err != nil {
		t.Fatal(err)
	}
	return p
}

func passArgs(locked bool) []string {
	if locked {
		return []string{"--passphrase", resiliencePass}
	}
	return nil
}

// liarWhole starts the liar, then two honest peers together, and returns
// how long after their start they were one room with colours crossing.
func liarWhole(t testing.TB, bin, liar string, locked bool) time.Duration {
	nw := netns.New(t, 3)
	lp := startLiar(t, liar, nw.Hosts[0], locked)
	xs := startTogether(t, bin, nw.Hosts[1:], "p", passArgs(locked)...)
	host, at := settle(t, xs, wholeBound+5*time.Second)
	coloursCross(t, xs, wholeBound)
	took := at.Sub(xs[0].started)
	oneHub(t, xs, host)
	neverPointedAt(t, xs, "ws://"+nw.Hosts[0].Addr+":"+lanPort+"/ws")
	t.Logf("refusing record from the start: one room, %s's, %v after the peers started (%d upgrades refused)",
		host, took.Round(time.Millisecond), strings.Count(lp.Stderr(), "refused upgrade"))
	return took
}

func liarFromStart(t *testing.T, bin, liar string, locked bool) {
	if took := liarWhole(t, bin, liar, locked); took > wholeBound {
		t.Fatalf("one room only %v after the peers started, over %v", took, wholeBound)
	}
}

// liarInRunning: a refusing record appears beside a running room: its
// host tries to join it without closing its own hub, is refused, and
// comes home; a newcomer joins the room; nobody points at the record. It
// returns how long after the record appeared the host was back in its own
// hub (or, if the host never tried, 0), and fails t unless the newcomer is
// in and every colour crosses within wholeBound of the record's appearing.
func liarInRunning(t testing.TB, bin, liar string, locked bool) time.Duration {
	nw := netns.New(t, 5)
	var xs []*hc
	for i, ns := range nw.Hosts[1:4] {
		x := startHC(t, bin, ns, fmt.Sprintf("p%d", i+1), passArgs(locked)...)
		x.must(lanWait, "joined", nil)
		xs = append(xs, x)
	}
	host, _ := settle(t, xs, lanWait)
	var hostX *hc
	for _, x := range xs {
		if x.name == host {
			hostX = x
		}
	}
	lp := startLiar(t, liar, nw.Hosts[0], locked)
	appeared := time.Now()
	// The host hears of the record, with the lowest id, and checks it.
	var back time.Duration
	if !locked {
		// An open record passes the check (it answers as host): the host
		// tries to join it, is refused, and rejoins its own hub.
		_, at, err := hostX.await(wholeBound, "joined", func(e ev) bool { return e.str("host") == host })
		if err != nil {
			t.Fatal(err)
		}
		back = at.Sub(appeared)
		if !strings.Contains(lp.Stderr(), "refused upgrade") {
			t.Fatalf("the host came home without having tried the record:\n%s", lp.Stderr())
		}
	}
	newcomer := startHC(t, bin, nw.Hosts[4], "late", passArgs(locked)...)
	all := append(xs, newcomer)
	got, at := settle(t, all, wholeBound+5*time.Second)
	coloursCross(t, all, wholeBound)
	if took := at.Sub(appeared); took > wholeBound {
		t.Fatalf("the room was whole only %v after the record appeared, over %v", took, wholeBound)
	}
	if got != host {
		t.Fatalf("the room moved from %s's hub to %s's", host, got)
	}
	oneHub(t, all, got)
	for _, x := range xs {
		for _, e := range x.all() {
			if e.str("event") == "host_changed" || x != hostX && e.str("event") == "disconnected" {
				t.Fatalf("%s: %v; the room must not notice the record", x.name, e)
			}
		}
	}
	neverPointedAt(t, all, "ws://"+nw.Hosts[0].Addr+":"+lanPort+"/ws")
	t.Logf("refusing record in a running room: the host back home %v after it appeared; newcomer in, room one %v after (%d upgrades refused)",
		back.Round(time.Millisecond), at.Sub(appeared).Round(time.Millisecond), strings.Count(lp.Stderr(), "refused upgrade"))
	return back
}

func liarInRunningRoom(t *testing.T, bin, liar string, locked bool) {
	liarInRunning(t, bin, liar, locked)
}
