package peer_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
)

// heldProxy forwards TCP to a target. While held, what the target sends is
// kept back from the clients (what they send still goes through): a hub's
// news that is in flight, as on a congested LAN. Cut drops every
// connection at once and refuses new ones, as when the target's machine
// dies.
type heldProxy struct {
	t     *testing.T
	ln    net.Listener
	to    string
	open  chan struct{} // closed when not held; replaced by Hold
	cut   chan struct{} // closed by Cut
	mu    sync.Mutex    // guards open, conns and once
	conns []net.Conn
	once  sync.Once
}

func newHeldProxy(t *testing.T, to string) *heldProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &heldProxy{t: t, ln: ln, to: to, open: make(chan struct{}), cut: make(chan struct{})}
	close(p.open)
	go p.accept()
	t.Cleanup(p.Cut)
	return p
}

func (p *heldProxy) addr() string { return p.ln.Addr().String() }

func (p *heldProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.to)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		select {
		case <-p.cut:
			p.mu.Unlock()
			c.Close()
			u.Close()
			return
		default:
		}
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go p.down(c, u)
	}
}

// down copies from the target to the client, waiting while held.
func (p *heldProxy) down(c, u net.Conn) {
	defer c.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := u.Read(buf)
		if n > 0 {
			p.mu.Lock()
			open := p.open
			p.mu.Unlock()
			select {
			case <-open:
			case <-p.cut:
				return
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Hold keeps back what the target sends from now on.
func (p *heldProxy) Hold() {
	p.mu.Lock()
	p.open = make(chan struct{})
	p.mu.Unlock()
}

// Cut drops every connection, the held news with them, and refuses new ones.
func (p *heldProxy) Cut() {
	p.once.Do(func() {
		p.mu.Lock()
		close(p.cut)
		p.ln.Close()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
	})
}

// A peer joins just before the host dies and the others never hear of it:
// with no discovery, the newcomer elects itself (the lowest id in its
// member list) and hosts alone, while the rest elect another and go on
// without it. The lone host asks its former room's members at /api/peer
// and folds into the hub that has the others, so the room is whole again.
func TestARoomSplitByAJoinInFlightAtTheCrashComesBackTogether(t *testing.T) {
	host := runPeer(t, peer.Config{ID: "h"})
	url := hostingURL(host)
	hostAddr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")
	proxy := newHeldProxy(t, hostAddr)
	var room []*running
	for _, id := range []string{"b", "c"} {
		r := runPeer(t, peer.Config{ID: id, Join: "ws://" + proxy.addr() + "/ws"})
		next[link.Joined](r, eventWait, nil)
		room = append(room, r)
	}
	b, c := room[0], room[1]
	next(b, eventWait, func(j link.PeerJoined) bool { return j.Peer.ID == "c" })

	// a's welcome lists b and c, but the news of a reaches neither.
	proxy.Hold()
	a := runPeer(t, peer.Config{ID: "a", Join: url})
	if j := next[link.Joined](a, eventWait, nil); len(j.Peers) != 4 {
		t.Fatalf("a welcomed with %+v, want h, a, b and c", j.Peers)
	}
	host.stop()
	proxy.Cut()

	// The split: a hosts alone, b hosts c.
	next(a, eventWait, func(hc peer.HostChanged) bool { return hc.ID == "a" && hc.Reason == peer.ReasonHostLost })
	hostingURL(a)
	bURL := hostingURL(b)
	next(c, eventWait, func(j link.Joined) bool { return j.URL == bURL })

	// The fold: a asks b and c (every askAroundEvery, 3 s) and moves to b's hub.
	start := time.Now()
	if hc := next[peer.HostChanged](a, 20*time.Second, nil); hc.URL != bURL || hc.Reason != peer.ReasonMerged {
		t.Fatalf("a: host_changed %+v, want merged into b's hub %s", hc, bURL)
	}
	t.Logf("a folded into b's hub %v after the split", time.Since(start))
	next(a, eventWait, func(j link.Joined) bool { return j.URL == bURL })
	for _, r := range room {
		next(r, eventWait, func(j link.PeerJoined) bool { return j.Peer.ID == "a" })
	}
	// One room again: a colour from any peer reaches every peer.
	if err := c.p.SetColor("#2e8b57"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*running{a, b, c} {
		next(r, eventWait, func(cc link.ColorChanged) bool { return cc.Color == "#2e8b57" && cc.Stamp.ID == "c" })
	}

}
