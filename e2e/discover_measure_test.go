package e2e

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// TestMeasureDiscovery gives the README and BENCHMARKS.md their figures for
// discovery in layers, with the binary as shipped, in namespaces: the time
// from the last of four peers started together to one room, with mDNS
// working, with multicast dropped by the switch, and with a fifth of all
// frames lost, and for a peer alone to host; and the frames one subnet
// search sends. It runs only with
// HUECAST_MEASURE=1; HUECAST_MEASURE_RUNS sets the runs (10 by default):
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureDiscovery -v -count=1 -timeout 30m
func TestMeasureDiscovery(t *testing.T) {
	runs := measureCount(t, 10)
	netns.Require(t)
	bin := buildLANBinary(t)
	ways := []struct {
		name  string
		peers int
		setup func(*netns.Network) error
	}{
		{"alone (hosts)", 1, func(*netns.Network) error { return nil }},
		{"mDNS working", 4, func(*netns.Network) error { return nil }},
		{"multicast dropped", 4, func(nw *netns.Network) error { return nw.BlockMulticast() }},
		{"20% of frames lost", 4, func(nw *netns.Network) error { return nw.Loss(20) }},
	}
	got := map[string][]time.Duration{}
	for i := range runs {
		for _, w := range ways {
			t.Run(fmt.Sprintf("%s/%d", w.name, i), func(t *testing.T) {
				nw := netns.New(t, w.peers)
				if err := w.setup(nw); err != nil {
					t.Fatal(err)
				}
				xs := startTogether(t, bin, nw.Hosts, "p")
				var last time.Time
				for _, x := range xs {
					if x.started.After(last) {
						last = x.started
					}
				}
				_, at := settle(t, xs, lossBound)
				got[w.name] = append(got[w.name], at.Sub(last))
			})
		}
	}
	t.Logf("%d runs, 4 peers started together (1 alone), huecast without the race detector, %d CPUs:", runs, runtime.NumCPU())
	for _, w := range ways {
		ds := slices.Clone(got[w.name])
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		t.Logf("  last start → one room, %-20s n=%2d  median %6s  worst %6s  best %6s", w.name, len(ds),
			ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), ms(ds[0]))
	}
}

// TestMeasureSearchFrames counts the frames one subnet search sends; with
// HUECAST_MEASURE=1 like TestMeasureDiscovery.
func TestMeasureSearchFrames(t *testing.T) {
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	netns.Require(t)
	bin := buildLANBinary(t)
	// One search's frames: a lone host's first look, with nobody to find,
	// so it asks the whole /24; counted on the switch until just before its
	// next look 10 s later (the kernel's ARP retries included).
	nw := netns.New(t, 2)
	a := nw.Hosts[0].Addr
	for name, match := range map[string]string{
		"c_arp":  "arp operation request arp saddr ip " + a,
		"c_syn":  "ip saddr " + a + " tcp flags & (syn | ack) == syn",
		"c_ip":   "ip saddr " + a + " ip daddr != 224.0.0.0/4",
		"c_mdns": "ip saddr " + a + " ip daddr 224.0.0.251",
	} {
		if err := nw.Count(name, match); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.BlockMulticast(); err != nil {
		t.Fatal(err)
	}
	x := startHC(t, bin, nw.Hosts[0], "p1", "--host")
	x.must(lanWait, "hosting", nil)
	<-time.After(9 * time.Second)
	for _, name := range []string{"c_arp", "c_syn", "c_ip", "c_mdns"} {
		n, err := nw.Counted(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("  one subnet search of a /24 (253 addresses, one live peer): %-6s frames %d", name, n)
	}
}
