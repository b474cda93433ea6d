package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// fakeNearby hands the window the lists the test gives it, one per ask,
// and records which hub it was asked.
type fakeNearby struct {
	lists chan []Room
	asked chan string
}

func (f *fakeNearby) Rooms(ctx context.Context, hub string) ([]Room, error) {
	f.asked <- hub
	select {
	case rs := <-f.lists:
		return rs, nil
	case <-ctx.Done():
		return nil, errors.New("gone")
	}
}

var (
	lobbyHere = Room{Room: "lobby", Host: "bob", Members: 2, URL: "ws://192.168.1.20:7788/ws", Here: true}
	kitchen   = Room{Room: "kitchen", Host: "cy", Members: 3, URL: "ws://192.168.1.30:7788/ws"}
	vault     = Room{Room: "vault", Host: "di", Members: 1, Locked: true, URL: "ws://192.168.1.40:7788/ws"}
)

// openRooms opens "Rooms nearby" on a window joined to hubURL, and lets
// one answer of n's reach the list.
func openRooms(t *testing.T, h *harness, n *fakeNearby, list []Room) {
	t.Helper()
	h.u.SetNearby(n)
	h.u.showRooms()
	t.Cleanup(func() {
		if h.u.roomsDialog != nil {
			h.u.roomsDialog.Hide()
		}
	})
	h.runOne("asking for the hub")
	if got := <-n.asked; got != "192.168.1.20:7788" {
		t.Fatalf("asked hub %q, want the joined hub", got)
	}
	n.lists <- list
	h.runOne("the list")
}

func joinedLobby(h *harness) {
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID})
}

func TestRoomsNearbyListsEveryRoomAndFollowsChanges(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	joinedLobby(h)
	n := &fakeNearby{lists: make(chan []Room, 1), asked: make(chan string, 1)}
	openRooms(t, h, n, []Room{kitchen, lobbyHere})
	if len(h.u.roomButtons) != 2 {
		t.Fatalf("%d rooms listed, want 2", len(h.u.roomButtons))
	}
	here := h.u.roomButtons["lobby bob"]
	if here == nil || !here.Disabled() || here.Text != "lobby · bob's · 2 here · you are here" {
		t.Fatalf("the current room is not marked: %+v", here)
	}
	if b := h.u.roomButtons["kitchen cy"]; b == nil || b.Disabled() || b.Text != "kitchen · cy's · 3 here" {
		t.Fatalf("kitchen listed as %+v", b)
	}
	// The next ask: kitchen grew, vault appeared.
	h.runOne("asking again")
	<-n.asked
	grown := kitchen
	grown.Members = 4
	n.lists <- []Room{grown, lobbyHere, vault}
	h.runOne("the new list")
	if b := h.u.roomButtons["kitchen cy"]; b == nil || b.Text != "kitchen · cy's · 4 here" {
		t.Fatalf("kitchen's count did not follow: %+v", b)
	}
	if b := h.u.roomButtons["vault di"]; b == nil || b.Text != "vault · di's · 1 here · passphrase" {
		t.Fatalf("vault listed as %+v", b)
	}
	// And kitchen went.
	h.runOne("asking again")
	<-n.asked
	n.lists <- []Room{lobbyHere}
	h.runOne("the last list")
	if len(h.u.roomButtons) != 1 || h.u.roomButtons["kitchen cy"] != nil {
		t.Fatalf("kitchen still listed: %v", h.u.roomButtons)
	}
}

func TestPickingAnOpenRoomJoinsItsHub(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	joinedLobby(h)
	n := &fakeNearby{lists: make(chan []Room, 1), asked: make(chan string, 1)}
	openRooms(t, h, n, []Room{kitchen, lobbyHere})
	test.Tap(h.u.roomButtons["lobby bob"]) // the current room: nothing happens
	test.Tap(h.u.roomButtons["kitchen cy"])
	if got, want := h.restarted(), (Settings{Name: "ann", Room: "kitchen", Join: "192.168.1.30:7788"}); got != want {
		t.Fatalf("restart %+v, want %+v", got, want)
	}
	if h.u.roomsDialog != nil {
		t.Fatal("the list stayed open")
	}
	if r := h.u.app.Preferences().String(PrefRoom); r != "kitchen" {
		t.Fatalf("saved room %q", r)
	}
	select {
	case s := <-h.peer.restarts:
		t.Fatalf("a second restart %+v", s)
	default:
	}
}

func TestPickingALockedRoomAsksItsPassphraseFirst(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	joinedLobby(h)
	n := &fakeNearby{lists: make(chan []Room, 1), asked: make(chan string, 1)}
	openRooms(t, h, n, []Room{lobbyHere, vault})
	test.Tap(h.u.roomButtons["vault di"])
	if h.u.nameDialog == nil || h.u.roomEntry.Text != "vault" || h.u.passEntry.Text != "" {
		t.Fatal("picking a locked room did not ask its passphrase in the Name and room dialog")
	}
	select {
	case s := <-h.peer.restarts:
		t.Fatalf("restarted %+v before the passphrase", s)
	default:
	}
	test.Type(h.u.passEntry, "three words")
	h.u.nameDialog.Submit()
	if got, want := h.restarted(), (Settings{Name: "ann", Room: "vault", Join: "192.168.1.40:7788", Passphrase: "three words"}); got != want {
		t.Fatalf("restart %+v, want %+v", got, want)
	}
}

func TestRoomsNearbyWithoutAHubSaysSo(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.u.showRooms() // no Nearby at all
	defer h.u.roomsDialog.Hide()
	if len(h.u.roomsBox.Objects) != 1 || len(h.u.roomButtons) != 0 {
		t.Fatalf("listed %v", h.u.roomsBox.Objects)
	}
}
