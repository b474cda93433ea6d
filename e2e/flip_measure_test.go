package e2e

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/huecast/huecast/hub"
)

// TestMeasureFlip gives BENCHMARKS.md its figures for how together a room
// flips: in-process links (the same code as headless peers) on loopback or
// each behind its own delay proxy, a real hub, peer 0 picking a colour,
// then the next once every peer has shown it. Spread is between the first
// and the last peer to show a colour, by this process's clock; the offset
// error is each peer's estimate of the hub's clock against the truth (one
// process: the hub's clock is the time since it started). It runs only
// with HUECAST_MEASURE=1; HUECAST_MEASURE_RUNS sets the colours per room
// (30 by default), measured as soon as every peer has joined and again
// 20 s later, once the offsets rest on more than the join's burst:
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureFlip -v -count=1 -timeout 30m
func TestMeasureFlip(t *testing.T) {
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	colours := 30
	if n, err := strconv.Atoi(os.Getenv("HUECAST_MEASURE_RUNS")); err == nil && n > 0 {
		colours = n
	}
	t.Logf("GOMAXPROCS %d, %d colours per room", runtime.GOMAXPROCS(0), colours)
	const settle = 20 * time.Second // 8 burst samples and 10 more: most of the window
	t.Logf("%-5s %-24s %-8s %-8s %13s %13s %14s %20s %5s %9s", "peers", "delay (one way)", "flip", "when",
		"spread median", "spread worst", "hub-est median", "|offset err| med/max", "late", "lead")
	for _, n := range []int{20, 100} {
		for _, d := range []struct {
			name  string
			paths paths
			lead  time.Duration
		}{
			{"loopback", nil, hub.MinLead},
			{"0-80 ms, jitter", spreadPaths(n, 80*time.Millisecond, 0), 150 * time.Millisecond},
			{"0-80 ms, jitter, asym", spreadPaths(n, 80*time.Millisecond, 10*time.Millisecond), 150 * time.Millisecond},
		} {
			for _, now := range []bool{false, true} {
				flip := "together"
				if now {
					flip = "now"
				}
				r := startFlipRoom(t, n, d.paths, now, d.lead)
				row := func(when string) {
					var spreads, hubSpreads, offErrs []time.Duration
					late := 0
					var lead time.Duration
					for k := range colours {
						res := r.flip(fmt.Sprintf("#%06x", 0x300000+k))
						spreads = append(spreads, res.spread)
						hubSpreads = append(hubSpreads, res.hubSpread)
						for _, e := range res.offErr {
							offErrs = append(offErrs, e.Abs())
						}
						late += res.late
						lead = res.lead
					}
					t.Logf("%-5d %-24s %-8s %-8s %13s %13s %14s %9s/%-10s %5d %9s", n, d.name, flip, when,
						msf(median(spreads)), msf(slices.Max(spreads)), msf(median(hubSpreads)),
						msf(median(offErrs)), msf(slices.Max(offErrs)), late, msf(lead))
				}
				row("joined")
				<-time.After(settle) // the room's age is what is measured here
				row("settled")
			}
		}
	}
}

func msf(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
