package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
	"github.com/huecast/huecast/net/discovery"
)

// Rooms nearby: `huecast --rooms` on a namespace LAN with several rooms,
// open and locked, with members joined; with multicast working, with it
// dropped by the switch, and beside a peer that forges listings.

// roomsBound is how long --rooms may take, start to exit: it looks for
// 2.5 s, and a busy machine adds its start-up.
const roomsBound = 10 * time.Second

// roomLine is one line --rooms prints.
type roomLine struct {
	Event   string `json:"event"`
	Room    string `json:"room"`
	Host    string `json:"host"`
	Members int    `json:"members"`
	Locked  bool   `json:"locked"`
	URL     string `json:"url"`
}

func TestRoomsNearby(t *testing.T) {
	netns.Require(t)
	bin := buildLANBinary(t)
	t.Run("MulticastWorking", func(t *testing.T) { roomsListed(t, bin, false) })
	t.Run("MulticastDropped", func(t *testing.T) { roomsListed(t, bin, true) })
	t.Run("NoRoomSaysWhy", func(t *testing.T) { noRoomNearby(t, bin) })
	t.Run("ForgedListingsLeftOut", func(t *testing.T) { forgedListings(t, bin) })
}

// threeRooms starts, on hosts 0-4 of nw: kitchen (p1 hosting, p2 joined),
// vault with a passphrase (v1 hosting, v2 joined) and lobby (l1 alone).
// It returns the ids of kitchen's and vault's hosts.
func threeRooms(t *testing.T, bin string, nw *netns.Network, within time.Duration) (kitchenID, vaultID string) {
	t.Helper()
	k1 := startHC(t, bin, nw.Hosts[0], "p1", "--host", "--room", "kitchen")
	v1 := startHC(t, bin, nw.Hosts[2], "v1", "--host", "--room", "vault", "--passphrase", "three words here")
	l1 := startHC(t, bin, nw.Hosts[4], "l1", "--host")
	for _, x := range []*hc{k1, v1, l1} {
		x.must(lanWait, "hosting", nil)
	}
	k2 := startHC(t, bin, nw.Hosts[1], "p2", "--room", "kitchen")
	v2 := startHC(t, bin, nw.Hosts[3], "v2", "--room", "vault", "--passphrase", "three words here")
	return k2.must(within, "joined", nil).str("host_id"), v2.must(within, "joined", nil).str("host_id")
}

// runRooms runs huecast --rooms in h and returns its lines, its stderr and
// how long it took; the test fails unless it exits 0.
func runRooms(t *testing.T, bin string, h *netns.Host, args ...string) ([]roomLine, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), roomsBound)
	defer cancel()
	cmd := h.Command(ctx, bin, append([]string{"--rooms", "--headless"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("huecast --rooms: %v after %v\nstdout:\n%s\nstderr:\n%s", err, took, out.String(), errb.String())
	}
	t.Logf("huecast --rooms (%v):\n%s%s", took.Round(time.Millisecond), out.String(), errb.String())
	var lines []roomLine
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var keys map[string]any
		if err := json.Unmarshal([]byte(l), &keys); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		if want := []string{"event", "host", "locked", "members", "room", "url"}; !reflect.DeepEqual(sortedKeys(keys), want) {
			t.Fatalf("line %q has keys %v, want exactly %v (nothing derived from a passphrase)", l, sortedKeys(keys), want)
		}
		var r roomLine
		_ = json.Unmarshal([]byte(l), &r)
		lines = append(lines, r)
	}
	return lines, errb.String(), took
}

func sortedKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// wantThreeRooms fails t unless lines are exactly threeRooms' rooms, each
// once, with its host, count, lock and hub.
func wantThreeRooms(t *testing.T, nw *netns.Network, lines []roomLine) {
	t.Helper()
	want := []roomLine{
		{"room", "kitchen", "p1", 2, false, "ws://" + nw.Hosts[0].Addr + ":" + lanPort + "/ws"},
		{"room", "lobby", "l1", 1, false, "ws://" + nw.Hosts[4].Addr + ":" + lanPort + "/ws"},
		{"room", "vault", "v1", 2, true, "ws://" + nw.Hosts[2].Addr + ":" + lanPort + "/ws"},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("listed\n%+v\nwant\n%+v", lines, want)
	}
}

func roomsListed(t *testing.T, bin string, dropped bool) {
	nw := netns.New(t, 6)
	within := lanWait
	if dropped {
		if err := nw.BlockMulticast(); err != nil {
			t.Fatal(err)
		}
		within = blockedBound + 5*time.Second
	}
	threeRooms(t, bin, nw, within)
	lines, _, took := runRooms(t, bin, nw.Hosts[5])
	wantThreeRooms(t, nw, lines)
	if took > roomsBound {
		t.Fatalf("--rooms took %v", took)
	}
}

func noRoomNearby(t *testing.T, bin string) {
	nw := netns.New(t, 2)
	lines, stderr, _ := runRooms(t, bin, nw.Hosts[0])
	if len(lines) != 0 {
		t.Fatalf("listed %+v on an empty LAN", lines)
	}
	for _, s := range []string{"no room heard", nw.Hosts[0].Iface, "TCP 7788"} {
		if !strings.Contains(stderr, s) {
			t.Fatalf("stderr does not say %q:\n%s", s, stderr)
		}
	}
}

// forgerEnv makes TestRoomForger forge listings; its value is the real
// hubs' addresses and hosts' ids: kitchen's address and id, then vault's.
const forgerEnv = "HUECAST_FORGER"

// TestRoomForger is not a test: forgedListings runs this test binary in a
// namespace with forgerEnv set, to advertise over mDNS rooms that are not
// there and answer the subnet search with pointers that lead nowhere.
func TestRoomForger(t *testing.T) {
	real := strings.Split(os.Getenv(forgerEnv), ",")
	if len(real) != 4 {
		t.Skip("a helper of TestRoomsNearby")
	}
	kitchen, vault := real[0], real[2]
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute) // bounded, in case nobody stops it
	defer cancel()
	d, err := discovery.New(discovery.Config{})
	if err != nil {
		t.Fatal(err)
	}
	port := 7788
	for _, ad := range []discovery.Ad{
		// kitchen's and vault's hubs, said to be other peers' and rooms'.
		// (A record under a real host's id shares its instance name, and
		// mDNS keeps one record per name: net/nearby's unit tests hold
		// such claims against the hub's answer.)
		{ID: "forged1", Name: "mallory", Room: "kitchen", Port: port, IPs: ips(kitchen)},
		{ID: "forged2", Name: "mallory", Room: "vault", Port: port, IPs: ips(kitchen)},
		{ID: "forged3", Name: "mallory", Room: "kitchen", Port: port, IPs: ips(kitchen), Auth: true, Verifier: "0123abcd"},
		{ID: "forged4", Name: "mallory", Room: "vault", Port: port, IPs: ips(vault)},
		// an address nobody holds, and a port nobody listens on
		{ID: "forged5", Name: "mallory", Room: "ghost", Port: port, IPs: ips("10.77.0.250")},
		{ID: "forged6", Name: "mallory", Room: "ghost", Port: 9, IPs: ips(kitchen)},
	} {
		go func() { _ = d.Advertise(ctx, ad) }()
	}
	// The subnet search finds this: a member pointing off the subnets, and
	// one pointing at kitchen's hub (which lists kitchen once, checked).
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hub := "ws://192.0.2.1:7788/ws"
		if n.Add(1)%2 == 0 {
			hub = "ws://" + kitchen + ":7788/ws"
		}
		fmt.Fprintf(w, `{"id":"forged7","name":"mallory","room":"ghost","hosting":false,"hub":%q}`, hub)
	})
	srv := &http.Server{Handler: h}
	go func() { <-ctx.Done(); srv.Close() }()
	fmt.Println("ready")
	_ = srv.ListenAndServe()
}

func ips(s string) []net.IP { return []net.IP{net.ParseIP(s)} }

func forgedListings(t *testing.T, bin string) {
	nw := netns.New(t, 7)
	kitchenID, vaultID := threeRooms(t, bin, nw, lanWait)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := nw.Hosts[6].Command(context.Background(), self, "-test.run=^TestRoomForger$", "-test.v")
	cmd.Env = append(os.Environ(), forgerEnv+"="+strings.Join([]string{nw.Hosts[0].Addr, kitchenID, nw.Hosts[2].Addr, vaultID}, ","))
	forger := netns.Start(t, cmd)
	if _, err := forger.WaitLine(lanWait, netns.Contains("ready")); err != nil {
		t.Fatal(err)
	}
	var heard string
	for range 2 { // the forger's pointer alternates
		lines, stderr, _ := runRooms(t, bin, nw.Hosts[5], "-v")
		wantThreeRooms(t, nw, lines)
		heard += stderr
	}
	// The forgeries were heard and weighed, not merely missed.
	for _, why := range []string{"id=forged2 room=vault why=\"another peer's hub than claimed", "id=forged4 room=vault why=\"another peer's hub", "id=forged6 room=ghost why=\"Get"} {
		if !strings.Contains(heard, why) {
			t.Fatalf("no forged claim was left out as %q:\n%s", why, heard)
		}
	}
}
