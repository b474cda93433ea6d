// auth.go: the passphrase: the challenge a hub sends, the answer it checks,
// and the proof it gives.

package hub

import (
	"fmt"
	"net"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// unauthorized is the error for a client that gave a wrong answer to the
// challenge (wrong) or none.
func (h *Hub) unauthorized(wrong bool) *wire.ProtocolError {
	msg := "Room " + quote(h.cfg.Room) + " needs a passphrase; ask whoever runs it, then join again with it."
	if wrong {
		msg = "Wrong passphrase for room " + quote(h.cfg.Room) + "; check it with whoever runs the room."
	}
	return &wire.ProtocolError{Code: wire.CodeUnauthorized, Message: msg}
}

// auth checks c's answer to its challenge, and lets a held hello in.
func (h *Hub) auth(c *conn, in wire.In) {
	if h.key == nil || c.authed {
		return // nothing was asked: an answer changes nothing
	}
	addr, _, err := net.SplitHostPort(c.remote)
	if err != nil {
		addr = c.remote
	}
	now := time.Now()
	fails := h.authFails[addr]
	if fails != nil && !fails.take(now) {
		// Too many wrong answers from there: this one is not even checked.
		h.log.Info("hub: too many wrong passphrases", "remote", c.remote)
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeUnauthorized,
			Message: "Too many wrong passphrases from this address; wait a minute before trying again."})
		h.closeConn(c, websocket.ClosePolicyViolation, "unauthorized")
		return
	}
	if fails != nil {
		fails.tokens++ // taking a token was only a check; the answer may be right
	}
	if !wire.CheckMAC(h.key, c.nonce, in.MAC) {
		h.log.Info("hub: wrong passphrase", "remote", c.remote)
		if fails == nil {
			if len(h.authFails) >= authFailAddrs {
				clear(h.authFails)
			}
			fails = &bucket{rate: authFailRate, burst: authFailBurst, tokens: authFailBurst, last: now}
			h.authFails[addr] = fails
		}
		fails.take(now)
		h.sendError(c, h.unauthorized(true))
		h.closeConn(c, websocket.ClosePolicyViolation, "unauthorized")
		return
	}
	c.authed = true
	if c.theirs != "" {
		h.prove(c)
	}
	if held := c.held; held != nil {
		c.held = nil
		h.hello(c, *held)
	}
}

// challenged takes a client's own challenge: the hub proves it knows the
// passphrase too, once the client has proved it does, and before the
// client says anything about itself.
func (h *Hub) challenged(c *conn, in wire.In) {
	if h.key == nil {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeOpenRoom, Message: "Room " + quote(h.cfg.Room) +
			" has no passphrase on this hub, so it is not the room of a peer that holds one."})
		h.closeConn(c, websocket.ClosePolicyViolation, "open room")
		return
	}
	if c.theirs != "" || !wire.ValidNonce(in.Nonce) {
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeBadType,
			Message: fmt.Sprintf("A challenge carries one nonce of %d lower-case hex digits, once.", 2*wire.NonceLen)})
		h.closeConn(c, websocket.ClosePolicyViolation, "bad challenge")
		return
	}
	c.theirs = in.Nonce
	if c.authed {
		h.prove(c)
	}
}

// prove answers c's challenge.
func (h *Hub) prove(c *conn) {
	h.sendTo(c, wire.Auth{Type: wire.TypeAuth, MAC: wire.HubProof(h.key, c.theirs)})
}
