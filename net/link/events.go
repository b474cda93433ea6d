package link

import (
	"time"

	"github.com/huecast/huecast/hub/wire"
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
	Seq    uint64
	By     string // peer id of whoever set Color
	ByName string
	Peers  []wire.Peer
	Host   string // the hosting peer's name
	HostID string // the hosting peer's id; "" when no peer hosts
}

// ColorChanged: the room's colour changed (always in seq order).
type ColorChanged struct {
	Color string
	Seq   uint64
	By    string // peer id
	Name  string // that peer's name
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
}

// HubError: the hub refused something we sent.
type HubError struct {
	Code    string
	Message string
}

// RTT: a round trip to the hub took D.
type RTT struct{ D time.Duration }

func (Joined) Kind() string       { return "joined" }
func (ColorChanged) Kind() string { return "color" }
func (PeerJoined) Kind() string   { return "peer_joined" }
func (PeerLeft) Kind() string     { return "peer_left" }
func (Disconnected) Kind() string { return "disconnected" }
func (HubError) Kind() string     { return "error" }
func (RTT) Kind() string          { return "rtt" }
