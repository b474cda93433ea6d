package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/scan"
	"github.com/huecast/huecast/net/wire"
)

// errStopped: the peer stopped while its link asked where to go.
var errStopped = errors.New("peer: stopped")

// target is the link's Target: it asks Run's goroutine where to dial, and
// does the slow work that answer may ask for (a search, a probe) here in
// the link's goroutine, which has nothing else to do meanwhile.
func (p *Peer) target(ctx context.Context) (string, error) {
	var n *note
	for {
		a := ask{note: n, reply: make(chan decision, 1)}
		select {
		case p.asks <- a:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		var d decision
		select {
		case d = <-a.reply:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		switch {
		case d.search:
			n = &note{searched: true}
			n.found, n.other = p.search(ctx, d.skip)
		case d.probe != "":
			n = probe(ctx, d.probe)
			p.askPointed(ctx, n)
		case d.url == "":
			return "", errStopped
		default:
			p.link.SetAddr(d.addr)
			return d.url, nil
		}
	}
}

// search browses for the room's hub for up to searchWait and returns the
// first of our room (name and passphrase) that answers, or nil, and a hub
// of our room's name with another passphrase if one answered. Hubs at
// skip are left out.
func (p *Peer) search(ctx context.Context, skip []hubKey) (found, other *discovery.Hub) {
	me := self{locked: p.key != nil, vk: p.vk}
	accept := func(h discovery.Hub) bool { return me.admits(h) && !skips(skip, h) }
	if p.layers != nil {
		return p.layers.search(ctx, accept)
	}
	sctx, cancel := context.WithTimeout(ctx, searchWait)
	defer cancel()
	ch := make(chan discovery.Hub)
	done := make(chan error, 1)
	go func() { done <- p.cfg.Discovery.Browse(sctx, p.room, p.cfg.ID, ch) }()
	for {
		select {
		case h := <-ch:
			switch {
			case skips(skip, h):
			case found == nil && accept(h):
				found = &h
				cancel()
			case other == nil && !accept(h):
				other = &h
			}
		case err := <-done:
			if err != nil {
				p.log.Warn("peer: cannot search the network for the room's hub", "err", err)
			}
			return found, other
		}
	}
}

// maxInfo bounds what a probe reads: Info is a few hundred bytes.
const maxInfo = 4096

// probeClient asks peers on the LAN directly, never through a proxy, and
// follows no redirect (a peer never sends one).
var probeClient = &http.Client{
	Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// probe asks the peer at hubURL's address who it is and where the room's
// hub is.
func probe(ctx context.Context, hubURL string) *note {
	return probeAt(ctx, hubURL, "", probeTimeout)
}

// probeReach is probe that also asks the peer to reach us back: at our
// port on the address the question comes from, as peer id (Info.Reached).
func probeReach(ctx context.Context, hubURL string, port int, id string) *note {
	if port == 0 {
		return probe(ctx, hubURL)
	}
	q := url.Values{"reach": {strconv.Itoa(port)}, "id": {id}}
	return probeAt(ctx, hubURL, q.Encode(), probeTimeout+reachWait)
}

func probeAt(ctx context.Context, hubURL, query string, timeout time.Duration) *note {
	n := &note{probed: hubURL}
	u, err := infoURL(hubURL)
	if err != nil {
		n.err = err
		return n
	}
	if query != "" {
		u += "?" + query
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		n.err = err
		return n
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		n.err = err
		return n
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		n.err = fmt.Errorf("%s answered %s", u, resp.Status)
		return n
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxInfo)).Decode(&n.info); err != nil {
		n.err = fmt.Errorf("%s: %w", u, err)
	}
	if n.info.Hub != "" {
		if _, err := link.NormalizeURL(n.info.Hub); err != nil || !strings.HasPrefix(n.info.Hub, "ws") {
			n.info.Hub = "" // not a hub URL: ignore the pointer
		}
	}
	return n
}

// infoURL turns a hub's ws:// URL into its peer's /api/peer URL.
func infoURL(hubURL string) (string, error) {
	s, err := link.NormalizeURL(hubURL)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	u.Scheme = strings.Replace(u.Scheme, "ws", "http", 1)
	u.Path, u.RawQuery = "/api/peer", ""
	return u.String(), nil
}

func (p *Peer) serveInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "huecast: GET only", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get(scan.Header) != "" && p.layers != nil {
		p.layers.notice() // mDNS did not bring this asker: keep looking by unicast too, for a while
	}
	p.mu.Lock()
	info := p.info
	p.mu.Unlock()
	if q := r.URL.Query(); q.Has("reach") {
		info.Reached = p.reachBack(r.Context(), r.RemoteAddr, q.Get("reach"), q.Get("id"))
	}
	if h := p.hub.Load(); h != nil && info.Hosting {
		if st, err := h.State(r.Context()); err == nil {
			info.Members = len(st.Peers)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	// A page of the room whose hub has gone asks the members it knew,
	// from its lost hub's origin, which of them hosts now; its browser lets
	// it read the answer only with this, which pages of the room's hubs
	// get and no other site's. (Info holds nothing secret: a GET from
	// anywhere on the LAN gets it anyway.)
	if o := r.Header.Get("Origin"); o != "" && p.roomOrigin(o, r.Host) {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Vary", "Origin")
	}
	_ = json.NewEncoder(w).Encode(info)
}

// localIPToward returns the address this machine would send from to reach
// the host of hubURL; nothing is sent. nil when it cannot tell.
func localIPToward(hubURL string) net.IP {
	s, err := link.NormalizeURL(hubURL)
	if err != nil {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	d := net.Dialer{Timeout: probeTimeout}
	c, err := d.Dial("udp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP
}

// lanIP is this machine's address on the LAN (net/lan): the default
// route's when it is a LAN interface's, else the first IPv4 address, else
// the first routable IPv6 one; among names when given.
func lanIP(names []string) net.IP {
	ifs, err := lan.Interfaces(names)
	if err != nil {
		return nil
	}
	return lan.Host(ifs, "")
}

// verifyAnswer says whether a peer's /api/peer answer is of our room's
// passphrase (or of an open room when we hold none), by its verifier.
func (p *Peer) verifyAnswer(a scan.Answer) bool { return a.Verifier == p.vk }

// ipOnIfaces says whether ip belongs to one of the named interfaces.
func ipOnIfaces(ip net.IP, names []string) bool {
	ifs, err := lan.Interfaces(names)
	return err == nil && lan.Owns(ifs, ip)
}

// setRoom remembers the hubs of the room, as of a decision: the hub that
// welcomed us last, and every member's address.
func (p *Peer) setRoom(joined string, peers []wire.Peer) {
	m := map[string]bool{}
	if hp, ok := originOf(joined); ok {
		m[hp] = true
	}
	for _, pe := range peers {
		if hp, ok := originOf(pe.Addr); ok {
			m[hp] = true
		}
	}
	p.mu.Lock()
	p.origins = m
	p.mu.Unlock()
}

// roomOrigin says whether a page at origin may read /api/peer: a page
// served by a hub of the room (this peer's own, the Host asked; the hub it
// joined last; a member's), or by a LAN address.
//
// A page on a LAN address (an IP literal of a private, loopback or
// link-local range) counts too: a peer restarted as the room's new host
// knows nothing of the hub the page lost, and the page must still find
// it. A page of a DNS name or a public address (another site, a name
// rebound to a LAN address) does not.
func (p *Peer) roomOrigin(origin, host string) bool {
	o, ok := originOf(origin)
	if !ok {
		return false
	}
	if h, ok := originOf(host); ok && h == o {
		return true
	}
	if h, _, err := net.SplitHostPort(o); err == nil {
		if ip := net.ParseIP(h); ip != nil && (ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast()) {
			return true
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.origins[o]
}

// originOf reads "http://h:p", "ws://h:p/ws" or "h:p" as host:port in
// lower case, with the scheme's default port.
func originOf(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "", false
	}
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		default:
			return "", false
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port), true
}
