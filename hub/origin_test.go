package hub_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// dialOrigin opens a WebSocket with origin ("" for none) and returns the
// handshake's HTTP status (101 when accepted).
func dialOrigin(t *testing.T, s *server, origin string) int {
	t.Helper()
	hdr := http.Header{}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(s.wsURL(), hdr)
	if err == nil {
		ws.Close()
		return resp.StatusCode
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden {
		b, _ := io.ReadAll(resp.Body)
		if !strings.HasPrefix(string(b), "huecast: ") {
			t.Errorf("403 body %q does not say who refused", b)
		}
	}
	return resp.StatusCode
}

func TestOriginIsCheckedAgainstThisHubAndTheRoomsMembers(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby"})
	self := s.URL // http://127.0.0.1:port
	port := self[strings.LastIndex(self, ":")+1:]

	// A member that would host on port 7788 and one on port 80: the room
	// hears those ports at the address each connection came from
	// (127.0.0.1), whatever host they told.
	m1 := dial(t, s)
	m1.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "m1", Name: "mia", Room: "lobby", Addr: "10.9.8.7:7788"})
	m1.nextOf(wire.TypeWelcome)
	m2 := dial(t, s)
	m2.send(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: "m2", Name: "max", Room: "lobby", Addr: "Max.local:80"})
	m2.nextOf(wire.TypeWelcome)

	for _, tc := range []struct {
		origin string
		want   int
	}{
		{"", http.StatusSwitchingProtocols},                       // native client
		{self, http.StatusSwitchingProtocols},                     // this hub's page
		{strings.ToUpper(self), http.StatusSwitchingProtocols},    // hosts compare case-blind
		{"http://127.0.0.1:7788", http.StatusSwitchingProtocols},  // a member's hub
		{"http://127.0.0.1", http.StatusSwitchingProtocols},       // default port
		{"http://10.9.8.7:7788", http.StatusForbidden},            // the host a member told, not where it is
		{"http://max.local", http.StatusForbidden},                // likewise
		{"http://127.0.0.1:7789", http.StatusForbidden},           // another port there
		{"http://localhost:" + port, http.StatusForbidden},        // another name: another origin
		{"https://127.0.0.1:7788", http.StatusSwitchingProtocols}, // the scheme sets only the default port
		{"http://evil.example", http.StatusForbidden},             // a web site
		{"null", http.StatusForbidden},                            // a file or a sandboxed frame
		{"http://127.0.0.1:" + port + "/x", http.StatusForbidden}, // not an origin
		{"chrome-extension://abc", http.StatusForbidden},
	} {
		if got := dialOrigin(t, s, tc.origin); got != tc.want {
			t.Errorf("Origin %q: status %d, want %d", tc.origin, got, tc.want)
		}
	}

	// Once the member has left, its address is no longer the room's.
	m1.ws.Close()
	deadline := time.Now().Add(waitFor)
	for {
		st, err := s.hub.State(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Peers) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("m1 still in the room: %+v", st.Peers)
		}
		time.Sleep(10 * time.Millisecond) // bounded poll
	}
	if got := dialOrigin(t, s, "http://127.0.0.1:7788"); got != http.StatusForbidden {
		t.Errorf("Origin of a member that left: status %d, want 403", got)
	}
}

func TestCustomCheckOriginWins(t *testing.T) {
	s := startHub(t, hub.Config{Room: "lobby", CheckOrigin: func(r *http.Request) bool {
		return r.Header.Get("Origin") == "http://friend.example"
	}})
	if got := dialOrigin(t, s, "http://friend.example"); got != http.StatusSwitchingProtocols {
		t.Errorf("friend: %d", got)
	}
	if got := dialOrigin(t, s, s.URL); got != http.StatusForbidden {
		t.Errorf("own origin under a custom check that refuses it: %d", got)
	}
}

// TestEveryEndpointRefusesHostNamesThisMachineDoesNotAnswerTo: /, /s/…,
// /api/state and /ws answer 403 to a Host that is not an IP literal,
// localhost or one of this machine's names, and serve the rest.
func TestEveryEndpointRefusesHostNamesThisMachineDoesNotAnswerTo(t *testing.T) {
	t.Parallel()
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "page") })
	s := startHub(t, hub.Config{Room: "lobby", Page: page})
	addr := s.Listener.Addr().String()
	name, _ := os.Hostname()
	short, _, _ := strings.Cut(name, ".")
	for _, tc := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:7788", http.StatusOK},
		{"[::1]:7788", http.StatusOK},
		{"localhost:7788", http.StatusOK},
		{name + ":7788", http.StatusOK},
		{short + ".local:7788", http.StatusOK},
		{"evil.example:7788", http.StatusForbidden},
		{"attacker.example", http.StatusForbidden},
		// The host name is public (the default display name): a site
		// named after it is not this machine.
		{short + ".evil.example:7788", http.StatusForbidden},
		{short + ".local.evil.example", http.StatusForbidden},
	} {
		for _, path := range []string{"/", "/s/abc/app.js", "/api/state", "/ws"} {
			got := statusFor(t, addr, tc.host, path)
			want := tc.want
			if want == http.StatusOK && path == "/ws" {
				want = http.StatusSwitchingProtocols
			}
			if got != want {
				t.Errorf("Host %q %s: status %d, want %d", tc.host, path, got, want)
			}
		}
	}
	for _, h := range []string{"", ":7788", "[]:1"} {
		if hub.LocalHost(h) {
			t.Errorf("LocalHost(%q) = true", h)
		}
	}
	// The hub serves everyone else as before.
	c := dial(t, s)
	c.hello("a", "alice")
}

// statusFor sends GET path to addr with Host host (a WebSocket upgrade for
// /ws) and returns the status.
func statusFor(t *testing.T, addr, host, path string) int {
	t.Helper()
	if path == "/ws" {
		d := websocket.Dialer{NetDial: func(network, _ string) (net.Conn, error) { return net.Dial(network, addr) }}
		ws, resp, err := d.Dial("ws://"+host+"/ws", nil)
		if ws != nil {
			ws.Close()
		}
		if resp == nil {
			t.Fatalf("dial %s as %q: %v", addr, host, err)
		}
		return resp.StatusCode
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s as %q: %v", path, host, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusForbidden && !strings.Contains(string(b), "not this machine's address or name") {
		t.Errorf("403 body %q does not say why", b)
	}
	return resp.StatusCode
}
