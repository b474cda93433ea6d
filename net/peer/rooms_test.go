package peer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/peer"
)

// heard is a fixed listing of the rooms nearby.
type heard []nearby.Room

func (h heard) Rooms(context.Context) []nearby.Room { return h }

func TestAHostServesTheRoomsItHearsItsOwnFirst(t *testing.T) {
	kitchen := nearby.Room{Room: "kitchen", Host: "cy", HostID: "k1", Members: 3, URL: "ws://10.0.0.3:7788/ws"}
	r := runPeer(t, peer.Config{ID: "a", Name: "ann", Host: true, Passphrase: "three words",
		Rooms: heard{kitchen, {Room: "lobby", HostID: "a", URL: "ws://10.0.0.1:7788/ws"}}})
	h := next(r, eventWait, func(peer.Hosting) bool { return true })
	next(r, eventWait, func(link.Joined) bool { return true })
	addr := strings.TrimSuffix(strings.TrimPrefix(h.URL, "ws://"), "/ws")
	got, err := nearby.Fetch(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("listed %+v, want this room and kitchen (our own hub once)", got)
	}
	if here := got[0]; !here.Here || here.Room != "lobby" || here.Host != "ann" || here.HostID != "a" || !here.Locked || here.Members != 1 {
		t.Fatalf("own room listed as %+v", here)
	}
	if got[1] != kitchen {
		t.Fatalf("kitchen listed as %+v", got[1])
	}
}
