// conn.go: a client connection and its reader, which decodes frames and posts them to Run.

package hub

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// conn is one client connection. Its reader goroutine (readLoop) reads
// it through gorilla/websocket; its socket is written by Run, or by a
// writer goroutine Run hands it to (writer.go says when), never by both.
type conn struct {
	ws     *websocket.Conn // for reading only (see muteGorilla)
	sock   *sock
	remote string
	limit  int // the most frames out may hold; Run drops the client beyond it
	// writer is c.writeLoop, made once so that starting a writer
	// allocates nothing.
	writer func()

	mu    sync.Mutex // guards owner, out and spare: the hand-off between Run and the writer
	owner owner      // who writes the socket now
	out   [][]byte   // whole frames waiting for the writer, oldest first (the first may be what is left of one)
	spare [][]byte   // the writer's last batch, emptied, for out to reuse

	readerDone chan struct{}
	writerDone chan struct{} // closed when the write side has ended
	// writeFailed tells the reader that the connection ended because a write
	// failed or timed out: the client was too slow, not gone.
	writeFailed atomic.Bool
	// writeSince is when the writer's write under way began (Unix
	// nanoseconds), 0 between writes. Run's ticker ends a write older than
	// wire.WriteWait: one check a second in place of a socket deadline set
	// for every frame, which cost a timer update per frame and per recipient.
	writeSince atomic.Int64

	nonce    string // the challenge, in a room with a passphrase
	endpoint string // wire.Endpoint of the Host this client dialled, which the proofs bind
	fresh    bool   // counted in Hub.fresh until it says hello or goes; owned by Run once registered

	// Owned by Run.
	pingSlot int  // Run pings c at this tick of every pingSlots
	closing  bool // closeConn has run: nothing more is said to c
	joined   bool
	authed   bool     // answered the challenge
	theirs   string   // the client's own challenge, answered once it is authed
	held     *wire.In // a hello waiting for the answer to the challenge
	peer     wire.Peer
}

func (h *Hub) serveWS(w http.ResponseWriter, r *http.Request) {
	endpoint, ok := h.endpoint(r)
	if !ok {
		h.log.Info("hub: refused a WebSocket to another address", "host", r.Host, "remote", r.RemoteAddr)
		refuseEndpoint(w, r)
		return
	}
	if !h.takeFresh(w, r) {
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.fresh.release(r.RemoteAddr)
		h.log.Debug("hub: upgrade refused", "remote", r.RemoteAddr, "err", err)
		return // the upgrader has answered
	}
	c := &conn{
		ws:         ws,
		sock:       newSock(ws.NetConn()),
		remote:     r.RemoteAddr,
		endpoint:   endpoint,
		fresh:      true,
		limit:      h.cfg.SendQueue,
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	c.writer = c.writeLoop
	// gorilla writes nothing from here on: this handler writes the socket
	// until Run takes c, and Run's write side after that.
	muteGorilla(ws)
	if h.key != nil {
		c.nonce = wire.NewNonce()
	}
	registered := false
	select {
	case h.register <- c:
		registered = true
	case <-h.done:
	case <-r.Context().Done():
	}
	if !registered {
		h.fresh.release(c.remote)
		_ = c.sock.SetWriteDeadline(time.Now().Add(wire.WriteWait))
		_, _ = c.sock.Write(closeFrame(websocket.CloseGoingAway, "hub shutting down"))
		ws.Close()
		return
	}
	// The handler returns at once so that net/http lets go of this
	// connection's request state and buffers; the reader lives on, and
	// a writer starts when there is something to send.
	go h.readLoop(c)
}

// readLoop is c's only reader. It decodes frames and posts them to Run;
// it writes nothing: a ping's pong and the close c must be told are posted
// to Run too. Every frame, control frames included, counts against c's
// frame limit.
func (h *Hub) readLoop(c *conn) {
	defer close(c.readerDone)
	ws := c.ws
	ws.SetReadLimit(backstopReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(helloWait))
	// The hello deadline holds until the client has said hello and, in a
	// room with a passphrase, answered the challenge.
	st := &readState{answered: h.key == nil, lim: h.newLimiter(time.Now())}
	ws.SetPingHandler(func(data string) error {
		if ok, err := h.limit(c, st, false); !ok {
			return err
		}
		if !h.post(event{kind: evPong, c: c, frame: appendFrame(nil, opPong, []byte(data))}) {
			return errHubStopped
		}
		return nil
	})
	ws.SetPongHandler(func(string) error {
		if ok, err := h.limit(c, st, false); !ok {
			return err
		}
		if st.helloSeen {
			return ws.SetReadDeadline(time.Now().Add(wire.PongWait))
		}
		return nil
	})
	ws.SetCloseHandler(func(code int, _ string) error {
		st.closeCode = code // Run echoes it
		return nil
	})
	for {
		typ, r, err := ws.NextReader()
		if err != nil {
			h.readFailed(c, err, st)
			return
		}
		if !h.readFrame(c, typ, r, st) {
			return
		}
	}
}

var (
	// errFlooded ends reading a client that kept sending past its limit.
	errFlooded = errors.New("hub: the client floods the room")
	// errHubStopped ends reading when Run has returned.
	errHubStopped = errors.New("hub: stopped")
)

// readState is what c's reader knows between frames.
type readState struct {
	helloSeen bool // said hello and, with a passphrase, answered: pongs now count
	saidHello bool
	answered  bool
	closeCode int // of the client's close frame; 0: none came
	lim       *limiter
}

// limit counts a frame (a colour when color) against c's limits. It
// reports whether the frame may go on to the room; a frame over the limit
// is dropped, the client told now and then, and err is errFlooded when
// the client keeps flooding and must be disconnected.
func (h *Hub) limit(c *conn, st *readState, color bool) (ok bool, err error) {
	now := time.Now()
	if st.lim.allow(now, color) {
		return true, nil
	}
	switch st.lim.drop(now) {
	case limitFlood:
		return false, errFlooded
	case limitNotice:
		if !h.post(event{kind: evLimited, c: c}) {
			return false, errHubStopped
		}
	}
	return false, nil
}

// readFailed reports c gone after NextReader failed with err.
//
// It and readFrame hold the reader's large locals (a decoded frame, an
// event) in frames of their own, so that a reader parked between frames
// has a shallow stack, which the garbage collector shrinks: idle
// connections then cost a 4 KiB stack rather than 8 KiB.
//
//go:noinline
func (h *Hub) readFailed(c *conn, err error, st *readState) {
	ev := event{kind: evGone, c: c, reason: goneReason(err), code: st.closeCode}
	if c.writeFailed.Load() {
		ev.reason = wire.ReasonDropped
	}
	switch perr := protocolError(err); {
	case errors.Is(err, errFlooded):
		h.post(event{kind: evFlood, c: c})
		h.drainSocket(c)
		ev.reason = wire.ReasonDropped
	case perr != "":
		// gorilla refuses the frame and writes nothing (see muteGorilla):
		// the hub says why, as gorilla would have.
		ev.code, ev.text = websocket.CloseProtocolError, perr
	case errors.Is(err, websocket.ErrReadLimit):
		// Say why, then read what the client is still sending so that
		// hanging up does not reset the connection before the client
		// has read that close frame.
		ev.code = websocket.CloseMessageTooBig
		h.post(ev)
		h.drainSocket(c)
		return
	}
	h.post(ev)
}

// drainSocket reads and discards what the client still sends, below
// gorilla, which returns its first error to every later read, until the
// client hangs up, the writer does, or the grace has passed.
func (h *Hub) drainSocket(c *conn) {
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace + wire.WriteWait))
	_, _ = io.CopyN(io.Discard, c.ws.UnderlyingConn(), 4*backstopReadLimit)
}

// readFrame reads, decodes and posts the frame r; it reports false when the
// reader must stop.
//
//go:noinline
func (h *Hub) readFrame(c *conn, typ int, r io.Reader, st *readState) bool {
	bufp := frameBufs.Get().(*[]byte)
	buf := *bufp
	n, err := io.ReadFull(r, buf)
	var in wire.In
	var perr *wire.ProtocolError
	if n <= wire.MaxFrame {
		in, perr = decodeFrame(typ, buf[:n])
	}
	frameBufs.Put(bufp)
	switch {
	case n > wire.MaxFrame:
		h.post(event{kind: evTooLarge, c: c})
		h.drainUntilClosed(c)
		return false
	case err != nil && err != io.ErrUnexpectedEOF && err != io.EOF:
		h.post(event{kind: evGone, c: c, reason: goneReason(err)})
		return false
	}
	if st.helloSeen {
		_ = c.ws.SetReadDeadline(time.Now().Add(wire.PongWait))
	}
	if ok, err := h.limit(c, st, perr == nil && in.Type == wire.TypeColor); !ok {
		if err == errFlooded {
			h.post(event{kind: evFlood, c: c})
			h.drainUntilClosed(c)
		}
		return err == nil
	}
	if perr != nil {
		h.post(event{kind: evFrame, c: c, err: perr})
		return true
	}
	st.saidHello = st.saidHello || in.Type == wire.TypeHello
	st.answered = st.answered || in.Type == wire.TypeAuth
	if st.saidHello && st.answered && !st.helloSeen {
		st.helloSeen = true
		_ = c.ws.SetReadDeadline(time.Now().Add(wire.PongWait))
	}
	return h.post(event{kind: evFrame, c: c, in: in})
}

// gorillaWriteBufs stays empty: gorilla takes a write buffer from it only
// to write a message, which the hub never asks it to (it writes frames
// itself), so no connection holds one.
var gorillaWriteBufs sync.Pool

// frameBufs holds read buffers of wire.MaxFrame+1 bytes, taken only while a
// frame is being read and decoded, so that idle connections hold none.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, wire.MaxFrame+1); return &b }}

// decodeFrame decodes one client frame; binary frames are refused.
func decodeFrame(typ int, data []byte) (wire.In, *wire.ProtocolError) {
	if typ != websocket.TextMessage {
		return wire.In{}, &wire.ProtocolError{Code: wire.CodeBadJSON, Message: "Binary frames are not accepted; send JSON text frames."}
	}
	in, err := wire.DecodeIn(data)
	if err != nil {
		var perr *wire.ProtocolError
		errors.As(err, &perr)
		return wire.In{}, perr
	}
	return in, nil
}

// drainUntilClosed reads and discards until the client answers the close
// frame Run is sending, or the connection fails, so that closing the socket
// does not reset it before the client has read why.
func (h *Hub) drainUntilClosed(c *conn) {
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace + wire.WriteWait))
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			h.post(event{kind: evGone, c: c, reason: wire.ReasonDropped})
			return
		}
	}
}

// protocolError returns why gorilla refused the client's frames when err
// says they broke the WebSocket protocol (a bad opcode, an unmasked frame,
// and the like), and "" for any other end of reading: a close, a timeout,
// a reset, an oversized frame.
func protocolError(err error) string {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, websocket.ErrReadLimit), errors.Is(err, net.ErrClosed):
		return ""
	}
	msg, ok := strings.CutPrefix(err.Error(), "websocket: ")
	if !ok {
		return ""
	}
	return msg
}

func goneReason(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return wire.ReasonTimeout
	}
	if errors.Is(err, websocket.ErrReadLimit) || errors.Is(err, errFlooded) {
		return wire.ReasonDropped
	}
	return wire.ReasonClosed
}
