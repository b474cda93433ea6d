package peer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

// These tests run real peers, hubs and links on loopback. Discovery is an
// in-memory LAN (fakeLAN): nothing here multicasts; e2e/ tests mDNS itself
// inside network namespaces.

const eventWait = 10 * time.Second // any one expected event

// running is a peer under test whose events are recorded.
type running struct {
	t      *testing.T
	p      *peer.Peer
	events chan link.Event
	cancel context.CancelFunc
	done   chan error
}

func runPeer(t *testing.T, cfg peer.Config) *running {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Name == "" {
		cfg.Name = "name-" + cfg.ID
	}
	if os.Getenv("PEER_TEST_LOG") != "" { // debug logs of every peer on stderr
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("peer", cfg.ID)
	}
	p := peer.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, p: p, events: make(chan link.Event, 4096), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Run(ctx) }()
	go func() {
		defer close(r.events)
		for ev := range p.Events() {
			r.events <- ev
		}
	}()
	t.Cleanup(r.stop)
	return r
}

// stop quits the peer cleanly and waits for Run to return.
func (r *running) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("%s: Run: %v", r.p.ID(), err)
		}
		r.done <- err // for a second stop
	case <-time.After(eventWait):
		r.t.Errorf("%s: Run still running %v after cancel", r.p.ID(), eventWait)
	}
}

// next returns the first event of type E that match accepts.
func next[E link.Event](r *running, within time.Duration, match func(E) bool) E {
	r.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-r.events:
			if !ok {
				r.t.Fatalf("%s: events ended", r.p.ID())
			}
			if e, ok := ev.(E); ok && (match == nil || match(e)) {
				return e
			}
		case <-deadline:
			var zero E
			r.t.Fatalf("%s: no %T within %v", r.p.ID(), zero, within)
		}
	}
}

// fakeLAN is an in-memory network for Discovery: a hub advertised is seen
// by every browse at once.
type fakeLAN struct {
	mu   sync.Mutex
	hubs map[string]discovery.Hub
	subs map[chan discovery.Hub]bool
}

func newLAN() *fakeLAN {
	return &fakeLAN{hubs: map[string]discovery.Hub{}, subs: map[chan discovery.Hub]bool{}}
}

type fakeDisc struct{ lan *fakeLAN }

func (d fakeDisc) Advertise(ctx context.Context, ad discovery.Ad) error {
	h := discovery.Hub{ID: ad.ID, Name: ad.Name, Room: wire.CleanRoom(ad.Room),
		URL: fmt.Sprintf("ws://127.0.0.1:%d/ws", ad.Port), Instance: discovery.InstanceName(ad.ID), Auth: ad.Auth,
		Verifier: ad.Verifier}
	l := d.lan
	l.mu.Lock()
	l.hubs[ad.ID] = h
	for sub := range l.subs {
		select {
		case sub <- h:
		default:
		}
	}
	l.mu.Unlock()
	<-ctx.Done()
	l.mu.Lock()
	delete(l.hubs, ad.ID)
	l.mu.Unlock()
	return nil
}

func (d fakeDisc) Browse(ctx context.Context, room, self string, found chan<- discovery.Hub) error {
	l := d.lan
	sub := make(chan discovery.Hub, 64)
	l.mu.Lock()
	l.subs[sub] = true
	var now []discovery.Hub
	for _, h := range l.hubs {
		now = append(now, h)
	}
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.subs, sub)
		l.mu.Unlock()
	}()
	send := func(h discovery.Hub) {
		if h.Room == room && h.ID != self {
			select {
			case found <- h:
			case <-ctx.Done():
			}
		}
	}
	for _, h := range now {
		send(h)
	}
	for {
		select {
		case h := <-sub:
			send(h)
		case <-ctx.Done():
			return nil
		}
	}
}

func hostingURL(r *running) string {
	r.t.Helper()
	return next[peer.Hosting](r, eventWait, nil).URL
}

func TestHostQuitsAndTheRoomElectsTheLowestIDWithAnAddress(t *testing.T) {
	// The host has the lowest id, but a hosting peer offers no address, so
	// it is never elected to follow itself.
	host := runPeer(t, peer.Config{ID: "0host"})
	url := hostingURL(host)
	var peers []*running
	for _, id := range []string{"p3", "p1", "p2"} {
		r := runPeer(t, peer.Config{ID: id, Join: url})
		next[link.Joined](r, eventWait, nil)
		peers = append(peers, r)
	}
	if err := peers[2].p.SetColor("#1e90ff"); err != nil {
		t.Fatal(err)
	}
	for _, r := range peers {
		next(r, eventWait, func(c link.ColorChanged) bool { return c.Color == "#1e90ff" && c.Stamp.ID == "p2" })
	}

	quit := time.Now()
	host.stop()
	var newURL string
	for _, r := range peers {
		hc := next[peer.HostChanged](r, 3*time.Second, nil)
		if hc.ID != "p1" || hc.Reason != peer.ReasonHostLost {
			t.Fatalf("%s: host_changed %+v, want p1 elected after the host was lost", r.p.ID(), hc)
		}
		j := next[link.Joined](r, 3*time.Second, nil)
		if j.Color != "#1e90ff" || j.Stamp.ID != "p2" || j.Host != "name-p1" {
			t.Fatalf("%s: rejoined %+v, want p1's hub with p2's #1e90ff and its stamp", r.p.ID(), j)
		}
		if newURL == "" {
			newURL = j.URL
		} else if j.URL != newURL {
			t.Fatalf("%s joined %s, another peer %s", r.p.ID(), j.URL, newURL)
		}
	}
	if d := time.Since(quit); d > 3*time.Second {
		t.Fatalf("failover took %v", d)
	}
	// The room carries on: a colour from a peer reaches all.
	if err := peers[0].p.SetColor("#ff0000"); err != nil {
		t.Fatal(err)
	}
	for _, r := range peers {
		next(r, eventWait, func(c link.ColorChanged) bool { return c.Color == "#ff0000" && c.Stamp.ID == "p3" })
	}
}

// ghost joins url as peer id, offering addr, and then stays silent for
// ever: a peer that the room would elect but nobody can reach.
func ghost(t *testing.T, url, id, addr string) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: id, Name: id, Room: "lobby", Addr: addr}); err != nil {
		t.Fatal(err)
	}
	go func() { // answer pings until the hub goes
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
}

// A member whose address nobody reaches (lowest id; port 1 refuses) is
// never elected: the hub did not reach it, so the room's list carries no
// address for it.
func TestAMemberNobodyCanReachIsNeverElected(t *testing.T) {
	host := runPeer(t, peer.Config{ID: "h"})
	url := hostingURL(host)
	a := runPeer(t, peer.Config{ID: "b", Join: url})
	next[link.Joined](a, eventWait, nil)
	ghost(t, url, "a", "127.0.0.1:1")
	if j := next(a, eventWait, func(j link.PeerJoined) bool { return j.Peer.ID == "a" }); j.Peer.Addr != "" {
		t.Fatalf("the room heard the ghost at %q, an address the hub never reached", j.Peer.Addr)
	}
	c := runPeer(t, peer.Config{ID: "c", Join: url})
	next[link.Joined](c, eventWait, nil)

	host.stop()
	for _, r := range []*running{a, c} {
		if hc := next[peer.HostChanged](r, eventWait, nil); hc.ID != "b" {
			t.Fatalf("%s: elected %+v, want b", r.p.ID(), hc)
		}
		if j := next[link.Joined](r, eventWait, nil); j.Host != "name-b" {
			t.Fatalf("%s: joined %+v, want b's hub", r.p.ID(), j)
		}
	}
}

func TestStartupJoinsTheHubItFinds(t *testing.T) {
	lan := newLAN()
	host := runPeer(t, peer.Config{ID: "h", Discovery: fakeDisc{lan}})
	if s := next[peer.Searching](host, eventWait, nil); s.Reason != peer.ReasonStart || s.Room != "lobby" {
		t.Fatalf("searching %+v", s)
	}
	url := hostingURL(host)                 // nobody answered: it hosts
	next[link.Joined](host, eventWait, nil) // and is in its own hub before b comes
	start := time.Now()
	b := runPeer(t, peer.Config{ID: "b", Room: " LOBBY", Discovery: fakeDisc{lan}})
	next[peer.Searching](b, eventWait, nil)
	if j := next[link.Joined](b, time.Second, nil); j.URL != url || len(j.Peers) != 2 {
		t.Fatalf("joined %+v, want %s with 2 peers", j, url)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("joining took %v", d)
	}
	// Another room on the same LAN is not joined: it gets its own hub.
	k := runPeer(t, peer.Config{ID: "k", Room: "kitchen", Discovery: fakeDisc{lan}})
	if u := hostingURL(k); u == url {
		t.Fatal("kitchen joined lobby's hub")
	}
}

func TestPeersStartedTogetherEndWithOneHub(t *testing.T) {
	for _, tc := range []struct {
		name string
		host bool
	}{
		{"searching first", false},
		{"all hosting at once", true}, // the tie-break alone
	} {
		t.Run(tc.name, func(t *testing.T) {
			lan := newLAN()
			var rs []*running
			for _, id := range []string{"e", "c", "a", "d", "b"} {
				rs = append(rs, runPeer(t, peer.Config{ID: id, Host: tc.host, Discovery: fakeDisc{lan}}))
			}
			hub := oneHub(t, rs, 3*time.Second)
			lan.mu.Lock()
			defer lan.mu.Unlock()
			if len(lan.hubs) != 1 || tc.host && hub != lan.hubs["a"].URL {
				t.Fatalf("advertised %v, joined %s; want one hub (a's, when all hosted)", lan.hubs, hub)
			}
		})
	}
}

// oneHub waits until every peer's latest welcome is from one and the same
// hub, checks that a colour reaches them all, and returns the hub's URL.
func oneHub(t *testing.T, rs []*running, within time.Duration) string {
	t.Helper()
	start := time.Now()
	// Wait until every peer's latest welcome is from one and the same hub.
	last := map[string]string{}
	deadline := time.After(within)
	for settled := false; !settled; {
		for _, r := range rs {
			select {
			case ev := <-r.events:
				if j, ok := ev.(link.Joined); ok {
					last[r.p.ID()] = j.URL
				}
			default:
			}
		}
		settled = len(last) == len(rs)
		for _, u := range last {
			settled = settled && u == last[rs[0].p.ID()]
		}
		select {
		case <-deadline:
			t.Fatalf("no single hub within %v: %v", within, last)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Logf("one hub after %v", time.Since(start))
	if err := rs[0].p.SetColor("#123456"); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		next(r, eventWait, func(c link.ColorChanged) bool { return c.Color == "#123456" })
	}
	return last[rs[0].p.ID()]
}

func TestAFoldingHubTakesItsClientsAlong(t *testing.T) {
	lan := newLAN()
	b := runPeer(t, peer.Config{ID: "b", Host: true, Discovery: fakeDisc{lan}})
	bURL := hostingURL(b)
	c := runPeer(t, peer.Config{ID: "c", Join: bURL}) // joined by address, no mDNS
	next[link.Joined](c, eventWait, nil)
	if err := c.p.SetColor("#abcdef"); err != nil {
		t.Fatal(err)
	}
	next(c, eventWait, func(cc link.ColorChanged) bool { return cc.Color == "#abcdef" })

	// a appears (a partition heals, say); its id is lower, so b folds into it.
	a := runPeer(t, peer.Config{ID: "a", Host: true, Discovery: fakeDisc{lan}})
	aURL := hostingURL(a)
	for _, r := range []*running{b, c} {
		if hc := next[peer.HostChanged](r, eventWait, nil); hc.URL != aURL || hc.Reason != peer.ReasonMerged {
			t.Fatalf("%s: host_changed %+v, want merged into %s", r.p.ID(), hc, aURL)
		}
		if j := next(r, eventWait, func(j link.Joined) bool { return j.URL == aURL }); j.Color != "#abcdef" {
			t.Fatalf("%s: joined %+v: the colour did not come along", r.p.ID(), j)
		}
	}
	next(a, eventWait, func(cc link.ColorChanged) bool { return cc.Color == "#abcdef" && cc.Stamp.ID == "c" })
}

func TestAPIPeerSaysWhoAndWhereTheHubIs(t *testing.T) {
	host := runPeer(t, peer.Config{ID: "h", Room: "Kitchen"})
	url := hostingURL(host)
	j := runPeer(t, peer.Config{ID: "j", Room: "kitchen", Join: url})
	welcome := next[link.Joined](j, eventWait, nil)
	var jAddr string
	for _, p := range welcome.Peers {
		if p.ID == "j" {
			jAddr = p.Addr
		}
	}
	if !strings.HasPrefix(jAddr, "127.0.0.1:") {
		t.Fatalf("j told the hub addr %q, want its loopback listener", jAddr)
	}
	hostBase := "http://" + strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
	cors := func(base, origin string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/peer", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Access-Control-Allow-Origin")
	}
	// Pages of the room read it from their lost hub's origin, or a
	// member's; no other site's page does.
	for _, c := range []struct{ base, origin, want string }{
		{"http://" + jAddr, hostBase, hostBase},
		{hostBase, hostBase, hostBase},
		{hostBase, "http://" + jAddr, "http://" + jAddr},
		{"http://" + jAddr, "http://evil.example", ""},
		{"http://" + jAddr, "http://10.1.2.3:7788", "http://10.1.2.3:7788"},
		{"http://" + jAddr, "http://kitchen.example:7788", ""},
		{hostBase, "http://192.0.2.7:7788", ""},
		{hostBase, "null", ""},
	} {
		if got := cors(c.base, c.origin); got != c.want {
			t.Errorf("%s/api/peer from %s: Access-Control-Allow-Origin %q, want %q", c.base, c.origin, got, c.want)
		}
	}
	get := func(base string) peer.Info {
		t.Helper()
		resp, err := http.Get(base + "/api/peer")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var info peer.Info
		if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
			t.Fatal(err)
		}
		return info
	}
	if got := get(hostBase); got != (peer.Info{ID: "h", Name: "name-h", Room: "kitchen", Hosting: true, Members: 2}) {
		t.Fatalf("host says %+v", got)
	}
	if got := get("http://" + jAddr); got != (peer.Info{ID: "j", Name: "name-j", Room: "kitchen", Hub: url}) {
		t.Fatalf("joined peer says %+v", got)
	}
	// A rebound name gets 403 from every peer, hosting or not; the
	// machine's own names are served.
	name, _ := os.Hostname()
	short, _, _ := strings.Cut(name, ".")
	for _, base := range []string{hostBase, "http://" + jAddr} {
		for _, c := range []struct {
			host string
			want int
		}{{"evil.example", http.StatusForbidden}, {short + ".evil.example", http.StatusForbidden}, {short + ".local", http.StatusOK}} {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/peer", nil)
			req.Host = c.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s/api/peer as Host %q: %d, want %d", base, c.host, resp.StatusCode, c.want)
			}
		}
	}
	// A peer that does not host refuses WebSockets, saying why.
	resp, err := http.Get("http://" + jAddr + "/ws")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /ws on a joined peer: %s", resp.Status)
	}
}

func TestRunFailsWhenItCanNeitherHostNorJoin(t *testing.T) {
	// 192.0.2.1 is TEST-NET-1, never this machine's.
	p := peer.New(peer.Config{Listen: "192.0.2.1:1"})
	go func() {
		for range p.Events() {
		}
	}()
	if err := p.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run = %v, want a listen error", err)
	}
}
