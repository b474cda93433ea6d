package peer

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// These tests pin the rules of a peer's life with no sockets and no clock:
// feed events to decide, and check the phase it ends in and the actions it
// asks for on the last event (logs left out).

var (
	t0    = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	later = t0.Add(successorWait + time.Second) // past successorWait
	me    = self{id: "m", room: "lobby", public: "ws://10.0.0.9:7788/ws", canHost: true, search: true}

	lost  = "ws://10.0.0.1:7788/ws"
	room3 = []wire.Peer{
		{ID: "h", Name: "Host"}, // the host tells no address
		{ID: "b", Name: "Bea", Addr: "10.0.0.2:7788"},
		{ID: "m", Name: "Me", Addr: "10.0.0.9:7788"},
		{ID: "c", Name: "Cy", Addr: "10.0.0.3:7788"},
	}
	lowHub     = discovery.Hub{ID: "a", Name: "Ann", Room: "lobby", URL: "ws://10.0.0.4:7788/ws"}
	highHub    = discovery.Hub{ID: "z", Name: "Zed", Room: "lobby", URL: "ws://10.0.0.5:7788/ws"}
	checkedLow = evChecked{hub: lowHub, info: Info{ID: "a", Room: "lobby", Hosting: true}}
	yes, no    = true, false

	// A peer of room lobby with a passphrase, and hubs of its name.
	locked       = self{id: "m", room: "lobby", public: "ws://10.0.0.9:7788/ws", canHost: true, search: true, locked: true, vk: "0123abcd"}
	lockedHub    = discovery.Hub{ID: "a", Name: "Ann", Room: "lobby", URL: "ws://10.0.0.4:7788/ws", Auth: true, Verifier: "99999999"}
	ourLockedHub = discovery.Hub{ID: "a", Name: "Ann", Room: "lobby", URL: "ws://10.0.0.4:7788/ws", Auth: true, Verifier: "0123abcd"}
)

func joinedTo(url string, peers []wire.Peer) evJoined {
	return evJoined{Joined: link.Joined{URL: url, Peers: peers}}
}

func probed(now time.Time, url string, info Info, err error) evProbed {
	return evProbed{now: now, url: url, info: info, err: err}
}

// pointing: the lost hub at url points to a hub that answers pointed.
func pointing(url string, info, pointed Info) evProbed {
	return evProbed{now: t0, url: url, info: info, pointed: pointed}
}

func hostingActs(me self) []action {
	acts := []action{actHost{}, actInfo{hosting: true}, actEmit{Hosting{URL: me.public, Room: me.room}}}
	if !me.search {
		return append(acts, actTimer{timerAskAround, askAroundEvery})
	}
	return append(acts, actAdvertise{}, actBrowse{}, actTimer{timerAlone, aloneAfter})
}

func TestDecide(t *testing.T) {
	noSearch := me
	noSearch.search = false
	noListener := me
	noListener.canHost = false
	joinFlag := me
	joinFlag.join = true

	// A peer that joined lost's hub and lost it.
	inFailover := []event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0}}
	// A peer that elected itself (ids b and c could not be reached).
	selfElected := append(slices.Clone(inFailover), probed(t0, lost, Info{}, errors.New("refused")),
		evAsk{now: later}, evAsk{now: later.Add(later.Sub(t0))}, joinedTo("ws://127.0.0.1:7788/ws", []wire.Peer{{ID: "m"}}))
	// A peer whose search found peers searching with a lower id.
	elderAddrs := []string{"10.0.0.2:7788"}
	waitingForElders := []event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, nil, elderAddrs}}
	// A peer hosting, that found a lower hub and waited.
	settled := []event{evStart{host: true}, evFound{now: t0, hub: lowHub}, evTimer{kind: timerSettle}}

	cases := []struct {
		name   string
		me     self
		events []event
		phase  phase
		want   []action // on the last event, logs left out
	}{
		{"with Join it dials the hub given", me,
			[]event{evStart{join: lost}, evAsk{now: t0}}, phaseDialing, []action{actDial{lost}}},
		{"without discovery it hosts at once", noSearch,
			[]event{evStart{}}, phaseHosting, hostingActs(noSearch)},
		{"with Host it hosts at once", me,
			[]event{evStart{host: true}}, phaseHosting, hostingActs(me)},
		{"with discovery it searches first", me,
			[]event{evStart{}, evAsk{now: t0}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{}}},
		{"a hub found is dialed", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}}, phaseFound, []action{actDial{lowHub.URL}}},
		{"only a locked room of our name found: ask for its passphrase, and host our own", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, &lockedHub, nil}}, phaseHosting,
			append([]action{actEmit{link.HubError{Code: wire.CodeUnauthorized,
				Message: "Room 'lobby' needs a passphrase; set it under Name and room…, or with --passphrase."}}},
				append(hostingActs(me), actDialOwn{})...)},
		{"only another passphrase's room found: host our own beside it", locked,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, &lockedHub, nil}}, phaseHosting,
			append(hostingActs(locked), actDialOwn{})},
		{"a hub found that cannot prove itself is searched past at once", locked,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, code: wire.CodeUnprovenHub}}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"a successor that cannot prove itself is passed over at once", locked,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: t0, fail: failure{url: "ws://10.0.0.2:7788/ws", code: wire.CodeUnprovenHub}}), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.3:7788/ws", ID: "c", Name: "Cy", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.3:7788/ws"}}},
		{"a lost hub that folded into a room of another passphrase is not followed", locked,
			append(inFailover, probed(t0, lost, Info{ID: "h", Room: "lobby", Hub: lowHub.URL, Verifier: "99999999"}, nil)), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a lost hub of our passphrase that folded is followed", locked,
			append(inFailover, pointing(lost, Info{ID: "h", Room: "lobby", Hub: lowHub.URL, Verifier: locked.vk}, Info{ID: "a", Name: "Ann", Room: "lobby", Hosting: true, Verifier: locked.vk})), phaseFailover,
			[]action{actEmit{HostChanged{URL: lowHub.URL, ID: "a", Name: "Ann", Reason: ReasonMerged}}, actDial{lowHub.URL}}},
		{"a locked host ignores an open hub with a lower id", locked,
			[]event{evStart{host: true}, evFound{now: t0, hub: lowHub}}, phaseHosting, nil},
		{"a locked host ignores a hub of another passphrase", locked,
			[]event{evStart{host: true}, evFound{now: t0, hub: lockedHub}}, phaseHosting, nil},
		{"an open host ignores a locked hub with a lower id", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: lockedHub}}, phaseHosting, nil},
		{"a locked host waits to fold into a hub of its passphrase", locked,
			[]event{evStart{host: true}, evFound{now: t0, hub: ourLockedHub}}, phaseHosting, []action{actTimer{timerSettle, foldSettle}}},
		{"a locked host does not fold into a hub whose peer answers for another passphrase", locked,
			[]event{evStart{host: true}, evFound{now: t0, hub: ourLockedHub}, evTimer{kind: timerSettle},
				evChecked{hub: ourLockedHub, info: Info{ID: "a", Room: "lobby", Hosting: true, Verifier: "99999999"}}}, phaseHosting, nil},
		{"nothing found: it hosts", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, nil, nil}}, phaseHosting, append(hostingActs(me), actDialOwn{})},
		{"nothing found and no listener: it keeps searching", noListener,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, nil, nil}}, phaseSearching, []action{actRetry{}}},
		{"a hub found that fails is retried for a while", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0.Add(time.Second)}}, phaseFound,
			[]action{actDial{lowHub.URL}}},
		{"a hub found that cannot be reached is passed over at once", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL}}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"a full hub found is passed over at once", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, code: wire.CodeRoomFull}}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"a hub found of another version is passed over at once", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, code: wire.CodeBadVersion}}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"a hub found that answers 503 does not host (a stale record, or a lie): passed over at once", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, status: 503}}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"an elected successor that answers 503 is given successorWait", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: t0.Add(time.Second), fail: failure{url: "ws://10.0.0.2:7788/ws", status: 503}}), phaseFailover,
			[]action{actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a 503 that outlasts successorWait passes the successor over", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: later, fail: failure{url: "ws://10.0.0.2:7788/ws", status: 503}}), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.3:7788/ws", ID: "c", Name: "Cy", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.3:7788/ws"}}},
		{"a hub passed over and found again is not dialed: with nothing else, the peer hosts", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL}},
				evSearched{t0.Add(time.Second), &lowHub, nil, nil}}, phaseHosting, append(hostingActs(me), actDialOwn{})},
		{"another peer's record at that address is dialed", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL}},
				evSearched{t0.Add(time.Second), &discovery.Hub{ID: "a2", Room: "lobby", URL: lowHub.URL}, nil, nil}}, phaseFound, []action{actDial{lowHub.URL}}},
		{"so is a record that did not answer, once its short mark ran out (a lost packet, not a refusal)", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL}},
				evSearched{t0.Add(markUnanswered), &lowHub, nil, nil}}, phaseFound, []action{actDial{lowHub.URL}}},
		{"a record that refused is still passed over then", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, code: wire.CodeRoomFull}},
				evSearched{t0.Add(markUnanswered), &lowHub, nil, nil}}, phaseHosting, append(hostingActs(me), actDialOwn{})},
		{"and dialed again once its mark ran out", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: t0, fail: failure{url: lowHub.URL, code: wire.CodeRoomFull}},
				evSearched{t0.Add(markFor), &lowHub, nil, nil}}, phaseFound, []action{actDial{lowHub.URL}}},
		{"with Join it keeps dialing whatever the refusal (the link backs off)", me,
			[]event{evStart{join: lost}, evAsk{now: t0}, evAsk{now: later, fail: failure{url: lost, code: wire.CodeRoomFull}}}, phaseDialing,
			[]action{actDial{lost}}},
		{"an elected successor that cannot be reached is passed over at once", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: t0, fail: failure{url: "ws://10.0.0.2:7788/ws"}}), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.3:7788/ws", ID: "c", Name: "Cy", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.3:7788/ws"}}},
		{"a member the hub did not reach (no addr) is never elected, even with the lowest id", self{id: "a0", room: "lobby", public: "ws://10.0.0.8:7788/ws", canHost: true, search: true},
			[]event{evStart{join: lost}, joinedTo(lost, append([]wire.Peer{{ID: "a0", Name: "Walled"}}, room3...)), evAsk{now: t0},
				probed(t0, lost, Info{}, errors.New("refused"))}, phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a hub found that never welcomes is passed over", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}, evAsk{now: later}}, phaseSearching,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}},
		{"a search that found peers of the room searching with a lower id waits for one to host", me,
			waitingForElders, phaseElders, []action{actAskElders{addrs: elderAddrs, after: elderPoll}}},
		{"an elder that hosts now is joined", me,
			append(slices.Clone(waitingForElders), evEldersAsked{t0.Add(elderPoll), &lowHub}), phaseFound, []action{actDial{lowHub.URL}}},
		{"elders are asked again every elderPoll", me,
			append(slices.Clone(waitingForElders), evEldersAsked{t0.Add(elderPoll), nil}), phaseElders,
			[]action{actAskElders{addrs: elderAddrs, after: elderPoll}}},
		{"until elderWait: then it hosts", me,
			append(slices.Clone(waitingForElders), evEldersAsked{t0.Add(elderPoll), nil}, evEldersAsked{t0.Add(elderWait), nil}), phaseHosting,
			append(hostingActs(me), actDialOwn{})},
		{"and still tells of another passphrase's hub heard in the search", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, nil, &lockedHub, elderAddrs}, evEldersAsked{t0.Add(elderWait), nil}}, phaseHosting,
			append([]action{actEmit{link.HubError{Code: wire.CodeUnauthorized,
				Message: "Room 'lobby' needs a passphrase; set it under Name and room…, or with --passphrase."}}},
				append(hostingActs(me), actDialOwn{})...)},
		{"a hub found is joined without waiting for elders", me,
			[]event{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, elderAddrs}}, phaseFound, []action{actDial{lowHub.URL}}},
		{"a peer told to stop while it waits dials its own address", me,
			append(slices.Clone(waitingForElders), evQuit{}, evEldersAsked{t0.Add(elderPoll), nil}), phaseStopped, []action{actDialOwn{}}},
		{"a welcome joins, and says where the hub is", me,
			[]event{evStart{join: lost}, joinedTo(lost, room3)}, phaseJoined,
			[]action{actInfo{hub: lost}}},
		{"a lost hub is asked first where the room went", me,
			inFailover, phaseFailover,
			[]action{actEmit{Searching{Room: "lobby", Reason: ReasonHostLost}}, actProbe{lost}}},
		{"a lost hub that still hosts is rejoined", me,
			append(inFailover, probed(t0, lost, Info{ID: "h", Room: "lobby", Hosting: true}, nil)), phaseFailover,
			[]action{actDial{lost}}},
		{"a lost hub that folded is followed", me,
			append(inFailover, pointing(lost, Info{ID: "h", Room: "lobby", Hub: lowHub.URL}, Info{ID: "a", Name: "Ann", Room: "lobby", Hosting: true})), phaseFailover,
			[]action{actEmit{HostChanged{URL: lowHub.URL, ID: "a", Name: "Ann", Reason: ReasonMerged}}, actDial{lowHub.URL}}},
		{"a pointer whose hub does not answer as one is not followed", me,
			append(inFailover, pointing(lost, Info{ID: "h", Room: "lobby", Hub: lowHub.URL}, Info{ID: "a", Room: "lobby", Hosting: false})), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a pointer off this peer's subnets is not followed", me,
			append(inFailover, evProbed{now: t0, url: lost, info: Info{ID: "h", Room: "lobby", Hub: lowHub.URL}, perr: errOffLink}), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a lost hub of another room name is not followed", me,
			append(inFailover, probed(t0, lost, Info{ID: "h", Room: "other", Hub: lowHub.URL}, nil)), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"redirects are followed at most maxRedirects times", me,
			append(inFailover,
				pointing(lost, Info{Room: "lobby", Hub: "ws://x1:1/ws"}, Info{Room: "lobby", Hosting: true}),
				pointing("ws://x1:1/ws", Info{Room: "lobby", Hub: "ws://x2:1/ws"}, Info{Room: "lobby", Hosting: true}),
				pointing("ws://x2:1/ws", Info{Room: "lobby", Hub: "ws://x3:1/ws"}, Info{Room: "lobby", Hosting: true}),
				pointing("ws://x3:1/ws", Info{Room: "lobby", Hub: "ws://x4:1/ws"}, Info{Room: "lobby", Hosting: true})), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a lost hub that is gone: the lowest id with an address is elected", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused"))), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "b", Name: "Bea", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.2:7788/ws"}}},
		{"the successor is retried until successorWait", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: t0.Add(time.Second)}), phaseFailover,
			[]action{actDial{"ws://10.0.0.2:7788/ws"}}},
		{"a successor nobody reaches is passed over", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: later}), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.3:7788/ws", ID: "c", Name: "Cy", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.3:7788/ws"}}},
		{"when every lower id fails, the peer hosts", me,
			append(inFailover, probed(t0, lost, Info{}, errors.New("refused")), evAsk{now: later}, evAsk{now: later.Add(later.Sub(t0))}), phaseHosting,
			append([]action{actEmit{HostChanged{URL: me.public, ID: "m", Name: "Me", Reason: ReasonHostLost}}},
				append(hostingActs(me), actDialOwn{})...)},
		{"nobody left to elect: retry the lost hub, and search", me,
			[]event{evStart{join: lost}, joinedTo(lost, room3[:1]), evAsk{now: t0}, probed(t0, lost, Info{}, errors.New("refused"))},
			phaseSearching, []action{actDial{lost}}},
		{"nobody left to elect with Join: retry the lost hub without searching", joinFlag,
			[]event{evStart{join: lost}, joinedTo(lost, room3[:1]), evAsk{now: t0}, probed(t0, lost, Info{}, errors.New("refused"))},
			phaseFailover, []action{actDial{lost}}},
		{"without a listener it is never elected", noListener,
			[]event{evStart{join: lost}, joinedTo(lost, []wire.Peer{{ID: "m", Addr: "10.0.0.9:7788"}, {ID: "x", Addr: "10.0.0.5:7788"}}),
				evAsk{now: t0}, probed(t0, lost, Info{}, errors.New("refused"))}, phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.9:7788/ws", ID: "m", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.9:7788/ws"}}},
		{"a peer that left is not elected", me,
			append([]event{evStart{join: lost}, joinedTo(lost, room3), evPeerLeft{"b"}}, evAsk{now: t0},
				probed(t0, lost, Info{}, errors.New("refused"))), phaseFailover,
			[]action{actEmit{HostChanged{URL: "ws://10.0.0.3:7788/ws", ID: "c", Name: "Cy", Reason: ReasonHostLost}},
				actDial{"ws://10.0.0.3:7788/ws"}}},
		{"a host checks hubs with a higher id too, whether they reach it", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: highHub}, evTimer{kind: timerSettle}}, phaseHosting, []action{actCheck{highHub}}},
		{"a higher hub that reaches us is left to fold into ours", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: highHub}, evTimer{kind: timerSettle},
				evChecked{hub: highHub, info: Info{ID: "z", Room: "lobby", Hosting: true, Reached: &yes}}}, phaseHosting, nil},
		{"a higher hub that cannot reach us is joined (our firewall keeps others out)", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: highHub}, evTimer{kind: timerSettle},
				evChecked{hub: highHub, info: Info{ID: "z", Room: "lobby", Hosting: true, Reached: &no}}}, phaseFolding,
			[]action{actReconnect{}}},
		{"a host waits for the answers of hubs started together", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: lowHub}}, phaseHosting, []action{actTimer{timerSettle, foldSettle}}},
		{"then checks the lowest", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: discovery.Hub{ID: "b"}}, evFound{now: t0, hub: lowHub}, evFound{now: t0, hub: discovery.Hub{ID: "c"}}, evTimer{kind: timerSettle}},
			phaseHosting, []action{actCheck{lowHub}}},
		{"and joins it, keeping its own hub, if it answers as a hub of the room", me,
			append(slices.Clone(settled), checkedLow), phaseFolding,
			[]action{actReconnect{}}},
		{"a folding host dials the hub it folds into", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0, fail: failure{url: me.public}}), phaseFolding,
			[]action{actDial{lowHub.URL}}},
		{"only that hub's welcome closes ours, its clients told where the room went first", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0}, joinedTo(lowHub.URL, nil)), phaseJoined,
			[]action{actInfo{hub: lowHub.URL}, actUnhost{}, actCancel{timerSettle}, actCancel{timerAskAround}, actCancel{timerAlone}, actCancel{timerAdvertise}, actCancel{timerHostScan}, actCancel{timerBrowse},
				actEmit{HostChanged{URL: lowHub.URL, ID: "a", Name: "Ann", Reason: ReasonMerged}}}},
		{"a hub that refuses the fold is passed over, and the link comes home", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0}, evAsk{now: t0, fail: failure{url: lowHub.URL, status: 503}}), phaseHosting,
			[]action{actDialOwn{}}},
		{"a hub passed over is not checked again", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0}, evAsk{now: t0, fail: failure{url: lowHub.URL, status: 503}},
				evFound{now: t0.Add(time.Second), hub: lowHub}), phaseHosting, nil},
		{"until its mark runs out", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0}, evAsk{now: t0, fail: failure{url: lowHub.URL, status: 503}},
				evFound{now: t0.Add(markFor), hub: lowHub}), phaseHosting, []action{actTimer{timerSettle, foldSettle}}},
		{"a folding peer told to quit closes its hub", me,
			append(slices.Clone(settled), checkedLow, evQuit{}), phaseStopped, []action{actInfo{}, actUnhost{}, actCancel{timerSettle}, actCancel{timerAskAround}, actCancel{timerAlone}, actCancel{timerAdvertise}, actCancel{timerHostScan}, actCancel{timerBrowse}}},
		{"not if it does not host", me,
			append(settled, evChecked{hub: lowHub, info: Info{ID: "a", Room: "lobby"}}), phaseHosting, nil},
		{"not if it is another peer", me,
			append(settled, evChecked{hub: lowHub, info: Info{ID: "q", Room: "lobby", Hosting: true}}), phaseHosting, nil},
		{"not if it does not answer", me,
			append(settled, evChecked{hub: lowHub, err: errors.New("timeout")}), phaseHosting, nil},
		{"a lone host without discovery asks its former room's members where the room is", noSearch,
			append(selfElected, evTimer{kind: timerAskAround}), phaseHosting,
			[]action{actTimer{timerAskAround, askAroundEvery}, actAskAround{[]string{"ws://10.0.0.2:7788/ws", "ws://10.0.0.3:7788/ws"}}}},
		{"but not while it asks already", noSearch,
			append(selfElected, evTimer{kind: timerAskAround}, evTimer{kind: timerAskAround}), phaseHosting, []action{actTimer{timerAskAround, askAroundEvery}}},
		{"nor with discovery, which folds hubs", me,
			append(selfElected, evTimer{kind: timerAskAround}), phaseHosting, nil},
		{"nor once others joined it", noSearch,
			append(selfElected, evPeerJoined{wire.Peer{ID: "c"}}, evTimer{kind: timerAskAround}), phaseHosting, []action{actTimer{timerAskAround, askAroundEvery}}},
		{"a former member's hub with others in it is checked, then folded into", noSearch,
			append(selfElected, evTimer{kind: timerAskAround}, evAskedAround{[]answer{
				{"ws://10.0.0.2:7788/ws", Info{ID: "b", Room: "lobby", Hub: "ws://10.0.0.3:7788/ws"}},
				{"ws://10.0.0.3:7788/ws", Info{ID: "c", Name: "Cy", Room: "lobby", Hosting: true, Members: 2}},
			}}), phaseHosting,
			[]action{actCheck{discovery.Hub{ID: "c", Name: "Cy", Room: "lobby", URL: "ws://10.0.0.3:7788/ws"}}}},
		{"a lone hub with a higher id is not folded into (it folds into ours)", noSearch,
			append(selfElected, evTimer{kind: timerAskAround}, evAskedAround{[]answer{
				{"ws://10.0.0.3:7788/ws", Info{ID: "z", Room: "lobby", Hosting: true, Members: 1}},
			}}), phaseHosting, nil},
		{"a former member hosting another passphrase's room is not folded into", noSearch,
			append(selfElected, evTimer{kind: timerAskAround}, evAskedAround{[]answer{
				{"ws://10.0.0.3:7788/ws", Info{ID: "c", Room: "lobby", Hosting: true, Members: 3, Verifier: "99999999"}},
			}}), phaseHosting, nil},
		{"a host nobody joined, that heard no other hub, says after aloneAfter why that may be", me,
			[]event{evStart{host: true}, evTimer{kind: timerAlone}}, phaseHosting,
			[]action{actEmit{Alone{Room: "lobby", Causes: AloneCauses()}}}},
		{"it says so once", me,
			[]event{evStart{host: true}, evTimer{kind: timerAlone}, evTimer{kind: timerAlone}}, phaseHosting, nil},
		{"a host that heard another hub meanwhile looks again after the next browse", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: lockedHub}, evTimer{kind: timerAlone}}, phaseHosting,
			[]action{actTimer{timerAlone, hostBrowse}}},
		{"and says so then if it heard none since", me,
			[]event{evStart{host: true}, evFound{now: t0, hub: lockedHub}, evTimer{kind: timerAlone}, evTimer{kind: timerAlone}}, phaseHosting,
			[]action{actEmit{Alone{Room: "lobby", Causes: AloneCauses()}}}},
		{"a host that others joined says nothing", me,
			[]event{evStart{host: true}, evPeerJoined{wire.Peer{ID: "c"}}, evTimer{kind: timerAlone}}, phaseHosting,
			[]action{actTimer{timerAlone, hostBrowse}}},
		{"a peer that no longer hosts forgets the alone timer", me,
			[]event{evStart{host: true}, evQuit{}, evTimer{kind: timerAlone}}, phaseStopped, nil},
		{"a host that folded into another hub cancels its timers", me,
			append(slices.Clone(settled), checkedLow, evAsk{now: t0}, joinedTo(lowHub.URL, nil), evTimer{kind: timerAlone}, evTimer{kind: timerAskAround}), phaseJoined, nil},
		{"an advertisement that ended while hosting is tried again after readvertise", me,
			[]event{evStart{host: true}, evAdvertised{err: errors.New("no interface")}}, phaseHosting,
			[]action{actTimer{timerAdvertise, readvertise}}},
		{"then advertised again", me,
			[]event{evStart{host: true}, evAdvertised{err: errors.New("no interface")}, evTimer{kind: timerAdvertise}}, phaseHosting,
			[]action{actAdvertise{}}},
		{"not once the peer no longer hosts", me,
			[]event{evStart{host: true}, evQuit{}, evAdvertised{err: errors.New("no interface")}, evTimer{kind: timerAdvertise}}, phaseStopped, nil},
		{"a host whose addresses changed advertises afresh, looks again and tells its new address", me,
			[]event{evStart{host: true}, evNetChanged{url: "ws://10.0.1.9:7788/ws"}}, phaseHosting,
			[]action{actAdvertise{}, actBrowseAfresh{}, actEmit{Hosting{URL: "ws://10.0.1.9:7788/ws", Room: "lobby"}}}},
		{"so does a host folding into another hub", me,
			append(slices.Clone(settled), checkedLow, evNetChanged{url: "ws://10.0.1.9:7788/ws"}), phaseFolding,
			[]action{actAdvertise{}, actBrowseAfresh{}, actEmit{Hosting{URL: "ws://10.0.1.9:7788/ws", Room: "lobby"}}}},
		{"a joined peer whose addresses changed reconnects", me,
			[]event{evStart{join: lost}, joinedTo(lost, room3), evNetChanged{url: "ws://10.0.1.9:7788/ws"}}, phaseJoined,
			[]action{actReconnect{}}},
		{"a stopping peer does nothing", me,
			[]event{evStart{host: true}, evQuit{}, evNetChanged{url: "ws://10.0.1.9:7788/ws"}}, phaseStopped, nil},
		{"a host browses again as soon as a browse ends", me,
			[]event{evStart{host: true}, evBrowsed{took: hostBrowse}}, phaseHosting, []action{actBrowse{}}},
		{"after a browse that failed at once, browsePause first", me,
			[]event{evStart{host: true}, evBrowsed{took: time.Millisecond, err: errors.New("no interface")}}, phaseHosting,
			[]action{actTimer{timerBrowse, browsePause}}},
		{"then browses", me,
			[]event{evStart{host: true}, evBrowsed{took: time.Millisecond}, evTimer{kind: timerBrowse}}, phaseHosting, []action{actBrowse{}}},
		{"a peer that no longer hosts browses no more", me,
			[]event{evStart{host: true}, evQuit{}, evBrowsed{took: hostBrowse}}, phaseStopped, nil},
		{"quitting stops hosting and says so", me,
			[]event{evStart{host: true}, evQuit{}}, phaseStopped, []action{actInfo{}, actUnhost{}, actCancel{timerSettle}, actCancel{timerAskAround}, actCancel{timerAlone}, actCancel{timerAdvertise}, actCancel{timerHostScan}, actCancel{timerBrowse}}},
		{"a quitting peer dials its own address until the link ends", me,
			[]event{evStart{join: lost}, joinedTo(lost, room3), evQuit{}, evAsk{now: t0}}, phaseStopped, []action{actDialOwn{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, got := decideAll(c.me, c.events...)
			if s.phase != c.phase {
				t.Errorf("phase %v, want %v", s.phase, c.phase)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("actions\n got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

// Every question of the link gets exactly one answer, whatever the phase.
func TestDecideAnswersEveryAskOnce(t *testing.T) {
	questions := []event{evAsk{now: t0}, evAsk{now: later}, evSearched{t0, nil, nil, nil}, evSearched{t0, &lowHub, nil, nil},
		evSearched{t0, nil, nil, []string{"10.0.0.2:7788"}}, evEldersAsked{t0, nil}, evEldersAsked{later, nil}, evEldersAsked{t0, &lowHub},
		probed(t0, lost, Info{}, errors.New("x")), probed(t0, lost, Info{Room: "lobby", Hosting: true}, nil)}
	starts := [][]event{
		{evStart{}}, {evStart{host: true}}, {evStart{join: lost}},
		{evStart{join: lost}, joinedTo(lost, room3)},
		{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0}},
		{evStart{host: true}, evQuit{}},
		{evStart{host: true}, evFound{now: t0, hub: lowHub}, evTimer{kind: timerSettle}, checkedLow}, // folding
		{evStart{}, evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}},                               // found
		{evStart{}, evAsk{now: t0}, evSearched{t0, nil, nil, []string{"10.0.0.2:7788"}}},             // elders
	}
	for _, st := range starts {
		for _, q := range questions {
			s := state{me: me}
			for _, e := range st {
				s, _ = decide(s, e)
			}
			_, acts := decide(s, q)
			n := 0
			for _, a := range acts {
				switch a.(type) {
				case actDial, actDialOwn, actSearch, actProbe, actAskElders, actRetry:
					n++
				}
			}
			if n != 1 {
				t.Errorf("after %v, %#v got %d answers: %#v", st, q, n, acts)
			}
		}
	}
}

// decide never changes the state it was given.
func TestDecideLeavesItsInputAlone(t *testing.T) {
	s := state{me: me}
	for _, e := range []event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0}, probed(t0, lost, Info{}, errors.New("x"))} {
		s, _ = decide(s, e)
	}
	before := s.fo.clone()
	peers := append([]wire.Peer(nil), s.peers...)
	decide(s, evAsk{now: later})
	decide(s, evPeerLeft{"b"})
	if !reflect.DeepEqual(s.fo, before) || !reflect.DeepEqual(s.peers, peers) {
		t.Fatalf("decide changed its input: %+v -> %+v", before, s.fo)
	}
}

// decideAll feeds decide the events in turn, from a peer that is me, and
// returns the last state and the last event's actions, logs left out.
func decideAll(me self, events ...event) (state, []action) {
	s := state{me: me}
	var acts []action
	for _, e := range events {
		s, acts = decide(s, e)
	}
	var got []action
	for _, a := range acts {
		if _, ok := a.(actLog); !ok {
			got = append(got, a)
		}
	}
	return s, got
}
