// auth.go: the passphrase: the challenge a hub sends, the answer it checks,
// and the proof it gives, both bound to the connection.

package hub

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// unauthorized is the error for a client that gave a wrong answer to the
// challenge (wrong) or none.
func (h *Hub) unauthorized(wrong bool) *wire.ProtocolError {
	text := wire.TextNeedsPassphrase
	if wrong {
		text = wire.TextWrongPassphrase
	}
	return &wire.ProtocolError{Code: wire.CodeUnauthorized, Message: wire.Fill(text, "room", h.cfg.Room)}
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
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeUnauthorized, Message: wire.TextTooManyWrong})
		h.closeConn(c, websocket.ClosePolicyViolation, "unauthorized")
		return
	}
	if fails != nil {
		fails.tokens++ // taking a token was only a check; the answer may be right
	}
	if !wire.CheckAnswer(h.key, c.nonce, c.theirs, c.endpoint, in.MAC) {
		if wire.CheckMAC(h.key, c.nonce, in.MAC) {
			// The unbound answer of protocol 2: the right passphrase,
			// from a huecast (or a cached page) to update.
			h.sendError(c, versionError(c, 2))
			h.closeConn(c, websocket.ClosePolicyViolation, "bad version")
			return
		}
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
		h.sendError(c, &wire.ProtocolError{Code: wire.CodeOpenRoom, Message: wire.Fill(wire.TextOpenRoom, "room", h.cfg.Room)})
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
	h.sendTo(c, wire.Auth{Type: wire.TypeAuth, MAC: wire.HubProof(h.key, c.nonce, c.theirs, c.endpoint)})
}

// endpoint returns wire.Endpoint of the Host r came to, which the proofs of
// its connection bind. In a room with a passphrase it must name this hub
// itself: the address and port the connection came in on, or this
// machine's name on that port. Anything else is an address the client
// dialled that is not this hub's (a relay's), and false.
func (h *Hub) endpoint(r *http.Request) (string, bool) {
	ep := wire.Endpoint(r.Host)
	if h.key == nil {
		return ep, true
	}
	local, ok := r.Context().Value(http.LocalAddrContextKey).(*net.TCPAddr)
	if !ok {
		return ep, true // not a TCP server (a test's handler): nothing to compare
	}
	return ep, ownEndpoint(ep, local)
}

// ownEndpoint says whether the Host ep names local: its IP (or this
// machine's name, or localhost) and its port, 80 when ep has none.
func ownEndpoint(ep string, local *net.TCPAddr) bool {
	port := "80"
	if _, p, err := net.SplitHostPort(ep); err == nil {
		port = p
	}
	if port != strconv.Itoa(local.Port) {
		return false
	}
	host := hostOnly(ep)
	if ip := net.ParseIP(host); ip != nil {
		return ip.Equal(local.IP)
	}
	return LocalHost(ep)
}

// refuseEndpoint answers a WebSocket to a room with a passphrase that came
// through an address that is not the hub's.
func refuseEndpoint(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "huecast: "+strconv.Quote(r.Host)+" is not this hub's address, and a room with a passphrase "+
		"is joined only at its hub's own address; connect to the hub directly", http.StatusForbidden)
}
