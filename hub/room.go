// room.go: the room's state as Run changes it: hellos, colours, joins and leaves, and fan-out.

package hub

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

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
		h.sendTo(c, wire.Ping{Type: wire.TypePong, T: in.T})
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
		h.setColor(color, in.Seq, "", wire.CleanName(in.ByName, wire.MaxNameLen), c)
	}
	h.sendTo(c, wire.Welcome{Type: wire.TypeWelcome, ID: id, Room: h.cfg.Room, Color: h.color, Seq: h.seq,
		By: h.by, ByName: h.byName, Peers: h.peerList(), Host: h.cfg.Host, HostID: h.cfg.HostID})
	h.broadcast(wire.Presence{Type: wire.TypeJoin, Peer: c.peer}, c)
}

// setColor makes color the room's colour at seq and tells every joined peer
// but skip (nil: everyone).
func (h *Hub) setColor(color string, seq uint64, by, byName string, skip *conn) {
	h.color, h.seq, h.by, h.byName = color, seq, by, byName
	h.broadcast(wire.Color{Type: wire.TypeColor, Color: color, Seq: seq, By: by, Name: byName}, skip)
}

// broadcast encodes v once and queues it for every joined peer but skip.
// A peer whose queue is full is too slow for the room and is dropped.
func (h *Hub) broadcast(v any, skip *conn) {
	msg, err := json.Marshal(v)
	if err != nil {
		h.log.Error("hub: encode broadcast", "err", err)
		return
	}
	var slow []*conn
	for _, c := range h.peers {
		if c == skip {
			continue
		}
		if !c.queue(msg) {
			slow = append(slow, c)
		}
	}
	for _, c := range slow {
		h.log.Info("hub: dropping a client that cannot keep up", "id", c.peer.ID, "remote", c.remote)
		h.drop(c, wire.ReasonDropped, websocket.CloseTryAgainLater, "too slow to keep up")
	}
}

func (h *Hub) sendTo(c *conn, v any) {
	msg, err := json.Marshal(v)
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
