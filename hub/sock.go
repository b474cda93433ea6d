// sock.go: the socket under a connection, and WebSocket frames as the hub writes them.

package hub

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"
)

// errWouldBlock says that the socket cannot take a frame without blocking
// the caller: the frame goes to the connection's writer goroutine instead.
var errWouldBlock = errors.New("hub: write would block")

// sock is the network connection gorilla/websocket reads from. The hub owns
// its write side: once the handshake is done, a frame gorilla writes itself
// (the answer to a ping, the echo of a close, the close after a protocol
// error or an oversized frame) reaches the socket through the connection's
// write side, in order with everything else, and gorilla's write deadlines
// are ignored (the hub detects stalled writes itself, see conn.stalled).
type sock struct {
	net.Conn
	c *conn // set once the handshake has been written; nil before

	// raw attempts writes that must not block (see tryWrite); nil where
	// the socket offers none. Guarded by c.mu like the rest of the write
	// side: only the connection's current writer uses it.
	raw     syscall.RawConn
	tryFunc func(fd uintptr) bool // made once, so that tryWrite allocates nothing
	tryBuf  []byte
	tryN    int
	tryErr  error
}

func newSock(nc net.Conn) *sock {
	s := &sock{Conn: nc}
	if sc, ok := nc.(syscall.Conn); ok && canTryWrite {
		if raw, err := sc.SyscallConn(); err == nil {
			s.raw = raw
			s.tryFunc = s.tryOnce
		}
	}
	return s
}

// Write is how gorilla/websocket writes: the handshake's response goes
// straight to the socket, every frame after it to the connection's write
// side, which writes it after whatever it already holds.
func (s *sock) Write(p []byte) (int, error) {
	if s.c == nil {
		return s.Conn.Write(p)
	}
	s.c.control(append([]byte(nil), p...))
	return len(p), nil
}

// SetWriteDeadline applies to the handshake only; after it the hub times
// writes itself.
func (s *sock) SetWriteDeadline(t time.Time) error {
	if s.c == nil {
		return s.Conn.SetWriteDeadline(t)
	}
	return nil
}

// SetDeadline sets the read deadline, and the write deadline during the
// handshake only.
func (s *sock) SetDeadline(t time.Time) error {
	if s.c == nil {
		return s.Conn.SetDeadline(t)
	}
	return s.Conn.SetReadDeadline(t)
}

// tryWrite writes as much of p as the socket takes now, without waiting: it
// reports errWouldBlock (with n < len(p), possibly 0) when the send buffer
// is full. The caller must hold c.mu and be the connection's only writer.
//
// A socket's file descriptor is already non-blocking (Go's poller puts it
// so), so a plain write(2) through RawConn.Write, whose callback reports
// done whatever happened, returns EAGAIN rather than park: no flags and no
// deadline are needed. A deadline in the past would not do: Go's poller
// refuses the write before trying it. RawConn.Write holds the descriptor
// against a concurrent Close while the callback runs.
func (s *sock) tryWrite(p []byte) (int, error) {
	if s.raw == nil {
		return 0, errWouldBlock
	}
	s.tryBuf = p
	err := s.raw.Write(s.tryFunc)
	n, werr := s.tryN, s.tryErr
	s.tryBuf, s.tryErr = nil, nil
	if err != nil {
		return 0, err
	}
	if n < 0 {
		n = 0
	}
	if werr == nil && n < len(p) || wouldBlock(werr) {
		return n, errWouldBlock
	}
	return n, werr
}

// hijacker hands gorilla/websocket's upgrader the connection wrapped in a
// sock, so that the hub sees every byte written to it.
type hijacker struct {
	http.ResponseWriter
	s *sock
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hub: the response cannot be hijacked")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.s = newSock(nc)
	return h.s, brw, nil
}

// WebSocket opcodes and the frames the hub writes (RFC 6455, 5.2): a
// server's frames are not masked, so one frame's bytes serve every
// recipient.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	finBit  = 0x80
)

// pingFrame is the heartbeat: a ping with no payload.
var pingFrame = []byte{finBit | opPing, 0}

// appendFrame appends one unfragmented frame of opcode op carrying payload.
func appendFrame(dst []byte, op byte, payload []byte) []byte {
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, finBit|op, byte(n))
	case n <= 0xffff:
		dst = append(dst, finBit|op, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finBit|op, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, payload...)
}

// encodeFrame encodes v as JSON in one text frame, ready for any number of
// recipients.
func encodeFrame(v any) ([]byte, error) {
	msg, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendFrame(make([]byte, 0, len(msg)+4), opText, msg), nil
}

// closeFrame is a close frame with code and text (RFC 6455, 5.5.1).
func closeFrame(code int, text string) []byte {
	payload := append([]byte{byte(code >> 8), byte(code)}, text...)
	if len(payload) > 125 {
		payload = payload[:125]
	}
	return appendFrame(nil, opClose, payload)
}

// isClose reports whether frame begins a close frame.
func isClose(frame []byte) bool { return len(frame) > 0 && frame[0]&0x0f == opClose }
