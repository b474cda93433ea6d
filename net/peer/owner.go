package peer

import (
	"context"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
)

// owner runs a peer's state machine (decide.go) and carries out its
// actions. Everything in it belongs to Run's goroutine; the link's Target
// reaches it through Peer.asks.
type owner struct {
	p  *Peer
	wg sync.WaitGroup // hubs, advertising, browsing and checks

	port     int    // our listener's; 0 without one
	listenIP net.IP // our listener's when bound to one address
	ifaces   []string
	local    string // our hub's URL for our own link
	public   string // our hub's URL for others

	s    state
	fail failure // how the link's last attempt ended, for the next ask
	code string  // the error code the hub sent in the attempt under way

	hostCtx    context.Context    // the hub we serve lives while it does; nil when none
	hostCancel context.CancelFunc // ends the hub we serve; nil when none
	adCancel   context.CancelFunc // ends the advertisement under way; nil when none
	results    chan result        // what hosting's advertisements and browses ended with
	netChanged chan evNetChanged
	found      chan discovery.Hub // browse results while hosting
	scanned    chan discovery.Hub // what searches of the subnets found while hosting
	timers     map[timerKind]*timer
	fired      chan *timer   // a timer went off
	ended      chan struct{} // closed when the loop returns
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
	defer close(o.ended)
	for {
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
				a.reply <- actRetry{}
				return
			}
			q := a.q
			if e, ok := q.(evAsk); ok {
				e.fail, o.fail = o.fail, failure{}
				q = e
			}
			a.reply <- o.step(ctx, q)
		case h := <-o.found:
			o.step(ctx, evFound{now: time.Now(), hub: h})
		case h := <-o.scanned:
			o.step(ctx, evFound{now: time.Now(), hub: h, scanned: true})
		case n := <-o.p.noticed:
			o.step(ctx, n)
		case t := <-o.fired:
			if o.timers[t.kind] == t {
				delete(o.timers, t.kind)
				o.step(ctx, evTimer{kind: t.kind, now: time.Now()})
			}
		case r := <-o.results:
			if r.ctx.Err() == nil { // not of a hub, or an advertisement, ended since
				o.step(ctx, r.ev)
			}
		case c := <-o.netChanged:
			o.step(ctx, c)
		case <-done:
			done = nil
			o.step(ctx, evQuit{})
		}
	}
}

// step feeds e to decide and carries out its actions; it returns the
// answer to a question (the link's goroutine carries that out), nil for
// other events.
func (o *owner) step(ctx context.Context, e event) action {
	var acts []action
	o.s, acts = decide(o.s, e)
	o.p.setRoom(o.s.joined, o.s.peers)
	var r action
	for _, a := range acts {
		if isAnswer(a) {
			r = a // the link's goroutine carries it out
		}
		switch a := a.(type) {
		case actDial:
			o.p.link.SetAddr(o.addrFor(a.url))
		case actDialOwn:
			o.p.link.SetAddr("")
			r = actDial{o.local}
			if o.local == "" {
				r = actRetry{} // no hub of our own: stopping
			}
		case actHost:
			o.startHosting()
		case actUnhost:
			o.stopHosting()
		case actAdvertise:
			o.advertise()
		case actBrowse:
			o.browse()
		case actHostScan:
			if l, hctx := o.p.layers, o.hostCtx; l != nil && hctx != nil {
				o.wg.Go(func() { l.hostScan(hctx, o.scanned) })
			}
		case actBrowseAfresh:
			if o.p.layers != nil {
				o.p.layers.browseAfresh()
			}
		case actEmit:
			o.emit(ctx, a.ev)
		case actInfo:
			o.p.setInfo(a.hosting, a.hub)
		case actReconnect:
			o.p.link.Reconnect()
		case actTimer:
			o.setTimer(a.kind, a.after)
		case actCancel:
			if t := o.timers[a.kind]; t != nil {
				t.Stop()
				delete(o.timers, a.kind)
			}
		case actCheck:
			o.check(ctx, a.hub)
		case actAskAround:
			o.askAround(ctx, a.urls)
		case actLog:
			o.p.log.Log(ctx, a.level, a.msg, a.args...)
		}
	}
	return r
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

// onEvent tells decide what the link saw, then passes the event on.
func (o *owner) onEvent(ctx context.Context, ev link.Event) {
	switch e := ev.(type) {
	case link.Joined:
		o.code = ""
		o.step(ctx, evJoined{now: time.Now(), Joined: e})
	case link.PeerJoined:
		o.step(ctx, evPeerJoined{e.Peer})
	case link.PeerLeft:
		o.step(ctx, evPeerLeft{e.Peer.ID})
	case link.HubError:
		o.code = e.Code
	case link.Disconnected:
		o.fail, o.code = failure{url: e.URL, status: e.Status, code: o.code}, ""
	}
	o.emit(ctx, ev)
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

// startHosting serves a new hub on our listener.
func (o *owner) startHosting() {
	h := hub.New(hub.Config{Room: o.p.room, Host: o.p.cfg.Name, HostID: o.p.cfg.ID, Logger: o.p.log, Page: o.p.cfg.Page,
		Passphrase: o.p.cfg.Passphrase, Key: o.p.key, MaxPeers: o.p.cfg.MaxPeers, ColorRate: o.p.cfg.ColorRate,
		CheckAddr: o.p.answersAt})
	hctx, cancel := context.WithCancel(context.Background())
	o.hostCtx, o.hostCancel = hctx, cancel
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		_ = h.Run(hctx)
	}()
	o.p.hub.Store(h)
}

// advertise (re)starts advertising the hub we serve, ending the
// advertisement under way; when the new one ends by itself (it failed,
// or no interface is up) the owner hears evAdvertised.
func (o *owner) advertise() {
	d := o.p.cfg.Discovery
	if d == nil || o.hostCtx == nil {
		return
	}
	if o.adCancel != nil {
		o.adCancel()
	}
	actx, cancel := context.WithCancel(o.hostCtx)
	o.adCancel = cancel
	ad := discovery.Ad{ID: o.p.cfg.ID, Name: o.p.cfg.Name, Room: o.p.room, Port: o.port,
		Auth: o.p.key != nil, Verifier: o.p.vk}
	if o.listenIP != nil {
		ad.IPs = []net.IP{o.listenIP}
	}
	o.wg.Go(func() {
		err := d.Advertise(actx, ad)
		o.report(actx, evAdvertised{err: err})
	})
}

// browse browses for other hubs of the room for up to hostBrowse while we
// host, reporting them on found, then evBrowsed.
func (o *owner) browse() {
	d, hctx := o.p.cfg.Discovery, o.hostCtx
	if d == nil || hctx == nil {
		return
	}
	o.wg.Go(func() {
		bctx, cancel := context.WithTimeout(hctx, hostBrowse)
		start := time.Now()
		err := d.Browse(bctx, o.p.room, o.p.cfg.ID, o.found)
		cancel()
		o.report(hctx, evBrowsed{took: time.Since(start), err: err})
	})
}

// A result is what work started in the background (a check, an
// ask-around, an advertisement, a browse) ended with: one path back to
// decide for all. It counts only while ctx, the work's, lasts: the owner
// ends that before it starts the same work afresh.
type result struct {
	ctx context.Context
	ev  event
}

// report hands ev, the end of work done under ctx, to the owner, unless
// ctx has ended.
func (o *owner) report(ctx context.Context, ev event) {
	select {
	case o.results <- result{ctx, ev}:
	case <-ctx.Done():
	}
}

// stopHosting closes our hub (its clients are told it shuts down) and stops
// advertising it.
func (o *owner) stopHosting() {
	if o.hostCancel == nil {
		return
	}
	o.p.hub.Store(nil)
	o.hostCancel()
	o.hostCtx, o.hostCancel, o.adCancel = nil, nil, nil
}

// A timer is one that actTimer set; only the latest of its kind counts.
type timer struct {
	kind timerKind
	*time.Timer
}

// setTimer sets the timer of kind to go off after d, in place of any set.
func (o *owner) setTimer(kind timerKind, d time.Duration) {
	if t := o.timers[kind]; t != nil {
		t.Stop()
	}
	t := &timer{kind: kind}
	t.Timer = time.AfterFunc(d, func() {
		select {
		case o.fired <- t:
		case <-o.ended:
		}
	})
	o.timers[kind] = t
}

// askAround asks the peers at urls, in the background and at once, who
// they are and whether they host; the answers come back as evAskedAround.
func (o *owner) askAround(ctx context.Context, urls []string) {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		out := make(chan answer, len(urls))
		for _, u := range urls {
			go func() {
				info, err := probe(ctx, u)
				if err != nil {
					out <- answer{url: u}
					return
				}
				out <- answer{url: u, info: info}
			}()
		}
		var ev evAskedAround
		for range urls {
			ev.answers = append(ev.answers, <-out)
		}
		o.report(ctx, ev)
	}()
}

// check asks hub's peer, in the background, who it is and whether it
// hosts, and in a room with a passphrase has the hub prove it knows it;
// the answer comes back as evChecked.
func (o *owner) check(ctx context.Context, h discovery.Hub) {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		info, err := probeReach(ctx, h.URL, o.port, o.p.cfg.ID)
		if err == nil && o.p.key != nil {
			pctx, cancel := context.WithTimeout(ctx, proveTimeout)
			err = link.Prove(pctx, h.URL, o.p.key, o.p.room)
			cancel()
		}
		o.report(ctx, evChecked{hub: h, info: info, err: err})
	}()
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
