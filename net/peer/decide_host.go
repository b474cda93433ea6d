package peer

import (
	"cmp"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/huecast/huecast/net/discovery"
)

// Hosting: what a peer that serves the room's hub does when it hears of
// another hub of the room, and how it folds into one.

// maxChecks bounds the hubs a host asks after one settle.
const maxChecks = 4

// hosting is what a peer knows while it serves the room's hub
// (phaseHosting, phaseFolding): host starts it afresh, unhost drops it.
type hosting struct {
	// found are other hubs of the room heard, to check once foldSettle has
	// passed since the first (timerSettle runs while there are any).
	found []discovery.Hub
	// formerly are the addresses of the members of the room this peer was
	// in before it hosted: without discovery, a lone host asks them where
	// the room is, so that a room split by a failover (a join in flight at
	// the crash) comes back together.
	formerly []string
	asking   bool // an ask-around is under way
	heard    bool // another hub of the room was heard since timerAlone was set
	told     bool // Alone was said
	warned   bool // that advertising failed was said
	// scanEvery is the wait between searches of the subnets, doubling
	// from hostBrowse to maxHostScan while nothing changes; mdnsHeard says
	// mDNS heard another hub since the last look.
	scanEvery time.Duration
	mdnsHeard bool
}

func (d *decider) host() {
	s := &d.s
	var formerly []string
	for _, p := range s.peers {
		if p.ID != s.me.id && validAddr(p.Addr) {
			formerly = append(formerly, "ws://"+p.Addr+"/ws")
		}
	}
	s.phase, s.hosting = phaseHosting, hosting{formerly: formerly}
	s.endRound()
	s.fast = false
	d.do(actHost{}, actInfo{hosting: true},
		logInfo("peer: hosting", "url", s.me.public, "room", s.me.room),
		actEmit{Hosting{URL: s.me.public, Room: s.me.room}})
	if s.me.scan {
		d.do(actTimer{timerHostScan, mdnsQuiet})
	}
	if s.me.search {
		d.do(actAdvertise{}, actBrowse{}, actTimer{timerAlone, aloneAfter})
	} else {
		d.do(actTimer{timerAskAround, askAroundEvery})
	}
}

func (d *decider) unhost() {
	d.s.hosting = hosting{}
	d.do(actUnhost{})
	for k := range numTimers {
		d.do(actCancel{k})
	}
}

// timer acts on a timer that went off.
func (d *decider) timer(e evTimer) {
	s := &d.s
	hosts := s.phase == phaseHosting || s.phase == phaseFolding
	switch e.kind {
	case timerHostScan:
		if hosts {
			d.hostScan(e.now)
		}
	case timerSettle:
		d.settled()
	case timerAskAround:
		if !hosts || s.me.search {
			return
		}
		d.do(actTimer{timerAskAround, askAroundEvery})
		// A lone host without discovery has no other way to learn that
		// the room it came from lives on elsewhere.
		if s.phase == phaseHosting && !s.me.search && !s.hosting.asking && len(s.hosting.formerly) > 0 && lone(s) {
			s.hosting.asking = true
			d.do(actAskAround{slices.Clone(s.hosting.formerly)})
		}
	case timerAdvertise:
		if hosts {
			d.do(actAdvertise{})
		}
	case timerBrowse:
		if hosts {
			d.do(actBrowse{})
		}
	case timerAlone:
		if !hosts || s.hosting.told {
			return
		}
		// By now this peer's own search and its hub's first looks were
		// made: nobody joined and no other hub was heard, so say why
		// that may be, once. Else look again after the next browse.
		if s.phase == phaseHosting && !s.hosting.heard && lone(s) {
			s.hosting.told = true
			d.do(actEmit{Alone{Room: s.me.room, Causes: AloneCauses()}})
			return
		}
		s.hosting.heard = false
		d.do(actTimer{timerAlone, hostBrowse})
	}
}

// foundHub collects another hub of the room heard while hosting, and
// waits foldSettle for the answers of hubs started together before
// checking them.
func (d *decider) foundHub(e evFound) {
	s := &d.s
	h := e.hub
	if s.phase == phaseHosting && h.ID != s.me.id {
		s.hosting.heard = true
	}
	if !e.scanned {
		s.hosting.mdnsHeard = true
	}
	if s.phase != phaseHosting || h.ID == s.me.id || !s.me.admits(h) || s.marked(h.URL, h.ID, e.now) {
		return
	}
	first := len(s.hosting.found) == 0
	if i := slices.IndexFunc(s.hosting.found, func(f discovery.Hub) bool { return f.URL == h.URL }); i >= 0 {
		s.hosting.found = slices.Clone(s.hosting.found)
		s.hosting.found[i] = h
	} else {
		s.hosting.found = append(slices.Clone(s.hosting.found), h)
	}
	if first {
		d.do(actTimer{timerSettle, foldSettle})
	}
}

// settled checks the hubs found: the lowest with a lower id than ours,
// which we fold into if it really hosts our room (a stale or forged record
// must not empty a room), and those with a higher id, which we fold into
// only if they say they cannot reach us (our firewall keeps others out,
// and the room is theirs).
func (d *decider) settled() {
	s := &d.s
	found := s.hosting.found
	s.hosting.found = nil
	if s.phase != phaseHosting || len(found) == 0 {
		return
	}
	slices.SortFunc(found, func(a, b discovery.Hub) int { return strings.Compare(a.ID, b.ID) })
	var checks []discovery.Hub
	if found[0].ID < s.me.id {
		checks = append(checks, found[0])
	}
	for _, h := range found {
		if h.ID > s.me.id && len(checks) < maxChecks {
			checks = append(checks, h)
		}
	}
	for _, h := range checks {
		d.do(actCheck{h})
	}
}

// checked folds into the hub checked if it answered as one of our room
// with a lower id, or said it cannot reach us: the link joins it while our
// hub stays up, and only its welcome closes ours.
func (d *decider) checked(e evChecked) {
	s := &d.s
	if s.phase != phaseHosting {
		return
	}
	if e.err != nil || !e.info.Hosting || !s.me.ours(e.info) || e.info.ID != e.hub.ID {
		d.do(logDebug("peer: not folding into a hub that does not answer as one", "url", e.hub.URL, "err", e.err, "info", e.info))
		return
	}
	unreached := e.info.Reached != nil && !*e.info.Reached
	// Without discovery a lone host asked its former room's members, and
	// the room lives on at one with others in it (askedAround).
	livesOn := !s.me.search && lone(s) && e.info.Members >= 2
	if e.hub.ID > s.me.id && !unreached && !livesOn {
		return // it folds into ours
	}
	if unreached {
		d.do(logInfo("peer: another hub of the room cannot reach this one (a firewall?); joining it instead",
			"url", e.hub.URL, "host", e.hub.Name))
	} else {
		d.do(logInfo("peer: another hub serves the room; joining it", "url", e.hub.URL, "host", e.hub.Name))
	}
	s.phase, s.target, s.hub = phaseFolding, e.hub.URL, e.hub
	s.fast = true
	d.do(actReconnect{})
}

// advertised tries again, after readvertise, an advertisement that ended
// while we host (no interface up: a link down), so that a hub cut off and
// reconnected is heard, and folded, again. The first failure is told.
func (d *decider) advertised(e evAdvertised) {
	s := &d.s
	if s.phase != phaseHosting && s.phase != phaseFolding {
		return
	}
	if e.err != nil && !s.hosting.warned {
		s.hosting.warned = true
		d.do(actLog{level: slog.LevelWarn, msg: "peer: cannot advertise the hub; others can still join by address",
			args: []any{"err", e.err}})
	}
	d.do(actTimer{timerAdvertise, readvertise})
}

// browsed starts a host's next browse, one fresh browse after another
// (each starts with a query, so two hubs of a room that missed each
// other's announcements meet within hostBrowse); after one that ended at
// once (it failed), browsePause keeps it from spinning.
func (d *decider) browsed(e evBrowsed) {
	s := &d.s
	if s.phase != phaseHosting && s.phase != phaseFolding {
		return
	}
	if e.err != nil {
		d.do(logDebug("peer: browse", "err", e.err))
	}
	if e.took < browsePause {
		d.do(actTimer{timerBrowse, browsePause})
		return
	}
	d.do(actBrowse{})
}

// netChanged follows a change of this machine's addresses. A host
// advertises afresh, looks again for other hubs at once, and tells its new
// address; a peer that does not host reconnects, since the connection it
// had may be gone with the old address, and the hub learns the new one
// from the next hello.
func (d *decider) netChanged(e evNetChanged) {
	s := &d.s
	switch s.phase {
	case phaseHosting, phaseFolding:
		d.do(logInfo("peer: this machine's addresses changed; advertising afresh"),
			actAdvertise{}, actBrowseAfresh{})
		if s.me.scan {
			// A search of the subnets soon, and quickly again after.
			s.hosting.scanEvery = 0
			d.do(actTimer{timerHostScan, mdnsQuiet})
		}
		if e.url != "" {
			d.do(actEmit{Hosting{URL: e.url, Room: s.me.room}})
		}
	case phaseStopped:
	default:
		d.do(logInfo("peer: this machine's addresses changed; reconnecting"), actReconnect{})
	}
}

// hostScan searches the subnets for other hubs of the room when mDNS
// heard none and we are alone, or someone's search of the subnets found us
// lately (it could not hear mDNS, so others may not either). The searches
// thin out from every hostBrowse to every maxHostScan while nothing
// changes, so that a network where multicast is blocked does not carry a
// full sweep every few seconds; when one is not due, it looks again after
// the next browse.
func (d *decider) hostScan(now time.Time) {
	s := &d.s
	due := !s.hosting.mdnsHeard && (lone(s) || !s.noticed.IsZero() && now.Sub(s.noticed) < noticedFor)
	s.hosting.mdnsHeard = false
	if !due {
		d.do(actTimer{timerHostScan, hostBrowse})
		return
	}
	s.hosting.scanEvery = min(max(s.hosting.scanEvery*2, hostBrowse), maxHostScan)
	d.do(actHostScan{}, actTimer{timerHostScan, s.hosting.scanEvery})
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
	cands := slices.DeleteFunc(slices.Clone(answers), func(a answer) bool {
		return !a.info.Hosting || !s.me.ours(a.info) || a.info.ID == s.me.id || a.info.ID == "" ||
			a.info.Members < 2 && a.info.ID > s.me.id
	})
	if len(cands) == 0 {
		return
	}
	// The most members first; between equals, the lowest id.
	best := slices.MinFunc(cands, func(a, b answer) int {
		if c := cmp.Compare(b.info.Members, a.info.Members); c != 0 {
			return c
		}
		return strings.Compare(a.info.ID, b.info.ID)
	})
	d.do(logInfo("peer: the room lives on at a former member's hub; checking it", "url", best.url, "members", best.info.Members))
	d.do(actCheck{discovery.Hub{ID: best.info.ID, Name: best.info.Name, Room: best.info.Room, URL: best.url,
		Auth: best.info.Verifier != "", Verifier: best.info.Verifier}})
}
