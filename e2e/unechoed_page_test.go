package e2e

import (
	"encoding/json"
	"net"
	"net/http"
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
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

	resp, err := http.Get("http://" + addr + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state struct {
		Color string `json:"color"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	if state.Color != "#1e90ff" {
		t.Fatalf("the hub's colour is %s, want the pick #1e90ff", state.Color)
	}
}
