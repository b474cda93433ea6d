package peer

import (
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// A peer's life is a state machine in the manner of etcd's raft: decide
// takes the state and one event and returns the next state and the actions
// to carry out. It does no I/O and reads no clock (events carry the time);
// the owner (owner.go) feeds it events and does what the actions say.

// phase is where a peer is in its life.
type phase int

const (
	// phaseSearching: the next step is a search of the LAN for the room's
	// hub (at start, after a hub found went, or a failover round that
	// found nobody to elect).
	phaseSearching phase = iota
	// phaseDialing: dialing target, which came from Join, a fold, or a
	// failover (then fo says which).
	phaseDialing
	// phaseFound: dialing a hub the search found; if it does not welcome
	// us within successorWait, search again.
	phaseFound
	// phaseJoined: the hub at joined welcomed us.
	phaseJoined
	// phaseFailover: the hub was lost; asking where the room went and
	// trying elected successors (fo).
	phaseFailover
	// phaseHosting: this peer serves the room's hub and its link joins it.
	phaseHosting
	// phaseStopped: the peer is stopping; its link is pointed at its own
	// hub's address until it ends.
	phaseStopped
)

var phaseNames = [...]string{"searching", "dialing", "found", "joined", "failover", "hosting", "stopped"}

func (p phase) String() string { return phaseNames[p] }

// self is what decide knows of the peer and never changes while it runs.
type self struct {
	id, room string
	public   string // our hub's URL for others
	canHost  bool   // we have a listener
	search   bool   // we have Discovery
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
	target string    // the hub to dial when not hosting
	since  time.Time // when target was chosen, for phaseFound
	joined string    // the hub that welcomed us last
	peers  []wire.Peer
	// refused are hubs that could not prove they know our passphrase;
	// they are not dialed again until the peer searches afresh.
	refused map[string]bool
	fo      *failover      // while the room looks for its next host; may outlive phaseFailover into a search
	best    *discovery.Hub // while hosting: the lowest other hub of the room found
	settle  bool           // while hosting: waiting foldSettle before checking best
	// formerly are the addresses of the members of the room this peer was
	// in before it hosted: without discovery, a lone host asks them where
	// the room is, so that a room split by a failover (a join in flight at
	// the crash) comes back together.
	formerly []string
	asking   bool // an ask-around is under way
}

// failover is what a peer that lost its hub knows while it looks for the next.
type failover struct {
	lost      string          // the hub lost
	tried     map[string]bool // successors given up
	cand      string          // id of the successor being tried; "" for a redirect
	since     time.Time       // when the current target was chosen
	redirects int
}

func (f *failover) clone() *failover {
	if f == nil {
		return nil
	}
	c := *f
	c.tried = maps.Clone(f.tried)
	return &c
}

// Events decide takes.
type (
	event interface{ isEvent() }

	// evStart: Run begins; join is the hub URL to join first, if any; host
	// says to host at once, without searching.
	evStart struct {
		join string
		host bool
	}
	// evAsk: the link asks where to dial, after a session ended or a dial failed.
	evAsk struct{ now time.Time }
	// evSearched: the search asked for is done; found is the first hub of
	// our room (nil if none answered), other one of our room's name with
	// another passphrase, or none, if one answered.
	evSearched struct {
		now          time.Time
		found, other *discovery.Hub
	}
	// evProbed: the peer at url's address answered info, or err.
	evProbed struct {
		now  time.Time
		url  string
		info Info
		err  error
	}
	// evJoined, evPeerJoined, evPeerLeft: the link's events.
	evJoined     struct{ link.Joined }
	evPeerJoined struct{ peer wire.Peer }
	evPeerLeft   struct{ id string }
	// evFound: while hosting, a browse found another hub of the room.
	evFound struct{ hub discovery.Hub }
	// evSettled: foldSettle has passed since the first such hub.
	evSettled struct{}
	// evChecked: the hub best asked answered info, or err.
	evChecked struct {
		hub  discovery.Hub
		info Info
		err  error
	}
	// evQuit: the peer is told to stop.
	evQuit struct{}
	// evRefused: the hub we dialed could not prove it knows our passphrase.
	evRefused struct{}
	// evTick: time passes (every askAroundEvery).
	evTick struct{}
	// evAskedAround: what the former members answered at /api/peer.
	evAskedAround struct{ answers []answer }
)

func (evStart) isEvent()       {}
func (evAsk) isEvent()         {}
func (evSearched) isEvent()    {}
func (evProbed) isEvent()      {}
func (evJoined) isEvent()      {}
func (evPeerJoined) isEvent()  {}
func (evPeerLeft) isEvent()    {}
func (evFound) isEvent()       {}
func (evSettled) isEvent()     {}
func (evChecked) isEvent()     {}
func (evQuit) isEvent()        {}
func (evRefused) isEvent()     {}
func (evTick) isEvent()        {}
func (evAskedAround) isEvent() {}

// answer is one former member's /api/peer, asked at url.
type answer struct {
	url  string
	info Info
}

// Actions decide asks for. Each evAsk, evSearched and evProbed gets exactly
// one answer: actDial, actDialOwn, actSearch or actProbe.
type (
	action interface{ isAction() }

	actDial    struct{ url string }    // answer the link: dial url, telling our address
	actDialOwn struct{}                // answer the link: dial our own hub
	actSearch  struct{ skip []string } // answer the link: search (leaving out skip's URLs), then ask again
	actProbe   struct{ url string }    // answer the link: ask url's peer where the room is, then ask again
	actHost    struct{}                // serve, advertise and watch our hub
	actUnhost  struct{}                // close our hub, stop advertising and watching
	actEmit    struct{ ev link.Event }
	actInfo    struct { // what /api/peer answers from now on
		hosting bool
		hub     string
	}
	actFast      struct{ on bool }           // reconnect quickly (the room changes host), or not
	actSettle    struct{}                    // report evSettled after foldSettle
	actCheck     struct{ hub discovery.Hub } // ask hub's peer who it is; report evChecked
	actAskAround struct{ urls []string }     // ask these peers' /api/peer; report evAskedAround
	actLog       struct {
		level slog.Level
		msg   string
		args  []any
	}
)

func (actDial) isAction()      {}
func (actDialOwn) isAction()   {}
func (actSearch) isAction()    {}
func (actProbe) isAction()     {}
func (actHost) isAction()      {}
func (actUnhost) isAction()    {}
func (actEmit) isAction()      {}
func (actInfo) isAction()      {}
func (actFast) isAction()      {}
func (actSettle) isAction()    {}
func (actCheck) isAction()     {}
func (actAskAround) isAction() {}
func (actLog) isAction()       {}

func logInfo(msg string, args ...any) action {
	return actLog{level: slog.LevelInfo, msg: msg, args: args}
}

func logDebug(msg string, args ...any) action {
	return actLog{level: slog.LevelDebug, msg: msg, args: args}
}

// decide is the peer's one rule book: the state after e, and what to do.
func decide(s state, e event) (state, []action) {
	s.fo = s.fo.clone()
	d := decider{s: s}
	d.step(e)
	return d.s, d.acts
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
		s.peers = slices.Clone(e.Peers)
		d.do(actFast{false})
		switch s.phase {
		case phaseHosting, phaseStopped:
			// Our link joined our own hub, or one we are leaving.
		default:
			s.phase, s.joined, s.fo = phaseJoined, e.URL, nil
			d.do(actInfo{hub: e.URL})
		}

	case evPeerJoined:
		s.peers = slices.DeleteFunc(slices.Clone(s.peers), func(p wire.Peer) bool { return p.ID == e.peer.ID })
		s.peers = append(s.peers, e.peer)

	case evPeerLeft:
		s.peers = slices.DeleteFunc(slices.Clone(s.peers), func(p wire.Peer) bool { return p.ID == e.id })

	case evAsk:
		d.ask(e.now)

	case evSearched:
		d.searched(e)

	case evProbed:
		d.probed(e)

	case evFound:
		if s.phase != phaseHosting || e.hub.ID >= s.me.id || !s.me.admits(e.hub) {
			return
		}
		if s.best == nil || e.hub.ID < s.best.ID {
			h := e.hub
			s.best = &h
		}
		if !s.settle {
			s.settle = true
			d.do(actSettle{})
		}

	case evSettled:
		// Check the best hub found whether it really hosts our room before
		// we fold into it; a stale or forged record must not empty a room.
		h := s.best
		s.best, s.settle = nil, false
		if h != nil && s.phase == phaseHosting {
			d.do(actCheck{*h})
		}

	case evChecked:
		d.checked(e)

	case evTick:
		// A lone host without discovery has no other way to learn that
		// the room it came from lives on elsewhere.
		if s.phase == phaseHosting && !s.me.search && !s.asking && len(s.formerly) > 0 && lone(s) {
			s.asking = true
			d.do(actAskAround{slices.Clone(s.formerly)})
		}

	case evAskedAround:
		s.asking = false
		d.askedAround(e.answers)

	case evRefused:
		if s.target != "" {
			s.refused = maps.Clone(s.refused)
			if s.refused == nil {
				s.refused = map[string]bool{}
			}
			s.refused[s.target] = true
		}

	case evQuit:
		// Clients that ask are told we are gone before our hub says
		// goodbye, so they elect a successor at once.
		d.do(actInfo{})
		if s.phase == phaseHosting {
			d.unhost()
		}
		s.phase = phaseStopped
	}
}

// ask answers the link after a session ended or a dial failed.
func (d *decider) ask(now time.Time) {
	s := &d.s
	switch s.phase {
	case phaseStopped, phaseHosting:
		d.do(actDialOwn{})
	case phaseJoined:
		d.do(logInfo("peer: lost the hub; finding the room's next host", "hub", s.joined))
		s.phase = phaseFailover
		s.fo = &failover{lost: s.joined, tried: map[string]bool{}, since: now}
		d.do(actFast{true}, actEmit{Searching{Room: s.me.room, Reason: ReasonHostLost}})
		// The lost hub's address may say where the room went.
		d.do(actProbe{s.joined})
	case phaseSearching:
		d.do(actEmit{Searching{Room: s.me.room, Reason: ReasonStart}}, d.search())
	default:
		refused := s.refused[s.target]
		if fo := s.fo; fo != nil && (refused || now.Sub(fo.since) > successorWait) {
			if fo.cand != "" {
				d.do(logInfo("peer: cannot reach the elected host; trying the next", "id", fo.cand))
				fo.tried[fo.cand] = true
			}
			d.elect(now)
			return
		}
		if s.phase == phaseFound && (refused || now.Sub(s.since) > successorWait) {
			// The hub we found went before we could join it, or is not
			// our room's.
			s.phase = phaseSearching
			d.do(actEmit{Searching{Room: s.me.room, Reason: ReasonStart}}, d.search())
			return
		}
		d.do(actDial{s.target})
	}
}

func (d *decider) searched(e evSearched) {
	s := &d.s
	if h := e.found; h != nil {
		d.do(logInfo("peer: found the room's hub", "url", h.URL, "host", h.Name))
		s.phase, s.target, s.since = phaseFound, h.URL, e.now
		d.do(actDial{h.URL})
		return
	}
	if h := e.other; h != nil {
		// Another group uses our room's name with another passphrase, or
		// none: we never join it, and host our own room beside it.
		d.do(logInfo("peer: a hub of the room's name with another passphrase answered; not joining it",
			"url", h.URL, "host", h.Name, "locked", h.Auth))
		if h.Auth && !s.me.locked {
			// Perhaps the person meant that room: a window asks for its
			// passphrase.
			d.do(actEmit{link.HubError{Code: wire.CodeUnauthorized,
				Message: "Room '" + s.me.room + "' needs a passphrase; set it under Name and room…, or with --passphrase."}})
		}
	}
	if !s.me.canHost {
		// Without a listener we cannot host; keep looking.
		s.phase = phaseSearching
		d.do(actDial{s.target})
		return
	}
	d.host()
	d.do(actDialOwn{})
}

// probed acts on what the lost hub's address said.
func (d *decider) probed(e evProbed) {
	s := &d.s
	fo := s.fo
	if fo == nil {
		d.do(actDial{s.target})
		return
	}
	ok := e.err == nil && s.me.ours(e.info)
	switch {
	case ok && e.info.Hosting:
		// The hub is there after all: we were dropped, not it.
		s.target, fo.cand, fo.since = e.url, "", e.now
		d.do(actDial{e.url})
	case ok && e.info.Hub != "" && e.info.Hub != e.url && fo.redirects < maxRedirects:
		// It folded into another hub of the room: follow it there.
		fo.redirects++
		s.target, fo.cand, fo.since = e.info.Hub, "", e.now
		d.do(logInfo("peer: the room moved", "from", e.url, "to", e.info.Hub),
			actEmit{HostChanged{URL: e.info.Hub, Reason: ReasonMerged}},
			actDial{e.info.Hub})
	default:
		d.elect(e.now)
	}
}

// elect picks the successor: the lowest id among the room's peers with an
// address, leaving out those tried in vain. Every peer holds the same list,
// so every peer picks the same.
func (d *decider) elect(now time.Time) {
	s := &d.s
	fo := s.fo
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
		d.do(actFast{false})
		s.phase = phaseFailover
		if s.me.search && !s.me.join {
			s.phase = phaseSearching
		}
		d.do(actDial{fo.lost})
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
	d.do(logInfo("peer: the room's new host", "id", c.ID, "name", c.Name, "url", url),
		actFast{true},
		actEmit{HostChanged{URL: url, ID: c.ID, Name: c.Name, Reason: ReasonHostLost}},
		actDial{url})
}

// checked folds into the hub checked if it answered as one of our room
// with a lower id.
func (d *decider) checked(e evChecked) {
	s := &d.s
	if s.phase != phaseHosting {
		return
	}
	if e.err != nil || !e.info.Hosting || !s.me.ours(e.info) || e.info.ID != e.hub.ID {
		d.do(logDebug("peer: not folding into a hub that does not answer as one", "url", e.hub.URL, "err", e.err, "info", e.info))
		return
	}
	d.do(logInfo("peer: another hub serves the room; moving there", "url", e.hub.URL, "host", e.hub.Name))
	d.unhost()
	s.phase, s.target = phaseDialing, e.hub.URL
	d.do(actInfo{hub: e.hub.URL}, actFast{true},
		actEmit{HostChanged{URL: e.hub.URL, ID: e.hub.ID, Name: e.hub.Name, Reason: ReasonMerged}})
}

func (d *decider) host() {
	s := &d.s
	s.formerly = nil
	for _, p := range s.peers {
		if p.ID != s.me.id && validAddr(p.Addr) {
			s.formerly = append(s.formerly, "ws://"+p.Addr+"/ws")
		}
	}
	s.phase, s.fo, s.best, s.settle, s.asking = phaseHosting, nil, nil, false, false
	d.do(actHost{}, actFast{false}, actInfo{hosting: true},
		logInfo("peer: hosting", "url", s.me.public, "room", s.me.room),
		actEmit{Hosting{URL: s.me.public, Room: s.me.room}})
}

func (d *decider) unhost() {
	d.s.best, d.s.settle = nil, false
	d.do(actUnhost{})
}

// search asks for a search, which forgets the hubs refused before it.
func (d *decider) search() action {
	skip := slices.Sorted(maps.Keys(d.s.refused))
	d.s.refused = nil
	return actSearch{skip: skip}
}

// lone says whether our hub has no member but ourselves.
func lone(s *state) bool {
	for _, p := range s.peers {
		if p.ID != s.me.id {
			return false
		}
	}
	return true
}

// askedAround folds a lone host into the hub a former member hosts for
// our room (name and passphrase) when that hub has other members, or has
// a lower id: the room went on there without us. Two lone hosts that
// know each other end in the lower one.
func (d *decider) askedAround(answers []answer) {
	s := &d.s
	if s.phase != phaseHosting || !lone(s) {
		return
	}
	var best *answer
	for i, a := range answers {
		if !a.info.Hosting || !s.me.ours(a.info) || a.info.ID == s.me.id || a.info.ID == "" {
			continue
		}
		if a.info.Members < 2 && a.info.ID > s.me.id {
			continue
		}
		if best == nil || a.info.Members > best.info.Members ||
			a.info.Members == best.info.Members && a.info.ID < best.info.ID {
			best = &answers[i]
		}
	}
	if best == nil {
		return
	}
	d.do(logInfo("peer: the room lives on at a former member's hub; checking it", "url", best.url, "members", best.info.Members))
	d.do(actCheck{discovery.Hub{ID: best.info.ID, Name: best.info.Name, Room: best.info.Room, URL: best.url,
		Auth: best.info.Verifier != "", Verifier: best.info.Verifier}})
}
