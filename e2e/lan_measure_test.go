package e2e

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// TestMeasureLAN gives BENCHMARKS.md its discovery and failover figures,
// with the binary as shipped (no race detector) in the namespaces TestLAN
// uses: a peer's start to its welcome, and a host's going (SIGKILL, clean
// quit, link down) to every other peer's welcome by the new hub. Each run
// is a fresh network of four peers per way of going, plus one of five
// peers started together. It runs only with HUECAST_MEASURE=1;
// HUECAST_MEASURE_RUNS sets the number of runs (20 by default):
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureLAN -v -count=1 -timeout 30m
func TestMeasureLAN(t *testing.T) {
	runs := measureCount(t, 20)
	netns.Require(t)
	bin := buildLANBinary(t)

	const (
		first    = "start → joined, first peer of a room (searches 1 s, then hosts)"
		joinMDNS = "start → joined, hub found over mDNS"
		joinAddr = "start → joined, --no-mdns --join <host>"
		five     = "5 peers started together → one hub, all joined"
	)
	rejoin := func(d death, byAddress bool) string {
		s := "host " + d.name + " → every peer rejoined"
		if byAddress {
			s += " (--no-mdns --join)"
		}
		return s
	}
	got := map[string][]time.Duration{}
	var order []string
	add := func(what string, ds ...time.Duration) {
		if _, ok := got[what]; !ok {
			order = append(order, what)
		}
		got[what] = append(got[what], ds...)
	}
	for i := range runs {
		for _, tc := range []struct {
			d         death
			byAddress bool
		}{{hostKilled, false}, {hostQuits, false}, {hostLinkDown, false}, {hostKilled, true}} {
			t.Run(fmt.Sprintf("%s/%d", strings.ReplaceAll(rejoin(tc.d, tc.byAddress), " ", "_"), i), func(t *testing.T) {
				r := failover(t, bin, tc.d, tc.byAddress)
				if tc.byAddress {
					add(joinAddr, r.joined...)
				} else {
					add(first, r.hostJoined)
					add(joinMDNS, r.joined...)
				}
				add(rejoin(tc.d, tc.byAddress), r.rejoined)
			})
		}
		t.Run(fmt.Sprintf("five/%d", i), func(t *testing.T) { add(five, fiveStartedTogether(t, bin)) })
	}
	t.Logf("%d runs, huecast without the race detector, %d CPUs:", runs, runtime.NumCPU())
	for _, what := range order {
		ds := slices.Clone(got[what])
		slices.Sort(ds)
		t.Logf("  %-62s n=%3d  median %6s  p90 %6s  worst %6s  best %6s", what, len(ds),
			ms(ds[len(ds)/2]), ms(ds[len(ds)*9/10]), ms(ds[len(ds)-1]), ms(ds[0]))
	}
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + "ms" }

// measureCount skips t unless HUECAST_MEASURE=1 (it is a measurement, not a
// test) and returns how many runs to make: HUECAST_MEASURE_RUNS, else def.
func measureCount(t *testing.T, def int) int {
	t.Helper()
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	if n, err := strconv.Atoi(os.Getenv("HUECAST_MEASURE_RUNS")); err == nil && n > 0 {
		return n
	}
	return def
}
