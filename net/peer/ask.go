package peer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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

// errNoHub: the peer has no hub to dial yet (actRetry), or stopped; the
// link waits its backoff and asks again.
var errNoHub = errors.New("peer: stopped")

// An ask is a question from the link's goroutine to Run's: an event that
// needs an answer (evAsk, evSearched, evProbed, evBackoff), and where the
// answer goes.
type ask struct {
	q     question
	reply chan action // capacity 1
}

// question puts q to decide, through Run's goroutine, and returns its
// answer.
func (p *Peer) question(ctx context.Context, q question) (action, error) {
	a := ask{q: q, reply: make(chan action, 1)}
	select {
	case p.asks <- a:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-a.reply:
		return r, ctx.Err()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// target is the link's Target: it asks decide where to dial, and does the
// slow work an answer may ask for first (a search, a probe) here in the
// link's goroutine, which has nothing else to do meanwhile; that work's
// result is the next question.
func (p *Peer) target(ctx context.Context) (string, error) {
	var q question = evAsk{now: time.Now()}
	for {
		a, err := p.question(ctx, q)
		if err != nil {
			return "", err
		}
		switch a := a.(type) {
		case actSearch:
			found, other, elders := p.search(ctx, a.skip)
			q = evSearched{now: time.Now(), found: found, other: other, elders: elders}
		case actAskElders:
			found := p.layers.askElders(ctx, a.addrs, a.after)
			q = evEldersAsked{now: time.Now(), found: found}
		case actProbe:
			q = p.probed(ctx, a.url)
		case actDial:
			return a.url, nil
		default: // actRetry
			return "", errNoHub
		}
	}
}

// backoff is the link's Backoff: decide says how long to wait before
// reconnect attempt n.
func (p *Peer) backoff(attempt int) time.Duration {
	a, err := p.question(p.ctx, evBackoff{now: time.Now(), attempt: attempt, jitter: rand.Float64()})
	if w, ok := a.(actWait); ok && err == nil {
		return w.d
	}
	return lostPause // stopping: the link ends at once anyway
}

// probed asks the peer at hubURL's address where the room's hub is and,
// when it points to a hub, that hub's peer who it is.
func (p *Peer) probed(ctx context.Context, hubURL string) evProbed {
	e := evProbed{url: hubURL}
	e.info, e.err = probe(ctx, hubURL)
	p.askPointed(ctx, &e)
	e.now = time.Now()
	return e
}

// search browses for the room's hub for up to searchWait and returns the
// first of our room (name and passphrase) that answers, or nil, a hub of
// our room's name with another passphrase if one answered, and peers found
// searching with a lower id (layered only). Hubs at skip are left out.
func (p *Peer) search(ctx context.Context, skip []hubKey) (found, other *discovery.Hub, elders []string) {
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
			return found, other, nil
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
func probe(ctx context.Context, hubURL string) (Info, error) {
	return probeAt(ctx, hubURL, "", probeTimeout)
}

// probeReach is probe that also asks the peer to reach us back: at our
// port on the address the question comes from, as peer id (Info.Reached).
func probeReach(ctx context.Context, hubURL string, port int, id string) (Info, error) {
	if port == 0 {
		return probe(ctx, hubURL)
	}
	q := url.Values{"reach": {strconv.Itoa(port)}, "id": {id}}
	return probeAt(ctx, hubURL, q.Encode(), probeTimeout+reachAll)
}

func probeAt(ctx context.Context, hubURL, query string, timeout time.Duration) (Info, error) {
	var info Info
	u, err := infoURL(hubURL)
	if err != nil {
		return info, err
	}
	if query != "" {
		u += "?" + query
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return info, err
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return info, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return info, fmt.Errorf("%s answered %s", u, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxInfo)).Decode(&info); err != nil {
		err = fmt.Errorf("%s: %w", u, err)
		return info, err
	}
	if info.Hub != "" {
		if _, err := link.NormalizeURL(info.Hub); err != nil || !strings.HasPrefix(info.Hub, "ws") {
			info.Hub = "" // not a hub URL: ignore the pointer
		}
	}
	return info, nil
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
		// mDNS did not bring this asker: keep looking by unicast too, for a while.
		select {
		case p.noticed <- evNoticed{now: time.Now()}:
		default: // one is on its way already
		}
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
