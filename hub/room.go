// room.go: the room's state as Run changes it: hellos, colours, joins and leaves, and fan-out.

package hub

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub/wire"
)

func (h *Hub) handle(ev event) {
	c := ev.c
	switch ev.kind {
	case evGone:
		if !c.closing && h.key != nil && !c.authed && ev.reason == wire.ReasonTimeout {
			// It never answered the challenge: say why before hanging up.
			h.sendError(c, h.unauthorized(false))
			h.closeConn(c, websocket.ClosePolicyViolation, "unauthorized")
		}
		if !c.closing {
			h.leave(c, ev.reason)
			h.closeConn(c, websocket.CloseNormalClosure, "")
		}
		delete(h.conns, c)
		h.churn++
	case evTooLarge:
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeTooLarge,
			Message: "That frame is larger than the 4096 bytes a hub accepts; the connection is closed."})
		h.drop(c, wire.ReasonDropped, websocket.CloseMessageTooBig, "frame too large")
	case evLimited:
		if !c.closing {
			h.sendError(c, h.rateLimited())
		}
	case evFlood:
		h.log.Info("hub: disconnecting a client that floods the room", "id", c.peer.ID, "remote", c.remote)
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeRateLimited,
			Message: "This connection kept sending faster than the room allows and is closed."})
		h.drop(c, wire.ReasonDropped, websocket.ClosePolicyViolation, "rate limit exceeded")
	case evFrame:
		if c.closing {
			return
		}
		if ev.err != nil {
			h.sendError(c, ev.err)
			return
		}
		h.frame(c, ev.in)
	}
}

func (h *Hub) frame(c *conn, in wire.In) {
	switch in.Type {
	case wire.TypeHello:
		h.hello(c, in)
	case wire.TypeAuth:
		h.auth(c, in)
	case wire.TypeChallenge:
		h.challenged(c, in)
	case wire.TypePing:
		if in.RTT > 0 && c.joined {
			h.rtts[c] = min(wire.Duration(in.RTT), MaxLead)
		}
		h.sendTo(c, wire.Pong{Type: wire.TypePong, T: in.T, HT: wire.Millis(h.now())})
	case wire.TypeColor:
		if !c.joined {
			h.sendError(c, &wire.ProtocolError{Code: wire.CodeHelloRequired, Message: "Say hello before sending colours."})
			return
		}
		color, err := wire.ParseColor(in.Color)
		if err != nil {
			h.sendError(c, err.(*wire.ProtocolError))
			return
		}
		h.setColor(color, h.seq+1, c.peer.ID, c.peer.Name, nil)
	}
}

func (h *Hub) hello(c *conn, in wire.In) {
	if c.joined {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeBadType, Message: "This connection has already said hello."})
		return
	}
	if h.key != nil && !c.authed {
		// Nothing about the room is told before the challenge is answered.
		if c.held != nil {
			h.sendError(c, &wire.ProtocolError{Code: wire.CodeBadType, Message: "This connection has already said hello."})
			return
		}
		c.held = &in
		return
	}
	room := wire.CleanRoom(in.Room)
	if room == "" {
		room = wire.DefaultRoom
	}
	if room != h.cfg.Room {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeWrongRoom,
			Message: "This hub serves room " + quote(h.cfg.Room) + ", not " + quote(room) + "."})
		h.closeConn(c, websocket.ClosePolicyViolation, "wrong room")
		return
	}
	id := wire.CleanName(in.ID, wire.MaxIDLen)
	if id == "" {
		id = randomID()
	}
	name := wire.CleanName(in.Name, wire.MaxNameLen)
	if name == "" {
		name = "guest-" + id[:min(4, len(id))]
	}
	var old *conn
	for _, p := range h.peers {
		if p.peer.ID == id {
			old = p
			break
		}
	}
	if old == nil && len(h.peers) >= h.cfg.MaxPeers {
		h.log.Info("hub: room full", "max", h.cfg.MaxPeers, "remote", c.remote)
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeRoomFull,
			Message: fmt.Sprintf("Room %s is full: it has the %d peers this hub allows.", quote(h.cfg.Room), h.cfg.MaxPeers)})
		h.closeConn(c, websocket.ClosePolicyViolation, "room full")
		return
	}
	if old != nil {
		// The same peer reconnected before its old connection timed out.
		h.removePeer(old)
		h.closeConn(old, websocket.ClosePolicyViolation, "replaced by a newer connection")
	}
	c.peer = wire.Peer{ID: id, Name: name, Addr: wire.CleanName(in.Addr, 64)}
	c.joined = true
	h.peers = append(h.peers, c)
	h.log.Debug("hub: peer joined", "id", id, "name", name, "remote", c.remote)

	// A peer that knew a newer colour (it came from a hub that has gone)
	// brings it along: this is how the colour survives a change of host.
	// A seq beyond wire.MaxSeq is not adopted: the next would wrap (or,
	// in a page, lose precision) and every screen would ignore it.
	if color, err := wire.ParseColor(in.Color); err == nil && in.Seq > h.seq && in.Seq <= wire.MaxSeq {
		// Shown on arrival: the room already had it, on another hub.
		h.showColor(color, in.Seq, "", wire.CleanName(in.ByName, wire.MaxNameLen), c, 0)
	}
	h.sendTo(c, wire.Welcome{Type: wire.TypeWelcome, ID: id, Room: h.cfg.Room, Color: h.color, Seq: h.seq,
		By: h.by, ByName: h.byName, Peers: h.peerList(), Host: h.cfg.Host, HostID: h.cfg.HostID, Lead: wire.Millis(h.lead())})
	h.broadcast(wire.Presence{Type: wire.TypeJoin, Peer: c.peer}, c)
}

// setColor makes color the room's colour at seq and tells every joined peer
// but skip (nil: everyone) to show it the room's lead from now.
func (h *Hub) setColor(color string, seq uint64, by, byName string, skip *conn) {
	h.showColor(color, seq, by, byName, skip, h.lead())
}

// showColor is setColor with the lead given; 0 shows it on arrival.
func (h *Hub) showColor(color string, seq uint64, by, byName string, skip *conn, lead time.Duration) {
	h.color, h.seq, h.by, h.byName = color, seq, by, byName
	f := wire.Color{Type: wire.TypeColor, Color: color, Seq: seq, By: by, Name: byName}
	if lead > 0 {
		f.At, f.Lead = wire.Millis(h.now()+lead), wire.Millis(lead)
	}
	h.broadcast(f, skip)
}

// The lead: how long after accepting a colour the room shows it. Every
// member must have the colour by then, so it is the slowest member's round
// trip (a whole one, not half: the way back may be the slow leg), plus
// time to fan the colour out; at least MinLead, at most MaxLead.
const (
	// MinLead covers fanning a colour out to a full room and a loaded
	// machine's scheduling on a quiet LAN; people do not see 30 ms pass
	// between a click and the room's flip.
	MinLead = 30 * time.Millisecond
	// MaxLead bounds the wait a slow member imposes on everyone: past a
	// quarter of a second a click feels slow. A member slower than that
	// shows colours late, at once.
	MaxLead = 250 * time.Millisecond
	// leadMargin is added to the slowest round trip for the fan-out and
	// for jitter beyond the reported (median) round trip.
	leadMargin = 20 * time.Millisecond
)

// lead is the room's lead now, from the round trips its members report.
func (h *Hub) lead() time.Duration {
	var slowest time.Duration
	for _, c := range h.peers {
		slowest = max(slowest, h.rtts[c])
	}
	return min(max(slowest+leadMargin, MinLead), MaxLead)
}

// now reads the hub's clock: the time since the hub was made, monotonic,
// so that a step of the wall clock moves no scheduled flip.
func (h *Hub) now() time.Duration { return time.Since(h.start) }

// broadcast encodes v once, as one frame, and sends it to every joined
// peer but skip (see fanOut).
func (h *Hub) broadcast(v any, skip *conn) {
	frame, err := encodeFrame(v)
	if err != nil {
		h.log.Error("hub: encode broadcast", "err", err)
		return
	}
	h.fanOut(frame, skip)
}

func (h *Hub) sendTo(c *conn, v any) {
	msg, err := encodeFrame(v)
	if err != nil {
		h.log.Error("hub: encode", "err", err)
		return
	}
	if !c.queue(msg) {
		h.drop(c, wire.ReasonDropped, websocket.CloseTryAgainLater, "too slow to keep up")
	}
}

func (h *Hub) sendError(c *conn, perr *wire.ProtocolError) {
	h.log.Debug("hub: client error", "code", perr.Code, "remote", c.remote)
	h.sendTo(c, perr.Frame())
}

// drop closes c and tells the room it left.
func (h *Hub) drop(c *conn, reason string, code int, text string) {
	if c.closing {
		return
	}
	h.closeConn(c, code, text)
	h.leave(c, reason)
}

func (h *Hub) leave(c *conn, reason string) {
	if !c.joined {
		return
	}
	h.removePeer(c)
	h.log.Debug("hub: peer left", "id", c.peer.ID, "reason", reason)
	h.broadcast(wire.Presence{Type: wire.TypeLeave, Peer: c.peer, Reason: reason}, nil)
}

func (h *Hub) removePeer(c *conn) {
	delete(h.rtts, c)
	for i, p := range h.peers {
		if p == c {
			h.peers = append(h.peers[:i], h.peers[i+1:]...)
			break
		}
	}
	c.joined = false
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func quote(s string) string { return "'" + s + "'" }
