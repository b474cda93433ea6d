package peer

import (
	"slices"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/wire"
)

// Failing over: what a peer whose hub was lost makes of what the lost
// hub's address says, how the room elects its next host, and how quickly
// the link tries again meanwhile.

// probed acts on what the lost hub's address said.
func (d *decider) probed(e evProbed) {
	s := &d.s
	if !d.answersPhase(phaseFailover) {
		return
	}
	fo := &s.fo
	ok := e.err == nil && s.me.ours(e.info)
	// A pointer counts only once the hub it names answers for our room
	// itself (and the owner asks it only on this peer's own subnets).
	pointed := ok && e.info.Hub != "" && e.info.Hub != e.url && e.perr == nil &&
		e.pointed.Hosting && s.me.ours(e.pointed) && !s.marked(e.info.Hub, e.pointed.ID, e.now)
	switch {
	case ok && e.info.Hosting:
		// The hub is there after all: we were dropped, not it.
		s.target, fo.cand, fo.since = e.url, "", e.now
		d.do(actDial{e.url})
	case pointed && fo.redirects < maxRedirects:
		// It folded into another hub of the room: follow it there.
		fo.redirects++
		s.target, fo.cand, fo.since = e.info.Hub, "", e.now
		s.hub = discovery.Hub{ID: e.pointed.ID, Name: e.pointed.Name, Room: e.pointed.Room, URL: e.info.Hub}
		d.do(logInfo("peer: the room moved", "from", e.url, "to", e.info.Hub),
			actEmit{HostChanged{URL: e.info.Hub, ID: e.pointed.ID, Name: e.pointed.Name, Reason: ReasonMerged}},
			actDial{e.info.Hub})
	default:
		d.elect(e.now)
	}
}

// elect picks the successor: the lowest id among the room's peers with an
// address, leaving out those tried in vain. Every peer holds the same list,
// so every peer picks the same; the hub lists only addresses it reached.
func (d *decider) elect(now time.Time) {
	s := &d.s
	fo := &s.fo
	var cands []wire.Peer
	for _, p := range s.peers {
		if validAddr(p.Addr) && !fo.tried[p.ID] {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		// Nobody left to try: go round again, more slowly, from the lost hub.
		d.do(logInfo("peer: no peer of the room can host; retrying the lost hub", "hub", fo.lost))
		clear(fo.tried)
		s.target, fo.cand, fo.since = fo.lost, "", now
		d.s.fast = false
		s.phase = phaseFailover
		if s.me.search && !s.me.join {
			// And search meanwhile, the round kept for the hub found.
			s.phase, s.searching, s.fo = phaseSearching, searching{afterRound: true, round: *fo}, failover{}
		}
		d.do(actDial{s.target})
		return
	}
	c := slices.MinFunc(cands, func(a, b wire.Peer) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	if c.ID == s.me.id && s.me.canHost {
		d.do(logInfo("peer: the room elected this peer as its new host"),
			actEmit{HostChanged{URL: s.me.public, ID: c.ID, Name: c.Name, Reason: ReasonHostLost}})
		d.host()
		d.do(actDialOwn{})
		return
	}
	url := "ws://" + c.Addr + "/ws"
	s.phase, s.target, fo.cand, fo.since = phaseFailover, url, c.ID, now
	s.fast = true
	d.do(logInfo("peer: the room's new host", "id", c.ID, "name", c.Name, "url", url),
		actEmit{HostChanged{URL: url, ID: c.ID, Name: c.Name, Reason: ReasonHostLost}},
		actDial{url})
}

// backoff answers the link's question how long to wait before reconnect
// attempt n. Attempt 1 follows a session that was welcomed: decide at
// once, unless hubs keep dropping us right after their welcome. While the
// room changes host, retries come quickly; else at Socket.IO's pace.
func (d *decider) backoff(e evBackoff) {
	s := &d.s
	switch {
	case e.attempt == 1:
		if e.now.Sub(s.joinedAt) < quickDrop {
			s.quickDrops++
		} else {
			s.quickDrops = 0
		}
		if s.quickDrops < maxQuickDrops {
			d.do(actWait{lostPause})
			return
		}
		d.do(actWait{wire.Backoff(s.quickDrops-maxQuickDrops+1, e.jitter)})
	case s.fast:
		d.do(actWait{fastRetry})
	default:
		d.do(actWait{wire.Backoff(e.attempt, e.jitter)})
	}
}
