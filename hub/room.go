// room.go: the room's state as Run changes it: hellos, colours, joins and leaves, and fan-out.

package hub

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
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
			code := ev.code
			if code == 0 {
				code = websocket.CloseNormalClosure
			}
			h.closeConn(c, code, ev.text)
		}
		delete(h.conns, c)
		delete(h.checking, c)
		h.settle(c)
		h.churn++
	case evPong:
		// Pongs count towards the outbox's bound like any frame, so a
		// client that pings and never reads is dropped, not grown.
		if !c.closing && !c.queue(ev.frame) {
			h.drop(c, wire.ReasonDropped, websocket.CloseTryAgainLater, "too slow to keep up")
		}
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
	case evAddrChecked:
		if h.checking[c] && !c.closing {
			delete(h.checking, c)
			h.join(c, ev.in)
		}
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
			h.rtts[c] = min(wire.Duration(in.RTT), maxRTT)
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
		// While connected the hub's order is the truth: the pick that
		// reaches it last wins, stamped by a clock that has seen every
		// stamp the room adopted.
		st := h.clock.Stamp()
		st.ID = c.peer.ID
		h.setColor(color, st, c.peer.ID, c.peer.Name)
	}
}

func (h *Hub) hello(c *conn, in wire.In) {
	if c.joined || h.checking[c] {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeBadType, Message: "This connection has already said hello."})
		return
	}
	if in.V != wire.Version {
		// An older peer would read our stamps as nothing and its seq as
		// news: it must not join, and its person must learn why.
		h.log.Info("hub: refusing a peer of another protocol version", "v", in.V, "remote", c.remote)
		h.sendError(c, versionError(c, in.V))
		h.closeConn(c, websocket.ClosePolicyViolation, "protocol version")
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
	room := wire.RoomName(in.Room)
	if room != h.cfg.Room {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeWrongRoom,
			Message: wire.Fill(wire.TextWrongRoom, "room", h.cfg.Room, "asked", room)})
		h.closeConn(c, websocket.ClosePolicyViolation, "wrong room")
		return
	}
	in.Addr = memberAddr(c.remote, in.Addr)
	if in.Addr != "" && h.cfg.CheckAddr != nil {
		h.checkAddr(c, in)
		return
	}
	h.join(c, in)
}

// join admits a hello that passed every check.
func (h *Hub) join(c *conn, in wire.In) {
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
			Message: wire.Fill(wire.TextRoomFull, "room", h.cfg.Room, "max", strconv.Itoa(h.cfg.MaxPeers))})
		h.closeConn(c, websocket.ClosePolicyViolation, "room full")
		return
	}
	if old != nil {
		// The same peer reconnected before its old connection timed out.
		h.removePeer(old)
		h.closeConn(old, websocket.ClosePolicyViolation, wire.CloseReplaced)
	}
	c.peer = wire.Peer{ID: id, Name: name, Addr: wire.CleanName(in.Addr, 64)}
	c.joined = true
	h.settle(c)
	h.peers = append(h.peers, c)
	h.log.Debug("hub: peer joined", "id", id, "name", name, "remote", c.remote)

	// A peer that knew a newer colour (it came from a hub that has gone,
	// from the other side of a split network, or picked one while away)
	// brings it along; the newer stamp wins, whoever counted more changes.
	refused := h.adopt(c, in)
	h.sendTo(c, wire.Welcome{Type: wire.TypeWelcome, ID: id, Room: h.cfg.Room, Color: h.color, Stamp: h.stamp,
		By: h.by, ByName: h.byName, Peers: h.peerList(), Host: h.cfg.Host, HostID: h.cfg.HostID, Lead: wire.Millis(h.lead()), V: wire.Version})
	if refused != nil {
		h.sendError(c, refused)
	}
	h.broadcast(wire.Presence{Type: wire.TypeJoin, Peer: c.peer}, c)
}

// adopt makes a hello's colour the room's when its stamp is newer than the
// room's. A stamp the hub's clock refuses (too far ahead, or malformed) is
// not adopted: the colour counts as set now, and the returned bad_stamp
// error is for the peer, after its welcome.
func (h *Hub) adopt(c *conn, in wire.In) *wire.ProtocolError {
	color, err := wire.ParseColor(in.Color)
	if err != nil || in.Stamp.IsZero() || !in.Stamp.After(h.stamp) {
		return nil
	}
	st := in.Stamp
	var refused *wire.ProtocolError
	if err := h.clock.Observe(st); err != nil {
		refused, _ = err.(*wire.ProtocolError)
		h.log.Info("hub: not adopting a hello's stamp", "id", c.peer.ID, "stamp", st.String(), "err", err)
		st = h.clock.Stamp()
		st.ID = c.peer.ID
	}
	// Who set it is known by name only: the setter's id may be another
	// hub's guest- id. Shown on arrival: the room already had it, on
	// another hub or another screen.
	h.showColor(color, st, "", wire.CleanName(in.ByName, wire.MaxNameLen), c, 0, 0)
	return refused
}

// versionError tells the person at c, whose device speaks protocol v (1
// when it said none), which huecast to update.
func versionError(c *conn, v int) *wire.ProtocolError {
	return &wire.ProtocolError{Code: wire.CodeBadVersion, Message: wire.VersionText(c.endpoint, wire.Version, max(v, 1))}
}

// setColor makes color the room's colour at stamp st and tells every joined
// peer to show it at its moment: the room's lead from now, or the moment of
// a colour still waiting that it can replace in time (see wire.Moment).
func (h *Hub) setColor(color string, st wire.Stamp, by, byName string) {
	lead := h.lead()
	h.waiting = wire.Moment(h.now(), lead, h.reach(), h.waiting)
	h.showColor(color, st, by, byName, nil, h.waiting, lead)
}

// showColor makes color the room's colour and tells every joined peer but
// skip (nil: everyone) to show it at at, with lead; at 0 shows it on
// arrival.
func (h *Hub) showColor(color string, st wire.Stamp, by, byName string, skip *conn, at, lead time.Duration) {
	h.color, h.stamp, h.by, h.byName = color, st, by, byName
	f := wire.Color{Type: wire.TypeColor, Color: color, Stamp: st, By: by, Name: byName}
	if at > 0 {
		f.At, f.Lead = wire.Millis(at), wire.Millis(lead)
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
	// maxRTT bounds the round trip a member may report: past it, reach
	// exceeds any lead, and no colour replaces a waiting one.
	maxRTT = 2 * MaxLead
	// reachMargin is added to half the slowest round trip for the fan-out,
	// jitter and a busy machine's scheduling: a colour that replaces a
	// waiting one and still arrives after that one's moment shows, late,
	// on that screen alone, which then shows one colour more than the
	// others. Fifty milliseconds make that rare on a loaded machine; a
	// person clicking twice within less than lead - reach sees only the
	// second.
	reachMargin = 50 * time.Millisecond
)

// lead is the room's lead now, from the round trips its members report.
func (h *Hub) lead() time.Duration {
	return min(max(h.slowest()+leadMargin, MinLead), MaxLead)
}

// reach is how long a colour sent now may take to reach every member: half
// the slowest round trip, the split the clients' offset estimates assume
// too, plus reachMargin. A colour replaces a waiting one only if it arrives
// everywhere before that one's moment (see wire.Moment).
func (h *Hub) reach() time.Duration { return h.slowest()/2 + reachMargin }

func (h *Hub) slowest() time.Duration {
	var slowest time.Duration
	for _, c := range h.peers {
		slowest = max(slowest, h.rtts[c])
	}
	return slowest
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
