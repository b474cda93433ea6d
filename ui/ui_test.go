package ui

import (
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

const waitFor = 5 * time.Second

// fakePeer records what the window asks of the peer and lets the test
// play the peer's events.
type fakePeer struct {
	events   chan link.Event
	colors   chan string
	restarts chan Settings
	flipNow  chan bool
}

func (f *fakePeer) Events() <-chan link.Event { return f.events }
func (f *fakePeer) SetColor(hex string) error { f.colors <- hex; return nil }
func (f *fakePeer) SetFlipNow(now bool)       { f.flipNow <- now }
func (f *fakePeer) Restart(name, room, join, passphrase string) {
	f.restarts <- Settings{Name: name, Room: room, Join: join, Passphrase: passphrase}
}

// harness runs the window's follow loop with a u.do that hands each
// function to the test's goroutine, which stands in for Fyne's UI goroutine.
type harness struct {
	t     *testing.T
	u     *UI
	peer  *fakePeer
	calls chan func()
	tick  chan time.Time
	clock time.Time
	// frameTick is the window's frame callback while it waits for a
	// colour's moment; nil when it does not.
	frameTick func()
	// ageIn is the last tick the window asked for to age "3 s ago"
	// (0: none).
	ageIn time.Duration
}

func newHarness(t *testing.T, s Settings) *harness {
	t.Helper()
	fp := &fakePeer{events: make(chan link.Event, 16), colors: make(chan string, 16), restarts: make(chan Settings, 16), flipNow: make(chan bool, 16)}
	h := &harness{t: t, peer: fp, calls: make(chan func()), tick: make(chan time.Time),
		clock: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	h.u = New(test.NewTempApp(t), fp, s)
	stop, done := make(chan struct{}), make(chan struct{})
	h.u.do = func(f func()) {
		select {
		case h.calls <- f:
		case <-stop:
		}
	}
	h.u.now = func() time.Time { return h.clock }
	h.u.frames = func(tick func()) func() {
		h.frameTick = tick
		return func() { h.frameTick = nil }
	}
	h.u.ageIn = func(d time.Duration) { h.ageIn = d }
	go func() {
		defer close(done)
		h.u.follow(fp.events, h.tick, stop)
	}()
	t.Cleanup(func() { close(stop); <-done })
	return h
}

// runOne runs the next function the follow loop hands to the UI goroutine.
func (h *harness) runOne(what string) {
	h.t.Helper()
	select {
	case f := <-h.calls:
		f()
	case <-time.After(waitFor):
		h.t.Fatalf("%s never reached the UI goroutine", what)
	}
}

func (h *harness) send(evs ...link.Event) {
	h.t.Helper()
	for _, ev := range evs {
		h.peer.events <- ev
		h.runOne(ev.Kind())
	}
}

// advance moves the clock on by d and lets one tick through.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clock = h.clock.Add(d)
	h.tick <- h.clock
	h.runOne("a tick")
}

func (h *harness) peerList() []string {
	var names []string
	for _, o := range h.u.peerBox.Objects {
		names = append(names, o.(*widget.Label).Text)
	}
	return names
}

func (h *harness) sentColor() string {
	h.t.Helper()
	select {
	case c := <-h.peer.colors:
		return c
	case <-time.After(waitFor):
		h.t.Fatal("no colour reached the peer")
		return ""
	}
}

func (h *harness) restarted() Settings {
	h.t.Helper()
	select {
	case s := <-h.peer.restarts:
		return s
	case <-time.After(waitFor):
		h.t.Fatal("the peer was not restarted")
		return Settings{}
	}
}

func fill(h *harness) string { return colorHex(h.u.circle.FillColor) }

const hubURL = "ws://192.168.1.20:7788/ws"

var (
	ann = wire.Peer{ID: "a1", Name: "ann"}
	bob = wire.Peer{ID: "b2", Name: "bob"}
	cat = wire.Peer{ID: "c3", Name: "cat"}
)

func TestTheCircleStartsGreen(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	if got := fill(h); got != wire.StartColor {
		t.Fatalf("circle %s, want %s", got, wire.StartColor)
	}
	if got := h.u.colorText.Text; got != "Green   #008000" {
		t.Fatalf("colour text %q", got)
	}
	if got := h.u.win.Title(); got != "huecast" {
		t.Fatalf("title %q: the window must be created as huecast, for its WM_CLASS", got)
	}
}

func TestTappingEachPaletteButtonSendsItsColour(t *testing.T) {
	for _, s := range wire.Palette {
		t.Run(s.Name, func(t *testing.T) {
			h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
			h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#ff00ff", Stamp: wire.Stamp{MS: 4}, Peers: []wire.Peer{ann}, Host: "bob", HostID: bob.ID})
			test.Tap(h.u.buttons[strings.ToLower(s.Name)])
			if got := h.sentColor(); got != s.Hex {
				t.Fatalf("peer got %s, want %s", got, s.Hex)
			}
			// The clicker's circle flips with everyone's, when the room's
			// colour comes back.
			if got := fill(h); got != "#ff00ff" {
				t.Fatalf("circle %s right after the click, want the room's #ff00ff still", got)
			}
			h.send(link.ColorChanged{Color: s.Hex, Stamp: wire.Stamp{MS: 5, ID: ann.ID}, By: ann.ID, Name: "ann"})
			if got := fill(h); got != s.Hex {
				t.Fatalf("circle %s once the room's colour came back, want %s", got, s.Hex)
			}
			if got, want := h.u.colorText.Text, s.Name+"   "+s.Hex; got != want {
				t.Fatalf("colour text %q, want %q", got, want)
			}
			if got, want := h.u.lastSet.Text, s.Name+", set by you, just now"; got != want {
				t.Fatalf("last set %q, want %q", got, want)
			}
		})
	}
}

func TestKeysOneToSixPickThePalette(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	for i, s := range wire.Palette {
		test.TypeOnCanvas(h.u.win.Canvas(), string(rune('1'+i)))
		if got := h.sentColor(); got != s.Hex {
			t.Fatalf("key %d sent %s, want %s", i+1, got, s.Hex)
		}
	}
	test.TypeOnCanvas(h.u.win.Canvas(), "7x0")
	select {
	case c := <-h.peer.colors:
		t.Fatalf("keys outside 1–6 sent %s", c)
	default:
	}
}

func TestTheCircleFollowsTheHubsOrder(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID})

	test.Tap(h.u.buttons["blue"])
	h.sentColor()
	// Bob's red reached the hub first; then our blue, stamped after it.
	h.send(link.ColorChanged{Color: "#ff0000", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob"})
	if got := fill(h); got != "#ff0000" {
		t.Fatalf("after bob's red the circle is %s", got)
	}
	if got := h.u.lastSet.Text; got != "Red, set by bob, just now" {
		t.Fatalf("last set %q", got)
	}
	h.send(link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 2, ID: ann.ID}, By: ann.ID, Name: "ann"})
	if got := fill(h); got != "#1e90ff" {
		t.Fatalf("after our echo the circle is %s", got)
	}
	h.advance(3 * time.Second)
	if got := h.u.lastSet.Text; got != "Blue, set by you, 3 s ago" {
		t.Fatalf("last set %q", got)
	}
}

func TestAnIncomingColourFillsTheCircle(t *testing.T) {
	tests := []struct {
		color, text, lastSet string
	}{
		{"#ffa500", "Orange   #ffa500", "Orange, set by bob, 3 s ago"},
		{"#123456", "#123456", "#123456, set by bob, 3 s ago"},
		{"#ff7f50", "Coral   #ff7f50", "Coral, set by bob, 3 s ago"},
	}
	for _, tt := range tests {
		t.Run(tt.color, func(t *testing.T) {
			h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
			h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "bob", HostID: bob.ID},
				link.ColorChanged{Color: tt.color, Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob"})
			if got := fill(h); got != tt.color {
				t.Fatalf("circle %s, want %s", got, tt.color)
			}
			if c, ok := h.u.circle.FillColor.(color.NRGBA); !ok || c.A != 0xff {
				t.Fatalf("circle fill %#v is not opaque", h.u.circle.FillColor)
			}
			h.advance(3 * time.Second)
			if h.u.colorText.Text != tt.text || h.u.lastSet.Text != tt.lastSet {
				t.Fatalf("texts %q / %q, want %q / %q", h.u.colorText.Text, h.u.lastSet.Text, tt.text, tt.lastSet)
			}
		})
	}
}

func TestStatusAndPeersFollowTheRoom(t *testing.T) {
	type step struct {
		ev     link.Event
		status string
		peers  []string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"hosting", []step{
			{peer.Hosting{URL: hubURL, Room: "lobby"}, "Hosting room lobby at 192.168.1.20:7788", []string{"Not connected"}},
			{link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann}, Host: "ann", HostID: ann.ID},
				"Hosting room lobby at 192.168.1.20:7788", []string{"ann (host, you)"}},
			{link.PeerJoined{Peer: bob}, "Hosting room lobby at 192.168.1.20:7788", []string{"ann (host, you)", "bob"}},
			{link.PeerJoined{Peer: cat}, "Hosting room lobby at 192.168.1.20:7788", []string{"ann (host, you)", "bob", "cat"}},
			{link.PeerLeft{Peer: bob, Reason: "closed"}, "Hosting room lobby at 192.168.1.20:7788", []string{"ann (host, you)", "cat"}},
		}},
		{"joined", []step{
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{bob, ann}, Host: "bob", HostID: bob.ID},
				"Joined bob's hub at 192.168.1.20:7788", []string{"bob (host)", "ann (you)"}},
			{link.PeerLeft{Peer: bob, Reason: "timeout"}, "Joined bob's hub at 192.168.1.20:7788", []string{"ann (you)"}},
			{link.Disconnected{URL: hubURL, Reason: "the hub stopped answering", Attempt: 3, RetryIn: time.Second},
				"Reconnecting (attempt 3)… the hub stopped answering", []string{"Not connected"}},
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{cat, ann}, Host: "cat", HostID: cat.ID},
				"Joined cat's hub at 192.168.1.20:7788", []string{"cat (host)", "ann (you)"}},
		}},
		{"the host is marked by id, not by a name another peer shares", []step{
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Peers: []wire.Peer{{ID: "other", Name: "bob"}, bob, ann}, Host: "bob", HostID: bob.ID},
				"Joined bob's hub at 192.168.1.20:7788", []string{"bob", "bob (host)", "ann (you)"}},
		}},
		{"searching, then hosting", []step{
			{peer.Searching{Room: "lobby", Reason: peer.ReasonStart}, "Looking for room lobby on the network…", []string{"Not connected"}},
			{peer.Hosting{URL: hubURL, Room: "lobby"}, "Hosting room lobby at 192.168.1.20:7788", []string{"Not connected"}},
		}},
		{"the host left and cat took over", []step{
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Peers: []wire.Peer{bob, cat, ann}, Host: "bob", HostID: bob.ID},
				"Joined bob's hub at 192.168.1.20:7788", []string{"bob (host)", "cat", "ann (you)"}},
			{link.Disconnected{URL: hubURL, Reason: "the connection was lost", Attempt: 1},
				"Reconnecting (attempt 1)… the connection was lost", []string{"Not connected"}},
			{peer.Searching{Room: "lobby", Reason: peer.ReasonHostLost},
				"The host left; looking for room lobby's new host…", []string{"Not connected"}},
			{peer.HostChanged{URL: "ws://10.0.0.7:7788/ws", ID: cat.ID, Name: "cat", Reason: peer.ReasonHostLost},
				"The host left; moving to cat's hub at 10.0.0.7:7788…", []string{"Not connected"}},
			// cat may not host yet when we first knock.
			{link.Disconnected{URL: "ws://10.0.0.7:7788/ws", Reason: "connection refused", Attempt: 2},
				"Reconnecting (attempt 2)… connection refused", []string{"Not connected"}},
			{link.Joined{URL: "ws://10.0.0.7:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{cat, ann}, Host: "cat", HostID: cat.ID},
				"The host left; joined cat's hub at 10.0.0.7:7788", []string{"cat (host)", "ann (you)"}},
			// A later reconnect to the same hub is no move.
			{link.Disconnected{URL: "ws://10.0.0.7:7788/ws", Reason: "the hub stopped answering", Attempt: 1},
				"Reconnecting (attempt 1)… the hub stopped answering", []string{"Not connected"}},
			{link.Joined{URL: "ws://10.0.0.7:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{cat, ann}, Host: "cat", HostID: cat.ID},
				"Joined cat's hub at 10.0.0.7:7788", []string{"cat (host)", "ann (you)"}},
		}},
		{"the host left and this peer took over", []step{
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Peers: []wire.Peer{bob, ann}, Host: "bob", HostID: bob.ID},
				"Joined bob's hub at 192.168.1.20:7788", []string{"bob (host)", "ann (you)"}},
			{link.Disconnected{URL: hubURL, Reason: "the connection was lost", Attempt: 1},
				"Reconnecting (attempt 1)… the connection was lost", []string{"Not connected"}},
			{peer.Searching{Room: "lobby", Reason: peer.ReasonHostLost},
				"The host left; looking for room lobby's new host…", []string{"Not connected"}},
			{peer.HostChanged{URL: "ws://10.0.0.4:7788/ws", ID: ann.ID, Name: "ann", Reason: peer.ReasonHostLost},
				"The host left; this window takes over as the host…", []string{"Not connected"}},
			{peer.Hosting{URL: "ws://10.0.0.4:7788/ws", Room: "lobby"},
				"The host left; now hosting room lobby at 10.0.0.4:7788", []string{"Not connected"}},
			{link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "ann", HostID: ann.ID},
				"The host left; now hosting room lobby at 10.0.0.4:7788", []string{"ann (host, you)"}},
		}},
		{"two hubs of the room became one", []step{
			{peer.Hosting{URL: hubURL, Room: "lobby"}, "Hosting room lobby at 192.168.1.20:7788", []string{"Not connected"}},
			{link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "ann", HostID: ann.ID},
				"Hosting room lobby at 192.168.1.20:7788", []string{"ann (host, you)"}},
			{peer.HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: bob.ID, Name: "bob", Reason: peer.ReasonMerged},
				"The room's two hubs became one; moving to bob's hub at 10.0.0.2:7788…", []string{"ann (host, you)"}},
			{link.Disconnected{URL: "ws://127.0.0.1:7788/ws", Reason: "hub shutting down", Attempt: 1},
				"Reconnecting (attempt 1)… hub shutting down", []string{"Not connected"}},
			{link.Joined{URL: "ws://10.0.0.2:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{bob, ann}, Host: "bob", HostID: bob.ID},
				"The room's two hubs became one; joined bob's hub at 10.0.0.2:7788", []string{"bob (host)", "ann (you)"}},
		}},
		{"the lost hub says where the room went", []step{
			{link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Peers: []wire.Peer{bob, ann}, Host: "bob", HostID: bob.ID},
				"Joined bob's hub at 192.168.1.20:7788", []string{"bob (host)", "ann (you)"}},
			{peer.HostChanged{URL: "ws://10.0.0.2:7788/ws", Reason: peer.ReasonMerged},
				"The room's two hubs became one; moving to the room's new hub at 10.0.0.2:7788…", []string{"bob (host)", "ann (you)"}},
		}},
		{"cannot start", []step{
			{peer.Stopped{Err: errTest("peer: listen for the hub: address in use")},
				"Stopped: peer: listen for the hub: address in use. Join a hub with Room → Join by address…", []string{"Not connected"}},
		}},
		{"refused", []step{
			{link.HubError{Code: "wrong_room", Message: `This hub serves room "lobby", not "den".`},
				`The hub says: This hub serves room "lobby", not "den".`, []string{"Not connected"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
			for i, s := range tt.steps {
				h.send(s.ev)
				if got := h.u.status.Text; got != s.status {
					t.Fatalf("step %d (%s): status %q, want %q", i, s.ev.Kind(), got, s.status)
				}
				if got := h.peerList(); !slices.Equal(got, s.peers) {
					t.Fatalf("step %d (%s): peers %q, want %q", i, s.ev.Kind(), got, s.peers)
				}
			}
		})
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestRoundTripIsShownAndClearedOnDisconnect(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.RTT{D: 3400 * time.Microsecond})
	if got := h.u.rtt.Text; got != "Hub round trip: 3.4 ms" {
		t.Fatalf("rtt %q", got)
	}
	h.send(link.RTT{D: 42 * time.Millisecond})
	if got := h.u.rtt.Text; got != "Hub round trip: 42 ms" {
		t.Fatalf("rtt %q", got)
	}
	h.send(link.Disconnected{Attempt: 1, Reason: "the connection was lost"})
	if got := h.u.rtt.Text; got != "Hub round trip: —" {
		t.Fatalf("rtt after disconnect %q", got)
	}
}

func TestJoinByAddressRestartsThePeerAndRemembersTheAddress(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.u.showJoin()
	h.u.joinEntry.SetText("  ")
	h.u.joinDialog.Submit()
	select {
	case s := <-h.peer.restarts:
		t.Fatalf("an empty address restarted the peer with %+v", s)
	default:
	}
	h.u.joinEntry.SetText("10.0.0.9:7788")
	h.u.joinDialog.Submit()
	if got, want := h.restarted(), (Settings{Name: "ann", Room: "lobby", Join: "10.0.0.9:7788"}); got != want {
		t.Fatalf("restart %+v, want %+v", got, want)
	}
	if got := h.u.status.Text; got != "Joining 10.0.0.9:7788…" {
		t.Fatalf("status %q", got)
	}

	for _, addr := range []string{"10.0.0.7:7788", "10.0.0.9:7788"} {
		h.u.showJoin()
		h.u.joinEntry.SetText("")
		test.Type(h.u.joinEntry, addr)
		h.u.joinEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter joins
		if got := h.restarted(); got.Join != addr {
			t.Fatalf("typing %s and Enter joined %q", addr, got.Join)
		}
	}
	h.u.showJoin()
	if got := h.u.joinEntry.Text; got != "10.0.0.9:7788" {
		t.Fatalf("the dialog offers %q first, want the last address joined", got)
	}
	if got, want := h.u.app.Preferences().StringList(PrefRecent), []string{"10.0.0.9:7788", "10.0.0.7:7788"}; !slices.Equal(got, want) {
		t.Fatalf("recent addresses %q, want %q", got, want)
	}
}

func TestNameAndRoomAreSavedAndRestartThePeer(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby", Join: "10.0.0.9:7788"})

	h.u.showNameRoom()
	h.u.nameEntry.SetText("Zoe")
	h.u.nameDialog.Submit()
	if got, want := h.restarted(), (Settings{Name: "Zoe", Room: "lobby", Join: "10.0.0.9:7788"}); got != want {
		t.Fatalf("new name: restart %+v, want %+v", got, want)
	}

	h.u.showNameRoom()
	h.u.roomEntry.SetText("  Studio ")
	h.u.nameDialog.Submit()
	// The hub at 10.0.0.9 serves lobby: a new room means a new hub.
	if got, want := h.restarted(), (Settings{Name: "Zoe", Room: "studio"}); got != want {
		t.Fatalf("new room: restart %+v, want %+v", got, want)
	}
	if got := h.u.win.Title(); got != "huecast — studio" {
		t.Fatalf("title %q", got)
	}
	p := h.u.app.Preferences()
	if p.String(PrefName) != "Zoe" || p.String(PrefRoom) != "studio" {
		t.Fatalf("saved name %q, room %q", p.String(PrefName), p.String(PrefRoom))
	}

	h.u.showNameRoom()
	h.u.nameEntry.SetText("")
	h.u.nameDialog.Submit()
	h.u.showNameRoom()
	h.u.nameDialog.Submit() // nothing changed
	select {
	case s := <-h.peer.restarts:
		t.Fatalf("restarted with %+v for an empty or unchanged name", s)
	default:
	}
}

func TestCopyJoinAddressCopiesTheHub(t *testing.T) {
	tests := []struct {
		name string
		evs  []link.Event
		want string
	}{
		{"nothing yet", nil, ""},
		{"hosting", []link.Event{peer.Hosting{URL: hubURL, Room: "lobby"},
			link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "ann", HostID: ann.ID}}, "192.168.1.20:7788"},
		{"joined", []link.Event{link.Joined{URL: "ws://10.0.0.3:7790/ws", ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "bob", HostID: bob.ID}}, "10.0.0.3:7790"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
			h.send(tt.evs...)
			h.u.app.Clipboard().SetContent("")
			h.u.copyAddress()
			if got := h.u.app.Clipboard().Content(); got != tt.want {
				t.Fatalf("clipboard %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPeerEndingSaysStopped(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: hubURL, ID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}, Host: "bob", HostID: bob.ID})
	close(h.peer.events)
	h.runOne("the end of events")
	if h.u.status.Text != "Stopped." || !slices.Equal(h.peerList(), []string{"Not connected"}) {
		t.Fatalf("status %q, peers %q", h.u.status.Text, h.peerList())
	}
}

func TestReadableLabels(t *testing.T) {
	for _, s := range wire.Palette {
		want := color.Color(color.Black)
		if s.Name == "Green" || s.Name == "Purple" {
			want = color.White
		}
		if got := readableOn(hexColor(s.Hex)); got != want {
			t.Errorf("%s: label %v, want %v", s.Name, got, want)
		}
	}
}

func TestWindowSnapshot(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(peer.Hosting{URL: hubURL, Room: "lobby"},
		link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: ann.ID, Room: "lobby", Color: "#008000", Peers: []wire.Peer{ann, bob}, Host: "ann", HostID: ann.ID, Lead: 40 * time.Millisecond},
		link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 1, ID: bob.ID}, By: bob.ID, Name: "bob"},
		link.RTT{D: 3400 * time.Microsecond})
	h.advance(3 * time.Second)
	test.AssertRendersToMarkup(t, "window.xml", h.u.win.Canvas())
	test.AssertRendersToImage(t, "window.png", h.u.win.Canvas())
}

func TestARoomThatNeedsAPassphraseAsksForItAndRestartsWithIt(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby", Join: "10.0.0.9:7788"})
	h.send(link.HubError{Code: wire.CodeUnauthorized, Message: "Room 'lobby' needs a passphrase."})
	if h.u.nameDialog == nil || h.u.passEntry == nil {
		t.Fatal("unauthorized did not open the Name and room dialog")
	}
	if !strings.Contains(h.u.status.Text, "needs a passphrase") {
		t.Fatalf("status %q", h.u.status.Text)
	}
	if !h.u.passEntry.Password {
		t.Fatal("the passphrase field shows what is typed")
	}
	// A second refusal (the link retries) does not stack another dialog.
	d := h.u.nameDialog
	h.send(link.HubError{Code: wire.CodeUnauthorized, Message: "again"})
	if h.u.nameDialog != d {
		t.Fatal("a second dialog was opened")
	}
	h.u.passEntry.SetText("s3cret")
	h.u.nameDialog.Submit()
	if got, want := h.restarted(), (Settings{Name: "ann", Room: "lobby", Join: "10.0.0.9:7788", Passphrase: "s3cret"}); got != want {
		t.Fatalf("restart %+v, want %+v", got, want)
	}
	// The passphrase is not written to the preferences file.
	for _, k := range []string{PrefName, PrefRoom, "passphrase"} {
		if strings.Contains(h.u.app.Preferences().String(k), "s3cret") {
			t.Fatalf("preference %s holds the passphrase", k)
		}
	}
}

func TestTabReachesEveryColourAndEnterOrSpacePicksIt(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	c := h.u.win.Canvas()
	keys := []fyne.KeyName{fyne.KeyReturn, fyne.KeySpace, fyne.KeyEnter}
	// Tab (FocusNext) walks the palette in order, then Custom….
	var reached []string
	for i := 0; i < 20 && len(reached) < len(wire.Palette); i++ {
		c.FocusNext()
		sw, ok := c.Focused().(*swatch)
		if !ok {
			continue // the page's link, say
		}
		if len(reached) > 0 && reached[len(reached)-1] == sw.name {
			t.Fatalf("Tab stayed on %s", sw.name)
		}
		reached = append(reached, sw.name)
		s := wire.Palette[len(reached)-1]
		if sw.name != s.Name {
			t.Fatalf("Tab reached %v, want the palette in order", reached)
		}
		key := keys[len(reached)%len(keys)]
		c.Focused().TypedKey(&fyne.KeyEvent{Name: key})
		if got := h.sentColor(); got != s.Hex {
			t.Fatalf("%s on %s sent %s, want %s", key, s.Name, got, s.Hex)
		}
		// The circle flips when the room's colour comes back, as for a tap.
		h.send(link.ColorChanged{Color: s.Hex, Stamp: wire.Stamp{MS: int64(10 + len(reached)), ID: ann.ID}, By: ann.ID, Name: "ann"})
		if got := fill(h); got != s.Hex {
			t.Fatalf("circle %s after %s on %s and the room's answer", got, key, s.Name)
		}
	}
	if len(reached) != len(wire.Palette) {
		t.Fatalf("Tab reached only %v", reached)
	}
	c.FocusNext()
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Custom…" {
		t.Fatalf("after the palette Tab reached %T, want the Custom… button", c.Focused())
	}
	// Keys 1–6 still pick while a button has the focus.
	c.Focused().TypedRune('2')
	if got := h.sentColor(); got != wire.Palette[1].Hex {
		t.Fatalf("key 2 on Custom… sent %s", got)
	}
	c.FocusPrevious()
	c.Focused().TypedRune('1')
	if got := h.sentColor(); got != wire.Palette[0].Hex {
		t.Fatalf("key 1 on a swatch sent %s", got)
	}
	select {
	case extra := <-h.peer.colors:
		t.Fatalf("a colour sent that no key asked for: %s", extra)
	default:
	}
}

func TestAFocusedSwatchShowsARing(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	sw := h.u.buttons["green"].(*swatch)
	r := test.TempWidgetRenderer(t, sw).(*swatchRenderer)
	if !r.ring.Hidden {
		t.Fatal("ring shown without the focus")
	}
	h.u.win.Canvas().Focus(sw)
	if r.ring.Hidden {
		t.Fatal("no ring on the focused swatch")
	}
	h.u.win.Canvas().Unfocus()
	if !r.ring.Hidden {
		t.Fatal("ring stays after the focus left")
	}
}

func TestAloneSaysWhatToDoUntilSomeoneJoins(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	ann := wire.Peer{ID: "a", Name: "ann"}
	h.send(peer.Hosting{URL: hubURL, Room: "lobby"},
		link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: "a", Host: "ann", HostID: ann.ID, Room: "lobby", Peers: []wire.Peer{ann}},
		peer.Alone{Room: "lobby", Causes: peer.AloneCauses()})
	for _, want := range []string{"No other peer of room lobby", "TCP 7788", "UDP 5353", "Join by address"} {
		if !strings.Contains(h.u.status.Text, want) {
			t.Fatalf("status %q does not say %q", h.u.status.Text, want)
		}
	}
	h.send(link.PeerJoined{Peer: wire.Peer{ID: "b", Name: "bob"}})
	if got := h.u.status.Text; got != "Hosting room lobby at 192.168.1.20:7788" {
		t.Fatalf("status %q once someone joined", got)
	}
}

func TestAHubJoinedIsRememberedButNotOurOwn(t *testing.T) {
	h := newHarness(t, Settings{Name: "ann", Room: "lobby"})
	h.send(link.Joined{URL: "ws://10.0.0.7:7788/ws", ID: "a", Host: "carol", Room: "lobby"})
	h.send(peer.Hosting{URL: hubURL, Room: "lobby"},
		link.Joined{URL: "ws://127.0.0.1:7788/ws", ID: "a", Host: "ann", HostID: ann.ID, Room: "lobby"})
	if got, want := h.u.app.Preferences().StringList(PrefRecent), []string{"10.0.0.7:7788"}; !slices.Equal(got, want) {
		t.Fatalf("remembered %q, want %q", got, want)
	}
}
