package peer

import (
	"log/slog"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// What decide hears (events) and what it asks for (actions). The owner
// carries out each action and reports its result, if it has one, as the
// event named beside it.

// Events decide takes.
type (
	event interface{ isEvent() }

	// evStart: Run begins; join is the hub URL to join first, if any; host
	// says to host at once, without searching.
	evStart struct {
		join string
		host bool
	}
	// evAsk: the link asks where to dial, after a session ended or a dial
	// failed (fail says how, if it did since the last ask).
	evAsk struct {
		now  time.Time
		fail failure
	}
	// evSearched: the search asked for is done; found is the first hub of
	// our room (nil if none answered), other one of our room's name with
	// another passphrase, or none, if one answered; elders are the
	// addresses of peers of the room found searching with a lower id.
	evSearched struct {
		now          time.Time
		found, other *discovery.Hub
		elders       []string
	}
	// evEldersAsked: the peers searching with a lower id were asked
	// again (actAskElders); found is the hub one of them hosts or points
	// to, nil if none does.
	evEldersAsked struct {
		now   time.Time
		found *discovery.Hub
	}
	// evProbed: the peer at url's address answered info, or err; when
	// info points to a hub, pointed is what that hub's own peer answered
	// (an error for a pointer off this peer's subnets, never asked).
	evProbed struct {
		now  time.Time
		url  string
		info Info
		err  error
		// pointed and perr: the answer at info.Hub.
		pointed Info
		perr    error
	}
	// evBackoff: the link asks how long to wait before reconnect attempt
	// n (1: after a session that was welcomed); jitter is a random number
	// in [0, 1) for the backoff's spread.
	evBackoff struct {
		now     time.Time
		attempt int
		jitter  float64
	}
	// evJoined, evPeerJoined, evPeerLeft: the link's events.
	evJoined struct {
		now time.Time
		link.Joined
	}
	evPeerJoined struct{ peer wire.Peer }
	evPeerLeft   struct{ id string }
	// evFound: while hosting, a browse found another hub of the room
	// (scanned: a search of the subnets did, not mDNS).
	evFound struct {
		now     time.Time
		hub     discovery.Hub
		scanned bool
	}
	// evTimer: the timer of kind set by actTimer went off, at now.
	evTimer struct {
		kind timerKind
		now  time.Time
	}
	// evNoticed: a peer's search of the subnets found us (our /api/peer was
	// asked by one), at now: it could not hear mDNS, so others may not.
	evNoticed struct{ now time.Time }
	// evChecked: the peer of a hub found answered info (with whether it
	// reached us back), or err.
	evChecked struct {
		hub  discovery.Hub
		info Info
		err  error
	}
	// evAdvertised: the advertisement of our hub ended by itself, err
	// saying why (no interface up: a link down).
	evAdvertised struct{ err error }
	// evBrowsed: a browse of a host (actBrowse) ended after took, err
	// saying why if it failed.
	evBrowsed struct {
		took time.Duration
		err  error
	}
	// evNetChanged: this machine's LAN addresses changed; url is our hub's
	// URL as others reach it now.
	evNetChanged struct{ url string }
	// evQuit: the peer is told to stop.
	evQuit struct{}
	// evAskedAround: what the former members answered at /api/peer.
	evAskedAround struct{ answers []answer }
)

func (evStart) isEvent()       {}
func (evAsk) isEvent()         {}
func (evSearched) isEvent()    {}
func (evEldersAsked) isEvent() {}
func (evProbed) isEvent()      {}
func (evBackoff) isEvent()     {}
func (evJoined) isEvent()      {}
func (evPeerJoined) isEvent()  {}
func (evPeerLeft) isEvent()    {}
func (evFound) isEvent()       {}
func (evNoticed) isEvent()     {}
func (evTimer) isEvent()       {}
func (evChecked) isEvent()     {}
func (evAdvertised) isEvent()  {}
func (evBrowsed) isEvent()     {}
func (evNetChanged) isEvent()  {}
func (evQuit) isEvent()        {}
func (evAskedAround) isEvent() {}

// answer is one former member's /api/peer, asked at url.
type answer struct {
	url  string
	info Info
}

// A question is an event the link's goroutine waits on an answer to:
// evAsk, evSearched, evProbed and evEldersAsked get exactly one of
// actDial, actDialOwn, actSearch, actProbe, actAskElders and actRetry;
// evBackoff gets exactly one actWait. decide keeps this rule (answered),
// and every other event gets none.
type question interface {
	event
	answers(action) bool
}

func (evAsk) answers(a action) bool         { return isDialAnswer(a) }
func (evSearched) answers(a action) bool    { return isDialAnswer(a) }
func (evProbed) answers(a action) bool      { return isDialAnswer(a) }
func (evEldersAsked) answers(a action) bool { return isDialAnswer(a) }
func (evBackoff) answers(a action) bool     { _, ok := a.(actWait); return ok }

// isAnswer says whether a is an answer to a question.
func isAnswer(a action) bool {
	_, wait := a.(actWait)
	return wait || isDialAnswer(a)
}

func isDialAnswer(a action) bool {
	switch a.(type) {
	case actDial, actDialOwn, actSearch, actProbe, actAskElders, actRetry:
		return true
	}
	return false
}

// Actions decide asks for.
type (
	action interface{ isAction() }

	actDial      struct{ url string }    // answer the link: dial url, telling our address
	actDialOwn   struct{}                // answer the link: dial our own hub
	actSearch    struct{ skip []hubKey } // answer the link: search (leaving out skip's hubs), then ask again (evSearched)
	actProbe     struct{ url string }    // answer the link: ask url's peer where the room is, then ask again (evProbed)
	actRetry     struct{}                // answer the link: no hub to dial yet; wait the backoff, then ask again
	actAskElders struct {                // answer the link: wait after, ask the peers at addrs whether they host, then ask again (evEldersAsked)
		addrs []string
		after time.Duration
	}
	actWait         struct{ d time.Duration } // answer the link's evBackoff: wait d
	actHost         struct{}                  // serve our hub on our listener
	actUnhost       struct{}                  // close our hub, ending its advertisements and browses
	actAdvertise    struct{}                  // (re)start advertising our hub; report evAdvertised if it ends by itself
	actBrowseAfresh struct{}                  // end the browse under way: the next starts with a fresh query
	actBrowse       struct{}                  // browse for other hubs of the room for up to hostBrowse, reporting each as evFound, then evBrowsed
	actHostScan     struct{}                  // search the subnets once for other hubs of the room; report each as evFound{scanned: true}
	actEmit         struct{ ev link.Event }
	actInfo         struct { // what /api/peer answers from now on
		hosting bool
		hub     string
	}
	actReconnect struct{} // end the link's session: it asks where to go next
	actTimer     struct { // set the timer of kind (again) to go off after; report evTimer
		kind  timerKind
		after time.Duration
	}
	actCancel    struct{ kind timerKind }    // the timer of kind must not go off
	actCheck     struct{ hub discovery.Hub } // ask hub's peer who it is; report evChecked
	actAskAround struct{ urls []string }     // ask these peers' /api/peer; report evAskedAround
	actLog       struct {
		level slog.Level
		msg   string
		args  []any
	}
)

func (actDial) isAction()         {}
func (actDialOwn) isAction()      {}
func (actSearch) isAction()       {}
func (actProbe) isAction()        {}
func (actAskElders) isAction()    {}
func (actRetry) isAction()        {}
func (actWait) isAction()         {}
func (actHost) isAction()         {}
func (actAdvertise) isAction()    {}
func (actBrowseAfresh) isAction() {}
func (actBrowse) isAction()       {}
func (actHostScan) isAction()     {}
func (actUnhost) isAction()       {}
func (actEmit) isAction()         {}
func (actInfo) isAction()         {}
func (actReconnect) isAction()    {}
func (actTimer) isAction()        {}
func (actCancel) isAction()       {}
func (actCheck) isAction()        {}
func (actAskAround) isAction()    {}
func (actLog) isAction()          {}

// A timerKind names one of the peer's timers; each kind has at most one
// set at a time, and setting it again moves it.
type timerKind int

const (
	// timerSettle: foldSettle after a host first heard of another hub of
	// the room, the hubs heard meanwhile are checked.
	timerSettle timerKind = iota
	// timerAskAround: every askAroundEvery, a lone host without discovery
	// asks its former room's members where the room is.
	timerAskAround
	// timerAlone: aloneAfter into hosting (then every hostBrowse until
	// said), a host that nobody joined and that heard no other hub says so.
	timerAlone
	// timerAdvertise: readvertise after an advertisement ended by
	// itself while hosting, advertise again.
	timerAdvertise
	// timerHostScan: mdnsQuiet into hosting, and then every hostBrowse to
	// maxHostScan, a host whose mDNS heard nobody and that is alone (or
	// was found by someone's search of the subnets lately) searches the
	// subnets itself.
	timerHostScan
	// timerBrowse: browsePause after a host's browse that ended at once
	// (it failed), browse again.
	timerBrowse
	numTimers
)

var timerNames = [...]string{"settle", "ask-around", "alone", "advertise", "host-scan", "browse"}

func (k timerKind) String() string { return timerNames[k] }
