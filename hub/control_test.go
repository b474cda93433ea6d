package hub_test

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/hub/wire"
)

// A client's WebSocket ping is answered by gorilla's reader, whose pong the
// hub writes in order with the colours it is sending.
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
