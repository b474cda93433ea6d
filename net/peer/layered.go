package peer

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/scan"
	"github.com/huecast/huecast/net/wire"
)

// Discovery in layers. mDNS comes first and, where multicast works, is all
// there is. When it hears no hub for mdnsQuiet, the unicast layer asks
// /api/peer across the local subnets (net/scan): a switch or access point
// that drops multicast still passes unicast TCP to the port peers already
// serve, so no other port needs opening, and only a valid answer for our
// room counts. Hubs this peer joined before are asked first, at once.
// This file does the looking; when to look, and what to make of what was
// found, is decide's (decide_find.go, decide_host.go).

const (
	// mdnsQuiet is how long mDNS must stay silent before the unicast layer
	// runs: a hub on a LAN that passes multicast answers within milliseconds.
	mdnsQuiet = searchWait
	// netPoll is how often this machine's addresses are compared with the
	// last seen: a change is acted on within netPoll plus a search.
	netPoll = 1 * time.Second
	// maxHostScan is the longest a hosting peer goes between searches of
	// the subnets, once they have come to nothing several times.
	maxHostScan = 60 * time.Second
	// noticedFor is how long a hosting peer keeps searching the subnets,
	// though it has members, after someone's search found it: that asker
	// could not hear mDNS, so others may not either; a single asker must
	// not make it sweep the subnets for good.
	noticedFor = 5 * time.Minute
)

// layered is the Discovery a peer uses when its Config.Discovery is set:
// remembered hubs and that one (mDNS) first, then, with Config.Scan,
// net/scan. It keeps no state but kick, so the link's goroutine (a search)
// and the owner's hosting work use it at once.
type layered struct {
	p    *Peer
	mdns Discovery

	kick chan struct{} // the network changed: look again now
}

func newLayered(p *Peer, d Discovery) *layered {
	return &layered{p: p, mdns: d, kick: make(chan struct{}, 1)}
}

// scanConfig says what the unicast layer asks: LAN subnets only.
func (l *layered) scanConfig() scan.Config {
	ifs, _ := lan.Interfaces(l.p.cfg.Ifaces)
	ports := []int{7788}
	if l.p.port != 0 && l.p.port != 7788 {
		ports = append(ports, l.p.port)
	}
	for _, hp := range l.p.cfg.Remembered {
		if _, port, err := net.SplitHostPort(hostPort(hp)); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 && !slices.Contains(ports, n) && len(ports) < 4 {
				ports = append(ports, n)
			}
		}
	}
	return scan.Config{Room: l.p.room, Self: l.p.cfg.ID, Subnets: lan.Subnets(ifs), Ports: ports,
		Logger: l.p.log, Verify: l.p.verifyAnswer}
}

// count logs what a search of the subnets did.
func (l *layered) count(st scan.Stats) {
	l.p.log.Debug("peer: searched the subnets", "asked", st.Asked, "answered", st.Answered, "ignored", st.Ignored)
}

// Advertise announces our hub over mDNS until ctx ends, or the
// advertisement fails.
func (l *layered) Advertise(ctx context.Context, ad discovery.Ad) error {
	return l.mdns.Advertise(ctx, ad)
}

// browseAfresh ends the hosting peer's browse under way, so that the next
// starts at once with a fresh query: the network changed.
func (l *layered) browseAfresh() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// followNetwork compares this machine's LAN addresses with the last seen
// every netPoll, and reports a change on changed, until ctx ends.
func (l *layered) followNetwork(ctx context.Context, changed chan<- evNetChanged) {
	last := l.fingerprint()
	t := time.NewTicker(netPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if f := l.fingerprint(); f != last {
			last = f
			select {
			case changed <- evNetChanged{url: l.p.publicURL()}:
			case <-ctx.Done():
				return
			}
		}
	}
}

func (l *layered) fingerprint() string {
	ifs, _ := lan.Interfaces(l.p.cfg.Ifaces)
	return lan.Fingerprint(ifs)
}

// Browse is the hosting peer's slow look for other hubs of the room: mDNS
// until ctx ends, or this machine's addresses change (browseAfresh). Its
// searches of the subnets are decide's (actHostScan).
func (l *layered) Browse(ctx context.Context, room, self string, found chan<- discovery.Hub) error {
	done := make(chan error, 1)
	mctx, mcancel := context.WithCancel(ctx)
	defer mcancel()
	go func() { done <- l.mdns.Browse(mctx, room, self, found) }()
	for {
		select {
		case <-l.kick:
			// The network changed: end this browse, so that the next one
			// starts at once with a fresh query.
			mcancel()
		case err := <-done:
			return err
		}
	}
}

// hostScan runs one search of the subnets and reports the hubs it finds
// on found, until ctx ends.
func (l *layered) hostScan(ctx context.Context, found chan<- discovery.Hub) {
	answers := make(chan scan.Answer)
	stats := make(chan scan.Stats, 1)
	go func() { stats <- scan.Search(ctx, l.scanConfig(), answers) }()
	for {
		select {
		case a := <-answers:
			if a.Hosting {
				select {
				case found <- answerHub(a):
				case <-ctx.Done():
				}
			}
		case st := <-stats:
			l.count(st)
			return
		}
	}
}

// search finds the room's hub at start: remembered hubs and mDNS at once,
// then the unicast layer when mDNS stays quiet for mdnsQuiet. Returns nil
// when no hub answered, and the addresses of peers of the room found
// searching with a lower id (decide waits for one of them to host).
//
// Only hubs accept takes count; the first other one heard is returned as
// other (a hub of our room's name with another passphrase).
func (l *layered) search(ctx context.Context, accept func(discovery.Hub) bool) (found, other *discovery.Hub, elders []string) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hubs := make(chan discovery.Hub)
	answers := make(chan scan.Answer)
	mctx, mcancel := context.WithTimeout(ctx, mdnsQuiet+scan.Deadline)
	defer mcancel()
	mdnsDone := make(chan error, 1)
	go func() { mdnsDone <- l.mdns.Browse(mctx, l.p.room, l.p.cfg.ID, hubs) }()
	cfg := l.scanConfig()
	if len(l.p.cfg.Remembered) > 0 {
		var first []string
		for _, r := range l.p.cfg.Remembered {
			hp := hostPort(r)
			if _, _, err := net.SplitHostPort(hp); err != nil {
				hp = net.JoinHostPort(strings.Trim(hp, "[]"), "7788")
			}
			first = append(first, hp)
		}
		go scan.Ask(ctx, cfg, first, answers)
	}
	quiet := time.NewTimer(mdnsQuiet)
	defer quiet.Stop()
	var scanDone chan scan.Stats
	for {
		select {
		case h := <-hubs:
			if accept(h) {
				return &h, nil, nil
			}
			if other == nil {
				other = &h
			}
		case a := <-answers:
			h, elder := l.follow(ctx, a)
			if h != nil && accept(*h) {
				return h, nil, nil
			}
			if elder && !slices.Contains(elders, a.Addr) {
				elders = append(elders, a.Addr)
			}
		case <-quiet.C:
			if !l.p.cfg.Scan {
				return nil, other, elders
			}
			scanDone = make(chan scan.Stats, 1)
			go func() { scanDone <- scan.Search(ctx, cfg, answers) }()
		case st := <-scanDone:
			l.count(st)
			mcancel()
			return nil, other, elders
		case <-mdnsDone:
			mdnsDone = nil
			if scanDone == nil {
				// Browse failed at once (no interface): go straight on.
				quiet.Reset(0)
			}
		}
	}
}

// follow turns an answer into a hub to join: a hosting peer's own, or the
// hub a joined peer points to when that hub answers as hosting. elder says
// the answer is of a peer searching with a lower id than ours.
func (l *layered) follow(ctx context.Context, a scan.Answer) (h *discovery.Hub, elder bool) {
	if a.Hosting {
		h := answerHub(a)
		return &h, false
	}
	if a.Hub != "" {
		hp := hostPort(a.Hub)
		host, _, _ := net.SplitHostPort(hp)
		ifs, _ := lan.Interfaces(l.p.cfg.Ifaces)
		if ip := net.ParseIP(host); ip == nil || !lan.OnLink(ifs, ip) {
			return nil, false // a pointer off our subnets is not followed blindly
		}
		b, err := scan.Probe(ctx, hp)
		if err == nil && b.Hosting && b.Room == l.p.room && b.ID != l.p.cfg.ID && l.p.verifyAnswer(b) {
			h := answerHub(b)
			return &h, false
		}
		return nil, false
	}
	return nil, a.ID < l.p.cfg.ID
}

// askElders waits after, then asks the peers at addrs once whether they
// host or point to a hub now; nil when none does.
func (l *layered) askElders(ctx context.Context, addrs []string, after time.Duration) *discovery.Hub {
	select {
	case <-time.After(after):
	case <-ctx.Done():
		return nil
	}
	answers := make(chan scan.Answer, len(addrs))
	actx, cancel := context.WithTimeout(ctx, elderPoll*2)
	scan.Ask(actx, l.scanConfig(), addrs, answers)
	cancel()
	close(answers)
	for a := range answers {
		if h, _ := l.follow(ctx, a); h != nil {
			return h
		}
	}
	return nil
}

func answerHub(a scan.Answer) discovery.Hub {
	return discovery.Hub{ID: a.ID, Name: a.Name, Room: a.Room, URL: a.HubURL(), Auth: a.Verifier != "", Verifier: a.Verifier}
}

// hostPort returns the host:port of a hub URL or address.
func hostPort(s string) string { return wire.HostPort(s) }
