package ui

import (
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// at moves the harness's clock to d after start and runs the frame the
// window waits on, if it waits.
func (h *harness) frameAt(start time.Time, d time.Duration) {
	h.t.Helper()
	h.clock = start.Add(d)
	if h.frameTick != nil {
		h.frameTick()
	}
}

func joinedRoom(h *harness) time.Time {
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID, Lead: 40 * time.Millisecond})
	return h.clock
}

func TestTheCircleChangesOnTheFrameNearestTheMoment(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	start := joinedRoom(h)
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(50 * time.Millisecond), Lead: 60 * time.Millisecond})
	if fill(h) != "#008000" || h.frameTick == nil {
		t.Fatalf("circle %s, waiting %v: want the old colour while frames tick", fill(h), h.frameTick != nil)
	}
	h.frameAt(start, 30*time.Millisecond) // 20 ms early: a later frame is nearer
	if fill(h) != "#008000" {
		t.Fatalf("circle %s 20 ms before the moment", fill(h))
	}
	h.frameAt(start, 45*time.Millisecond) // 5 ms early, under half a frame
	if fill(h) != "#ff0000" {
		t.Fatalf("circle %s on the frame nearest the moment", fill(h))
	}
	if h.frameTick != nil {
		t.Error("frames still tick with nothing waiting")
	}
	if got := h.u.lead.Text; got != "Room's lead: 60 ms" {
		t.Errorf("lead %q", got)
	}
}

func TestTheCircleChangesOnTheFrameWhosePictureIsNearestTheMoment(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	start := joinedRoom(h)
	h.u.afterDraw = func(f func()) { // every frame takes 6 ms to draw
		h.clock = h.clock.Add(6 * time.Millisecond)
		f()
	}
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(50 * time.Millisecond)})
	h.frameAt(start, 45*time.Millisecond) // nothing timed yet: the tick nearest
	if fill(h) != "#ff0000" {
		t.Fatalf("circle %s on the frame nearest the moment", fill(h))
	}
	h.send(link.ColorChanged{Color: "#0000ff", Stamp: wire.Stamp{MS: 2, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(150 * time.Millisecond)})
	h.frameAt(start, 130*time.Millisecond) // drawn 14 ms early: the next frame's picture is nearer
	if fill(h) != "#ff0000" {
		t.Fatalf("circle %s on a frame whose picture comes 14 ms early", fill(h))
	}
	h.frameAt(start, 140*time.Millisecond) // a tick 10 ms early, drawn 4 ms early
	if fill(h) != "#0000ff" {
		t.Fatalf("circle %s on the frame whose picture is nearest the moment (%v to draw)", fill(h), h.u.drawing)
	}
}

func TestAColourSupersededWhileItWaitsIsNeverShown(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	start := joinedRoom(h)
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(50 * time.Millisecond)},
		link.ColorChanged{Color: "#0000ff", Stamp: wire.Stamp{MS: 2, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(80 * time.Millisecond)})
	h.frameAt(start, 50*time.Millisecond)
	if fill(h) != "#008000" {
		t.Fatalf("circle %s at the superseded colour's moment", fill(h))
	}
	h.frameAt(start, 80*time.Millisecond)
	if fill(h) != "#0000ff" {
		t.Fatalf("circle %s at the newer colour's moment", fill(h))
	}
}

func TestALateOrUntimedColourShowsAtOnce(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	start := joinedRoom(h)
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob", Late: true, LateCount: 3, Lead: 40 * time.Millisecond})
	if fill(h) != "#ff0000" || h.frameTick != nil {
		t.Fatalf("late colour: circle %s, waiting %v", fill(h), h.frameTick != nil)
	}
	if got := h.u.lead.Text; got != "Room's lead: 40 ms (3 late)" {
		t.Errorf("lead %q", got)
	}
	h.send(link.ColorChanged{Color: "#00ff00", Stamp: wire.Stamp{MS: 2, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(-time.Millisecond)})
	if fill(h) != "#00ff00" {
		t.Fatalf("a colour whose moment has passed: circle %s", fill(h))
	}
}

func TestAWelcomeDropsTheColourThatWaits(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	start := joinedRoom(h)
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob", Due: start.Add(50 * time.Millisecond)})
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#123456", Stamp: wire.Stamp{MS: 7}, Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID})
	if fill(h) != "#123456" || h.frameTick != nil {
		t.Fatalf("circle %s, waiting %v: want the welcome's colour, nothing waiting", fill(h), h.frameTick != nil)
	}
}

func TestTheMenuSwitchesToColoursOnArrivalAndKeepsIt(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	item := h.u.flipItem()
	item.Action()
	select {
	case now := <-h.peer.flipNow:
		if !now {
			t.Fatal("the peer was told to flip together")
		}
	case <-time.After(waitFor):
		t.Fatal("the peer was not told")
	}
	if !item.Checked || !h.u.app.Preferences().Bool(PrefFlipNow) || h.u.lead.Text != "Colours show on arrival" {
		t.Fatalf("checked %v, preference %v, lead %q", item.Checked, h.u.app.Preferences().Bool(PrefFlipNow), h.u.lead.Text)
	}
	item.Action()
	if now := <-h.peer.flipNow; now || item.Checked {
		t.Fatal("the second click did not switch back")
	}
}
