package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/e2e/delay"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// A room for measuring how together it flips: a real hub, and real links
// that each reach it through a delay proxy of their own.
type flipRoom struct {
	t     *testing.T
	hub   *hub.Hub
	addr  string    // the hub's host:port; it serves the page too
	start time.Time // just before the hub's clock started: its zero, within microseconds
	peers []*flipPeer
}

type flipPeer struct {
	l      *link.Link
	colors chan link.ColorChanged
	path   [2]delay.Path // up, down
}

// paths gives peer i its delay to the hub and back; nil paths connect
// every peer to the hub directly.
type paths func(i int) (up, down delay.Path)

// startFlipRoom starts a hub and n links behind their proxies, and waits
// until every link has an estimate of the hub's clock and the hub's lead
// is at least minLead (the members' round trips have been reported).
func startFlipRoom(t *testing.T, n int, p paths, flipNow bool, minLead time.Duration) *flipRoom {
	t.Helper()
	r := &flipRoom{t: t, start: time.Now()}
	r.hub = hub.New(hub.Config{Room: "lobby", ColorRate: -1, MaxPeers: 2 * n, Page: web.Handler()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	srv := &http.Server{Handler: r.hub}
	go srv.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { r.hub.Run(ctx); close(ran) }()
	var stops []func()
	t.Cleanup(func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
		<-ran
		srv.Close()
	})
	for i := range n {
		url := "ws://" + ln.Addr().String() + "/ws"
		var up, down delay.Path
		if p != nil {
			up, down = p(i)
			px, err := delay.Start(ln.Addr().String(), up, down)
			if err != nil {
				t.Fatal(err)
			}
			stops = append(stops, func() { px.Close() })
			url = "ws://" + px.Addr + "/ws"
		}
		fp := &flipPeer{colors: make(chan link.ColorChanged, 64), path: [2]delay.Path{up, down}}
		fp.l = link.New(link.Config{Target: func(context.Context) (string, error) { return url, nil },
			ID: fmt.Sprintf("p%03d", i), Name: fmt.Sprintf("peer %d", i), Room: "lobby", FlipNow: flipNow,
			Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
		lctx, lcancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { fp.l.Run(lctx); close(done) }()
		go func() {
			for ev := range fp.l.Events() {
				if c, ok := ev.(link.ColorChanged); ok {
					select {
					case fp.colors <- c:
					default:
						t.Errorf("peer %d: colours not read", i)
					}
				}
			}
		}()
		stops = append([]func(){func() { lcancel(); <-done }}, stops...)
		r.peers = append(r.peers, fp)
	}
	r.settle(minLead)
	return r
}

// settle waits, polling with a bound, until every link knows the hub's
// clock and the hub's lead has grown to minLead.
func (r *flipRoom) settle(minLead time.Duration) {
	r.t.Helper()
	settled := pollUntil(30*time.Second, 20*time.Millisecond, func() bool {
		for _, p := range r.peers {
			if _, ok := p.l.Offset(); !ok {
				return false
			}
		}
		return r.lead() >= minLead
	})
	if !settled {
		r.t.Fatalf("the room did not settle: lead %v, want %v", r.lead(), minLead)
	}
}

func (r *flipRoom) lead() time.Duration {
	st, err := r.hub.State(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return wire.Duration(st.Lead)
}

// flipResult is how one colour was shown across the room.
type flipResult struct {
	spread    time.Duration // between the first and the last peer to show it, in real time
	hubSpread time.Duration // the same on the hub's clock as each peer estimated it
	early     time.Duration // how far the first peer showed it before its moment (0: none did)
	late      int           // peers that had it after its moment
	offErr    []time.Duration
	lead      time.Duration
	events    []link.ColorChanged // each peer's, in peer order
}

// flip has peer 0 pick color, and waits for every peer to show it.
func (r *flipRoom) flip(color string) flipResult {
	r.t.Helper()
	if err := r.peers[0].l.SetColor(color); err != nil {
		r.t.Fatal(err)
	}
	var res flipResult
	var first, last time.Time
	var hubFirst, hubLast float64
	deadline := time.After(20 * time.Second)
	for i, p := range r.peers {
		var c link.ColorChanged
		for c.Color != color {
			select {
			case c = <-p.colors:
			case <-deadline:
				r.t.Fatalf("peer %d never showed %s", i, color)
			}
		}
		if i == 0 || c.Shown.Before(first) {
			first = c.Shown
		}
		if i == 0 || c.Shown.After(last) {
			last = c.Shown
		}
		if i == 0 || c.ShownHub < hubFirst {
			hubFirst = c.ShownHub
		}
		if i == 0 || c.ShownHub > hubLast {
			hubLast = c.ShownHub
		}
		if c.Late {
			res.late++
		}
		res.events = append(res.events, c)
		// The truth: the hub's clock is the time since r.start.
		truth := c.Shown.Sub(r.start)
		res.offErr = append(res.offErr, wire.Duration(c.ShownHub)-truth)
		if early := wire.Duration(c.At) - truth; c.At > 0 && early > res.early {
			res.early = early
		}
		res.lead = c.Lead
	}
	res.spread = last.Sub(first)
	res.hubSpread = wire.Duration(hubLast - hubFirst)
	return res
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// spreadPaths spreads peers evenly over 0 to most one-way delay, with up
// to 10 ms of jitter on every third peer's way down (a busy Wi-Fi) and a
// way down asym longer than the way up on every fourth.
func spreadPaths(n int, most, asym time.Duration) paths {
	return func(i int) (up, down delay.Path) {
		d := most * time.Duration(i) / time.Duration(max(1, n-1))
		up, down = delay.Path{Base: d}, delay.Path{Base: d}
		if i%3 == 1 {
			down.Jitter = 10 * time.Millisecond
		}
		if i%4 == 2 {
			down.Base += asym
		}
		return up, down
	}
}

func TestPeersBehindDifferentDelaysFlipTogether(t *testing.T) {
	const n, colours = 12, 8
	run := func(flipNow bool) []time.Duration {
		r := startFlipRoom(t, n, spreadPaths(n, 80*time.Millisecond, 10*time.Millisecond), flipNow, 150*time.Millisecond)
		var spreads []time.Duration
		for k := range colours {
			res := r.flip(fmt.Sprintf("#%06x", 0x100000+k))
			spreads = append(spreads, res.spread)
			if !flipNow && res.early > 15*time.Millisecond { // the offset's error, on a loaded machine
				t.Errorf("colour %d shown %v before its moment", k, res.early)
			}
		}
		return spreads
	}
	together := run(false)
	arrival := run(true)
	t.Logf("spread together %v (median %v); on arrival %v (median %v)", together, median(together), arrival, median(arrival))
	// A loaded 2-core machine with the race detector is far from a
	// quiet LAN, hence the margin; BENCHMARKS.md has the figures.
	if m := median(together); m > 25*time.Millisecond {
		t.Errorf("median spread %v with 0-80 ms delays; want a few ms", m)
	}
	if m := median(arrival); m < 60*time.Millisecond {
		t.Errorf("median spread on arrival %v; delays of 0-80 ms should show as a wave", m)
	}
}

func TestAPeerTooSlowForTheLeadShowsColoursLateAndCountsThem(t *testing.T) {
	// Peer 2 is 400 ms away each way, beyond the lead's 250 ms bound.
	p := func(i int) (up, down delay.Path) {
		if i == 2 {
			return delay.Path{Base: 400 * time.Millisecond}, delay.Path{Base: 400 * time.Millisecond}
		}
		return delay.Path{Base: 5 * time.Millisecond}, delay.Path{Base: 5 * time.Millisecond}
	}
	r := startFlipRoom(t, 4, p, false, hub.MaxLead)
	for k := range 3 {
		res := r.flip(fmt.Sprintf("#%06x", 0x200000+k))
		for i, ev := range res.events {
			if slow := i == 2; ev.Late != slow || (slow && ev.LateCount != k+1) {
				t.Errorf("colour %d, peer %d: late %v, count %d", k, i, ev.Late, ev.LateCount)
			}
		}
		// The slow peer shows it the moment it arrives, about 150 ms after
		// the others (400 ms on the way less the 250 ms lead).
		if res.spread < 100*time.Millisecond {
			t.Errorf("colour %d: spread %v; the slow peer cannot have had it in time", k, res.spread)
		}
	}
}
