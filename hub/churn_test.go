package hub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// The churn test: churnSlots clients at a time connect, stay a while and
// leave (cleanly, abruptly, or before saying hello), for churnDuration on
// loopback, while churnSenders long-lived clients keep colours flowing.
// Afterwards every client still connected must hold the room's last colour
// and stamp, and once all have gone the goroutines and heap must be back near
// where they started.
//
// CI runs it for 5 s. The full run, whose figures are in BENCHMARKS.md and
// SECURITY.md:
//
//	HUECAST_CHURN=30s go test -race -run TestChurn -v -timeout 5m ./hub/
const (
	churnSlots   = 1000
	churnSenders = 2
	// churnColourPeriod is each sender's pace: 10 colours/s, half the rate
	// limit, so that none is dropped.
	churnColourPeriod = 100 * time.Millisecond
	// churnLife bounds how long one churning connection stays: long enough
	// for colours to reach it, short enough to make many connections.
	churnLifeMin, churnLifeMax = 1 * time.Second, 4 * time.Second
	// churnAway bounds the pause before each visit: the slots' clients
	// are not all in the room at once, as people come and go.
	churnAway = 30 * time.Second
	// churnSettle bounds every wait after the churn: for the last colour
	// to reach everyone, for the hub to let go of every connection.
	churnSettle = 30 * time.Second
	// Slack allowed over the baseline after everything has closed.
	churnGoroutineSlack = 10
	churnHeapSlack      = 8 << 20
)

func churnDuration(t *testing.T) time.Duration {
	if s := os.Getenv("HUECAST_CHURN"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("HUECAST_CHURN=%q: %v", s, err)
		}
		return d
	}
	return 5 * time.Second
}

type heapGoroutines struct {
	goroutines int
	heap       uint64
}

func measure() heapGoroutines {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return heapGoroutines{goroutines: runtime.NumGoroutine(), heap: m.HeapAlloc}
}

// churnClient is one connection of the churn, and what it last saw.
type churnClient struct {
	ws      *websocket.Conn
	mu      sync.Mutex // guards color, stamp and colours
	color   string
	stamp   wire.Stamp
	colours int           // colour frames read
	changed chan struct{} // a token when color or stamp changed
	read    chan struct{} // closed when its reader has ended
	err     error         // why the reader ended; read once read is closed
}

func (c *churnClient) last() (string, wire.Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.color, c.stamp
}

func (c *churnClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.colours
}

// await waits until ok holds for what c last saw; it reports false if the
// deadline passes or c's reader ends first.
func (c *churnClient) await(deadline time.Time, ok func(color string, st wire.Stamp) bool) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for !ok(c.last()) {
		select {
		case <-c.changed:
		case <-c.read:
			return false
		case <-timer.C:
			return false
		}
	}
	return true
}

// joinChurn connects, says hello and starts reading; nil if the hub
// refused (which the test counts).
func joinChurn(url, id string) (*churnClient, error) {
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	_ = ws.SetWriteDeadline(time.Now().Add(waitFor))
	if err := ws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: id, Name: id, Room: "lobby"}); err != nil {
		ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(waitFor))
	var w wire.Out
	if err := ws.ReadJSON(&w); err != nil || w.Type != wire.TypeWelcome {
		ws.Close()
		return nil, fmt.Errorf("hello answered with %+v, %v", w, err)
	}
	c := &churnClient{ws: ws, color: w.Color, stamp: w.Stamp, changed: make(chan struct{}, 1), read: make(chan struct{})}
	go func() {
		defer close(c.read)
		for {
			_ = ws.SetReadDeadline(time.Now().Add(churnSettle))
			_, data, err := ws.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			// Most frames are joins and leaves: decode colours only.
			if !bytes.HasPrefix(data, []byte(`{"type":"color"`)) {
				continue
			}
			var out wire.Out
			if err := json.Unmarshal(data, &out); err != nil {
				c.err = err
				return
			}
			{
				c.mu.Lock()
				c.colours++
				if out.Stamp.After(c.stamp) {
					c.color, c.stamp = out.Color, out.Stamp
				}
				c.mu.Unlock()
				select {
				case c.changed <- struct{}{}:
				default: // a token is already waiting
				}
			}
		}
	}()
	return c, nil
}

func (c *churnClient) leave(clean bool) {
	if clean {
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
		select { // the hub answers the close; the reader then ends
		case <-c.read:
		case <-time.After(time.Second):
		}
	}
	c.ws.Close()
	<-c.read
}

func TestChurn(t *testing.T) {
	d := churnDuration(t)
	before := measure()

	s := startHub(t, hub.Config{Room: "lobby"})
	url := s.wsURL()

	var joins, refused, silent atomic.Int64
	ctx, stop := context.WithTimeout(context.Background(), d)
	defer stop()

	// Senders: long-lived, a colour every churnColourPeriod.
	senders := make([]*churnClient, churnSenders)
	for i := range senders {
		c, err := joinChurn(url, fmt.Sprintf("sender%d", i))
		if err != nil {
			t.Fatal(err)
		}
		senders[i] = c
	}
	var sent atomic.Int64
	var sendWG sync.WaitGroup
	for i, c := range senders {
		sendWG.Add(1)
		go func() {
			defer sendWG.Done()
			tick := time.NewTicker(churnColourPeriod)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				color := fmt.Sprintf("#%02x%04x", i, n%0x10000)
				_ = c.ws.SetWriteDeadline(time.Now().Add(waitFor))
				if err := c.ws.WriteJSON(wire.SetColor{Type: wire.TypeColor, Color: color}); err != nil {
					t.Errorf("sender %d: %v", i, err)
					return
				}
				sent.Add(1)
			}
		}()
	}

	// Churn: each slot connects, stays, leaves, until the time is up; the
	// connection open then stays for the check.
	start := time.Now()
	stayed := make([]*churnClient, churnSlots)
	var churnWG sync.WaitGroup
	for slot := range churnSlots {
		churnWG.Add(1)
		go func() {
			defer churnWG.Done()
			rng := rand.New(rand.NewPCG(uint64(slot), 8))
			for gen := 0; ctx.Err() == nil; gen++ {
				// Away for a while between visits; the first wait spreads
				// the arrivals.
				select {
				case <-time.After(time.Duration(rng.Int64N(int64(churnAway)))):
				case <-ctx.Done():
					return
				}
				if rng.IntN(20) == 0 {
					// Connects and leaves without a word.
					if ws, _, err := websocket.DefaultDialer.Dial(url, nil); err == nil {
						ws.Close()
						silent.Add(1)
					}
					continue
				}
				c, err := joinChurn(url, fmt.Sprintf("c%d-%d", slot, gen))
				if err != nil {
					refused.Add(1)
					if ctx.Err() == nil {
						t.Errorf("slot %d: %v", slot, err)
					}
					return
				}
				joins.Add(1)
				life := churnLifeMin + time.Duration(rng.Int64N(int64(churnLifeMax-churnLifeMin)))
				select {
				case <-ctx.Done():
					stayed[slot] = c
					return
				case <-time.After(life):
				case <-c.read:
					t.Errorf("slot %d: the hub dropped a client that reads: %v", slot, c.err)
					c.leave(false)
					return
				}
				c.leave(rng.IntN(2) == 0)
			}
		}()
	}
	var peak int
	for sample := time.NewTicker(100 * time.Millisecond); ctx.Err() == nil; {
		select {
		case <-sample.C:
			if st, err := s.hub.State(ctx); err == nil {
				peak = max(peak, len(st.Peers))
			}
		case <-ctx.Done():
		}
	}
	sendWG.Wait()
	churnWG.Wait()
	elapsed := time.Since(start)

	for i, c := range senders {
		select {
		case <-c.read:
			t.Errorf("sender %d was dropped: %v", i, c.err)
		default:
		}
	}
	// Each sender's connection is in order: once both senders have seen
	// their own final colour come back, everything they sent has been
	// handled and the room's state holds still. (A reader starved on a
	// loaded machine reads a backlog at once, and the rate limit may drop
	// some of it: the colours that came back, not the count sent, are the truth.)
	deadline := time.Now().Add(churnSettle)
	for i, c := range senders {
		final := fmt.Sprintf("#ff%04x", i)
		for seen := false; !seen; {
			_ = c.ws.SetWriteDeadline(time.Now().Add(waitFor))
			if err := c.ws.WriteJSON(wire.SetColor{Type: wire.TypeColor, Color: final}); err != nil {
				t.Fatalf("sender %d: %v", i, err)
			}
			retry := time.Now().Add(time.Second)
			if retry.After(deadline) {
				retry = deadline
			}
			seen = c.await(retry, func(color string, _ wire.Stamp) bool { return color == final })
			if !seen && time.Now().After(deadline) {
				t.Fatalf("sender %d never saw its final colour back", i)
			}
		}
	}
	st, err := s.hub.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if took := senders[0].count(); took < int(sent.Load())*3/4 {
		t.Errorf("the room took %d colours of the %d sent at half the rate limit", took, sent.Load())
	}
	all := append(senders, stayed...)
	connected := 0
	for i, c := range all {
		if c == nil {
			continue
		}
		connected++
		holds := c.await(deadline, func(color string, stamp wire.Stamp) bool { return color == st.Color && stamp == st.Stamp })
		select {
		case <-c.read:
			color, stamp := c.last()
			t.Fatalf("client %d of %d was dropped at the end, holding %s at %v (the room: %s at %v): %v", i, len(all), color, stamp, st.Color, st.Stamp, c.err)
		default:
		}
		if !holds {
			color, stamp := c.last()
			t.Fatalf("a client still connected holds %s at %v, want the room's %s at %v", color, stamp, st.Color, st.Stamp)
		}
	}
	if len(st.Peers) != connected {
		t.Errorf("the hub lists %d peers, %d clients are connected", len(st.Peers), connected)
	}

	for _, c := range all {
		if c != nil {
			c.leave(true)
		}
	}
	for {
		st, err := s.hub.State(context.Background())
		if err == nil && len(st.Peers) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub still lists %d peers after everyone left", len(st.Peers))
		}
		time.Sleep(10 * time.Millisecond)
	}
	during := measure()
	s.stop()
	var after heapGoroutines
	for {
		after = measure()
		if after.goroutines <= before.goroutines+churnGoroutineSlack || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // connections still closing; bounded by deadline
	}

	rate := float64(joins.Load()) / elapsed.Seconds()
	t.Logf("at most %d peers in the room at once", peak)
	t.Logf("churn for %v: %d joins (%.0f connections/s handled), %d silent connections, %d colours sent, %d came back; %d still connected at the end, all at %s %v",
		elapsed.Round(time.Millisecond), joins.Load(), rate, silent.Load(), sent.Load(), senders[0].count(), connected, st.Color, st.Stamp)
	t.Logf("goroutines: %d before, %d after (%d with the hub still running, no clients); heap: %.1f MiB before, %.1f MiB after (%.1f MiB with the hub still running)",
		before.goroutines, after.goroutines, during.goroutines, mib(before.heap), mib(after.heap), mib(during.heap))
	if refused.Load() > 0 {
		t.Errorf("%d connections refused", refused.Load())
	}
	if after.goroutines > before.goroutines+churnGoroutineSlack {
		t.Errorf("%d goroutines after, %d before", after.goroutines, before.goroutines)
	}
	if during.goroutines > before.goroutines+churnGoroutineSlack+5 {
		t.Errorf("%d goroutines with the hub empty, %d before", during.goroutines, before.goroutines)
	}
	if after.heap > before.heap+churnHeapSlack {
		t.Errorf("heap %.1f MiB after, %.1f MiB before", mib(after.heap), mib(before.heap))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
