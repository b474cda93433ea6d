package ui

import (
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

func TestTheAgeTicksOnlyWhenItsWordsChange(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID})
	if h.ageIn != 0 {
		t.Fatalf("the welcome's colour has no age, yet a tick is asked in %v", h.ageIn)
	}
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob"})
	steps := []struct {
		advance time.Duration
		text    string
		next    time.Duration
	}{
		{0, "Red, set by bob, just now", time.Second},
		{time.Second, "Red, set by bob, 1 s ago", time.Second},
		{58*time.Second + 500*time.Millisecond, "Red, set by bob, 59 s ago", 500 * time.Millisecond},
		{500 * time.Millisecond, "Red, set by bob, 1 min ago", time.Minute},
		{58*time.Minute + 30*time.Second, "Red, set by bob, 59 min ago", 30 * time.Second},
		{30 * time.Second, "Red, set by bob, 1 h ago", time.Hour},
	}
	for _, s := range steps {
		if s.advance > 0 {
			h.advance(s.advance)
		}
		if got := h.u.lastSet.Text; got != s.text {
			t.Fatalf("after %v: %q, want %q", s.advance, got, s.text)
		}
		if h.ageIn != s.next {
			t.Fatalf("%q: next tick in %v, want %v, when the words change", s.text, h.ageIn, s.next)
		}
	}
}

func TestAWindowAtRestRewritesNothing(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID, Lead: 30 * time.Millisecond},
		link.RTT{D: 400 * time.Microsecond})
	h.send(link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob"})
	h.advance(90 * time.Minute) // "1 h ago" until an hour from now
	fillBefore := h.u.circle.FillColor
	before := h.u.rewrites

	// A room at rest: pings every 2 s whose round trips jitter by a
	// fraction of a millisecond, and ticks that change no words.
	for i := range 30 {
		h.send(link.RTT{D: time.Duration(300+i%4*150) * time.Microsecond})
		if i%5 == 0 {
			h.advance(time.Second)
		}
	}
	if h.u.rewrites != before {
		t.Fatalf("%d labels rewritten at rest; rtt %q, last set %q", h.u.rewrites-before, h.u.rtt.Text, h.u.lastSet.Text)
	}
	if h.u.circle.FillColor != fillBefore || h.u.rtt.Text != "Hub round trip: 0.4 ms" {
		t.Fatalf("circle %v, rtt %q", h.u.circle.FillColor, h.u.rtt.Text)
	}

	// A round trip that really moved is shown.
	h.send(link.RTT{D: 42 * time.Millisecond})
	if h.u.rewrites != before+1 || h.u.rtt.Text != "Hub round trip: 42 ms" {
		t.Fatalf("after a 42 ms round trip: rtt %q, %d rewrites", h.u.rtt.Text, h.u.rewrites-before)
	}
	h.send(link.RTT{D: 45 * time.Millisecond}) // within a fifth
	if h.u.rtt.Text != "Hub round trip: 42 ms" {
		t.Fatalf("rtt %q after 45 ms: a fifth's jitter should not rewrite it", h.u.rtt.Text)
	}
}
