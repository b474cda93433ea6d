package link_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// clockHub is a scripted hub whose clock is ours plus offset: it answers
// pings with it, and sends the colours a test gives it.
type clockHub struct {
	url    string
	start  time.Time
	offset time.Duration
	colors chan wire.Color
	hang   chan struct{} // ends the current connection
}

func startClockHub(t *testing.T, offset time.Duration) *clockHub {
	t.Helper()
	h := &clockHub{start: time.Now(), offset: offset, colors: make(chan wire.Color), hang: make(chan struct{})}
	h.url = scriptedHub(t, func(ctx context.Context, ws *websocket.Conn, hello wire.In) {
		ws.WriteJSON(wire.Welcome{Type: wire.TypeWelcome, ID: hello.ID, Room: "lobby", Color: "#000001", Stamp: wire.Stamp{MS: 1, ID: "h"}, Lead: 30, V: wire.Version})
		pings := make(chan wire.In)
		go func() {
			defer close(pings)
			for {
				var in wire.In
				if ws.ReadJSON(&in) != nil {
					return
				}
				if in.Type == wire.TypePing {
					pings <- in
				}
			}
		}()
		for { // the one writer
			select {
			case in, ok := <-pings:
				if !ok {
					return
				}
				ws.WriteJSON(wire.Pong{Type: wire.TypePong, T: in.T, HT: wire.Millis(h.now())})
			case c := <-h.colors:
				ws.WriteJSON(c)
			case <-h.hang:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	return h
}

func (h *clockHub) now() time.Duration { return time.Since(h.start) + h.offset }

// send stamps a colour to be shown in from now on the hub's clock.
func (h *clockHub) send(t *testing.T, color string, seq uint64, in time.Duration) wire.Color {
	t.Helper()
	c := wire.Color{Type: wire.TypeColor, Color: color, Stamp: wire.Stamp{MS: int64(seq), ID: "h"}, At: wire.Millis(h.now() + in), Lead: 100}
	select {
	case h.colors <- c:
	case <-time.After(waitFor):
		t.Fatal("the hub's connection is gone")
	}
	return c
}

// synced waits, with a bound, until the link has an offset to the hub's
// clock, and returns it.
func synced(t *testing.T, l *link.Link) time.Duration {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if off, ok := l.Offset(); ok {
			return off
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the link never estimated the hub's clock")
	return 0
}

// burstSynced waits for the round trips of the link's burst at join and
// returns its offset then, and the most that offset may be off by: half the
// round trip of the second best of them (the estimate is one of the best
// quarter's offsets, and each lies within half its round trip of the truth),
// at least 5 ms. On a quiet machine loopback round trips take well under
// a millisecond; a loaded one stretches them.
func burstSynced(t *testing.T, r *running) (off, bound time.Duration) {
	t.Helper()
	var rtts []time.Duration
	r.await("the burst's round trips", func(ev link.Event) bool {
		if e, ok := ev.(link.RTT); ok {
			rtts = append(rtts, e.D)
		}
		return len(rtts) == 8
	})
	slices.Sort(rtts)
	off, ok := r.l.Offset()
	if !ok {
		t.Fatal("no offset after the burst")
	}
	return off, max(5*time.Millisecond, rtts[1]/2+time.Millisecond)
}

func startClockLink(t *testing.T, target func(context.Context) (string, error), now bool) *running {
	t.Helper()
	return runLink(t, link.Config{Target: target, ID: "a", Name: "a", FlipNow: now})
}

func fixedTarget(url string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return url, nil }
}

func TestLinkShowsAColourAtItsMomentOnTheHubsClock(t *testing.T) {
	h := startClockHub(t, time.Hour)
	a := startClockLink(t, fixedTarget(h.url), false)
	a.await("joined", isJoined)
	if off, bound := burstSynced(t, a); (off - time.Hour).Abs() > bound {
		t.Errorf("offset %v; want 1h within %v on loopback", off, bound)
	}
	c := h.send(t, "#ff0000", 2, 150*time.Millisecond)
	ev := a.await("#ff0000", colorIs("#ff0000")).(link.ColorChanged)
	shown := wire.Millis(h.now())
	// Not before the moment, and soon after it, within what the offset's
	// error can be on a loaded machine, where a round trip on loopback may
	// take tens of milliseconds.
	if shown < c.At-20 || shown > c.At+80 {
		t.Errorf("shown at %.1f ms on the hub's clock; the moment was %.1f", shown, c.At)
	}
	if ev.Late || !ev.Synced || ev.At != c.At || ev.Lead != 100*time.Millisecond {
		t.Errorf("event %+v", ev)
	}
}

func TestLinkNeverShowsAColourSupersededBeforeItsMoment(t *testing.T) {
	h := startClockHub(t, 3*time.Hour)
	a := startClockLink(t, fixedTarget(h.url), false)
	a.await("joined", isJoined)
	synced(t, a.l)
	h.send(t, "#ff0000", 2, 300*time.Millisecond)
	h.send(t, "#0000ff", 3, 100*time.Millisecond)
	a.await("#0000ff", colorIs("#0000ff"))
	// Red's moment passes while green waits for its own: red stays unshown.
	h.send(t, "#00ff00", 4, 250*time.Millisecond)
	got := []string{"#0000ff"}
	a.await("#00ff00", func(ev link.Event) bool {
		if cc, ok := ev.(link.ColorChanged); ok {
			got = append(got, cc.Color)
		}
		return colorIs("#00ff00")(ev)
	})
	if len(got) != 2 || got[0] != "#0000ff" {
		t.Errorf("shown %v; want [#0000ff #00ff00]", got)
	}
}

func TestLinkShowsALateColourAtOnceAndCountsIt(t *testing.T) {
	h := startClockHub(t, time.Hour)
	a := startClockLink(t, fixedTarget(h.url), false)
	a.await("joined", isJoined)
	synced(t, a.l)
	h.send(t, "#ff0000", 2, -50*time.Millisecond)
	ev := a.await("#ff0000", colorIs("#ff0000")).(link.ColorChanged)
	if !ev.Late || ev.LateCount != 1 {
		t.Errorf("late %v, count %d; want true, 1", ev.Late, ev.LateCount)
	}
	h.send(t, "#00ff00", 3, 50*time.Millisecond)
	if ev := a.await("#00ff00", colorIs("#00ff00")).(link.ColorChanged); ev.Late || ev.LateCount != 1 {
		t.Errorf("late %v, count %d; want false, 1", ev.Late, ev.LateCount)
	}
}

func TestLinkWithFlipNowShowsColoursOnArrival(t *testing.T) {
	h := startClockHub(t, time.Hour)
	a := startClockLink(t, fixedTarget(h.url), true)
	a.await("joined", isJoined)
	synced(t, a.l)
	c := h.send(t, "#ff0000", 2, 2*time.Second)
	a.await("#ff0000", colorIs("#ff0000"))
	if shown := wire.Millis(h.now()); shown > c.At-1000 {
		t.Errorf("shown at %.1f ms on the hub's clock, a second or less before its moment %.1f", shown, c.At)
	}
	// Switched back, the next colour waits for its moment.
	a.l.SetFlipNow(false)
	c = h.send(t, "#00ff00", 3, 150*time.Millisecond)
	a.await("#00ff00", colorIs("#00ff00"))
	if shown := wire.Millis(h.now()); shown < c.At-20 {
		t.Errorf("shown at %.1f ms, before its moment %.1f", shown, c.At)
	}
}

func TestLinkEstimatesTheNewHubsClockAfterAChangeOfHub(t *testing.T) {
	first := startClockHub(t, time.Hour)
	second := startClockHub(t, 3*time.Hour)
	target := make(chan string, 1)
	target <- first.url
	current := first.url
	a := startClockLink(t, func(ctx context.Context) (string, error) {
		select {
		case u := <-target:
			current = u
		default:
		}
		return current, nil
	}, false)
	a.await("joined", isJoined)
	if off, bound := burstSynced(t, a); (off - time.Hour).Abs() > bound {
		t.Fatalf("offset %v to the first hub; want 1h within %v", off, bound)
	}
	// A colour waiting for its moment when the hub goes is not shown: the
	// new hub's welcome says what the room shows.
	first.send(t, "#ff0000", 2, time.Second)
	target <- second.url
	select {
	case first.hang <- struct{}{}:
	case <-time.After(waitFor):
		t.Fatal("the first hub's connection is gone")
	}
	ev := a.await("joined the second hub", isJoined).(link.Joined)
	if ev.URL != second.url {
		t.Fatalf("joined %s", ev.URL)
	}
	if off, bound := burstSynced(t, a); (off - 3*time.Hour).Abs() > bound {
		t.Errorf("offset %v to the second hub; want 3h within %v", off, bound)
	}
	second.send(t, "#00ff00", 5, 100*time.Millisecond)
	if ev := a.await("#00ff00", func(ev link.Event) bool {
		cc, ok := ev.(link.ColorChanged)
		if ok && cc.Color == "#ff0000" {
			t.Error("the first hub's pending colour was shown")
		}
		return ok && cc.Color == "#00ff00"
	}).(link.ColorChanged); ev.Late {
		t.Error("the second hub's colour counted late")
	}
}

func TestLinkShowsAColourFarAheadAtOnce(t *testing.T) {
	h := startClockHub(t, time.Hour)
	a := startClockLink(t, fixedTarget(h.url), false)
	a.await("joined", isJoined)
	synced(t, a.l)
	c := h.send(t, "#ff0000", 2, time.Hour)
	ev := a.await("#ff0000", colorIs("#ff0000")).(link.ColorChanged)
	if shown := wire.Millis(h.now()); shown > c.At-3000000 || ev.Late {
		t.Errorf("shown at %.1f for a moment at %.1f (late %v); want at once", shown, c.At, ev.Late)
	}
}
