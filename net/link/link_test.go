package link_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

const waitFor = 10 * time.Second

// hubAt runs a real hub on addr ("127.0.0.1:0" for any port) until the
// returned stop is called (or the test ends).
func hubAt(t *testing.T, addr string) (url string, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	h := hub.New(hub.Config{Room: "lobby", Host: "test"})
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { h.Run(ctx); close(ran) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-ran
		srv.Close()
	}
	t.Cleanup(stop)
	return "ws://" + l.Addr().String() + "/ws", stop
}

type running struct {
	t    *testing.T
	l    *link.Link
	stop func()
}

// scriptedHub serves WebSockets on loopback and plays serve on each
// connection, after reading the link's hello, until serve returns; ctx ends
// when the connection's request does. It returns the URL to dial, and stops
// with the test.
func scriptedHub(t *testing.T, serve func(ctx context.Context, ws *websocket.Conn, hello wire.In)) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		var hello wire.In
		if ws.ReadJSON(&hello) != nil {
			return
		}
		serve(r.Context(), ws, hello)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "ws://" + l.Addr().String() + "/ws"
}

func startLink(t *testing.T, id, url string) *running {
	t.Helper()
	l := link.New(link.Config{
		Target:  func(context.Context) (string, error) { return url, nil },
		ID:      id,
		Name:    "name-" + id,
		Room:    "lobby",
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- l.Run(ctx) }()
	r := &running{t: t, l: l}
	r.stop = func() {
		cancel()
		// Run closes Events after saying goodbye; drain until then.
		for range l.Events() {
		}
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			r.stop()
		}
	})
	return r
}

// await returns the first event for which match is true.
func (r *running) await(what string, match func(link.Event) bool) link.Event {
	r.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case ev, ok := <-r.l.Events():
			if !ok {
				r.t.Fatalf("events closed while waiting for %s", what)
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			r.t.Fatalf("no %s within %v", what, waitFor)
		}
	}
}

func isJoined(ev link.Event) bool { _, ok := ev.(link.Joined); return ok }

func colorIs(c string) func(link.Event) bool {
	return func(ev link.Event) bool { cc, ok := ev.(link.ColorChanged); return ok && cc.Color == c }
}

func TestLinkJoinsAndFollowsColours(t *testing.T) {
	url, _ := hubAt(t, "127.0.0.1:0")
	a := startLink(t, "a", url)
	j := a.await("joined", isJoined).(link.Joined)
	if j.Color != wire.StartColor || j.Room != "lobby" || j.Host != "test" || len(j.Peers) != 1 {
		t.Fatalf("joined = %+v", j)
	}
	b := startLink(t, "b", url)
	b.await("joined", isJoined)
	pj := a.await("peer joined", func(ev link.Event) bool { _, ok := ev.(link.PeerJoined); return ok }).(link.PeerJoined)
	if pj.Peer.Name != "name-b" {
		t.Fatalf("peer joined = %+v", pj)
	}

	if err := b.l.SetColor("#FF0000"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*running{a, b} {
		cc := r.await("red", colorIs("#ff0000")).(link.ColorChanged)
		if cc.Stamp.ID != "b" || cc.Stamp.IsZero() || cc.By != "b" || cc.Name != "name-b" {
			t.Fatalf("color = %+v", cc)
		}
	}
	if c, st, by := a.l.Color(); c != "#ff0000" || st.ID != "b" || by != "name-b" {
		t.Fatalf("Color() = %s %v %s", c, st, by)
	}
	if err := a.l.SetColor("red"); err == nil {
		t.Fatal("SetColor accepted a name; the link takes #rrggbb only")
	}

	rtt := a.await("rtt", func(ev link.Event) bool { _, ok := ev.(link.RTT); return ok }).(link.RTT)
	if rtt.D <= 0 || rtt.D > time.Second {
		t.Fatalf("rtt on loopback = %v", rtt.D)
	}

	b.stop()
	pl := a.await("peer left", func(ev link.Event) bool { _, ok := ev.(link.PeerLeft); return ok }).(link.PeerLeft)
	if pl.Peer.ID != "b" || pl.Reason != wire.ReasonClosed {
		t.Fatalf("peer left = %+v, want b closed (a clean goodbye)", pl)
	}
}

func TestLinkReconnectsAfterHubRestartWithTheColourPickedOffline(t *testing.T) {
	url, stop := hubAt(t, "127.0.0.1:0")
	a := startLink(t, "a", url)
	a.await("joined", isJoined)
	a.l.SetColor("#111111")
	a.await("first colour", colorIs("#111111"))

	stop()
	d := a.await("disconnected", func(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok }).(link.Disconnected)
	if d.Reason == "" || d.Attempt < 1 {
		t.Fatalf("disconnected = %+v", d)
	}
	before := time.Now().UnixMilli()
	if err := a.l.SetColor("#222222"); err != nil { // picked while the hub is away
		t.Fatal(err)
	}
	after := time.Now().UnixMilli()

	// A fresh hub on the same address knows nothing (green, the zero
	// stamp): it adopts the pick from our hello, stamped when it was made.
	hubAt(t, url[len("ws://"):len(url)-len("/ws")])
	j := a.await("rejoined", isJoined).(link.Joined)
	if j.Color != "#222222" || j.Stamp.ID != "a" || j.Stamp.MS < before || j.Stamp.MS > after {
		t.Fatalf("rejoined = %+v, want the new hub to adopt #222222 stamped by a between %d and %d", j, before, after)
	}
}

// A hand-written hub that sends colours out of order: the link must keep
// the newest.
func TestLinkIgnoresColoursOlderThanItKnows(t *testing.T) {
	url := scriptedHub(t, func(_ context.Context, ws *websocket.Conn, hello wire.In) {
		st := func(ms int64) wire.Stamp { return wire.Stamp{MS: ms, ID: "h"} }
		ws.WriteJSON(wire.Welcome{Type: wire.TypeWelcome, V: wire.Version, ID: hello.ID, Room: "lobby", Color: "#000005", Stamp: st(5)})
		ws.WriteJSON(wire.Color{Type: wire.TypeColor, Color: "#000004", Stamp: st(4)})
		ws.WriteJSON(wire.Color{Type: wire.TypeColor, Color: "#000007", Stamp: st(7)})
		ws.WriteJSON(wire.Color{Type: wire.TypeColor, Color: "#000006", Stamp: st(6)})
		ws.WriteJSON(wire.Color{Type: wire.TypeColor, Color: "#000008", Stamp: st(8)})
		for ws.ReadJSON(&hello) == nil {
		}
	})

	a := startLink(t, "a", url)
	a.await("joined", isJoined)
	var got []string
	a.await("#000008", func(ev link.Event) bool {
		if cc, ok := ev.(link.ColorChanged); ok {
			got = append(got, cc.Color)
		}
		return colorIs("#000008")(ev)
	})
	if len(got) != 2 || got[0] != "#000007" {
		t.Fatalf("colours applied = %v, want [#000007 #000008]", got)
	}
}

// An older hub welcomes anyone; the link must notice it speaks version 1
// and leave, saying so.
func TestLinkLeavesAHubOfAnOlderVersion(t *testing.T) {
	url := scriptedHub(t, func(_ context.Context, ws *websocket.Conn, hello wire.In) {
		if hello.V != wire.Version {
			return
		}
		ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"welcome","id":"a","room":"lobby","color":"#ff0000","seq":40}`))
		for ws.ReadJSON(&hello) == nil {
		}
	})

	a := startLink(t, "a", url)
	e := a.await("error", func(ev link.Event) bool { _, ok := ev.(link.HubError); return ok }).(link.HubError)
	if e.Code != wire.CodeBadVersion || !strings.Contains(e.Message, "protocol 1") {
		t.Fatalf("error = %+v, want bad_version naming protocol 1", e)
	}
	a.await("disconnected", func(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok })
	if c, _, _ := a.l.Color(); c == "#ff0000" {
		t.Fatal("the link took the old hub's colour")
	}
}

func TestLinkKeepsRetryingAnUnreachableHub(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens here now
	a := startLink(t, "a", addr)
	for want := 1; want <= 3; want++ {
		d := a.await("disconnected", func(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok }).(link.Disconnected)
		if d.Attempt != want || d.URL != addr {
			t.Fatalf("disconnected = %+v, want attempt %d", d, want)
		}
	}
}

func TestNormalizeURL(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"192.168.1.20:7788", "ws://192.168.1.20:7788/ws", ""},
		{"ws://h:1/ws", "ws://h:1/ws", ""},
		{"http://h:1/", "ws://h:1/ws", ""},
		{"https://h:1", "wss://h:1/ws", ""},
		{" h:1 ", "ws://h:1/ws", ""},
		{"", "", "no hub address"},
		{"ws:///ws", "", "no host"},
	} {
		got, err := link.NormalizeURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("NormalizeURL(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSocketIOBackoffStaysInBounds(t *testing.T) {
	for attempt := 1; attempt <= 10; attempt++ {
		base := time.Second << (attempt - 1)
		for i := 0; i < 200; i++ {
			d := link.SocketIOBackoff(attempt)
			if d < min(base/2, 5*time.Second/2) || d > 5*time.Second || d > base*3/2 {
				t.Fatalf("attempt %d: backoff %v out of bounds", attempt, d)
			}
		}
	}
}

func TestSetAddrChangesWhatTheNextHelloTells(t *testing.T) {
	addrOf := func(j link.Joined, id string) string {
		for _, p := range j.Peers {
			if p.ID == id {
				return p.Addr
			}
		}
		return "(missing)"
	}
	url, stop := hubAt(t, "127.0.0.1:0")
	a := startLink(t, "a", url)
	if j := a.await("joined", isJoined).(link.Joined); addrOf(j, "a") != "" {
		t.Fatalf("first hello told %q, want no address", addrOf(j, "a"))
	}
	a.l.SetAddr("10.0.0.7:7788")
	stop() // a reconnects to a fresh hub on the same address
	hubAt(t, url[len("ws://"):len(url)-len("/ws")])
	// The hub hears the port told, at the address the connection came from.
	if j := a.await("rejoined", isJoined).(link.Joined); addrOf(j, "a") != "127.0.0.1:7788" {
		t.Fatalf("after SetAddr the hub has %q, want 127.0.0.1:7788", addrOf(j, "a"))
	}
}

func TestReconnectEndsTheSessionAndTellsTheNewAddress(t *testing.T) {
	url, _ := hubAt(t, "127.0.0.1:0")
	a := startLink(t, "a", url)
	a.await("joined", isJoined)
	a.l.SetAddr("10.0.0.9:7789")
	a.l.Reconnect()
	a.await("disconnected", func(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok })
	j := a.await("rejoined", isJoined).(link.Joined)
	if len(j.Peers) != 1 || j.Peers[0].Addr != "127.0.0.1:7789" {
		t.Fatalf("the hub has %+v, want a at the new address", j.Peers)
	}
}
