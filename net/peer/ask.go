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
	"strings"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/scan"
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
			n = &note{searched: true, found: p.search(ctx)}
		case d.probe != "":
			n = probe(ctx, d.probe)
		case d.url == "":
			return "", errStopped
		default:
			p.link.SetAddr(d.addr)
			return d.url, nil
		}
	}
}

// search browses for the room's hub for up to searchWait and returns the
// first that answers, or nil.
func (p *Peer) search(ctx context.Context) *discovery.Hub {
	if p.layers != nil {
		return p.layers.search(ctx)
	}
	sctx, cancel := context.WithTimeout(ctx, searchWait)
	defer cancel()
	found := make(chan discovery.Hub)
	done := make(chan error, 1)
	go func() { done <- p.cfg.Discovery.Browse(sctx, p.room, p.cfg.ID, found) }()
	var first *discovery.Hub
	for {
		select {
		case h := <-found:
			if first == nil {
				first = &h
				cancel()
			}
		case err := <-done:
			if err != nil {
				p.log.Warn("peer: cannot search the network for the room's hub", "err", err)
			}
			return first
		}
	}
}

// maxInfo bounds what a probe reads: Info is a few hundred bytes.
const maxInfo = 4096

// probeClient asks peers on the LAN directly, never through a proxy.
var probeClient = &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}

// probe asks the peer at hubURL's address who it is and where the room's
// hub is.
func probe(ctx context.Context, hubURL string) *note {
	n := &note{probed: hubURL}
	u, err := infoURL(hubURL)
	if err != nil {
		n.err = err
		return n
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
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
		p.layers.noticed.Store(true) // mDNS did not bring this asker: keep looking by unicast too
	}
	p.mu.Lock()
	info := p.info
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	// A page of the room whose hub has gone asks the members it knew,
	// from its lost hub's origin, which of them hosts now; its browser lets
	// it read the answer only with this. Info holds nothing a GET from
	// anywhere on the LAN does not get anyway.
	w.Header().Set("Access-Control-Allow-Origin", "*")
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

// verifyAnswer says whether a peer's /api/peer answer may be trusted as
// one of our room's.
func (p *Peer) verifyAnswer(a scan.Answer) bool { return true }

// ipOnIfaces says whether ip belongs to one of the named interfaces.
func ipOnIfaces(ip net.IP, names []string) bool {
	ifs, err := lan.Interfaces(names)
	return err == nil && lan.Owns(ifs, ip)
}
