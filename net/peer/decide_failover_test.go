package peer

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/wire"
)

// These tests pin what a peer that lost its hub knows while the room
// elects its next host, and when it forgets it: through a round that
// elects, a round that finds nobody and falls back to a search, a hub that
// search finds (joined, or failing and sending the peer back to electing
// as from the empty round), and the redirects and marks on the way.

func TestDecideFailoverRounds(t *testing.T) {
	refused := errors.New("refused")
	bURL, cURL := "ws://10.0.0.2:7788/ws", "ws://10.0.0.3:7788/ws"
	// roomB: only b can be elected (this peer tells no address).
	roomB := []wire.Peer{{ID: "h", Name: "Host"}, {ID: "b", Name: "Bea", Addr: "10.0.0.2:7788"}, {ID: "m", Name: "Me"}}
	electB := []action{actEmit{HostChanged{URL: bURL, ID: "b", Name: "Bea", Reason: ReasonHostLost}}, actDial{bURL}}
	electC := []action{actEmit{HostChanged{URL: cURL, ID: "c", Name: "Cy", Reason: ReasonHostLost}}, actDial{cURL}}
	lostHub := discovery.Hub{ID: "h", Name: "Host", Room: "lobby", URL: lost}
	search := []action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{}}

	// b elected at t0 and given up at later: the round is empty, and the
	// peer retries the lost hub while it searches, the round's since later.
	emptyRound := []event{evStart{join: lost}, joinedTo(lost, roomB), evAsk{now: t0},
		probed(t0, lost, Info{}, refused), evAsk{now: later}}
	// Its search found lowHub at later+2s.
	foundAfter := append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond)},
		evSearched{later.Add(200 * time.Millisecond), &lowHub, nil, nil})
	// Past successorWait from the empty round, not from the hub found.
	pastRound := later.Add(successorWait + 100*time.Millisecond)
	// A round under way, b elected at t0.
	electedB := []event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0}, probed(t0, lost, Info{}, refused)}
	// A round that followed the lost hub's pointer to lowHub.
	redirected := []event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0},
		pointing(lost, Info{ID: "h", Room: "lobby", Hub: lowHub.URL}, Info{ID: "a", Name: "Ann", Room: "lobby", Hosting: true})}

	cases := []struct {
		name   string
		events []event
		phase  phase
		want   []action // on the last event, logs left out
		marked []string // the hubs passed over at the end
	}{
		{"an empty round retries the lost hub, and searches", emptyRound, phaseSearching, []action{actDial{lost}}, nil},
		{"the lost hub failing again, the search runs", append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond), fail: failure{url: lost}}),
			phaseSearching, search, nil},
		{"the search after an empty round dials the hub it found", foundAfter, phaseFound, []action{actDial{lowHub.URL}}, nil},
		{"that hub is retried while the empty round is young", append(slices.Clone(foundAfter), evAsk{now: later.Add(time.Second)}),
			phaseFound, []action{actDial{lowHub.URL}}, nil},
		{"that hub still failing successorWait after the empty round: back to electing", append(slices.Clone(foundAfter), evAsk{now: pastRound}),
			phaseFailover, electB, []string{lowHub.URL}},
		{"that hub unanswered: back to electing at once", append(slices.Clone(foundAfter), evAsk{now: later.Add(time.Second), fail: failure{url: lowHub.URL}}),
			phaseFailover, electB, []string{lowHub.URL}},
		{"that hub not hosting yet (503): passed over, and the search runs again", append(slices.Clone(foundAfter),
			evAsk{now: later.Add(time.Second), fail: failure{url: lowHub.URL, status: 503}}),
			phaseSearching, []action{actEmit{Searching{Room: "lobby", Reason: ReasonStart}}, actSearch{skip: []hubKey{{lowHub.URL, "a"}}}}, []string{lowHub.URL}},
		{"the next hub that search finds still counts from the empty round", append(slices.Clone(foundAfter),
			evAsk{now: later.Add(time.Second), fail: failure{url: lowHub.URL, status: 503}},
			evSearched{later.Add(1100 * time.Millisecond), &highHub, nil, nil}, evAsk{now: pastRound}),
			phaseFailover, electB, []string{lowHub.URL, highHub.URL}},
		{"a hub the elders point to after an empty round is dialed", append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond)},
			evSearched{later.Add(200 * time.Millisecond), nil, nil, []string{"10.0.0.7:7788"}}, evEldersAsked{later.Add(time.Second), &lowHub}),
			phaseFound, []action{actDial{lowHub.URL}}, nil},
		{"and failing, sends the peer back to electing", append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond)},
			evSearched{later.Add(200 * time.Millisecond), nil, nil, []string{"10.0.0.7:7788"}}, evEldersAsked{later.Add(time.Second), &lowHub},
			evAsk{now: later.Add(1100 * time.Millisecond), fail: failure{url: lowHub.URL}}),
			phaseFailover, electB, []string{lowHub.URL}},
		{"the hub found that is the lost one is not passed over", append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond)},
			evSearched{later.Add(200 * time.Millisecond), &lostHub, nil, nil}, evAsk{now: pastRound}),
			phaseFailover, electB, nil},
		{"a search after an empty round that finds nothing hosts", append(slices.Clone(emptyRound), evAsk{now: later.Add(100 * time.Millisecond)},
			evSearched{later.Add(200 * time.Millisecond), nil, nil, nil}), phaseHosting, append(hostingActs(me), actDialOwn{}), nil},
		{"the hub found welcomes us: the round is over", append(slices.Clone(foundAfter), joinedTo(lowHub.URL, roomB)),
			phaseJoined, []action{actInfo{hub: lowHub.URL}}, nil},
		{"losing that hub starts a new round, from it", append(slices.Clone(foundAfter), joinedTo(lowHub.URL, roomB), evAsk{now: pastRound}),
			phaseFailover, []action{actEmit{Searching{Room: "lobby", Reason: ReasonHostLost}}, actProbe{lowHub.URL}}, nil},
		{"whose own empty round retries the hub lost last", append(slices.Clone(foundAfter), joinedTo(lowHub.URL, roomB[:1]), evAsk{now: pastRound},
			probed(pastRound, lowHub.URL, Info{}, refused)), phaseSearching, []action{actDial{lowHub.URL}}, nil},
		{"and counts from its own start", append(slices.Clone(foundAfter), joinedTo(lowHub.URL, roomB), evAsk{now: pastRound},
			probed(pastRound, lowHub.URL, Info{}, refused), evAsk{now: pastRound.Add(time.Second)}), phaseFailover, []action{actDial{bURL}}, nil},
		{"a round that elects: the successor's welcome ends it", append(slices.Clone(electedB), joinedTo(bURL, room3)),
			phaseJoined, []action{actInfo{hub: bURL}}, nil},
		{"losing a successor starts a round from it, nobody tried", append(slices.Clone(electedB), evAsk{now: later}, joinedTo(cURL, room3),
			evAsk{now: pastRound}, probed(pastRound, cURL, Info{}, refused)), phaseFailover, electB, nil},
		{"a successor unanswered is passed over at once", append(slices.Clone(electedB), evAsk{now: t0.Add(time.Second), fail: failure{url: bURL}}),
			phaseFailover, electC, nil},
		{"a successor not hosting yet is retried within successorWait", append(slices.Clone(electedB), evAsk{now: t0.Add(time.Second), fail: failure{url: bURL, status: 503}}),
			phaseFailover, []action{actDial{bURL}}, nil},
		{"a successor that ends a session is retried within successorWait", append(slices.Clone(electedB), evAsk{now: t0.Add(time.Second), fail: failure{url: bURL, code: wire.CodeRateLimited}}),
			phaseFailover, []action{actDial{bURL}}, nil},
		{"the next successor gets its own successorWait", append(slices.Clone(electedB), evAsk{now: later}, evAsk{now: later.Add(100 * time.Millisecond)}),
			phaseFailover, []action{actDial{cURL}}, nil},
		{"a redirect's hub is retried within successorWait", append(slices.Clone(redirected), evAsk{now: t0.Add(time.Second)}),
			phaseFailover, []action{actDial{lowHub.URL}}, nil},
		{"a redirect's hub unanswered is passed over, and the room elects", append(slices.Clone(redirected), evAsk{now: t0.Add(time.Second), fail: failure{url: lowHub.URL}}),
			phaseFailover, electB, []string{lowHub.URL}},
		{"a redirect's hub still failing after successorWait is passed over", append(slices.Clone(redirected), evAsk{now: later}),
			phaseFailover, electB, []string{lowHub.URL}},
		{"a lost hub that still hosts, unanswered, is not passed over", append([]event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0},
			probed(t0, lost, Info{ID: "h", Room: "lobby", Hosting: true}, nil)}, evAsk{now: t0.Add(time.Second), fail: failure{url: lost}}),
			phaseFailover, electB, nil},
		{"a redirect's hub that welcomes us ends the round", append(slices.Clone(redirected), joinedTo(lowHub.URL, room3)),
			phaseJoined, []action{actInfo{hub: lowHub.URL}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, got := decideAll(me, c.events...)
			if s.phase != c.phase {
				t.Errorf("phase %v, want %v", s.phase, c.phase)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("actions\n got %#v\nwant %#v", got, c.want)
			}
			if marked := slices.Sorted(maps.Keys(s.marks)); !slices.Equal(marked, c.marked) {
				t.Errorf("passed over %v, want %v", marked, c.marked)
			}
		})
	}
}

// A peer told to stop while it asks the lost hub where the room went ends
// the round: it neither elects nor hosts, and points its link home.
func TestDecideStopEndsTheRound(t *testing.T) {
	for _, peers := range [][]wire.Peer{room3, {{ID: "m", Addr: "10.0.0.9:7788"}}} {
		s, got := decideAll(me, evStart{join: lost}, joinedTo(lost, peers), evAsk{now: t0}, evQuit{}, probed(t0, lost, Info{}, errors.New("refused")))
		if s.phase != phaseStopped || !reflect.DeepEqual(got, []action{actDialOwn{}}) {
			t.Errorf("with %d peers: phase %v, actions %#v; want stopped, dial own", len(peers), s.phase, got)
		}
	}
}

// decide leaves alone the round a search keeps.
func TestDecideLeavesTheKeptRoundAlone(t *testing.T) {
	s := state{me: me}
	for _, e := range []event{evStart{join: lost}, joinedTo(lost, room3[:1]), evAsk{now: t0}, probed(t0, lost, Info{}, errors.New("refused")),
		evAsk{now: t0}, evSearched{t0, &lowHub, nil, nil}} {
		s, _ = decide(s, e)
	}
	if !s.searching.afterRound || s.searching.round.lost != lost {
		t.Fatalf("after an empty round, the search keeps %+v", s.searching)
	}
	before := s.searching.round.clone()
	decide(s, evAsk{now: later})
	if !reflect.DeepEqual(s.searching.round, before) {
		t.Fatalf("decide changed its input: %+v -> %+v", before, s.searching.round)
	}
}

// A search answered after the peer was told to stop joins and hosts nothing.
func TestDecideStopIgnoresALateSearch(t *testing.T) {
	for _, found := range []*discovery.Hub{&lowHub, nil} {
		s, got := decideAll(me, evStart{}, evAsk{now: t0}, evQuit{}, evSearched{t0, found, nil, nil})
		if s.phase != phaseStopped || !reflect.DeepEqual(got, []action{actDialOwn{}}) {
			t.Errorf("found %v: phase %v, actions %#v; want stopped, dial own", found != nil, s.phase, got)
		}
	}
}
