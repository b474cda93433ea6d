package link

import "github.com/huecast/huecast/net/event"

// The link's events are package event's, which a front end imports without
// the networking.
type (
	Event        = event.Event
	Joined       = event.Joined
	ColorChanged = event.ColorChanged
	PeerJoined   = event.PeerJoined
	PeerLeft     = event.PeerLeft
	Disconnected = event.Disconnected
	HubError     = event.HubError
	RTT          = event.RTT
)
