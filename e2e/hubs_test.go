package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/peer"
)

// testHub is a hub served with the page in this process.
type testHub struct {
	hub  *hub.Hub
	addr string // host:port
	stop func()
	// halt ends the hub's Run but leaves its server answering, as the
	// server of a peer whose hub folded goes on answering /api/peer.
	halt func()
}

// url is the hub's page, "http://host:port/".
func (h *testHub) url() string { return "http://" + h.addr + "/" }

// serveHub serves a hub of room lobby, hosted by host, with the page on
// addr until stop or the test's end.
func serveHub(t *testing.T, addr, host string) *testHub {
	t.Helper()
	return serveRoom(t, addr, hub.Config{Room: "lobby", Host: host}, nil)
}

// serveRoom serves a hub of cfg with the page (cfg.Page, else the real
// one) on addr until stop or the test's end. wrap, if not nil, gives the
// handler served in the hub's place, for a test that answers some paths
// itself.
func serveRoom(t *testing.T, addr string, cfg hub.Config, wrap func(*hub.Hub) http.Handler) *testHub {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Page == nil {
		cfg.Page = web.Handler()
	}
	h := hub.New(cfg)
	var handler http.Handler = h
	if wrap != nil {
		handler = wrap(h)
	}
	srv := &http.Server{Handler: handler}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { _ = srv.Serve(l) }()
	go func() { _ = h.Run(ctx); close(ran) }()
	halt := func() { cancel(); <-ran }
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		halt()
		srv.Close()
	}
	t.Cleanup(stop)
	return &testHub{hub: h, addr: l.Addr().String(), stop: stop, halt: halt}
}

// getJSON reads the JSON at u into v, within 5 s, as the page asks its
// hub and the room's members.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// hubState reads the hub's /api/state, pageURL being its page.
func hubState(t *testing.T, pageURL string) hub.State {
	t.Helper()
	var st hub.State
	getJSON(t, pageURL+"api/state", &st)
	return st
}

// peerInfo asks the peer at page u who it is, as the page does, once it
// listens.
func peerInfo(t *testing.T, u string, listening <-chan struct{}) peer.Info {
	t.Helper()
	select {
	case <-listening:
	case <-time.After(waitFor):
		t.Fatalf("the peer at %s sent no event within %v", u, waitFor)
	}
	var info peer.Info
	getJSON(t, u+"api/peer", &info)
	return info
}

// pollUntil checks cond every period until it holds, and reports whether
// it did before within ran out: for state another part shows only when
// asked (a hub's lead, a link's clock), which no event announces.
func pollUntil(within, period time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}
