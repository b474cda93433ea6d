// sock.go: the socket under a connection, and WebSocket frames as the hub writes them.

package hub

import (
	"encoding/json"
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// errWouldBlock says that the socket cannot take a frame without blocking
// the caller: the frame goes to the connection's writer goroutine instead.
var errWouldBlock = errors.New("hub: write would block")

// sock is the socket under a connection, as its write side uses it.
// gorilla/websocket reads the same socket, straight (a wrapper in its read
// path would deepen every parked reader's stack past the size the runtime
// shrinks it to, and cost idle connections 2 KiB each), but writes nothing
// to it: see muteGorilla.
type sock struct {
	net.Conn

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

// muteGorilla makes ws write nothing more to its socket, ever, so that the
// hub's write side is the socket's only writer. gorilla writes by itself
// from the reader: the answer to a ping and the echo of a close (the hub
// replaces both handlers and writes them itself), and a close after a
// protocol error or a frame over the read limit (the reader reports those,
// and the hub says goodbye; see readFailed). A write error is final in
// gorilla: every later write, WriteControl's included, returns it before
// touching the socket. So one write is made to fail before it writes a
// byte, with a deadline already past (Go's poller refuses such a write
// without trying it), and the socket's deadline is then cleared for the
// hub's own writes.
func muteGorilla(ws *websocket.Conn) {
	_ = ws.SetWriteDeadline(time.Unix(1, 0))
	_ = ws.WriteMessage(websocket.BinaryMessage, nil)
	_ = ws.NetConn().SetWriteDeadline(time.Time{})
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

// WebSocket opcodes and the frames the hub writes (RFC 6455, 5.2): a
// server's frames are not masked, so one frame's bytes serve every
// recipient.
const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xa
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

// closeFrame is a close frame with code and text (RFC 6455, 5.5.1);
// websocket.CloseNoStatusReceived makes one with no body, as that code must
// not be sent.
func closeFrame(code int, text string) []byte {
	if code == websocket.CloseNoStatusReceived {
		return appendFrame(nil, opClose, nil)
	}
	payload := append([]byte{byte(code >> 8), byte(code)}, text...)
	if len(payload) > 125 {
		payload = payload[:125]
	}
	return appendFrame(nil, opClose, payload)
}

// isClose reports whether frame begins a close frame.
func isClose(frame []byte) bool { return len(frame) > 0 && frame[0]&0x0f == opClose }
