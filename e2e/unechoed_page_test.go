package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huecast/huecast/net/peer"
)

// TestPageOffersAgainAColourItsHubNeverTook: the page's connection ends as
// its colour frame goes out (the hub shut down, or the network stopped
// carrying frames), so the hub never takes the pick. The page's next hello
// carries it, stamped when it was picked, and the room shows it.
func TestPageOffersAgainAColourItsHubNeverTook(t *testing.T) {
	browser := newBrowser(t)
	addr := freeAddr(t)
	_, listening := runPeer(t, peer.Config{ID: "bo", Name: "bo", Room: "lobby", Listen: addr, Host: true})
	<-listening

	p := newPage(t, browser)
	p.open("http://" + addr + "/")
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ffa500"]`)))
	p.waitJS("orange", circleIs("#ffa500"), sameScreen)

	// The next colour frame never leaves: the connection closes instead.
	eval[bool](p, `(() => {
		const ws = huecast.state.ws, send = ws.send.bind(ws);
		ws.send = (d) => {
			if (JSON.parse(d).type === 'color') { ws.close(4000, 'gone with the frame'); return; }
			send(d);
		};
		return true;
	})()`)
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#1e90ff"]`)))
	p.waitJS("the page reconnected on its pick", `huecast.state.joined && `+circleIs("#1e90ff"), waitFor)

	var state struct {
		Color string `json:"color"`
	}
	getJSON(t, "http://"+addr+"/api/state", &state)
	if state.Color != "#1e90ff" {
		t.Fatalf("the hub's colour is %s, want the pick #1e90ff", state.Color)
	}
}

// TestPageTakesAPickMadeWhileAwayWhenItFollowsTheRoom: the page's hub has
// gone, the person picks a colour while the page looks for the room, and
// the room turns out to have moved to another hub: the page it opens
// there says hello with that pick.
func TestPageTakesAPickMadeWhileAwayWhenItFollowsTheRoom(t *testing.T) {
	browser := newBrowser(t)
	addrB := freeAddr(t)
	runPeer(t, peer.Config{ID: "bo", Name: "bo", Room: "lobby", Listen: addrB, Host: true})

	// anna's hub stops; its /api/peer says it still hosts until moved is
	// set, then points at bo's hub, as a hub that folded says.
	served, moved := foldingHub(t, addrB)

	p := newPage(t, browser)
	p.open(served.url())
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ffa500"]`)))
	p.waitJS("orange", circleIs("#ffa500"), sameScreen)
	served.halt()
	p.waitJS("the page lost its hub", `!huecast.state.joined`, waitFor)
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#800080"]`)))
	p.waitJS("the pick waits", `huecast.state.pending === '#800080'`, waitFor)
	moved.Store(true)
	p.waitJS("the page followed the room with its pick",
		fmt.Sprintf(`location.href === %q && !!window.huecast && huecast.state.joined && `, "http://"+addrB+"/")+circleIs("#800080"), waitFor)
	var state struct {
		Color string `json:"color"`
	}
	getJSON(t, "http://"+addrB+"/api/state", &state)
	if state.Color != "#800080" {
		t.Fatalf("bo's hub has %s, want the pick #800080", state.Color)
	}
}
