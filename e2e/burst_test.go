package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/delay"
	"github.com/huecast/huecast/hub"
)

// A burst of clicks with a member 240 ms away: every screen keeps
// changing, at least once per lead plus 100 ms, and every screen shows the
// same colours in the same order. Before the hub decided which colour
// replaces which, each colour was replaced before its moment by one with a
// later moment, and no screen changed until the burst ended.
func TestABurstOfClicksFreezesNoScreen(t *testing.T) {
	const (
		n      = 4
		every  = 80 * time.Millisecond
		clicks = 50 // 4 s
		margin = 100 * time.Millisecond
	)
	// Peer 3 is 120 ms away each way; the others 2 ms.
	p := func(i int) (up, down delay.Path) {
		d := 2 * time.Millisecond
		if i == n-1 {
			d = 120 * time.Millisecond
		}
		return delay.Path{Base: d}, delay.Path{Base: d}
	}
	r := startFlipRoom(t, n, p, false, hub.MaxLead)
	lead := r.lead()
	colors := make([]string, clicks)
	for k := range colors {
		colors[k] = fmt.Sprintf("#%06x", 0x300000+k)
	}
	last := colors[clicks-1]

	type shown struct {
		color string
		at    time.Time
	}
	seen := make([]chan []shown, n)
	for i, peer := range r.peers {
		seen[i] = make(chan []shown, 1)
		go func() {
			var got []shown
			defer func() { seen[i] <- got }()
			deadline := time.After(clicks*every + lead + 20*time.Second)
			for {
				select {
				case c := <-peer.colors:
					got = append(got, shown{c.Color, c.Shown})
					if c.Color == last {
						return
					}
				case <-deadline:
					return
				}
			}
		}()
	}
	tick := time.NewTicker(every) // paces the clicks; nothing waits on it
	defer tick.Stop()
	start := time.Now()
	for k, color := range colors {
		if err := r.peers[k%2].l.SetColor(color); err != nil { // two people clicking
			t.Fatal(err)
		}
		<-tick.C
	}

	var frozen, first time.Duration // between two changes; from the first click to the first change
	var seqs [][]string
	for i := range n {
		var seq []string
		prev := start
		for k, s := range <-seen[i] {
			seq = append(seq, s.color)
			gap := s.at.Sub(prev)
			if k == 0 {
				first = max(first, gap)
			} else {
				frozen = max(frozen, gap)
			}
			if gap > lead+margin {
				t.Errorf("peer %d: no change for %v before %s (lead %v)", i, gap, s.color, lead)
			}
			prev = s.at
		}
		if len(seq) == 0 || seq[len(seq)-1] != last {
			t.Errorf("peer %d showed %v; want it to end on the last colour, %s", i, seq, last)
		}
		seqs = append(seqs, seq)
	}
	for i := 1; i < n; i++ {
		if !slices.Equal(seqs[i], seqs[0]) {
			t.Errorf("peer %d showed %v;\npeer 0 showed %v", i, seqs[i], seqs[0])
		}
	}
	t.Logf("%d clicks every %v, lead %v: each screen showed %d colours; the first %v after the first click, then none was frozen longer than %v",
		clicks, every, lead, len(seqs[0]), first, frozen)
}
