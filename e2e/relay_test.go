package e2e

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// relay is a program without the room's passphrase that copied the room's
// record and stands in the middle: whatever dials it (a peer, a host
// checking a hub before it folds, a page) reaches the real hub through it.
// It proxies HTTP (the page, /api/state) and passes every WebSocket frame
// both ways unchanged, and records what each side said. It listens on
// 127.0.0.2, another address than the hub's, as a relay on another machine
// would.
type relay struct {
	hub     string // the real hub's host:port
	ownHost bool   // tell the hub the Host the client dialled (the relay's), not the hub's own
	srv     *httptest.Server
	mu      sync.Mutex    // guards got
	got     []string      // what it saw, in order: "hub: {…}", "client: {…}", "hub answered 403: …"
	noted   chan struct{} // ready after each note, for a test waiting on what it saw
}

func startRelay(t *testing.T, hubAddr string, ownHost bool) *relay {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	r := &relay{hub: hubAddr, ownHost: ownHost, noted: make(chan struct{}, 1)}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: hubAddr})
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/ws" {
			r.ws(w, req)
			return
		}
		req.Host = hubAddr // the hub's own name for itself, which its Host rule takes
		proxy.ServeHTTP(w, req)
	}))
	r.srv.Listener.Close()
	r.srv.Listener = l
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *relay) addr() string { return r.srv.Listener.Addr().String() }

func (r *relay) note(s string) {
	r.mu.Lock()
	r.got = append(r.got, s)
	r.mu.Unlock()
	select {
	case r.noted <- struct{}{}:
	default: // a wake-up is pending already
	}
}

func (r *relay) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// ws dials the real hub for every client that dials the relay and passes
// frames both ways until either side hangs up.
func (r *relay) ws(w http.ResponseWriter, req *http.Request) {
	hdr := http.Header{}
	if r.ownHost {
		hdr.Set("Host", req.Host)
	}
	up, resp, err := websocket.DefaultDialer.Dial("ws://"+r.hub+"/ws", hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		r.note(fmt.Sprintf("hub answered %d: %v", status, err))
		http.Error(w, "relay: no hub", http.StatusBadGateway)
		return
	}
	defer up.Close()
	down, err := (&websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}).Upgrade(w, req, nil)
	if err != nil {
		return
	}
	defer down.Close()
	pass := func(from, to *websocket.Conn, who string) {
		for {
			typ, b, err := from.ReadMessage()
			if err != nil {
				_ = to.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
				return
			}
			r.note(who + ": " + string(b))
			if to.WriteMessage(typ, b) != nil {
				return
			}
		}
	}
	done := make(chan struct{}, 2)
	go func() { pass(up, down, "hub"); done <- struct{}{} }()
	go func() { pass(down, up, "client"); done <- struct{}{} }()
	<-done
}

// gains says what the relay got from the hub: a proof of the hub's (an auth
// frame), a welcome (a member slot), or the room's colours.
func (r *relay) gains() (proof, welcome bool, refusals []string) {
	for _, s := range r.seen() {
		var m wire.Out
		from, body, _ := strings.Cut(s, ": ")
		if from != "hub" || json.Unmarshal([]byte(body), &m) != nil {
			if strings.HasPrefix(s, "hub answered") {
				refusals = append(refusals, s)
			}
			continue
		}
		switch m.Type {
		case wire.TypeAuth:
			proof = true
		case wire.TypeWelcome, wire.TypeColor, wire.TypeJoin:
			welcome = true
		case wire.TypeError:
			refusals = append(refusals, m.Code+": "+m.Message)
		}
	}
	return proof, welcome, refusals
}

func (r *relay) report(t *testing.T, who string) {
	proof, welcome, refusals := r.gains()
	t.Logf("what the relay got from %s: hub's proof %v, member slot %v, refusals %q", who, proof, welcome, refusals)
	if proof || welcome {
		t.Errorf("the relay got a proof (%v) or a member slot (%v): %q", proof, welcome, r.seen())
	}
}

// TestARelayedProofGetsNothing: the real huecast binary hosts a room with a
// passphrase; a relay that copied its record draws a real peer (the binary,
// holding the passphrase) to itself and passes the proof both ways, telling
// the hub either the hub's own address or its own as Host. The relay gets
// no member slot, no proof from the hub, and the peer no welcome; a host
// checking the relay before it folds into it (link.Prove, the check every
// fold passes) is refused, so it never folds.
func TestARelayedProofGetsNothing(t *testing.T) {
	bin := buildBinary(t)
	const pass = "blue moon"
	t.Setenv("HUECAST_PASSPHRASE", pass)
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	hubURL := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	t.Setenv("HUECAST_PASSPHRASE", "")
	hubAddr := strings.TrimSuffix(strings.TrimPrefix(hubURL, "ws://"), "/ws")

	for _, ownHost := range []bool{false, true} {
		name := map[bool]string{false: "Host: the hub's address", true: "Host: the relay's address"}[ownHost]
		t.Run(name, func(t *testing.T) {
			r := startRelay(t, hubAddr, ownHost)
			relayURL := "ws://" + r.addr() + "/ws"
			p := start(t, bin, "--headless", "--no-mdns", "--join", relayURL, "--name", "alice", "--passphrase", pass)
			// Wait until the hub has refused what the relay passed on.
			timeout := time.After(waitFor)
			for {
				if _, _, refusals := r.gains(); len(refusals) > 0 {
					break
				}
				select {
				case <-r.noted:
				case <-timeout:
					t.Fatalf("no refusal from the hub within %v; the relay saw %q", waitFor, r.seen())
				}
			}
			var said []string
			for drained := false; !drained; {
				select {
				case m := <-p.lines:
					if m["event"] == "joined" {
						t.Fatalf("the peer joined through the relay: %v", m)
					}
					if m["event"] == "error" {
						said = append(said, fmt.Sprint(m["code"], ": ", m["message"]))
					}
				default:
					drained = true
				}
			}
			t.Logf("the peer was told: %q", said)
			// The host checks a hub before folding into it: through the
			// relay, the check fails.
			err := link.Prove(t.Context(), relayURL, wire.AuthKey(pass, "lobby"), "lobby")
			if err == nil {
				t.Fatal("link.Prove passed through the relay: a host would fold into it")
			}
			t.Logf("a host checking the relay before a fold: %v", err)
			st := hubState(t, "http://"+hubAddr+"/")
			if len(st.Peers) != 1 || st.Peers[0].Name != "hosty" {
				t.Fatalf("the hub's members are %+v, want its host alone", st.Peers)
			}
			r.report(t, "a native peer and a host's fold check")
			_, _ = p.stdin.Write([]byte("quit\n"))
		})
	}
	// The hub serves its room as before.
	a := start(t, bin, "--headless", "--no-mdns", "--join", hubURL, "--name", "bo", "--passphrase", pass)
	a.await("bo joined", event("joined"))
}

// TestARelayedPageGetsNothing: the page in Chromium, on the relay's origin
// (which serves the real page, proxied from the real hub), as a page that
// followed the room there would be: without the key it never asks for the
// passphrase; holding the key it challenges the hub and gets no proof (the
// hub refuses the answer bound to the relay's address), and still asks
// nothing. No member slot either way.
func TestARelayedPageGetsNothing(t *testing.T) {
	browser := newBrowser(t)
	const pass = "purple rain"
	served := serveRoom(t, "127.0.0.1:0", hub.Config{Room: "lobby", Host: "hosty", Passphrase: pass}, nil)
	h, hubBase := served.hub, served.url()
	key := hex.EncodeToString(wire.AuthKey(pass, "lobby"))

	for _, tc := range []struct {
		name string
		key  string
	}{{"followed the room here without the key", ""}, {"holding the key", key}} {
		t.Run(tc.name, func(t *testing.T) {
			r := startRelay(t, served.addr, false)
			hand := url.Values{"from": {hubBase}, "room": {"lobby"}, "id": {"pagepeer"}, "name": {"Pat"},
				"color": {"#00ff00"}, "stamp": {"1700000000000.0.pagepeer"}}
			if tc.key != "" {
				hand.Set("key", tc.key)
			}
			p := newPage(t, browser).in(t)
			p.do(chromedp.Navigate("http://" + r.addr() + "/#" + hand.Encode()))
			p.waitJS("the page stops", `document.getElementById('status').dataset.state === 'unproven'`, waitFor)
			status := p.status()
			if !eval[bool](p, `document.getElementById('pass-form').hidden`) {
				t.Fatalf("the page asks for the passphrase on the relay's origin; status %q", status)
			}
			if eval[bool](p, `huecast.state.joined`) {
				t.Fatal("the page joined through the relay")
			}
			if st, _ := h.State(t.Context()); len(st.Peers) != 0 {
				t.Fatalf("the hub has members %+v", st.Peers)
			}
			t.Logf("the page on the relay's origin says: %q", status)
			r.report(t, "a page "+tc.name)
		})
	}
}
