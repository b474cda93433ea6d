package peer

import (
	"maps"
	"slices"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// Finding a hub to join: what a peer that does not host does when its
// link asks where to dial, and what it makes of a refusal.

// markFor is how long a hub that refused us is passed over while its
// record stays the same: long enough that a hub which answers as host and
// refuses every join (stale, full, broken or hostile) costs one try now
// and then, short enough that a hub that was only briefly unreachable (a
// lossy link dropping a connection's first packets) is tried again.
const markFor = 30 * time.Second

// markUnanswered is how long a hub that did not answer at all (no
// connection within the dial's bound) is passed over: on a lossy network
// that is often a lost packet, not a hub that refuses, so it is tried
// again soon; a firewalled hub costs one more dial every few seconds.
const markUnanswered = 5 * time.Second

// A failure is how the link's last attempt ended, as the owner saw it:
// the hub it dialed (url), the HTTP status that hub answered the upgrade
// with (0: none, a connection that failed or a session that ended), and
// the error code the hub sent, if any.
type failure struct {
	url    string
	status int
	code   string
}

// A refusal is what a failure says about the hub dialed.
type refusal int

const (
	notRefused refusal = iota // nothing failed at that hub
	notYet                    // a peer that does not host yet (503): it may, shortly
	unanswered                // no connection, no answer: pass it over for a little while
	refused                   // full, of another version or passphrase, unproven: pass it over
)

// refusal classifies f as an answer of the hub at target.
func (f failure) of(target string) refusal {
	if f.url == "" || f.url != target {
		return notRefused
	}
	switch {
	case f.code == wire.CodeRateLimited || f.code == wire.CodeBadStamp:
		return notRefused // said in a session, not a refusal of it
	case f.status == 503 && f.code == "":
		return notYet
	case f.status == 0 && f.code == "":
		return unanswered
	}
	return refused
}

// hubKey is a hub as a record names it: where, and whose.
type hubKey struct{ url, id string }

// mark is a hub that refused us: whose it was, and until when it is
// passed over.
type mark struct {
	id    string
	until time.Time
}

// markHub passes over the hub at url (of peer id) until markFor from now
// (markUnanswered for a hub that did not answer, r), or until another
// peer's record names that URL.
func (d *decider) markHub(url, id string, now time.Time, r refusal) {
	until := markFor
	if r == unanswered {
		until = markUnanswered
	}
	s := &d.s
	s.marks = maps.Clone(s.marks)
	if s.marks == nil {
		s.marks = map[string]mark{}
	}
	maps.DeleteFunc(s.marks, func(_ string, m mark) bool { return !now.Before(m.until) })
	s.marks[url] = mark{id: id, until: now.Add(until)}
	d.do(logInfo("peer: passing over a hub that refused us", "url", url, "id", id, "for", until))
}

// marked says whether the hub at url, of peer id, is passed over now.
func (s *state) marked(url, id string, now time.Time) bool {
	m, ok := s.marks[url]
	return ok && m.id == id && now.Before(m.until)
}

// ask answers the link after a session ended or a dial failed.
func (d *decider) ask(e evAsk) {
	s := &d.s
	now := e.now
	r := e.fail.of(s.target)
	switch s.phase {
	case phaseStopped, phaseHosting:
		d.do(actDialOwn{})
	case phaseFolding:
		if r == notRefused {
			d.do(actDial{s.target})
			return
		}
		// Not joined there: stay the host, and do not try it again soon.
		d.markHub(s.target, s.hub.ID, now, r)
		s.phase = phaseHosting
		d.s.fast = false
		d.do(actDialOwn{})
	case phaseJoined:
		d.do(logInfo("peer: lost the hub; finding the room's next host", "hub", s.joined))
		s.phase = phaseFailover
		s.fo = failover{lost: s.joined, tried: map[string]bool{}, since: now}
		d.s.fast = true
		d.do(actEmit{Searching{Room: s.me.room, Reason: ReasonHostLost}})
		// The lost hub's address may say where the room went.
		d.do(actProbe{s.joined})
	case phaseSearching, phaseElders:
		s.phase = phaseSearching
		d.do(actEmit{Searching{Room: s.me.room, Reason: ReasonStart}}, d.search(now))
	default:
		d.retry(now, r)
	}
}

// retry answers a peer dialing a hub it found, an elected successor, or
// the hub Join named: a refusal passes the hub over at once; one that is
// not hosting yet is given successorWait.
func (d *decider) retry(now time.Time, r refusal) {
	s := &d.s
	if fo, ok := s.round(); ok && (r >= unanswered || now.Sub(fo.since) > successorWait) {
		// Back to electing: the round is phaseFailover's again.
		s.fo, s.searching = fo, searching{}
		if fo.cand != "" {
			d.do(logInfo("peer: cannot join the elected host; trying the next", "id", fo.cand))
			fo.tried[fo.cand] = true
		} else if s.target != fo.lost {
			d.markHub(s.target, s.hub.ID, now, r) // a hub the lost one pointed to
		}
		d.elect(now)
		return
	}
	if s.phase == phaseFound && (r != notRefused || now.Sub(s.since) > successorWait) {
		// The hub we found went before we could join it, refuses us, or
		// is not our room's: pass it over. A 503 there is no successor
		// on its way up: a peer advertises only once its hub serves, so
		// its record is stale, or it lies.
		d.markHub(s.target, s.hub.ID, now, r)
		s.phase = phaseSearching
		d.do(actEmit{Searching{Room: s.me.room, Reason: ReasonStart}}, d.search(now))
		return
	}
	d.do(actDial{s.target})
}

// search asks for a search that leaves out the hubs passed over.
func (d *decider) search(now time.Time) action {
	var skip []hubKey
	for _, u := range slices.Sorted(maps.Keys(d.s.marks)) {
		if m := d.s.marks[u]; now.Before(m.until) {
			skip = append(skip, hubKey{url: u, id: m.id})
		}
	}
	return actSearch{skip: skip}
}

func (d *decider) searched(e evSearched) {
	s := &d.s
	if s.phase == phaseStopped {
		// Told to stop while the search ran: it finds nothing to join or host.
		d.do(actDialOwn{})
		return
	}
	if len(e.elders) > 0 && (e.found == nil || s.marked(e.found.URL, e.found.ID, e.now)) {
		// A peer of the room that searches with a lower id will host:
		// wait for it rather than host beside it.
		s.phase = phaseElders
		s.elders = elders{addrs: slices.Clone(e.elders), until: e.now.Add(elderWait), other: e.other}
		d.do(actAskElders{addrs: slices.Clone(e.elders), after: elderPoll})
		return
	}
	if h := e.found; h != nil && !s.marked(h.URL, h.ID, e.now) {
		d.do(logInfo("peer: found the room's hub", "url", h.URL, "host", h.Name))
		s.phase, s.target, s.hub, s.since = phaseFound, h.URL, *h, e.now
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
		d.dialTarget()
		return
	}
	d.host()
	d.do(actDialOwn{})
}

// elders are the peers a searching peer waits for to host.
type elders struct {
	addrs []string
	until time.Time      // when it gives up waiting
	other *discovery.Hub // what the search heard of another passphrase's hub
}

// eldersAsked acts on what the peers waited for answered: join the hub
// one of them hosts or points to; ask again every elderPoll until
// elderWait has passed; then go on as after a search that found nothing.
func (d *decider) eldersAsked(e evEldersAsked) {
	s := &d.s
	if !d.answersPhase(phaseElders) {
		return
	}
	w := s.elders
	switch {
	case e.found != nil:
	case e.now.Before(w.until):
		d.do(actAskElders{addrs: slices.Clone(w.addrs), after: elderPoll})
		return
	default:
		d.do(logInfo("peer: peers found searching did not host; hosting here"))
	}
	s.elders = elders{}
	d.searched(evSearched{now: e.now, found: e.found, other: w.other})
}

// answersPhase reports whether the result being decided on belongs to
// the phase the peer is in, p. If it does not, the peer has moved on since
// the work began, and this answers the link for where it is now: its own
// hub once told to stop (no round any more), else the target.
func (d *decider) answersPhase(p phase) bool {
	switch d.s.phase {
	case p:
		return true
	case phaseStopped:
		d.do(actDialOwn{})
	default:
		d.dialTarget()
	}
	return false
}

// dialTarget answers the link with the target, or, with none yet, to
// wait its backoff and ask again.
func (d *decider) dialTarget() {
	if d.s.target == "" {
		d.do(actRetry{})
		return
	}
	d.do(actDial{d.s.target})
}

// skips says whether a search leaving out skip leaves out h.
func skips(skip []hubKey, h discovery.Hub) bool {
	return slices.Contains(skip, hubKey{url: h.URL, id: h.ID})
}
