package hub_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// waitFor bounds every wait in these tests; all of them normally end in
// milliseconds.
const waitFor = 10 * time.Second

type server struct {
	*httptest.Server
	hub  *hub.Hub
	stop func()
}

// startHub serves a hub on loopback. Its cleanup cancels Run and waits for it:
// httptest's Close does not wait for hijacked connections.
func startHub(t *testing.T, cfg hub.Config) *server {
	t.Helper()
	return startHubOn(t, cfg, nil)
}

// startHubOn is startHub with a listener wrapped by wrap (nil: as it is).
func startHubOn(t *testing.T, cfg hub.Config, wrap func(net.Listener) net.Listener) *server {
	t.Helper()
	h := hub.New(cfg)
	ts := httptest.NewUnstartedServer(h)
	if wrap != nil {
		ts.Listener = wrap(ts.Listener)
	}
	ts.Start()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-ran:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitFor):
				t.Errorf("Run did not return after cancel")
			}
			ts.Close()
		})
	}
	t.Cleanup(stop)
	return &server{Server: ts, hub: h, stop: stop}
}

func (s *server) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/ws" }

type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, s *server) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(s.wsURL(), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next reads the next frame the hub sends, failing the test after waitFor.
func (c *client) next() wire.Out {
	c.t.Helper()
	out, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return out
}

func (c *client) read() (wire.Out, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(waitFor))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return wire.Out{}, err
	}
	var out wire.Out
	if err := json.Unmarshal(data, &out); err != nil {
		return wire.Out{}, fmt.Errorf("hub sent bad JSON %q: %w", data, err)
	}
	return out, nil
}

// nextOf skips frames until one of type typ arrives.
func (c *client) nextOf(typ string) wire.Out {
	c.t.Helper()
	for {
		if out := c.next(); out.Type == typ {
			return out
		}
	}
}

// hello joins the room and returns the welcome.
func (c *client) hello(id, name string) wire.Out {
	c.t.Helper()
	c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: id, Name: name, Room: "lobby"})
	w := c.next()
	if w.Type != wire.TypeWelcome {
		c.t.Fatalf("after hello got %+v, want welcome", w)
	}
	return w
}

// closeCode reads until the connection closes and returns its close code.
func (c *client) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.read()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

func TestWelcomeCarriesCurrentStateToLateJoiner(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby", Host: "alice"})
	a := dial(t, s)
	w := a.hello("a1", "alice")
	if w.Color != wire.StartColor || !w.Stamp.IsZero() || w.V != wire.Version || w.Room != "lobby" || w.Host != "alice" || w.ID != "a1" {
		t.Fatalf("first welcome = %+v, want green at the zero stamp in lobby hosted by alice", w)
	}
	if len(w.Peers) != 1 || w.Peers[0].Name != "alice" {
		t.Fatalf("first welcome peers = %+v, want just alice", w.Peers)
	}
	a.send(wire.SetColor{Type: wire.TypeColor, Color: "#1E90FF"})
	before := time.Now().UnixMilli()
	echo := a.nextOf(wire.TypeColor)
	if echo.Color != "#1e90ff" || echo.Stamp.ID != "a1" || echo.Stamp.MS < before-10_000 || echo.Stamp.MS > time.Now().UnixMilli() {
		t.Fatalf("echo = %+v, want #1e90ff stamped by the hub's clock for a1", echo)
	}

	b := dial(t, s)
	w = b.hello("b1", "  bob\t")
	if w.Color != "#1e90ff" || w.Stamp != echo.Stamp || w.By != "a1" {
		t.Fatalf("late welcome = %+v, want #1e90ff at %v by a1", w, echo.Stamp)
	}
	if len(w.Peers) != 2 || w.Peers[1].Name != "bob" {
		t.Fatalf("late welcome peers = %+v, want alice then bob (trimmed)", w.Peers)
	}
	if j := a.nextOf(wire.TypeJoin); j.Peer.Name != "bob" {
		t.Fatalf("alice saw %+v, want bob joining", j)
	}

	st, err := s.hub.State(context.Background())
	if err != nil || st.Color != "#1e90ff" || st.Stamp != echo.Stamp || len(st.Peers) != 2 {
		t.Fatalf("State = %+v, %v", st, err)
	}
}

func TestAPIStateServesJSON(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	dial(t, s).hello("a1", "alice")
	resp, err := http.Get(s.URL + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var st struct {
		Room, Color, By string
		Stamp           *wire.Stamp
		Peers           []struct{ ID, Name string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Room != "lobby" || st.Color != "#008000" || st.Stamp == nil || !st.Stamp.IsZero() || len(st.Peers) != 1 || st.Peers[0].ID != "a1" {
		t.Fatalf("/api/state = %+v", st)
	}
}

func TestColorReachesEveryClientInTheHubsOrder(t *testing.T) {
	const n, colours = 20, 30
	s := startHub(t, hub.Config{Room: "lobby"})
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, s)
		clients[i].hello(fmt.Sprintf("p%d", i), fmt.Sprintf("peer %d", i))
	}
	// Two senders interleave; the hub orders them.
	for i := 0; i < colours; i++ {
		clients[i%2].send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#0000%02x", i)})
	}
	for i, c := range clients {
		var last wire.Stamp
		for got := 0; got < colours; {
			out := c.next()
			if out.Type != wire.TypeColor {
				continue // presence of later joiners
			}
			got++
			if !out.Stamp.After(last) {
				t.Fatalf("client %d got %v after %v", i, out.Stamp, last)
			}
			last = out.Stamp
		}
	}
}

func TestBadInputGetsAnErrorAndTheHubCarriesOn(t *testing.T) {
	cases := []struct {
		name      string
		hello     bool // say hello first
		frame     string
		code      string
		staysOpen bool
	}{
		{"not JSON", true, `{"type":`, wire.CodeBadJSON, true},
		{"JSON but not an object", true, `[1,2]`, wire.CodeBadJSON, true},
		{"unknown type", true, `{"type":"paint"}`, wire.CodeBadType, true},
		{"no type", true, `{"color":"#ffffff"}`, wire.CodeBadType, true},
		{"colour name instead of hex", true, `{"type":"color","color":"blue"}`, wire.CodeBadColor, true},
		{"short hex", true, `{"type":"color","color":"#fff"}`, wire.CodeBadColor, true},
		{"colour before hello", false, `{"type":"color","color":"#ffffff"}`, wire.CodeHelloRequired, true},
		{"hello twice", true, `{"type":"hello","v":3,"id":"x","room":"lobby"}`, wire.CodeBadType, true},
		{"another room", false, `{"type":"hello","v":3,"id":"x","room":"kitchen"}`, wire.CodeWrongRoom, false},
		{"oversized frame", true, `{"type":"color","color":"` + strings.Repeat("f", 5000) + `"}`, wire.CodeTooLarge, false},
	}
	s := startHub(t, hub.Config{Room: "lobby"})
	bystander := dial(t, s)
	bystander.hello("by", "bystander")
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s)
			if tc.hello {
				c.hello(fmt.Sprintf("c%d", i), "tester")
			}
			c.sendRaw(tc.frame)
			out := c.nextOf(wire.TypeError)
			if out.Code != tc.code || out.Message == "" {
				t.Fatalf("got error %q %q, want code %q with a message", out.Code, out.Message, tc.code)
			}
			if tc.staysOpen {
				c.send(wire.Ping{Type: wire.TypePing, T: 42})
				if p := c.nextOf(wire.TypePong); p.T != 42 {
					t.Fatalf("pong t = %d, want 42", p.T)
				}
			} else {
				want := websocket.ClosePolicyViolation
				if tc.code == wire.CodeTooLarge {
					want = websocket.CloseMessageTooBig
				}
				if code := c.closeCode(); code != want {
					t.Fatalf("close code = %d, want %d", code, want)
				}
			}
			// Everyone else is still served.
			bystander.send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#00%04x", i)})
			if got := bystander.nextOf(wire.TypeColor); got.Color != fmt.Sprintf("#00%04x", i) {
				t.Fatalf("bystander got %+v", got)
			}
		})
	}
}

func TestOversizedFrameBeyondBackstopStillCloses1009(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	c.hello("big", "big")
	// The hub refuses this from the frame's header; the write itself may
	// fail once the hub has hung up.
	_ = c.ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat(" ", 2<<20)))
	if code := c.closeCode(); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code = %d, want 1009", code)
	}
}

func TestNewerStampInHelloIsAdoptedAndBroadcast(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a1", "alice")
	for i := 0; i < 5; i++ { // alice changed the colour more often than anyone
		a.send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#11111%d", i)})
	}
	var mine wire.Out
	for mine.Color != "#111114" {
		mine = a.nextOf(wire.TypeColor)
	}

	// bob comes from another hub where a colour was set later, once.
	later := wire.Stamp{MS: mine.Stamp.MS + 500, ID: "x9"}
	b := dial(t, s)
	b.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "b1", Name: "bob", Room: "lobby", Color: "#ABCDEF", Stamp: later, ByName: "carol"})
	w := b.nextOf(wire.TypeWelcome)
	if w.Color != "#abcdef" || w.Stamp != later || w.ByName != "carol" {
		t.Fatalf("welcome = %+v, want the adopted #abcdef at %v set by carol", w, later)
	}
	if got := a.nextOf(wire.TypeColor); got.Color != "#abcdef" || got.Stamp != later {
		t.Fatalf("alice got %+v, want the adopted colour", got)
	}

	// An older stamp is not adopted, however many changes its side made.
	c := dial(t, s)
	c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "c1", Name: "cy", Room: "lobby", Color: "#000000",
		Stamp: wire.Stamp{MS: later.MS, N: 0, ID: "x8"}})
	if w := c.nextOf(wire.TypeWelcome); w.Color != "#abcdef" || w.Stamp != later {
		t.Fatalf("welcome after stale hello = %+v, want #abcdef at %v", w, later)
	}

	// The hub's clock has seen the adopted stamp: the next pick is newer,
	// even though the hub's wall clock is behind it.
	c.send(wire.SetColor{Type: wire.TypeColor, Color: "#222222"})
	if got := a.nextOf(wire.TypeColor); got.Color != "#222222" || !got.Stamp.After(later) {
		t.Fatalf("alice got %+v, want #222222 stamped after %v", got, later)
	}
}

func TestLeaveIsAnnouncedWithReason(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a1", "alice")
	b := dial(t, s)
	b.hello("b1", "bob")
	a.nextOf(wire.TypeJoin)
	_ = b.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
	l := a.nextOf(wire.TypeLeave)
	if l.Peer.ID != "b1" || l.Reason != wire.ReasonClosed {
		t.Fatalf("leave = %+v, want b1 closed", l)
	}
}

// startWithLaggard serves a hub with cfg and joins a laggard with id, a
// client that says hello and then reads nothing, then a sender and a
// watcher. Socket buffers are small on both ends, so the laggard's backlog
// reaches the hub after a few hundred frames rather than megabytes.
func startWithLaggard(t *testing.T, cfg hub.Config, id string) (sender, watcher *client) {
	t.Helper()
	s := startHubOn(t, cfg, func(l net.Listener) net.Listener { return smallSendBuffers{l} })
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = conn.(*net.TCPConn).SetReadBuffer(1024)
		}
		return conn, err
	}}
	lws, _, err := d.Dial(s.wsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lws.Close() })
	if err := lws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: id, Name: id, Room: cfg.Room}); err != nil {
		t.Fatal(err)
	}
	sender = dial(t, s)
	sender.hello("s", "sender")
	watcher = dial(t, s)
	watcher.hello("w", "watcher")
	return sender, watcher
}

func TestClientThatNeverReadsIsDroppedWithoutDelayingOthers(t *testing.T) {
	sender, watcher := startWithLaggard(t, hub.Config{Room: "lobby", SendQueue: 64, ColorRate: -1}, "slow")

	// Colours go out in bursts, as fast as the hub takes them; the watcher
	// reads everything and must see each burst promptly.
	const bursts, burst = 20000, 16 // a burst fits the queue of a client that reads
	start := time.Now()
	var worst time.Duration
	n := 0
	for b := 0; b < bursts; b++ {
		sent := time.Now()
		for i := 0; i < burst; i++ {
			sender.send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#%06x", (b*burst+i)%0xffffff)})
		}
		n += burst
		last := fmt.Sprintf("#%06x", (n-1)%0xffffff)
		for {
			out := watcher.next()
			if out.Type == wire.TypeLeave && out.Peer.ID == "slow" {
				if out.Reason != wire.ReasonDropped {
					t.Fatalf("laggard left with %q, want dropped for its full queue", out.Reason)
				}
				t.Logf("laggard dropped after %d colours in %v; worst burst delivery to the watcher %v", n, time.Since(start), worst)
				if worst > wire.WriteWait {
					t.Fatalf("a burst took %v to reach the watcher: the laggard delayed the room", worst)
				}
				return
			}
			if out.Type == wire.TypeColor && out.Color == last {
				worst = max(worst, time.Since(sent))
				break
			}
		}
	}
	t.Fatalf("laggard not dropped after %d colours", n)
}

func TestClientWhoseWriteStallsIsDroppedAfterWriteWait(t *testing.T) {
	// The queue is too long to fill: only the stalled write can end the
	// laggard, once its socket buffers are full and a write waits on it.
	sender, watcher := startWithLaggard(t, hub.Config{Room: "lobby", SendQueue: 1 << 20, ColorRate: -1}, "stuck")

	// Far more than the small buffers hold, far less than the queue: the
	// laggard's writer blocks, and the room goes on without it.
	const colours = 3000
	for i := 1; i <= colours; i++ {
		sender.send(wire.SetColor{Type: wire.TypeColor, Color: fmt.Sprintf("#%06x", i)})
	}
	var blocked time.Time // when the watcher had every colour: the laggard's write waits by then
	deadline := time.Now().Add(wire.WriteWait + wire.PingPeriod + 10*time.Second)
	for time.Now().Before(deadline) {
		out := watcher.next()
		if out.Type == wire.TypeColor && out.Color == fmt.Sprintf("#%06x", colours) {
			blocked = time.Now()
		}
		if out.Type == wire.TypeLeave && out.Peer.ID == "stuck" {
			if out.Reason != wire.ReasonDropped {
				t.Fatalf("laggard left with %q, want dropped", out.Reason)
			}
			if blocked.IsZero() {
				t.Fatal("laggard dropped before the watcher had every colour: its queue, not its stalled write, ended it")
			}
			// The write began before blocked; it is ended after WriteWait,
			// checked once per ping period.
			if late := time.Since(blocked); late > wire.WriteWait+wire.PingPeriod+time.Second {
				t.Fatalf("stalled laggard dropped %v after the room moved on, want within %v", late, wire.WriteWait+wire.PingPeriod)
			}
			return
		}
	}
	t.Fatal("a client whose write stalled was never dropped")
}

func TestSilentClientIsDroppedByHeartbeat(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	watcher := dial(t, s)
	watcher.hello("w", "watcher")

	silent := dial(t, s)
	silent.ws.SetPingHandler(func(string) error { return nil }) // never answers pings
	silent.hello("quiet", "silent")
	watcher.nextOf(wire.TypeJoin)
	go func() { // read (and swallow pings) so only the missing pongs count
		for {
			if _, _, err := silent.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	l := watcher.nextOf(wire.TypeLeave)
	if l.Peer.ID != "quiet" || l.Reason != wire.ReasonTimeout {
		t.Fatalf("leave = %+v, want quiet with timeout", l)
	}
	if took := time.Since(start); took > wire.PongWait+time.Second {
		t.Fatalf("silent client dropped after %v, want within about %v", took, wire.PongWait)
	}
}

func TestIdleClientIsPingedOncePerPingPeriod(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	pings := make(chan time.Time, 16)
	c.ws.SetPingHandler(func(data string) error {
		select {
		case pings <- time.Now():
		default:
		}
		return c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	c.hello("idle", "idle")
	go func() { // pings are handled while reading
		for {
			if _, _, err := c.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	const want = 3
	deadline := time.After(want*wire.PingPeriod + 2*time.Second)
	var last time.Time
	for i := 0; i < want; i++ {
		select {
		case at := <-pings:
			if !last.IsZero() && at.Sub(last) < wire.PingPeriod/2 {
				t.Fatalf("pings %v apart, want about %v", at.Sub(last), wire.PingPeriod)
			}
			last = at
		case <-deadline:
			t.Fatalf("%d pings in %v, want %d", i, want*wire.PingPeriod+2*time.Second, want)
		}
	}
}

func TestConnectionThatNeverSaysHelloIsClosed(t *testing.T) {
	t.Parallel()
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	start := time.Now()
	_, err := c.read() // nothing but pings and then the end
	if err == nil {
		t.Fatal("hub sent a frame to a connection that never said hello")
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Fatalf("closed after %v, want within 5 s", took)
	}
}

func TestRunClosesEveryConnectionWithGoodbye(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a1", "alice")
	b := dial(t, s) // not yet joined
	done := make(chan struct{})
	go func() { s.stop(); close(done) }()
	for _, c := range []*client{a, b} {
		for {
			_, err := c.read()
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				if ce.Code != websocket.CloseGoingAway || ce.Text != "hub shutting down" {
					t.Fatalf("close = %d %q", ce.Code, ce.Text)
				}
				break
			}
			if err != nil {
				t.Fatalf("no close frame: %v", err)
			}
		}
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("Run did not return")
	}
	select {
	case <-s.hub.Done():
	default:
		t.Fatal("Done not closed after Run returned")
	}
}

func TestSameIDReconnectingReplacesTheOldConnection(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	old := dial(t, s)
	old.hello("p1", "pat")
	fresh := dial(t, s)
	w := fresh.hello("p1", "pat")
	if len(w.Peers) != 1 {
		t.Fatalf("peers after reconnect = %+v, want one pat", w.Peers)
	}
	if code := old.closeCode(); code != websocket.ClosePolicyViolation {
		t.Fatalf("old connection closed with %d", code)
	}
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		_ = c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}
