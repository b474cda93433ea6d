package hub_test

import (
	"context"
	"sync"
	"testing"

	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// A member's addr reaches the room only as the port it told at the address
// its connection came from, and only once CheckAddr confirmed it there: a
// member nobody reaches (a firewall) is never elected.
func TestMemberAddrIsCheckedWhereItsConnectionCameFrom(t *testing.T) {
	var mu sync.Mutex
	asked := map[string]string{} // id -> addr asked
	s := startHub(t, hub.Config{Room: "lobby", CheckAddr: func(_ context.Context, id, addr string) bool {
		mu.Lock()
		defer mu.Unlock()
		asked[id] = addr
		return id != "walled"
	}})
	for _, tc := range []struct {
		id, told string
		at       string // where CheckAddr is asked; "": not asked
		want     string // what the room hears
	}{
		{"open", "10.9.8.7:7788", "127.0.0.1:7788", "127.0.0.1:7788"}, // the host told is not believed
		{"walled", "127.0.0.1:7790", "127.0.0.1:7790", ""},            // does not answer there
		{"phone", "", "", ""},                                     // told none
		{"bad", "ws://10.9.8.7:7788/ws", "", ""},                  // not host:port
		{"port0", "10.9.8.7:0", "", ""},                           // no port
		{"bigport", "10.9.8.7:70000", "", ""},                     // no port
		{"named", "Max.local:80", "127.0.0.1:80", "127.0.0.1:80"}, // a name: its port, here
	} {
		c := dial(t, s)
		c.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: tc.id, Name: tc.id, Room: "lobby", Addr: tc.told})
		w := c.nextOf(wire.TypeWelcome)
		var got string
		for _, p := range w.Peers {
			if p.ID == tc.id {
				got = p.Addr
			}
		}
		mu.Lock()
		at := asked[tc.id]
		mu.Unlock()
		if got != tc.want || at != tc.at {
			t.Errorf("%s told %q: the room heard %q, checked at %q; want %q, checked at %q", tc.id, tc.told, got, at, tc.want, tc.at)
		}
	}
}
