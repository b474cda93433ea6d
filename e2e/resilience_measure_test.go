package e2e

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// TestMeasureResilience measures how fast a room recovers from one peer
// nobody can reach and from a record that answers as host and refuses
// every join (BENCHMARKS.md), each run in a fresh network. It runs only
// with HUECAST_MEASURE=1; HUECAST_MEASURE_RUNS sets the runs (10):
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureResilience -v -count=1 -timeout 30m
func TestMeasureResilience(t *testing.T) {
	runs := measureCount(t, 10)
	netns.Require(t)
	bin := buildLANBinary(t)
	liar := buildLiar(t)
	const (
		walled  = "firewalled first peer hosts; 2 more start → all 3 welcomed by one hub"
		fromLie = "refusing record present; 2 peers start → both welcomed by one hub"
		running = "refusing record appears in a running room → its host back in its own hub"
	)
	got := map[string][]time.Duration{}
	order := []string{walled, fromLie, running}
	for i := range runs {
		t.Run(fmt.Sprintf("walled/%d", i), func(t *testing.T) { got[walled] = append(got[walled], firewalledWhole(t, bin)) })
		t.Run(fmt.Sprintf("liar/%d", i), func(t *testing.T) { got[fromLie] = append(got[fromLie], liarWhole(t, bin, liar, false)) })
		t.Run(fmt.Sprintf("running/%d", i), func(t *testing.T) {
			got[running] = append(got[running], liarInRunning(t, bin, liar, false))
		})
	}
	t.Logf("%d runs, huecast without the race detector, %d CPUs:", runs, runtime.NumCPU())
	for _, what := range order {
		ds := slices.Clone(got[what])
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		t.Logf("  %-82s n=%3d  median %6s  worst %6s  best %6s", what, len(ds), ms(ds[len(ds)/2]), ms(ds[len(ds)-1]), ms(ds[0]))
	}
}
