package peer

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// A peer asked ?reach= dials back only the asker's own address, at the
// port given, and says whether that port's /api/peer is the asker's.
func TestReachBackAnswersWhetherTheAskerIsReachable(t *testing.T) {
	asker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(Info{ID: "asker", Room: "lobby"})
	}))
	defer asker.Close()
	_, askerPort, _ := net.SplitHostPort(asker.Listener.Addr().String())
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closedPort, _ := net.SplitHostPort(closed.Addr().String())
	closed.Close()

	p := New(Config{ID: "asked", Room: "lobby"})
	srv := httptest.NewServer(http.HandlerFunc(p.serveHTTP))
	defer srv.Close()
	ask := func(query string) *bool {
		t.Helper()
		resp, err := http.Get(srv.URL + "/api/peer?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var i Info
		if err := json.NewDecoder(resp.Body).Decode(&i); err != nil {
			t.Fatal(err)
		}
		return i.Reached
	}
	show := func(b *bool) string {
		if b == nil {
			return "absent"
		}
		return strconv.FormatBool(*b)
	}
	for _, tc := range []struct {
		query, want string
	}{
		{"reach=" + askerPort + "&id=asker", "true"},
		{"reach=" + askerPort + "&id=someone", "false"}, // another peer answers there
		{"reach=" + closedPort + "&id=asker", "false"},  // nothing answers (a firewall)
		{"", "absent"}, // not asked
		{"reach=0&id=asker", "absent"},
		{"reach=99999&id=asker", "absent"},
		{"reach=x&id=asker", "absent"},
		{"reach=" + askerPort, "absent"},               // no id
		{"reach=" + askerPort + "&id=a%0Ab", "absent"}, // not an id
	} {
		if got := show(ask(tc.query)); got != tc.want {
			t.Errorf("?%s: reached %s, want %s", tc.query, got, tc.want)
		}
	}
	// Too many under way: answered without trying.
	for range maxReachBacks {
		p.reaching <- struct{}{}
	}
	if got := show(ask("reach=" + askerPort + "&id=asker")); got != "absent" {
		t.Errorf("with %d dial-backs under way: reached %s, want absent", maxReachBacks, got)
	}
}

// A probe follows no redirect: a peer never sends one, and one that does
// must not make us ask, or trust, another address.
func TestProbeFollowsNoRedirect(t *testing.T) {
	var asked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(true)
		_ = json.NewEncoder(w).Encode(Info{ID: "x", Room: "lobby", Hosting: true})
	}))
	defer elsewhere.Close()
	redirect := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/api/peer", http.StatusFound))
	defer redirect.Close()
	info, err := probe(t.Context(), "ws"+redirect.URL[len("http"):]+"/ws")
	if err == nil || info.Hosting || asked.Load() {
		t.Fatalf("probe: %+v, err %v, elsewhere asked %v; want an error and nothing asked there", info, err, asked.Load())
	}
}
