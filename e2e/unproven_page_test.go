package e2e

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/wire"
)

// fakeHub serves the real page and a /ws that plays a hub which does not
// know the room's passphrase, recording every frame the page sends it.
type fakeHub struct {
	locked bool                                             // challenge the page first, as a locked hub does
	nonce  string                                           // the challenge's nonce; "" for a fresh one
	answer func(ws *websocket.Conn, hub, theirs, ep string) // on the page's challenge: hub is our nonce, ep the Host
	mu     sync.Mutex                                       // guards frames
	frames []string
}

func (f *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ws":
		f.ws(w, r)
	case "/api/state":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"room":"lobby"}`))
	default:
		web.Handler().ServeHTTP(w, r)
	}
}

func (f *fakeHub) ws(w http.ResponseWriter, r *http.Request) {
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	nonce := f.nonce
	if nonce == "" {
		nonce = wire.NewNonce()
	}
	if f.locked {
		if err := ws.WriteJSON(wire.Challenge{Type: wire.TypeChallenge, Nonce: nonce, V: wire.Version}); err != nil {
			return
		}
	}
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.frames = append(f.frames, string(b))
		f.mu.Unlock()
		var m struct{ Type, Nonce string }
		if json.Unmarshal(b, &m) == nil && m.Type == wire.TypeChallenge {
			f.answer(ws, nonce, m.Nonce, wire.Endpoint(r.Host))
		}
	}
}

func (f *fakeHub) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.frames...)
}

// TestPageRefusesAHubThatCannotProveThePassphrase: a page that holds the
// room's key challenges the hub first and says hello only to one that
// proves it knows the passphrase. A hub of another passphrase (a wrong
// proof), an open hub of the room's name (open_room) and a hub that skips
// the proof (a welcome at once) learn nothing of the person: no hello, no
// colour, no name, no key. The person is told why.
func TestPageRefusesAHubThatCannotProveThePassphrase(t *testing.T) {
	browser := newBrowser(t)
	key := wire.AuthKey("purple rain", "lobby")
	other := wire.AuthKey("purple reign", "lobby")
	for _, tc := range []struct {
		name   string
		locked bool
		answer func(ws *websocket.Conn, hub, theirs, ep string)
		why    string // what the page says the hub did: a wire.Why text, with its {type}
	}{
		{"a wrong proof", true, func(ws *websocket.Conn, hub, theirs, ep string) {
			_ = ws.WriteJSON(map[string]string{"type": wire.TypeAuth, "mac": wire.HubProof(other, hub, theirs, ep)})
		}, wire.WhyNoProof},
		{"an open room", false, func(ws *websocket.Conn, _, _, _ string) {
			_ = ws.WriteJSON(wire.Error{Type: wire.TypeError, Code: wire.CodeOpenRoom, Message: "this room has no passphrase"})
			_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "open room"))
		}, wire.WhyOpenRoom},
		{"a second challenge", true, func(ws *websocket.Conn, _, _, _ string) {
			_ = ws.WriteJSON(wire.Challenge{Type: wire.TypeChallenge, Nonce: wire.NewNonce(), V: wire.Version})
		}, wire.WhyNotAChallenge},
		{"a challenge that is not one", true, nil, wire.WhyNotAChallenge},
		{"a welcome instead of a proof", true, func(ws *websocket.Conn, _, _, _ string) {
			_ = ws.WriteJSON(wire.Welcome{Type: wire.TypeWelcome, V: wire.Version, ID: "pagepeer", Room: "lobby",
				Color: "#000000", Host: "mallory", Peers: []wire.Peer{}})
		}, wire.Fill(wire.WhyAnsweredWith, "type", `"welcome"`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeHub{locked: tc.locked, answer: tc.answer}
			if tc.answer == nil { // an upper-case nonce: not one
				f.nonce = strings.Repeat("AB", wire.NonceLen)
				f.answer = func(*websocket.Conn, string, string, string) {}
			}
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)
			// The page of a member of the room moved here, handing over the
			// room's key (never the passphrase) and a colour.
			hand := url.Values{"room": {"lobby"}, "key": {hex.EncodeToString(key)}, "id": {"pagepeer"},
				"name": {"Pat"}, "color": {"#00ff00"}, "stamp": {"1700000000000.0.pagepeer"}}
			p := newPage(t, browser).in(t)
			p.do(chromedp.Navigate(srv.URL + "/#" + hand.Encode()))
			// The status is read in the poll that sees the refusal, once the
			// page has looked for the room elsewhere (and found nowhere): it
			// tries again a second later and says so, in package wire's words.
			said := strings.TrimSuffix(wire.Unproven(strings.TrimPrefix(srv.URL, "http://"), "lobby", tc.why), ".")
			p.waitJS("refusal shown", `((s) => huecast.state.probes > 0 && s.includes(`+jsString(said)+`) && (window.refusal = s, true))(
				(document.getElementById('status') || {}).textContent || '')`, waitFor)
			if s := eval[string](p, `window.refusal`); !strings.Contains(s, "told it nothing") || strings.Contains(s, "moved to .") {
				t.Errorf("status %q: want it to tell the person the hub learnt nothing, and point nowhere it cannot name", s)
			}
			// A click while refused is kept, not sent.
			p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ff0000"]`)))
			if eval[bool](p, `huecast.state.joined`) {
				t.Fatal("the page joined the hub")
			}
			frames := f.sent()
			if len(frames) == 0 {
				t.Fatal("the page sent the hub nothing: it did not challenge it")
			}
			for _, fr := range frames {
				var m struct{ Type string }
				if err := json.Unmarshal([]byte(fr), &m); err != nil ||
					m.Type != wire.TypeChallenge && m.Type != wire.TypeAuth {
					t.Errorf("the page sent an unproven hub %s", fr)
				}
				for _, secret := range []string{hex.EncodeToString(key), "pagepeer", "Pat", "#00ff00", "#ff0000"} {
					if strings.Contains(fr, secret) {
						t.Errorf("the page told an unproven hub %q: %s", secret, fr)
					}
				}
			}
			t.Logf("frames the hub got: %q; status %q; colour kept %s", frames, eval[string](p, `window.refusal`), eval[string](p, `huecast.state.color`))
		})
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
