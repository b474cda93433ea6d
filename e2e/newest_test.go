package e2e

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/e2e/netns"
	"github.com/huecast/huecast/net/wire"
)

// The newest colour wins, by time, everywhere: real binaries, real sockets,
// and namespaces with real mDNS wherever hubs must find each other.

func TestLANNewestColourWinsAfterAPartitionHeals(t *testing.T) {
	netns.Require(t)
	bin := buildLANBinary(t, "-race")
	t.Run("CutOffSideChangedMoreButEarlier", func(t *testing.T) {
		t.Logf("converged %v after the link came back", healedPartition(t, bin, false))
	})
	t.Run("CutOffSideChangedLater", func(t *testing.T) {
		t.Logf("converged %v after the link came back", healedPartition(t, bin, true))
	})
}

// healedPartition runs a host and three peers, cuts the host off, lets the
// cut-off host change the colour three times and the others once (after
// it, or before it when cutOffLater), heals the link, and checks that every
// peer ends on the colour set last, whichever side changed it more often.
// It returns how long after the link came back the last peer showed it.
func healedPartition(t testing.TB, bin string, cutOffLater bool) time.Duration {
	t.Helper()
	nw := netns.New(t, 4)
	host := startHC(t, bin, nw.Hosts[0], "h")
	host.must(lanWait, "joined", nil)
	var xs []*hc
	for i, ns := range nw.Hosts[1:] {
		x := startHC(t, bin, ns, fmt.Sprintf("p%d", i+1))
		if e := x.must(lanWait, "joined", nil); e.str("host") != "h" {
			t.Fatalf("%s joined %v, want h's hub", x.name, e)
		}
		xs = append(xs, x)
	}
	if err := nw.Hosts[0].LinkDown(); err != nil {
		t.Fatal(err)
	}
	awaitAll(t, xs, vanishBound+5*time.Second, "joined", func(e ev) bool { return e.str("host") != "h" })

	cutOff := []string{"#ff0000", "#ffa500", "#ffd700"}
	const others = "#1e90ff"
	change := func(by *hc, in []*hc, c string) {
		by.say(c)
		awaitAll(t, in, lanWait, "color", func(e ev) bool { return e.str("color") == c })
	}
	want := others
	if cutOffLater {
		change(xs[0], xs, others)
		for _, c := range cutOff {
			change(host, []*hc{host}, c)
		}
		want = cutOff[len(cutOff)-1]
	} else {
		for _, c := range cutOff {
			change(host, []*hc{host}, c)
		}
		change(xs[0], xs, others)
	}

	if err := nw.Hosts[0].LinkUp(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	all := append([]*hc{host}, xs...)
	took := converge(t, all, want, back, healBound+lanWait)
	hub, _ := settle(t, all, lanWait)
	oneHub(t, all, hub)
	// One room again: a colour from the side that was cut off reaches all.
	change(host, all, "#000080")
	return took
}

// converge waits until every peer's latest colour is want, and returns how
// long after since the last of them got it (0 for a peer that had it).
func converge(t testing.TB, xs []*hc, want string, since time.Time, within time.Duration) time.Duration {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for ; ; <-tick.C {
		var last time.Time
		var got []string
		for _, x := range xs {
			c, at := x.colour()
			got = append(got, x.name+"="+c+" (in "+x.lastHost()+"'s hub)")
			if c != want {
				last = time.Time{}
				break
			}
			last = latest([]time.Time{last, at})
		}
		if !last.IsZero() {
			return max(0, last.Sub(since))
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all on %s within %v of the heal: %s", want, within, strings.Join(got, " "))
		}
	}
}

// colour returns the colour x shows by its events so far, and when the
// event that set it was read.
func (x *hc) colour() (string, time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var c string
	var at time.Time
	for _, e := range x.evs {
		if k := e.str("event"); (k == "joined" || k == "color") && e.str("color") != c {
			c, at = e.str("color"), e.at
		}
	}
	return c, at
}

// rawPeer is a client that speaks the protocol by hand: a page tab that
// slept, or someone forging stamps.
type rawPeer struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialRaw(t *testing.T, url string, hello wire.Hello) (*rawPeer, wire.Out) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	r := &rawPeer{t: t, ws: ws}
	hello.Type, hello.V = wire.TypeHello, wire.Version
	if err := ws.WriteJSON(hello); err != nil {
		t.Fatal(err)
	}
	return r, r.next(wire.TypeWelcome)
}

func (r *rawPeer) next(typ string) wire.Out {
	r.t.Helper()
	_ = r.ws.SetReadDeadline(time.Now().Add(waitFor))
	for {
		var out wire.Out
		if err := r.ws.ReadJSON(&out); err != nil {
			r.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if out.Type == typ {
			return out
		}
	}
}

// TestStaleAndForgedStampsDoNotWin: a client that knew the room before its
// hub restarted, after many changes, comes back with that old colour and
// loses to the fewer changes made since; a stamp forged far ahead sets its
// colour as any pick would, but does not freeze the room's later changes.
func TestStaleAndForgedStampsDoNotWin(t *testing.T) {
	bin := buildBinary(t)
	first := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := first.await("hosting", event("hosting"))["url"].(string)
	first.await("host joined", event("joined"))

	// Yesterday: a tab that set the colour forty times, ending on red.
	tab, _ := dialRaw(t, url, wire.Hello{ID: "tab", Name: "tab", Room: "lobby"})
	var old wire.Out
	for i := range 40 {
		c := fmt.Sprintf("#0000%02x", i)
		if i == 39 {
			c = "#ff0000"
		}
		if err := tab.ws.WriteJSON(wire.SetColor{Type: wire.TypeColor, Color: c}); err != nil {
			t.Fatal(err)
		}
		if old = tab.next(wire.TypeColor); old.Color != c || old.Stamp.IsZero() {
			t.Fatalf("colour %d came back as %+v", i, old)
		}
	}
	first.await("red", colorEvent("#ff0000"))
	tab.ws.Close()

	// This morning: the room restarts and someone sets blue, once.
	first.stop()
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", addr, "--name", "hosty")
	host.await("hosting again", event("hosting"))
	host.await("host joined", event("joined"))
	alice := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "alice")
	alice.await("alice joined", event("joined"))
	io.WriteString(alice.stdin, "blue\n")
	blue := alice.await("blue", colorEvent("#1e90ff"))
	host.await("blue at the host", colorEvent("#1e90ff"))

	// The tab wakes with yesterday's red and its forty changes.
	_, w := dialRaw(t, url, wire.Hello{ID: "tab", Name: "tab", Room: "lobby", Color: old.Color, Stamp: old.Stamp})
	if w.Color != "#1e90ff" || w.Stamp != stampOf(blue) {
		t.Fatalf("the stale tab was welcomed with %s at %v, want blue at %v", w.Color, w.Stamp, stampOf(blue))
	}
	// A stamp a day ahead: its colour counts as set now, nothing more.
	forger, w := dialRaw(t, url, wire.Hello{ID: "m", Name: "mallory", Room: "lobby", Color: "#000000",
		Stamp: wire.Stamp{MS: time.Now().Add(24 * time.Hour).UnixMilli(), ID: "m"}})
	if w.Color != "#000000" || w.Stamp.MS > time.Now().UnixMilli() {
		t.Fatalf("forged hello welcomed with %+v, want black stamped by the hub's clock", w)
	}
	if e := forger.next(wire.TypeError); e.Code != wire.CodeBadStamp {
		t.Fatalf("the forger got %+v, want bad_stamp", e)
	}
	alice.await("black", colorEvent("#000000"))
	io.WriteString(alice.stdin, "orange\n")
	for _, p := range []*proc{alice, host} {
		if m := p.await("orange after the forgery", colorEvent("#ffa500")); !stampOf(m).After(w.Stamp) {
			t.Fatalf("orange at %v, not after the forged colour's %v", stampOf(m), w.Stamp)
		}
	}
	if st := hubState(t, "http://"+addr+"/"); st.Color != "#ffa500" {
		t.Fatalf("the room ended on %s, want orange", st.Color)
	}
}

// TestARestartedPeerKeepsItsID: a headless peer's id lives in its state
// file, so the room sees the same peer after a restart.
func TestARestartedPeerKeepsItsID(t *testing.T) {
	bin := buildBinary(t)
	state := t.TempDir() + "/state.json"
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	var ids []string
	for run := range 2 {
		p := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "pat", "--state", state)
		j := p.await("joined", event("joined"))
		seen := host.await("pat joining", func(m map[string]any) bool { return m["event"] == "peer_joined" && m["name"] == "pat" })
		id, _ := j["id"].(string)
		if id == "" || seen["id"] != id {
			t.Fatalf("run %d: joined as %q, the host saw %v", run, id, seen)
		}
		ids = append(ids, id)
		p.stop()
	}
	if ids[0] != ids[1] {
		t.Fatalf("the peer was %s, then %s after a restart", ids[0], ids[1])
	}
}

// lastHost names the host of the hub x last joined.
func (x *hc) lastHost() string {
	h := ""
	for _, e := range x.all() {
		if e.str("event") == "joined" {
			h = e.str("host")
		}
	}
	return h
}

// TestAStalePageTabDoesNotWin: a page that changed the colour five times,
// ending on red, before its hub restarted comes back after someone set blue
// once on the new hub; its hello carries red with red's older stamp, and the
// page ends on blue.
func TestAStalePageTabDoesNotWin(t *testing.T) {
	browser := newBrowser(t)
	first := serveHub(t, "127.0.0.1:0", "first")
	p := newPage(t, browser)
	p.open("http://" + first.addr + "/")
	// Many changes, ending on red: a count of changes would make red win.
	for _, c := range []string{"#ffa500", "#800080", "#ffd700", "#008000", "#ff0000"} {
		p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="` + c + `"]`)))
		p.waitJS(c, circleIs(c)+` && huecast.state.stamp.ms > 0`, waitFor)
	}
	redAt, err := wire.ParseStamp(eval[string](p, `huecast.proto.stampText(huecast.state.stamp)`))
	if err != nil {
		t.Fatal(err)
	}
	first.stop()
	p.waitJS("page reconnecting", `!huecast.state.joined`, waitFor)

	second := serveHub(t, first.addr, "second")
	alice, _ := dialRaw(t, "ws://"+second.addr+"/ws", wire.Hello{ID: "alice", Name: "alice", Room: "lobby"})
	if err := alice.ws.WriteJSON(wire.SetColor{Type: wire.TypeColor, Color: "#1e90ff"}); err != nil {
		t.Fatal(err)
	}
	blue := alice.next(wire.TypeColor)
	if !blue.Stamp.After(redAt) {
		t.Fatalf("blue at %v is not after red at %v", blue.Stamp, redAt)
	}
	p.waitJoined()
	p.waitJS("the page shows blue", circleIs("#1e90ff"), waitFor)
	st, err := second.hub.State(t.Context())
	if err != nil || st.Color != "#1e90ff" || st.Stamp != blue.Stamp {
		t.Fatalf("the room is %+v, %v; want blue at %v kept", st, err, blue.Stamp)
	}
}
