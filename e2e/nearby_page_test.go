package e2e

import (
	"context"
	"net"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/nearby"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// heardOver is mDNS as a hub's peer hears it on loopback: the records
// given, of every room. Everything else is real: the listing asks each
// hub's /api/peer, and the page its hub's /api/rooms.
type heardOver []discovery.Hub

func (h heardOver) BrowseAll(ctx context.Context, self string, found chan<- discovery.Hub) error {
	for _, x := range h {
		select {
		case found <- x:
		case <-ctx.Done():
			return nil
		}
	}
	<-ctx.Done()
	return nil
}

// freeAddr is a loopback address nobody listens on, for a hub to start on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestPageListsTheOtherRoomsAndLinksToTheirPages: a hub's page lists the
// rooms its peer hears, its own left out, each a link to that room's page.
func TestPageListsTheOtherRoomsAndLinksToTheirPages(t *testing.T) {
	browser := newBrowser(t)
	kitchenAddr, vaultAddr, lobbyAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	_, kitchenUp := runPeer(t, peer.Config{ID: "k1", Name: "cy", Room: "kitchen", Listen: kitchenAddr, Host: true, Page: web.Handler()})
	_, vaultUp := runPeer(t, peer.Config{ID: "v1", Name: "di", Room: "vault", Listen: vaultAddr, Host: true, Page: web.Handler(), Passphrase: "three words"})
	peerInfo(t, "http://"+kitchenAddr+"/", kitchenUp)
	vk := peerInfo(t, "http://"+vaultAddr+"/", vaultUp).Verifier
	records := heardOver{
		{ID: "k1", Room: "kitchen", Name: "cy", URL: "ws://" + kitchenAddr + "/ws"},
		{ID: "v1", Room: "vault", Name: "di", URL: "ws://" + vaultAddr + "/ws", Auth: true, Verifier: vk},
		{ID: "x9", Room: "ghost", URL: "ws://" + kitchenAddr + "/ws"}, // forged: kitchen's hub is not x9's
	}
	rooms := nearby.NewCache(func() nearby.Config { return nearby.Config{MDNS: records} })
	runPeer(t, peer.Config{ID: "l1", Name: "ann", Room: "lobby", Listen: lobbyAddr, Host: true, Page: web.Handler(), Rooms: rooms})

	p := newPage(t, browser)
	p.open("http://" + lobbyAddr + "/")
	// Each line in the window's words.
	kitchen := wire.Fill(wire.TextRoomNearby, "room", "kitchen", "host", "cy", "members", "1")
	vault := wire.Fill(wire.TextRoomLocked, "line", wire.Fill(wire.TextRoomNearby, "room", "vault", "host", "di", "members", "1"))
	p.waitJS("kitchen and vault listed", `(() => {
		const li = [...document.querySelectorAll('#nearby-list li')];
		const t = li.map(x => x.getAttribute('data-room') + ': ' + x.textContent);
		return !document.getElementById('nearby').hidden && li.length === 2 &&
			t.includes(`+jsString("kitchen: "+kitchen)+`) && t.includes(`+jsString("vault: "+vault)+`);
	})()`, waitFor)
	if href := eval[string](p, `document.querySelector('#nearby-list li[data-room="kitchen"] a').href`); href != "http://"+kitchenAddr+"/" {
		t.Fatalf("kitchen links to %q", href)
	}
	p.screenshot("rooms-nearby-page")
	p.do(chromedp.Click(chromedp.CSS(`#nearby-list li[data-room="kitchen"] a`)))
	p.waitJS("on kitchen's page", `location.href === 'http://`+kitchenAddr+`/'`, waitFor)
	p.waitJoined()
}
