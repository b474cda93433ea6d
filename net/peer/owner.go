package peer

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/hub/wire"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
)

// An ask is the link's Target asking Run's goroutine where to dial next.
// note reports the outcome of the work the previous answer asked for.
type ask struct {
	note  *note
	reply chan decision // capacity 1
}

// A decision is a hub to dial (url, telling addr), or work to do first in
// the link's goroutine, which may block: a search or a probe.
type decision struct {
	url, addr string
	search    bool
	probe     string // a hub URL whose peer to ask where the room is
}

type note struct {
	searched bool
	found    *discovery.Hub // search result; nil: none answered

	probed string // the hub URL asked
	info   Info
	err    error
}

// check is the outcome of asking a hub found by mDNS whether it hosts.
type check struct {
	hub  discovery.Hub
	info Info
	err  error
}

// failover is what a peer that lost its hub knows while it looks for the next.
type failover struct {
	lost      string          // the hub lost
	tried     map[string]bool // successors given up
	cand      string          // id of the successor being tried; "" for a redirect
	since     time.Time       // when the current target was chosen
	redirects int
}

// owner holds a running peer's state. Everything in it belongs to Run's
// goroutine; the link's Target reaches it through Peer.asks.
type owner struct {
	p  *Peer
	wg sync.WaitGroup // hubs, advertising and browsing

	port     int    // our listener's; 0 without one
	listenIP net.IP // our listener's when bound to one address
	ifaces   []string
	local    string // our hub's URL for our own link
	public   string // our hub's URL for others

	target     string // the hub to dial when not hosting
	joinFlag   bool   // target came from Config.Join
	needSearch bool
	planned    bool      // the next lost session is a move we chose, not a loss
	firstTry   time.Time // when target was first tried, for a discovered hub
	discovered bool

	joined    bool // a session was welcomed since the last decision
	joinedURL string
	peers     []wire.Peer // the room, as of the last session
	fo        *failover

	hosting    bool
	hostCancel context.CancelFunc
	found      chan discovery.Hub // browse results while hosting
	best       *discovery.Hub     // the lowest hub found, waiting for foldSettle
	settle     *time.Timer
	checked    chan check
	quitting   bool
}

func (o *owner) setListener(ln net.Listener, ifaces []string) {
	a := ln.Addr().(*net.TCPAddr)
	o.port, o.ifaces = a.Port, ifaces
	port := strconv.Itoa(a.Port)
	localHost := "127.0.0.1"
	if !a.IP.IsUnspecified() {
		o.listenIP = a.IP
		localHost = a.IP.String()
	}
	o.local = "ws://" + net.JoinHostPort(localHost, port) + "/ws"
	publicHost := localHost
	if a.IP.IsUnspecified() {
		if ip := lanIP(ifaces); ip != nil {
			publicHost = ip.String()
		}
	}
	o.public = "ws://" + net.JoinHostPort(publicHost, port) + "/ws"
}

// loop runs until the link has finished, handling its events, its Target's
// questions, and what hosting finds.
func (o *owner) loop(ctx context.Context) {
	events := o.p.link.Events()
	done := ctx.Done()
	for {
		var settle <-chan time.Time
		if o.settle != nil {
			settle = o.settle.C
		}
		select {
		case ev, ok := <-events:
			if !ok {
				return
			}
			o.onEvent(ctx, ev)
		case a := <-o.p.asks:
			// The link sent every event of the session that just ended
			// before asking: take them all in first.
			if !o.drain(ctx, events) {
				a.reply <- decision{}
				return
			}
			a.reply <- o.decide(ctx, a.note)
		case h := <-o.found:
			o.onFound(h)
		case <-settle:
			o.settle = nil
			o.checkBest(ctx)
		case c := <-o.checked:
			o.onChecked(ctx, c)
		case <-done:
			done = nil
			o.quit()
		}
	}
}

// drain handles the events waiting; false when the link has finished.
func (o *owner) drain(ctx context.Context, events <-chan link.Event) bool {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return false
			}
			o.onEvent(ctx, ev)
		default:
			return true
		}
	}
}

// emit hands ev to Events; once ctx has ended it gives up rather than wait.
func (o *owner) emit(ctx context.Context, ev link.Event) {
	select {
	case o.p.events <- ev:
		return
	default:
	}
	select {
	case o.p.events <- ev:
	case <-ctx.Done():
	}
}

func (o *owner) onEvent(ctx context.Context, ev link.Event) {
	switch e := ev.(type) {
	case link.Joined:
		o.joined, o.joinedURL, o.planned, o.discovered = true, e.URL, false, false
		o.peers = slices.Clone(e.Peers)
		o.fo = nil
		o.p.fast.Store(false)
		o.p.joinedAt.Store(time.Now().UnixNano())
		if !o.hosting {
			o.p.setInfo(false, e.URL)
		}
	case link.PeerJoined:
		o.peers = slices.DeleteFunc(o.peers, func(p wire.Peer) bool { return p.ID == e.Peer.ID })
		o.peers = append(o.peers, e.Peer)
	case link.PeerLeft:
		o.peers = slices.DeleteFunc(o.peers, func(p wire.Peer) bool { return p.ID == e.Peer.ID })
	}
	o.emit(ctx, ev)
}

// decide answers the link's Target: where to dial, or what to find out first.
func (o *owner) decide(ctx context.Context, n *note) decision {
	if o.quitting {
		return decision{url: o.local}
	}
	if n != nil && n.searched {
		return o.afterSearch(ctx, n.found)
	}
	if n != nil && n.probed != "" {
		return o.afterProbe(ctx, n)
	}
	ended := o.joined
	o.joined = false
	if o.hosting {
		return decision{url: o.local}
	}
	if ended {
		if o.planned {
			o.planned = false
			return o.dial(o.target)
		}
		o.p.log.Info("peer: lost the hub; finding the room's next host", "hub", o.joinedURL)
		o.fo = &failover{lost: o.joinedURL, tried: map[string]bool{}, since: time.Now()}
		o.p.fast.Store(true)
		o.emit(ctx, Searching{Room: o.p.room, Reason: ReasonHostLost})
		return decision{probe: o.joinedURL}
	}
	// The first dial, or a failed one.
	o.planned = false
	if o.needSearch {
		o.needSearch = false
		o.emit(ctx, Searching{Room: o.p.room, Reason: ReasonStart})
		return decision{search: true}
	}
	if fo := o.fo; fo != nil && time.Since(fo.since) > successorWait {
		if fo.cand != "" {
			o.p.log.Info("peer: cannot reach the elected host; trying the next", "id", fo.cand)
			fo.tried[fo.cand] = true
		}
		return o.elect(ctx)
	}
	if o.discovered && o.p.cfg.Discovery != nil && time.Since(o.firstTry) > successorWait {
		// The hub we found went before we could join it.
		o.discovered = false
		o.emit(ctx, Searching{Room: o.p.room, Reason: ReasonStart})
		return decision{search: true}
	}
	return o.dial(o.target)
}

func (o *owner) afterSearch(ctx context.Context, h *discovery.Hub) decision {
	if h != nil {
		o.p.log.Info("peer: found the room's hub", "url", h.URL, "host", h.Name)
		if h.Auth && o.p.cfg.Passphrase == "" {
			// Say so before the hub does, so that a window can ask for it.
			o.emit(ctx, link.HubError{Code: wire.CodeUnauthorized,
				Message: "Room '" + o.p.room + "' needs a passphrase; set it under Name and room…, or with --passphrase."})
		}
		o.target, o.discovered, o.firstTry = h.URL, true, time.Now()
		return o.dial(h.URL)
	}
	if o.port == 0 {
		// Without a listener we cannot host; keep looking.
		o.needSearch = true
		return o.dial(o.target)
	}
	o.startHosting(ctx)
	return decision{url: o.local}
}

// afterProbe acts on what the lost hub's address said.
func (o *owner) afterProbe(ctx context.Context, n *note) decision {
	fo := o.fo
	if fo == nil {
		return o.dial(o.target)
	}
	ok := n.err == nil && n.info.Room == o.p.room
	switch {
	case ok && n.info.Hosting:
		// The hub is there after all: we were dropped, not it.
		o.target, fo.cand, fo.since = n.probed, "", time.Now()
		return o.dial(n.probed)
	case ok && n.info.Hub != "" && n.info.Hub != n.probed && fo.redirects < maxRedirects:
		// It folded into another hub of the room: follow it there.
		fo.redirects++
		o.target, fo.cand, fo.since = n.info.Hub, "", time.Now()
		o.p.log.Info("peer: the room moved", "from", n.probed, "to", n.info.Hub)
		o.emit(ctx, HostChanged{URL: n.info.Hub, Reason: ReasonMerged})
		return o.dial(n.info.Hub)
	}
	return o.elect(ctx)
}

// elect picks the successor: the lowest id among the room's peers with an
// address, leaving out those tried in vain. Every peer holds the same list,
// so every peer picks the same.
func (o *owner) elect(ctx context.Context) decision {
	fo := o.fo
	var cands []wire.Peer
	for _, p := range o.peers {
		if validAddr(p.Addr) && !fo.tried[p.ID] {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		// Nobody left to try: go round again, more slowly, from the lost hub.
		o.p.log.Info("peer: no peer of the room can host; retrying the lost hub", "hub", fo.lost)
		clear(fo.tried)
		o.target, fo.cand, fo.since = fo.lost, "", time.Now()
		o.p.fast.Store(false)
		if o.p.cfg.Discovery != nil && !o.joinFlag {
			o.needSearch = true
		}
		return o.dial(fo.lost)
	}
	s := slices.MinFunc(cands, func(a, b wire.Peer) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	if s.ID == o.p.cfg.ID && o.port != 0 {
		o.p.log.Info("peer: the room elected this peer as its new host")
		o.emit(ctx, HostChanged{URL: o.public, ID: s.ID, Name: s.Name, Reason: ReasonHostLost})
		o.startHosting(ctx)
		return decision{url: o.local}
	}
	url := "ws://" + s.Addr + "/ws"
	o.p.log.Info("peer: the room's new host", "id", s.ID, "name", s.Name, "url", url)
	o.target, fo.cand, fo.since = url, s.ID, time.Now()
	o.p.fast.Store(true)
	o.emit(ctx, HostChanged{URL: url, ID: s.ID, Name: s.Name, Reason: ReasonHostLost})
	return o.dial(url)
}

func (o *owner) dial(url string) decision {
	return decision{url: url, addr: o.addrFor(url)}
}

// addrFor returns the address this peer would host on, as a peer at url
// would reach it; "" without a listener.
func (o *owner) addrFor(url string) string {
	if o.port == 0 {
		return ""
	}
	ip := o.listenIP
	if ip == nil {
		ip = localIPToward(url)
		if ip == nil || len(o.ifaces) > 0 && !ipOnIfaces(ip, o.ifaces) {
			ip = lanIP(o.ifaces)
		}
	}
	if ip == nil || ip.IsUnspecified() || ip.To4() == nil && ip.IsLinkLocalUnicast() {
		return ""
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(o.port))
}

// startHosting serves a new hub on our listener, advertises it, and
// watches for other hubs of the room.
func (o *owner) startHosting(ctx context.Context) {
	h := hub.New(hub.Config{Room: o.p.room, Host: o.p.cfg.Name, Logger: o.p.log, Page: web.Handler(),
		Passphrase: o.p.cfg.Passphrase, MaxPeers: o.p.cfg.MaxPeers, ColorRate: o.p.cfg.ColorRate})
	hctx, cancel := context.WithCancel(context.Background())
	o.hostCancel = cancel
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		_ = h.Run(hctx)
	}()
	o.p.hub.Store(h)
	o.hosting, o.fo, o.planned = true, nil, false
	o.p.fast.Store(false)
	o.p.setInfo(true, "")
	if d := o.p.cfg.Discovery; d != nil {
		o.wg.Add(2)
		go func() {
			defer o.wg.Done()
			ad := discovery.Ad{ID: o.p.cfg.ID, Name: o.p.cfg.Name, Room: o.p.room, Port: o.port,
				Auth: o.p.cfg.Passphrase != ""}
			if o.listenIP != nil {
				ad.IPs = []net.IP{o.listenIP}
			}
			if err := d.Advertise(hctx, ad); err != nil {
				o.p.log.Warn("peer: cannot advertise the hub; others can still join by address", "err", err)
			}
		}()
		go func() {
			defer o.wg.Done()
			o.watch(hctx, d)
		}()
	}
	o.p.log.Info("peer: hosting", "url", o.public, "room", o.p.room)
	o.emit(ctx, Hosting{URL: o.public, Room: o.p.room})
}

// watch browses, one fresh browse after another, while we host, reporting
// other hubs of the room to the owner.
func (o *owner) watch(ctx context.Context, d Discovery) {
	for ctx.Err() == nil {
		bctx, cancel := context.WithTimeout(ctx, hostBrowse)
		start := time.Now()
		err := d.Browse(bctx, o.p.room, o.p.cfg.ID, o.found)
		cancel()
		if err != nil {
			o.p.log.Debug("peer: browse", "err", err)
		}
		if time.Since(start) < browsePause {
			select {
			case <-time.After(browsePause):
			case <-ctx.Done():
			}
		}
	}
}

// stopHosting closes our hub (its clients are told it shuts down) and stops
// advertising it.
func (o *owner) stopHosting() {
	if !o.hosting {
		return
	}
	o.p.hub.Store(nil)
	o.hostCancel()
	o.hosting, o.best = false, nil
	if o.settle != nil {
		o.settle.Stop()
		o.settle = nil
	}
}

// onFound weighs a hub of our room found while we host: the one with the
// lower id stays, and we fold into it.
func (o *owner) onFound(h discovery.Hub) {
	if !o.hosting || h.ID >= o.p.cfg.ID {
		return
	}
	if o.best == nil || h.ID < o.best.ID {
		o.best = &h
	}
	if o.settle == nil {
		o.settle = time.NewTimer(foldSettle)
	}
}

// checkBest asks the best hub found whether it really hosts our room
// before we fold into it; a stale or forged record must not empty a room.
func (o *owner) checkBest(ctx context.Context) {
	h := o.best
	o.best = nil
	if h == nil || !o.hosting {
		return
	}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		n := probe(ctx, h.URL)
		select {
		case o.checked <- check{hub: *h, info: n.info, err: n.err}:
		case <-ctx.Done():
		}
	}()
}

func (o *owner) onChecked(ctx context.Context, c check) {
	if !o.hosting || o.quitting {
		return
	}
	if c.err != nil || !c.info.Hosting || c.info.Room != o.p.room || c.info.ID != c.hub.ID {
		o.p.log.Debug("peer: not folding into a hub that does not answer as one", "url", c.hub.URL, "err", c.err, "info", c.info)
		return
	}
	o.p.log.Info("peer: another hub serves the room; moving there", "url", c.hub.URL, "host", c.hub.Name)
	o.stopHosting()
	o.target, o.planned = c.hub.URL, true
	o.p.setInfo(false, c.hub.URL)
	o.p.fast.Store(true)
	o.emit(ctx, HostChanged{URL: c.hub.URL, ID: c.hub.ID, Name: c.hub.Name, Reason: ReasonMerged})
}

// quit runs when the peer is told to stop: clients that ask are told we are
// gone before our hub says goodbye, so they elect a successor at once.
func (o *owner) quit() {
	o.quitting = true
	o.p.setInfo(false, "")
	o.stopHosting()
}

// validAddr says whether a peer's addr is a host:port one could host on.
func validAddr(a string) bool {
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}
