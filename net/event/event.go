// Package event is what a peer tells the front end that shows it (the
// window, headless mode): the link's events (joined, colours, members,
// round trips) and the peer's (searching, hosting, a new host, alone,
// stopped). It does no networking, so a front end that imports it depends
// on nothing that does; packages link and peer name these types too.
package event

import (
	"time"

	"github.com/huecast/huecast/net/wire"
)

// Event is something that happened to a peer. Kind is the name headless
// mode prints in its "event" field.
type Event interface {
	Kind() string
}

// Joined: the hub welcomed us; this is the room's state.
type Joined struct {
	URL    string
	ID     string
	Room   string
	Color  string
	Stamp  wire.Stamp // Color's
	By     string     // peer id of whoever set Color
	ByName string
	Peers  []wire.Peer
	Host   string // the hosting peer's name
	HostID string // the hosting peer's id; "" when no peer hosts
	// Lead is how far ahead of accepting a colour the room shows it.
	Lead time.Duration
}

// ColorChanged: the room's colour changed (always to a newer stamp). The
// link delivers it at the moment the room shows it (less Config.Early), or
// on arrival when it is late, has no moment, or flips are on arrival.
type ColorChanged struct {
	Color string
	Stamp wire.Stamp
	By    string // peer id
	Name  string // that peer's name
	// At is the moment the room shows the colour on the hub's clock, in ms
	// (wire.Color's at); 0: none, shown on arrival.
	At float64
	// Lead is how far ahead of accepting the colour the hub set At.
	Lead time.Duration
	// Offset is the hub's clock minus this peer's, as estimated when the
	// colour was scheduled; Synced says there was an estimate.
	Offset time.Duration
	Synced bool
	// Due is the moment on this machine's clock (with Go's monotonic
	// reading), for a front end that shows the colour on a frame of its
	// own (Config.Early); zero when shown on arrival or late.
	Due time.Time
	// Late: the colour arrived after its moment and is shown at once;
	// LateCount counts such colours since the link started.
	Late      bool
	LateCount int
	// Shown is when the link delivered the event (the wall clock, with
	// Go's monotonic reading), and ShownHub that moment on the hub's clock
	// as this peer estimates it, in ms.
	Shown    time.Time
	ShownHub float64
}

// PeerJoined: someone joined the room.
type PeerJoined struct{ Peer wire.Peer }

// PeerLeft: someone left the room; Reason is closed, timeout or dropped.
type PeerLeft struct {
	Peer   wire.Peer
	Reason string
}

// Disconnected: the connection to URL failed or was lost; the link tries
// again (attempt Attempt) after RetryIn.
type Disconnected struct {
	URL     string
	Reason  string
	Attempt int
	RetryIn time.Duration
	// Status is the HTTP status the hub answered the upgrade with, when
	// it answered with one (503: the peer there does not host); else 0.
	Status int
}

// HubError: the hub refused something we sent.
type HubError struct {
	Code    string
	Message string
}

// RTT: a round trip to the hub took D; Offset is the hub's clock minus
// this peer's as estimated since.
type RTT struct {
	D      time.Duration
	Offset time.Duration
}

func (Joined) Kind() string       { return "joined" }
func (ColorChanged) Kind() string { return "color" }
func (PeerJoined) Kind() string   { return "peer_joined" }
func (PeerLeft) Kind() string     { return "peer_left" }
func (Disconnected) Kind() string { return "disconnected" }
func (HubError) Kind() string     { return "error" }
func (RTT) Kind() string          { return "rtt" }

// Hosting: the peer hosts the room's hub at URL.
type Hosting struct {
	URL  string
	Room string
}

// Searching: the peer looks for the room's hub, at start (Reason "start")
// or because its hub was lost ("host_lost").
type Searching struct {
	Room   string
	Reason string
}

// HostChanged: the room moves to the hub at URL, hosted by peer ID (Name
// when known). Reason is "host_lost" when the host went and the room
// elected a successor, "merged" when two hubs of the room became one.
type HostChanged struct {
	URL    string
	ID     string
	Name   string
	Reason string
}

// Reasons carried by Searching and HostChanged.
const (
	ReasonStart    = "start"
	ReasonHostLost = "host_lost"
	ReasonMerged   = "merged"
)

// Alone: this peer has hosted for a while, every layer of discovery has
// searched, and no other peer of the room was found. Causes say, in plain
// words, what usually keeps peers apart and what to do about each.
type Alone struct {
	Room   string
	Causes []string
}

// Stopped: the peer ended by itself (it could not host, say) and waits to be
// restarted. Err says why, for a person.
type Stopped struct{ Err error }

func (Alone) Kind() string       { return "alone" }
func (Hosting) Kind() string     { return "hosting" }
func (Searching) Kind() string   { return "searching" }
func (HostChanged) Kind() string { return "host_changed" }
func (Stopped) Kind() string     { return "stopped" }
