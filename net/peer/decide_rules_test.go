package peer

import (
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/wire"
)

// The link's wait before reconnecting: at once after a session that
// lasted, slowing down when hubs keep dropping us right after their
// welcome; quick while the room changes host; else Socket.IO's backoff.
func TestDecideBackoff(t *testing.T) {
	const jitter = 0.5
	welcomed := func(at time.Time) evJoined { e := joinedTo(lost, room3); e.now = at; return e }
	drop := func(at time.Time, attempt int) evBackoff { return evBackoff{now: at, attempt: attempt, jitter: jitter} }
	quick := t0.Add(quickDrop / 2)
	var drops []event
	for i := range 5 {
		at := t0.Add(time.Duration(i) * time.Minute)
		drops = append(drops, welcomed(at), drop(at.Add(quickDrop/2), 1))
	}
	cases := []struct {
		name   string
		events []event
		want   time.Duration
	}{
		{"after a session that lasted: at once", []event{evStart{join: lost}, welcomed(t0), drop(t0.Add(time.Minute), 1)}, lostPause},
		{"a first drop right after the welcome: still at once", []event{evStart{join: lost}, welcomed(t0), drop(quick, 1)}, lostPause},
		{"the second in a row: still at once", append([]event{evStart{join: lost}}, drops[:4]...), lostPause},
		{"the third in a row slows to Socket.IO's first step", append([]event{evStart{join: lost}}, drops[:6]...), wire.Backoff(1, jitter)},
		{"the fourth to its second", append([]event{evStart{join: lost}}, drops[:8]...), wire.Backoff(2, jitter)},
		{"a session that lasts resets the count", append(append([]event{evStart{join: lost}}, drops[:8]...),
			welcomed(t0.Add(time.Hour)), drop(t0.Add(time.Hour+quickDrop), 1)), lostPause},
		{"a failed dial while the room changes host: fastRetry", []event{evStart{join: lost}, joinedTo(lost, room3), evAsk{now: t0}, drop(t0, 2)}, fastRetry},
		{"while a host folds into another hub: fastRetry", []event{evStart{host: true}, evFound{now: t0, hub: lowHub}, evTimer{kind: timerSettle}, checkedLow, drop(t0, 2)}, fastRetry},
		{"once the fold is refused, Socket.IO's pace again", []event{evStart{host: true}, evFound{now: t0, hub: lowHub}, evTimer{kind: timerSettle}, checkedLow,
			evAsk{now: t0}, evAsk{now: t0, fail: failure{url: lowHub.URL, status: 503}}, drop(t0, 3)}, wire.Backoff(3, jitter)},
		{"with Join, a hub that refuses: Socket.IO's pace", []event{evStart{join: lost}, evAsk{now: t0}, drop(t0, 4)}, wire.Backoff(4, jitter)},
		{"nobody left to elect: Socket.IO's pace", []event{evStart{join: lost}, joinedTo(lost, room3[:1]), evAsk{now: t0},
			probed(t0, lost, Info{}, errors.New("refused")), drop(t0, 2)}, wire.Backoff(2, jitter)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := state{me: me}
			var acts []action
			for _, e := range c.events {
				s, acts = decide(s, e)
			}
			if want := []action{actWait{c.want}}; !reflect.DeepEqual(acts, want) {
				t.Fatalf("got %#v, want %#v", acts, want)
			}
		})
	}
}

// decide refuses to leave a question unanswered, to answer it twice or
// with the wrong kind, or to answer what is no question: the link's
// goroutine would wait for ever, or dial twice.
func TestDecideKeepsTheOneAnswerRule(t *testing.T) {
	cases := []struct {
		name string
		e    event
		acts []action
	}{
		{"an ask unanswered", evAsk{}, nil},
		{"an ask answered twice", evAsk{}, []action{actDial{lost}, actSearch{}}},
		{"a search answered with a wait", evSearched{}, []action{actWait{}}},
		{"a backoff answered with a dial", evBackoff{}, []action{actDial{lost}}},
		{"a welcome answered", evJoined{}, []action{actRetry{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			d := decider{acts: c.acts}
			d.answered(c.e)
		})
	}
	d := decider{acts: []action{logInfo("x"), actRetry{}}}
	d.answered(evProbed{}) // one answer, and a log: fine
}

// A host says once that it cannot advertise, however often it fails.
func TestDecideWarnsOnceOfAFailedAdvertisement(t *testing.T) {
	s, _ := decide(state{me: me}, evStart{host: true})
	warns := 0
	for range 3 {
		var acts []action
		s, acts = decide(s, evAdvertised{err: errors.New("no interface")})
		for _, a := range acts {
			if l, ok := a.(actLog); ok && l.level == slog.LevelWarn {
				warns++
			}
		}
		s, _ = decide(s, evTimer{kind: timerAdvertise})
	}
	if warns != 1 {
		t.Fatalf("%d warnings, want 1", warns)
	}
	s, _ = decide(s, evQuit{})
	s, _ = decide(s, evStart{host: true}) // a new hub: a new warning if it fails too
	if _, acts := decide(s, evAdvertised{err: errors.New("no interface")}); len(acts) != 2 {
		t.Fatalf("a new hub's failure: %#v", acts)
	}
}

// A host's own searches of the subnets: when mDNS heard nobody and it is
// alone, or someone's search found it lately; thinning out from every
// hostBrowse to every maxHostScan, and quick again after a change.
func TestDecideHostScans(t *testing.T) {
	scanner := me
	scanner.scan = true
	s, acts := decide(state{me: scanner}, evStart{host: true})
	if !slices.Contains(acts, action(actTimer{timerHostScan, mdnsQuiet})) {
		t.Fatalf("hosting sets no first look at mdnsQuiet: %#v", acts)
	}
	now := t0
	look := func(want ...action) {
		t.Helper()
		now = now.Add(time.Second)
		var acts []action
		s, acts = decide(s, evTimer{kind: timerHostScan, now: now})
		if !reflect.DeepEqual(acts, want) {
			t.Fatalf("got %#v, want %#v", acts, want)
		}
	}
	for _, every := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 60 * time.Second, 60 * time.Second} {
		look(actHostScan{}, actTimer{timerHostScan, every})
	}
	// mDNS heard another hub: no search this time, a look after the next browse.
	s, _ = decide(s, evFound{now: now, hub: lockedHub})
	look(actTimer{timerHostScan, hostBrowse})
	look(actHostScan{}, actTimer{timerHostScan, maxHostScan})
	// A hub the search itself found does not count as heard.
	s, _ = decide(s, evFound{now: now, hub: lockedHub, scanned: true})
	look(actHostScan{}, actTimer{timerHostScan, maxHostScan})
	// The addresses changed: a search soon, and quickly again after.
	var changed []action
	s, changed = decide(s, evNetChanged{url: me.public})
	if !slices.Contains(changed, action(actTimer{timerHostScan, mdnsQuiet})) {
		t.Fatalf("an address change sets no look at mdnsQuiet: %#v", changed)
	}
	look(actHostScan{}, actTimer{timerHostScan, hostBrowse})
	// Members joined: no search, unless someone's search found us lately.
	s, _ = decide(s, evPeerJoined{wire.Peer{ID: "c"}})
	look(actTimer{timerHostScan, hostBrowse})
	s, _ = decide(s, evNoticed{now: now})
	look(actHostScan{}, actTimer{timerHostScan, 2 * hostBrowse})
	now = now.Add(noticedFor)
	look(actTimer{timerHostScan, hostBrowse})
	// A peer that no longer hosts looks no more.
	s, _ = decide(s, evQuit{})
	look()
}

// decide never changes a host's data it was given either.
func TestDecideLeavesAHostsDataAlone(t *testing.T) {
	s := state{me: me}
	for _, e := range []event{evStart{host: true}, evFound{now: t0, hub: lowHub}} {
		s, _ = decide(s, e)
	}
	before := slices.Clone(s.hosting.found)
	decide(s, evFound{now: t0, hub: highHub})
	decide(s, evFound{now: t0, hub: discovery.Hub{ID: "a", Name: "Ann again", Room: "lobby", URL: lowHub.URL}})
	decide(s, evTimer{kind: timerSettle})
	if !reflect.DeepEqual(s.hosting.found, before) {
		t.Fatalf("decide changed its input: %v -> %v", before, s.hosting.found)
	}
}
