package hub_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// A client's WebSocket ping is answered by the hub, whose pong goes in
// order with the colours it is sending.
func TestAClientsPingIsAnsweredAmidColours(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby", ColorRate: -1})
	a := dial(t, s)
	a.hello("a1", "alice")
	b := dial(t, s)
	b.hello("b1", "bob")
	pong := make(chan string, 1)
	b.ws.SetPongHandler(func(data string) error {
		select {
		case pong <- data:
		default:
		}
		return nil
	})
	for i := range 20 {
		a.send(wire.SetColor{Type: wire.TypeColor, Color: "#0000" + string("0123456789abcdef"[i%16]) + "0"})
	}
	if err := b.ws.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(waitFor)); err != nil {
		t.Fatal(err)
	}
	colours := 0
	for {
		select {
		case data := <-pong:
			if data != "are you there" {
				t.Fatalf("pong %q, want the ping's data", data)
			}
			return
		default:
		}
		out := b.next() // the pong handler runs inside this read
		if out.Type == wire.TypeColor {
			colours++
		}
		if colours > 20 {
			t.Fatal("20 colours arrived and no pong")
		}
	}
}

// A frame that breaks the WebSocket protocol is answered with close 1002,
// written by the hub (gorilla, which refuses the frame, writes nothing).
func TestAProtocolErrorIsAnsweredWithClose1002(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	c.hello("bad", "bad")
	// A masked frame with the reserved opcode 3 and no payload.
	if _, err := c.ws.NetConn().Write([]byte{0x83, 0x80, 1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if code := c.closeCode(); code != websocket.CloseProtocolError {
		t.Fatalf("close code = %d, want 1002", code)
	}
}

// Pings count against a connection's frame limit like any frame: a client
// that floods them without reading the pongs is disconnected as a flood,
// and the room carries on without it.
func TestAPingFloodIsLimitedLikeAnyFrame(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a1", "alice")
	b := dial(t, s)
	b.hello("b1", "bob")
	f := dial(t, s)
	f.hello("f1", "flood")
	payload := make([]byte, 125) // the most a control frame carries
	sent := 0
	for ; sent < 20*hub.DefaultColorBurst*5; sent++ { // ten times the frame burst
		if f.ws.WriteControl(websocket.PingMessage, payload, time.Now().Add(waitFor)) != nil {
			break // the hub has hung up
		}
	}
	if code := f.closeCode(); code != websocket.ClosePolicyViolation {
		t.Errorf("after %d pings: close code %d, want 1008", sent, code)
	}
	for {
		out := b.nextOf(wire.TypeLeave)
		if out.Peer.ID == "f1" {
			if out.Reason != wire.ReasonDropped {
				t.Errorf("the flooder left as %q, want dropped", out.Reason)
			}
			break
		}
	}
	a.send(wire.SetColor{Type: wire.TypeColor, Color: "#123456"})
	if got := b.nextOf(wire.TypeColor); got.Color != "#123456" {
		t.Errorf("bob got %q after the flood, want #123456", got.Color)
	}
}
