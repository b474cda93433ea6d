package peer

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/wire"
)

// A peer's life is a state machine in the manner of etcd's raft: decide
// takes the state and one event and returns the next state and the actions
// to carry out. It does no I/O and reads no clock (events carry the time);
// the owner (owner.go) feeds it events and does what the actions say, and
// the link's goroutine (ask.go) puts its questions to it. Every decision of
// a peer's life is in these files, each rule pinned by decide_test.go and
// decide_rules_test.go:
//
//	decide.go           the phases, the state, step: which event goes where
//	decide_events.go    the events, the actions, the timers, the one-answer rule
//	decide_find.go      searching, dialing a hub, a refusal, waiting for an elder
//	decide_failover.go  a hub lost: where the room went, the election, the link's backoff
//	decide_host.go      hosting: folding hubs into one, alone, advertising, browsing,
//	                    searching the subnets, address changes, the lone host's ask-around

// phase is where a peer is in its life.
type phase int

const (
	// phaseSearching: the next step is a search of the LAN for the room's
	// hub (at start, after a hub found went, or after a failover round
	// that found nobody to elect: then searching.afterRound says so).
	phaseSearching phase = iota
	// phaseDialing: dialing target, which came from Join.
	phaseDialing
	// phaseFound: dialing a hub the search found; if it does not welcome
	// us within successorWait, search again (after an empty failover
	// round, searching.afterRound: elect again, see retry).
	phaseFound
	// phaseElders: a search found no hub, but peers of the room searching
	// with a lower id (elders): one of them will host, so wait for it, up
	// to elderWait, before hosting here.
	phaseElders
	// phaseJoined: the hub at joined welcomed us.
	phaseJoined
	// phaseFailover: the hub was lost; asking where the room went and
	// trying elected successors (fo, the round under way).
	phaseFailover
	// phaseHosting: this peer serves the room's hub and its link joins it.
	phaseHosting
	// phaseFolding: this peer still serves its hub, and its link tries to
	// join another hub of the room (fold); only a welcome there closes
	// ours, and any refusal brings the link back home.
	phaseFolding
	// phaseStopped: the peer is stopping; its link is pointed at its own
	// hub's address until it ends.
	phaseStopped
)

var phaseNames = [...]string{"searching", "dialing", "found", "elders", "joined", "failover", "hosting", "folding", "stopped"}

func (p phase) String() string { return phaseNames[p] }

// self is what decide knows of the peer and never changes while it runs.
type self struct {
	id, room string
	public   string // our hub's URL for others
	canHost  bool   // we have a listener
	search   bool   // we have Discovery
	scan     bool   // and its unicast layer (Config.Scan)
	join     bool   // the first target came from Config.Join
	locked   bool   // we hold a passphrase
	vk       string // wire.Verifier of our room's key; "" when open
}

// admits says whether a hub found is of our room: its name (discovery
// filtered that) and its passphrase, as far as the record tells. Only the
// mutual proof of the link tells for sure.
func (me self) admits(h discovery.Hub) bool {
	return h.Auth == me.locked && h.Verifier == me.vk
}

// ours says whether a peer's answer at /api/peer is of our room.
func (me self) ours(i Info) bool {
	return i.Room == me.room && i.Verifier == me.vk
}

// state is a peer's state between events.
type state struct {
	me     self
	phase  phase
	target string        // the hub to dial when not hosting
	hub    discovery.Hub // who target is, as found (phaseFound, phaseFolding)
	since  time.Time     // when target was chosen, for phaseFound
	joined string        // the hub that welcomed us last
	peers  []wire.Peer
	// marks are hubs that refused us, by URL: passed over until their
	// record changes (another id there) or the mark runs out.
	marks     map[string]mark
	elders    elders    // phaseElders: whom we wait for
	fo        failover  // phaseFailover: the round under way
	searching searching // phaseSearching, phaseElders, phaseFound: what the search follows
	hosting   hosting   // phaseHosting, phaseFolding: the hub we serve
	// fast: the room changes host, so the link retries quickly.
	fast bool
	// joinedAt is when the last welcome came; quickDrops counts the
	// sessions in a row that ended soon after theirs.
	joinedAt   time.Time
	quickDrops int
	noticed    time.Time // when a peer's search of the subnets last found us
}

// failover is what a peer that lost its hub knows while the room elects
// its next host: a round, which starts when the hub is lost (phaseFailover)
// and ends with a welcome, hosting or stopping (endRound). A round that finds nobody to
// elect is kept through the search that follows (searching), and comes
// back to phaseFailover if the hub that search finds fails.
type failover struct {
	lost      string          // the hub lost
	tried     map[string]bool // successors given up
	cand      string          // id of the successor being tried; "" for a redirect
	since     time.Time       // when the current target was chosen
	redirects int
}

func (f failover) clone() failover {
	f.tried = maps.Clone(f.tried)
	return f
}

// searching is what a peer that searches for the room's hub knows
// (phaseSearching, phaseElders, phaseFound); a welcome, hosting or
// stopping drops it.
type searching struct {
	// afterRound: the search follows a failover round that found nobody
	// to elect, and round is that round. A hub the search finds that then
	// fails, or stays unjoined successorWait after the round's since
	// (rather than after it was found), sends the peer back to electing
	// (retry): the round is phaseFailover's again.
	afterRound bool
	round      failover
}

// round is the failover round the link's next dial belongs to: the one
// under way (phaseFailover), or the empty round that the search which
// found the hub dialed followed (phaseFound).
func (s *state) round() (failover, bool) {
	switch {
	case s.phase == phaseFailover:
		return s.fo, true
	case s.phase == phaseFound && s.searching.afterRound:
		return s.searching.round, true
	}
	return failover{}, false
}

// endRound drops what the peer knew of a failover round: a welcome,
// hosting or stopping ends it.
func (s *state) endRound() {
	s.fo, s.searching = failover{}, searching{}
}

func logInfo(msg string, args ...any) action {
	return actLog{level: slog.LevelInfo, msg: msg, args: args}
}

func logDebug(msg string, args ...any) action {
	return actLog{level: slog.LevelDebug, msg: msg, args: args}
}

// decide is the peer's one rule book: the state after e, and what to do.
func decide(s state, e event) (state, []action) {
	s.fo, s.searching.round = s.fo.clone(), s.searching.round.clone()
	d := decider{s: s}
	d.step(e)
	d.answered(e)
	return d.s, d.acts
}

// answered keeps the rule that a question gets exactly one answer, and
// that other events get none: the link's goroutine waits on it. A break
// is a bug in decide, which its tests find: it panics.
func (d *decider) answered(e event) {
	q, isQ := e.(question)
	n := 0
	for _, a := range d.acts {
		if !isAnswer(a) {
			continue
		}
		n++
		if !isQ || !q.answers(a) {
			panic(fmt.Sprintf("peer: decide answered %T with %T", e, a))
		}
	}
	if isQ && n != 1 {
		panic(fmt.Sprintf("peer: decide gave %T %d answers, want 1", e, n))
	}
}

// decider collects the actions of one step.
type decider struct {
	s    state
	acts []action
}

func (d *decider) do(a ...action) { d.acts = append(d.acts, a...) }

func (d *decider) step(e event) {
	s := &d.s
	switch e := e.(type) {
	case evStart:
		switch {
		case e.join != "":
			s.phase, s.target = phaseDialing, e.join
		case e.host || !s.me.search:
			d.host()
		default:
			s.phase = phaseSearching
		}
	case evJoined:
		d.joined(e)
	case evPeerJoined:
		s.peers = slices.DeleteFunc(slices.Clone(s.peers), func(p wire.Peer) bool { return p.ID == e.peer.ID })
		s.peers = append(s.peers, e.peer)
	case evPeerLeft:
		s.peers = slices.DeleteFunc(slices.Clone(s.peers), func(p wire.Peer) bool { return p.ID == e.id })
	case evAsk:
		d.ask(e)
	case evSearched:
		d.searched(e)
	case evBackoff:
		d.backoff(e)
	case evProbed:
		d.probed(e)
	case evEldersAsked:
		d.eldersAsked(e)
	case evFound:
		d.foundHub(e)
	case evChecked:
		d.checked(e)
	case evTimer:
		d.timer(e)
	case evNoticed:
		s.noticed = e.now
	case evAdvertised:
		d.advertised(e)
	case evBrowsed:
		d.browsed(e)
	case evNetChanged:
		d.netChanged(e)
	case evAskedAround:
		s.hosting.asking = false
		d.askedAround(e.answers)
	case evQuit:
		// Clients that ask are told we are gone before our hub says
		// goodbye, so they elect a successor at once.
		d.do(actInfo{})
		if s.phase == phaseHosting || s.phase == phaseFolding {
			d.unhost()
		}
		s.phase = phaseStopped
		s.endRound()
	}
}

// joined takes the link's welcome.
func (d *decider) joined(e evJoined) {
	s := &d.s
	s.peers = slices.Clone(e.Peers)
	s.joinedAt = e.now
	d.s.fast = false
	switch {
	case s.phase == phaseFolding && e.URL == s.target:
		// The hub we fold into welcomed us: only now is ours closed, its
		// clients told where the room went first.
		h := s.hub
		d.do(logInfo("peer: joined another hub of the room; closing ours", "url", h.URL, "host", h.Name))
		d.do(actInfo{hub: e.URL})
		d.unhost()
		s.phase, s.joined = phaseJoined, e.URL
		s.endRound()
		d.do(actEmit{HostChanged{URL: h.URL, ID: h.ID, Name: h.Name, Reason: ReasonMerged}})
	case s.phase == phaseHosting || s.phase == phaseFolding || s.phase == phaseStopped:
		// Our link joined our own hub, or one we are leaving.
	default:
		s.phase, s.joined = phaseJoined, e.URL
		s.endRound()
		d.do(actInfo{hub: e.URL})
	}
}
