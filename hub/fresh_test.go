package hub_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// fromHub serves a hub whose requests come from the address in their
// X-Test-From header (loopback without one): tests on loopback stand in
// for clients at other LAN addresses.
func fromHub(t *testing.T, cfg hub.Config) *server {
	t.Helper()
	h := hub.New(cfg)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if from := r.Header.Get("X-Test-From"); from != "" {
			r.RemoteAddr = from + ":40000"
		}
		h.ServeHTTP(w, r)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx) }()
	stop := func() {
		cancel()
		select {
		case <-ran:
		case <-time.After(waitFor):
			t.Errorf("Run did not return after cancel")
		}
		ts.Close()
	}
	t.Cleanup(stop)
	return &server{Server: ts, hub: h, stop: stop}
}

// dialFrom opens a WebSocket as if from addr ("" for loopback) and returns
// it, or the status and body of the refusal.
func dialFrom(t *testing.T, s *server, addr string) (*websocket.Conn, int, string) {
	t.Helper()
	hdr := http.Header{}
	if addr != "" {
		hdr.Set("X-Test-From", addr)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(s.wsURL(), hdr)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
		return ws, resp.StatusCode, ""
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return nil, resp.StatusCode, string(b)
}

// TestConnectionsThatHaveNotSaidHelloAreCappedPerAddress: an address that
// opens 32 connections and says nothing gets 503 for the 33rd, with a
// reason; another address and the members are served meanwhile, and the
// address gets in again once one of its connections says hello or closes.
func TestConnectionsThatHaveNotSaidHelloAreCappedPerAddress(t *testing.T) {
	t.Parallel()
	s := fromHub(t, hub.Config{Room: "lobby"})
	member := dial(t, s)
	member.hello("m", "member")
	var silent []*websocket.Conn
	for i := range 32 {
		ws, code, body := dialFrom(t, s, "10.1.2.3")
		if ws == nil {
			t.Fatalf("connection %d from 10.1.2.3 refused: %d %s", i+1, code, body)
		}
		silent = append(silent, ws)
	}
	ws, code, body := dialFrom(t, s, "10.1.2.3")
	if ws != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, "have not said hello") {
		t.Fatalf("the 33rd silent connection from one address got %d %q, want 503 saying why", code, body)
	}
	t.Logf("the 33rd silent connection from one address: %d %s", code, strings.TrimSpace(body))
	if ws, code, body := dialFrom(t, s, "10.1.2.4"); ws == nil {
		t.Fatalf("another address refused: %d %s", code, body)
	}
	member.send(wire.SetColor{Type: wire.TypeColor, Color: "#123456"})
	if c := member.nextOf(wire.TypeColor); c.Color != "#123456" {
		t.Fatalf("the member got %+v", c)
	}
	// One of them says hello: its address may open one more.
	first := &client{t: t, ws: silent[0]}
	first.hello("s0", "said hello")
	if ws, code, body := dialFrom(t, s, "10.1.2.3"); ws == nil {
		t.Fatalf("after a hello, the address is still refused: %d %s", code, body)
	}
	// One closes: once the hub has seen it go, one more again.
	silent[1].Close()
	deadline := time.Now().Add(waitFor)
	for {
		ws, code, body := dialFrom(t, s, "10.1.2.3")
		if ws != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a close, the address is still refused: %d %s", code, body)
		}
		time.Sleep(10 * time.Millisecond) // polling the hub's count, bounded by the deadline
	}
}

// TestConnectionsThatHaveNotSaidHelloAreCappedInAll: as many silent
// connections as the cap (hub.DefaultMaxFresh, 64 here so that none
// reaches the hello deadline first) from many addresses, and the next gets
// 503 whatever its address, while a member keeps the room.
func TestConnectionsThatHaveNotSaidHelloAreCappedInAll(t *testing.T) {
	t.Parallel()
	s := fromHub(t, hub.Config{Room: "lobby", MaxFresh: 64})
	member := dial(t, s)
	member.hello("m", "member")
	for i := range 64 { // the member is not counted: it said hello
		if ws, code, body := dialFrom(t, s, fmt.Sprintf("10.2.%d.%d", i/32, i%32+1)); ws == nil {
			t.Fatalf("silent connection %d refused: %d %s", i+1, code, body)
		}
	}
	ws, code, body := dialFrom(t, s, "10.3.0.1")
	if ws != nil || code != http.StatusServiceUnavailable || !strings.Contains(body, "too many connections waiting") {
		t.Fatalf("connection 65 got %d %q, want 503 saying why", code, body)
	}
	member.send(wire.SetColor{Type: wire.TypeColor, Color: "#654321"})
	if c := member.nextOf(wire.TypeColor); c.Color != "#654321" {
		t.Fatalf("the member got %+v", c)
	}
}
