package e2e

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/delay"
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
	colours := measureCount(t, 30)
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

// TestMeasureFlipPages gives BENCHMARKS.md the pages' figures: five pages
// in Chromium, each 0-80 ms from the hub through a proxy of its own, beside
// ten native links 0-80 ms away. For each colour: the spread over every
// screen, and each page's distance from the native links' median. It runs
// only with HUECAST_MEASURE=1; HUECAST_MEASURE_RUNS sets the colours:
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureFlipPages -v -count=1
func TestMeasureFlipPages(t *testing.T) {
	colours := measureCount(t, 30)
	browser := newBrowser(t)
	const natives, pages = 10, 5
	r := startFlipRoom(t, natives, spreadPaths(natives, 80*time.Millisecond, 0), false, 150*time.Millisecond)
	var tabs []*page
	for i := range pages {
		d := 80 * time.Millisecond * time.Duration(i) / (pages - 1)
		px, err := delay.Start(r.addr, delay.Path{Base: d}, delay.Path{Base: d})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { px.Close() })
		p := newPage(t, browser)
		p.open("http://" + px.Addr + "/")
		p.waitJS("the page has a window of the hub's clock", `huecast.state.clock.size() >= 16`, waitFor)
		tabs = append(tabs, p)
	}
	var spreads, fromNatives, pageOffErr []time.Duration
	for k := range colours {
		color := fmt.Sprintf("#%06x", 0x500000+k)
		res := r.flip(color)
		var ts []time.Duration
		for _, ev := range res.events {
			ts = append(ts, time.Duration(ev.Shown.UnixNano()))
		}
		ref := float64(median(ts)) / 1e6
		lo, hi := slices.Min(ts), slices.Max(ts)
		for _, p := range tabs {
			f := pageShown(p, color)
			w := time.Duration(f.Wall * 1e6)
			lo, hi = min(lo, w), max(hi, w)
			fromNatives = append(fromNatives, time.Duration((f.Wall-ref)*1e6).Abs())
			if f.ShownHub != nil {
				pageOffErr = append(pageOffErr, time.Duration((*f.ShownHub-(f.Wall-float64(r.start.UnixMicro())/1000))*1e6).Abs())
			}
		}
		spreads = append(spreads, hi-lo)
	}
	t.Logf("%d pages beside %d native links, 0-80 ms, %d colours", pages, natives, colours)
	t.Logf("spread over all screens: median %s, worst %s", msf(median(spreads)), msf(slices.Max(spreads)))
	t.Logf("a page from the native links' median: median %s, worst %s", msf(median(fromNatives)), msf(slices.Max(fromNatives)))
	t.Logf("pages' |offset error|: median %s, worst %s", msf(median(pageOffErr)), msf(slices.Max(pageOffErr)))
	t.Logf("lead %s", msf(r.lead()))
}
