package peer

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/wire"
)

// Reachability is part of hosting: a peer others cannot reach (a firewall
// that drops what comes in, while it can still dial out) must not host a
// room a reachable peer could. Two checks tell: the hub asks each member's
// /api/peer at the address its connection came from before the room hears
// that address (hub.Config.CheckAddr), so the room elects only members it
// reached; and a host that hears of another hub of its room asks that
// hub's peer to reach it back (GET /api/peer?reach=PORT&id=ID), and joins
// that hub when it cannot.

const (
	// reachWait bounds one try at reaching a peer back: a LAN peer
	// answers within milliseconds, and a firewall that drops the dial
	// answers never.
	reachWait = 500 * time.Millisecond
	// reachTries is how many tries, each on a fresh connection, before a
	// peer counts as unreachable: on a lossy network a lost SYN would
	// otherwise wait for the kernel's one-second retransmit and make a
	// reachable peer look firewalled (a fifth of frames lost fails one
	// try in three; three tries in a row, one in thirty).
	reachTries = 3
	// reachAll bounds reaching a peer back, all tries.
	reachAll = reachTries * reachWait
	// maxReachBacks bounds the peers this one reaches back at once; a
	// question beyond it is answered without Reached.
	maxReachBacks = 4
)

// errOffLink: a pointer to a hub off this peer's subnets, not followed.
var errOffLink = errors.New("peer: the hub pointed to is not on this machine's subnets")

// answersAt says whether peer id of our room answers /api/peer at addr
// (host:port) within ctx.
func (p *Peer) answersAt(ctx context.Context, id, addr string) bool {
	for range reachTries {
		info, err := probeAt(ctx, "ws://"+addr+"/ws", "", reachWait)
		if err == nil {
			return info.ID == id && info.Room == p.room
		}
		if ctx.Err() != nil {
			return false
		}
	}
	return false
}

// reachBack answers a ?reach= question: whether peer id answers at port on
// remote's address. nil when the question is malformed or too many are
// under way.
func (p *Peer) reachBack(ctx context.Context, remote, port, id string) *bool {
	n, err := strconv.Atoi(port)
	host, _, herr := net.SplitHostPort(remote)
	if err != nil || n < 1 || n > 65535 || herr != nil || id == "" || wire.CleanName(id, wire.MaxIDLen) != id {
		return nil
	}
	select {
	case p.reaching <- struct{}{}:
		defer func() { <-p.reaching }()
	default:
		return nil
	}
	ok := p.answersAt(ctx, id, net.JoinHostPort(host, port))
	return &ok
}

// askPointed asks the hub n's answer points to who it is, when it is on
// this machine's subnets (or this machine): a pointer is followed only to
// a hub that answers for the room itself.
func (p *Peer) askPointed(ctx context.Context, n *evProbed) {
	if n.err != nil || n.info.Hub == "" {
		return
	}
	host, _, err := net.SplitHostPort(hostPort(n.info.Hub))
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		n.perr = errOffLink
		return
	}
	if !ip.IsLoopback() {
		ifs, _ := lan.Interfaces(p.cfg.Ifaces)
		if !lan.OnLink(ifs, ip) {
			n.perr = errOffLink
			return
		}
	}
	n.pointed, n.perr = probe(ctx, n.info.Hub)
}
