package hub_test

import (
	"context"
	"testing"
	"time"

	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

func TestPongCarriesTheHubsClock(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	c := dial(t, s)
	var last float64
	for i := range 3 {
		c.send(wire.Ping{Type: wire.TypePing, T: int64(i)})
		p := c.nextOf(wire.TypePong)
		if p.T != int64(i) || p.HT <= last {
			t.Fatalf("pong %d: t %d, ht %v after %v; want t %d and a later ht", i, p.T, p.HT, last, i)
		}
		last = p.HT
	}
}

func TestColoursAreStampedWithTheMomentTheRoomShowsThem(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a", "alice")
	b := dial(t, s)
	b.hello("b", "bob")
	leadNow := func() float64 {
		st, err := s.hub.State(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Lead
	}
	pick := func(color string) (at, lead, before, after float64) {
		t.Helper()
		a.send(wire.Ping{Type: wire.TypePing, T: 1})
		before = a.nextOf(wire.TypePong).HT
		a.send(wire.SetColor{Type: wire.TypeColor, Color: color})
		f := b.nextOf(wire.TypeColor)
		a.send(wire.Ping{Type: wire.TypePing, T: 2})
		after = a.nextOf(wire.TypePong).HT
		return f.At, f.Lead, before, after
	}

	// Nobody has reported a round trip: the least lead.
	at, lead, before, after := pick("#ff0000")
	if lead != wire.Millis(hub.MinLead) || leadNow() != lead {
		t.Errorf("lead %v ms, state says %v; want %v", lead, leadNow(), wire.Millis(hub.MinLead))
	}
	if at < before+lead || at > after+lead {
		t.Errorf("at %v, not lead %v after accepting (between %v and %v)", at, lead, before, after)
	}

	// The slowest member's round trip, plus a margin.
	b.send(wire.Ping{Type: wire.TypePing, T: 3, RTT: 100})
	b.nextOf(wire.TypePong)
	if _, lead, _, _ = pick("#00ff00"); lead != 120 {
		t.Errorf("lead %v ms with a member 100 ms away; want 120", lead)
	}
	// Never more than MaxLead, whatever a member says.
	a.send(wire.Ping{Type: wire.TypePing, T: 4, RTT: 5000})
	a.nextOf(wire.TypePong)
	if _, lead, _, _ = pick("#0000ff"); lead != wire.Millis(hub.MaxLead) {
		t.Errorf("lead %v ms with a member 5 s away; want %v", lead, wire.Millis(hub.MaxLead))
	}
	// The slow member leaves: the lead comes back down.
	a.ws.Close()
	b.nextOf(wire.TypeLeave)
	if got := leadNow(); got != 120 {
		t.Errorf("lead %v ms once the slow member left; want 120", got)
	}
}

func TestAColourBroughtByAHelloIsShownOnArrival(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	a := dial(t, s)
	a.hello("a", "alice")
	b := dial(t, s)
	b.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "b", Name: "bob", Room: "lobby", Color: "#123456", Stamp: wire.Stamp{MS: time.Now().UnixMilli(), ID: "x"}})
	f := a.nextOf(wire.TypeColor)
	if f.Color != "#123456" || f.At != 0 {
		t.Errorf("adopted colour %+v; want #123456 with no moment", f)
	}
}
