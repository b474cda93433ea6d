// sock.go: the socket under a connection: writes that never block the caller.

package hub

import (
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
	// the socket offers none. Only the socket's owner (see owner) uses
	// these fields.
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
// from the reader: the answer to a ping and the echo of a close (the
// reader's handlers hand both to Run instead), and a close after a
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
// is full. The caller must own the socket (see owner): Run does, while the
// connection has nothing queued.
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
