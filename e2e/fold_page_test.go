package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/peer"
)

// TestPageFollowsAFoldedHubWithOnlyPagesAttached: a hub with nobody but
// a page in it folds into another hub of the room. No member told the page
// an address; the folded hub's own /api/peer says where the room went, and
// the page follows it there with its colour.
func TestPageFollowsAFoldedHubWithOnlyPagesAttached(t *testing.T) {
	browser := newBrowser(t)

	// The new hub: a peer hosting room lobby.
	addrB := freeAddr(t)
	runPeer(t, peer.Config{ID: "bo", Name: "bo", Room: "lobby", Listen: addrB, Host: true})
	urlB := "http://" + addrB + "/"

	// The hub that folds: its peer answers /api/peer as a peer does, first
	// hosting, then pointing at bo's hub, as a hub that folded says.
	served, folded := foldingHub(t, addrB)
	urlA := served.url()

	p := newPage(t, browser)
	p.open(urlA)
	p.waitJS("joined anna's hub", `huecast.state.joined`, waitFor)
	if n := eval[int](p, `huecast.state.peers.filter(p => p.addr).length`); n != 0 {
		t.Fatalf("%d members told an address; the test needs none", n)
	}
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ffa500"]`)))
	p.waitJS("orange", circleIs("#ffa500"), sameScreen)

	// The hub folds: its peer points at bo's hub, and the hub closes.
	folded.Store(true)
	served.halt()
	p.waitJS("the page followed the fold", fmt.Sprintf(`location.href === %q && !!window.huecast && huecast.state.joined`, urlB), waitFor)
	p.waitJS("orange kept", circleIs("#ffa500"), sameScreen)
	if s := p.status(); !strings.Contains(s, "moved here from "+urlA) {
		t.Errorf("status after the move = %q", s)
	}
}

// foldingHub serves room lobby as anna's hub, whose /api/peer answers as
// a peer does: hosting until folded is set, then pointing at the hub at to,
// as a hub that folded into it says.
func foldingHub(t *testing.T, to string) (served *testHub, folded *atomic.Bool) {
	t.Helper()
	folded = new(atomic.Bool)
	served = serveRoom(t, "127.0.0.1:0", hub.Config{Room: "lobby", Host: "anna"}, func(h *hub.Hub) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("/api/peer", func(w http.ResponseWriter, r *http.Request) {
			info := peer.Info{ID: "anna", Name: "anna", Room: "lobby", Hosting: !folded.Load()}
			if folded.Load() {
				info.Hub = "ws://" + to + "/ws"
			}
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			_ = json.NewEncoder(w).Encode(info)
		})
		mux.Handle("/", h)
		return mux
	})
	return served, folded
}
