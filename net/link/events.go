package link

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/event"
	"github.com/huecast/huecast/net/wire"
)

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

// disconnected is the event for attempt's end by err, retried after wait.
func disconnected(url string, err error, attempt int, wait time.Duration) Disconnected {
	d := Disconnected{URL: url, Reason: reason(err), Attempt: attempt, RetryIn: wait}
	var se *StatusError
	if errors.As(err, &se) {
		d.Status = se.Status
	}
	return d
}

// StatusError: the hub at URL answered the WebSocket upgrade with an HTTP
// status instead (a peer that does not host answers 503).
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered %d %s instead of a WebSocket", e.URL, e.Status, http.StatusText(e.Status))
}

// reason words an error for a person.
func reason(err error) string {
	var ce *websocket.CloseError
	switch {
	case err == nil:
		return "connection ended"
	case errors.As(err, &ce):
		if ce.Text != "" {
			return wire.Fill(wire.TextHubClosedWhy, "why", ce.Text)
		}
		return wire.TextHubClosed
	case isTimeout(err):
		return wire.TextHubSilent
	case errors.Is(err, net.ErrClosed):
		return wire.TextConnLost
	default:
		return err.Error()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
