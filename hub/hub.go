// Package hub is huecast's room server: it holds one room's colour and
// members, and fans every accepted colour out to all of them over WebSockets.
//
// One goroutine, Run's, owns the room state and the set of connections;
// connections reach it through a channel. Each connection has exactly one
// reader goroutine and at most one writer goroutine, which does every write:
// gorilla/websocket allows one concurrent writer only. The writer runs only
// while the connection's outbox holds frames, so an idle connection costs
// one parked goroutine, not two; Run's ticker queues the heartbeat pings and
// ends writes that have stalled.
package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub/wire"
)

const (
	// helloWait is how long a new connection may take to say hello; one that
	// never does is closed, so idle sockets cannot pile up.
	helloWait = 5 * time.Second
	// closeGrace is how long a closing connection waits for the client's
	// close reply before hanging up; closing with unread data would reset
	// the connection and lose the close frame.
	closeGrace = 1 * time.Second
	// backstopReadLimit makes gorilla refuse absurd frames from their header
	// alone. Frames above wire.MaxFrame but below this are refused by the
	// reader itself, which can first say why (too_large).
	backstopReadLimit = 1 << 20
	// DefaultSendQueue is how many frames may wait for a client's writer
	// before the client is dropped. It must absorb a join storm (every hello
	// queues a join for every peer, faster than 2 cores schedule the
	// writers: 64 dropped clients when 1000 joined at once); 256 does, and
	// is over two seconds of colours at 100/s. The outbox grows to it only
	// when a client falls behind.
	DefaultSendQueue = 256
	// pingSlots spreads the heartbeat over PingPeriod: each tick of Run's
	// ticker pings one slot's connections, so that a thousand idle
	// connections do not start a thousand writers (each with a stack and
	// a write buffer) in the same instant every second.
	pingSlots = 10
	// keptOutbox is the largest outbox an idle connection keeps; a bigger
	// one (after a join storm) is given back at the next ping, so that idle
	// connections hold a few slots (96 bytes), not DefaultSendQueue. At
	// 100 colours a second a writer takes one or two frames at a time.
	keptOutbox = 4
	// trimAfter connections opened or closed, then trimQuiet without one
	// opening, make the hub give memory back, and once more trimQuiet later
	// (see Hub.trim).
	trimAfter = 64
	trimQuiet = 1 * time.Second
)

// Config says which room a hub serves.
type Config struct {
	Room   string       // the room's name; wire.DefaultRoom if empty
	Host   string       // the hosting peer's display name, sent in welcome
	Logger *slog.Logger // nil discards logs
	// SendQueue bounds each client's queue of unsent frames; 0 means
	// DefaultSendQueue.
	SendQueue int
	// Page serves GET / and anything else not under /ws and /api/; nil
	// answers 404.
	Page http.Handler
	// CheckOrigin decides whether a browser page may open a WebSocket; nil
	// accepts native clients (no Origin header) and pages served by a hub
	// of this room: this one, or a member's (see Hub.RoomOrigin).
	CheckOrigin func(r *http.Request) bool
	// Passphrase, if set, admits only clients that answer the hub's
	// challenge with it (see wire.AuthKey); it never crosses the wire.
	Passphrase string
	// MaxPeers bounds the joined peers; 0 means DefaultMaxPeers. A hello
	// beyond it gets room_full.
	MaxPeers int
	// ColorRate (colours per second) and ColorBurst are each client's token
	// bucket; 0 means the defaults, a negative ColorRate no limit.
	ColorRate  float64
	ColorBurst int
}

// State is a snapshot of a room.
type State struct {
	Room   string      `json:"room"`
	Color  string      `json:"color"`
	Seq    uint64      `json:"seq"`
	By     string      `json:"by"`
	ByName string      `json:"by_name"`
	Peers  []wire.Peer `json:"peers"`
}

// Hub serves one room. Create it with New, serve it over HTTP, and call Run;
// connections wait for Run to take them.
type Hub struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	upgrader websocket.Upgrader

	register chan *conn      // new connections to Run; unbuffered, so none is lost at shutdown
	events   chan event      // connections to Run
	stateReq chan chan State // State and /api/state to Run
	done     chan struct{}   // closed when Run returns
	runOnce  chan struct{}   // holds one token: Run may start once
	key      []byte          // wire.AuthKey of the passphrase; nil: none
	release  func()          // gives free memory back to the system (see trim)

	// Owned by Run's goroutine.
	authFails map[string]*bucket // wrong passphrase answers, by remote address
	conns     map[*conn]struct{} // every open connection, joined or not
	peers     []*conn            // joined connections, in join order
	churn     int                // connections opened or closed since the last trim
	lastOpen  time.Time          // when the last connection was registered
	retrimAt  time.Time          // when to give memory back once more; zero: not due
	color     string
	seq       uint64
	by        string
	byName    string
}

// New returns a hub for cfg.Room, starting green. The caller must call Run.
func New(cfg Config) *Hub {
	cfg.Room = wire.CleanRoom(cfg.Room)
	if cfg.Room == "" {
		cfg.Room = wire.DefaultRoom
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = DefaultSendQueue
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = DefaultMaxPeers
	}
	if cfg.ColorRate == 0 {
		cfg.ColorRate = DefaultColorRate
	}
	if cfg.ColorBurst <= 0 {
		cfg.ColorBurst = max(1, int(2*cfg.ColorRate)) // DefaultColorBurst for the default rate
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{
		cfg:       cfg,
		log:       log.With("room", cfg.Room),
		register:  make(chan *conn),
		events:    make(chan event, 64),
		stateReq:  make(chan chan State),
		done:      make(chan struct{}),
		runOnce:   make(chan struct{}, 1),
		conns:     map[*conn]struct{}{},
		authFails: map[string]*bucket{},
		color:     wire.StartColor,
		key:       wire.AuthKey(cfg.Passphrase, cfg.Room),
		release:   debug.FreeOSMemory,
	}
	h.runOnce <- struct{}{}
	checkOrigin := cfg.CheckOrigin
	if checkOrigin == nil {
		checkOrigin = h.RoomOrigin
	}
	h.upgrader = websocket.Upgrader{
		// Client frames are small: a colour fits the read buffer, a hello
		// is read past it. The write buffer is borrowed from a pool only
		// while a frame is written, so idle connections hold none.
		ReadBufferSize:  128,
		WriteBufferPool: &writeBufs,
		CheckOrigin:     checkOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			http.Error(w, "huecast: "+reason.Error(), status)
		},
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /ws", h.serveWS)
	h.mux.HandleFunc("GET /api/state", h.serveState)
	if cfg.Page != nil {
		h.mux.Handle("/", cfg.Page)
	}
	return h
}

// ServeHTTP serves /ws, /api/state and the page.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Done is closed when Run has returned.
func (h *Hub) Done() <-chan struct{} { return h.done }

// State returns the room's state as Run sees it.
func (h *Hub) State(ctx context.Context) (State, error) {
	reply := make(chan State, 1)
	select {
	case h.stateReq <- reply:
		return <-reply, nil
	case <-h.done:
		return State{}, errors.New("hub: stopped")
	case <-ctx.Done():
		return State{}, ctx.Err()
	}
}

func (h *Hub) serveState(w http.ResponseWriter, r *http.Request) {
	st, err := h.State(r.Context())
	if err != nil {
		http.Error(w, "huecast: the hub is not running", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(st)
}

// Run owns the room until ctx ends, then closes every connection with a
// close frame saying "hub shutting down" and returns once their writers have
// finished (or closeGrace+WriteWait has passed). Run may be called once.
func (h *Hub) Run(ctx context.Context) error {
	select {
	case <-h.runOnce:
	default:
		return errors.New("hub: Run called twice")
	}
	defer close(h.done)
	// One ticker for the room rather than one per connection: idle
	// connections then need no writer goroutine between pings.
	ping := time.NewTicker(wire.PingPeriod / pingSlots)
	defer ping.Stop()
	slot := 0
	for {
		select {
		case <-ctx.Done():
			h.shutdown()
			return nil
		case <-ping.C:
			slot = (slot + 1) % pingSlots
			now := time.Now()
			for c := range h.conns {
				if c.pingSlot == slot && !c.stalled(now) {
					c.queuePing()
				}
			}
			h.trim(now)
		case c := <-h.register:
			c.pingSlot = len(h.conns) % pingSlots
			h.conns[c] = struct{}{}
			h.churn++
			h.lastOpen = time.Now()
			if h.key != nil {
				h.sendTo(c, wire.Challenge{Type: wire.TypeChallenge, Nonce: c.nonce})
			}
		case ev := <-h.events:
			h.handle(ev)
		case reply := <-h.stateReq:
			reply <- h.snapshot()
		}
	}
}

// trim gives memory back to the system once a burst of connections has
// settled. Every new connection leaves a few KiB of garbage behind (its
// HTTP request, the handshake's buffers, its welcome with the peer list),
// and after a thousand joins the heap the garbage collector let grow for
// them stays mapped: an idle hub held twice what its connections use.
// A forced collection that returns the free pages brings it back to them,
// and shrinks the readers' stacks grown while they were busy. A second one
// a second later returns what the first left as free but still mapped
// (hub-profile's memory classes after 1000 joins: heap/free 1.17 KiB per
// connection after the first, 0.05 after the second; two back to back do
// not do it). Each runs on its own goroutine, twice per burst: it costs a
// few milliseconds of one core, which the room never waits for.
func (h *Hub) trim(now time.Time) {
	if !h.retrimAt.IsZero() && !now.Before(h.retrimAt) {
		h.retrimAt = time.Time{}
		go h.release()
	}
	if h.churn < trimAfter || now.Sub(h.lastOpen) < trimQuiet {
		return
	}
	h.churn = 0
	h.retrimAt = now.Add(trimQuiet)
	go h.release()
}

func (h *Hub) snapshot() State {
	st := State{Room: h.cfg.Room, Color: h.color, Seq: h.seq, By: h.by, ByName: h.byName, Peers: h.peerList()}
	return st
}

func (h *Hub) peerList() []wire.Peer {
	ps := make([]wire.Peer, len(h.peers))
	for i, c := range h.peers {
		ps[i] = c.peer
	}
	return ps
}

func (h *Hub) shutdown() {
	for c := range h.conns {
		h.closeConn(c, websocket.CloseGoingAway, "hub shutting down")
	}
	deadline := time.NewTimer(closeGrace + wire.WriteWait)
	defer deadline.Stop()
	for c := range h.conns {
		select {
		case <-c.writerDone:
		case <-deadline.C:
			h.log.Warn("hub: connections still closing at shutdown", "left", len(h.conns))
			return
		}
	}
}

// post hands an event to Run; it gives up when Run has returned.
func (h *Hub) post(ev event) bool {
	select {
	case h.events <- ev:
		return true
	case <-h.done:
		return false
	}
}

type eventKind int

const (
	evFrame    eventKind = iota // a frame decoded, or a protocol error in err
	evTooLarge                  // a frame over wire.MaxFrame
	evGone                      // the reader has stopped; reason says why
	evLimited                   // frames were dropped over the rate limit
	evFlood                     // the client kept flooding: disconnect it
)

type event struct {
	kind   eventKind
	c      *conn
	in     wire.In
	err    *wire.ProtocolError
	reason string
}

// conn is one client connection. Run queues frames in its outbox; a writer
// goroutine is started when the outbox stops being empty and returns when it
// is empty again, so at most one runs at a time.
type conn struct {
	ws     *websocket.Conn
	remote string
	limit  int // the most frames out may hold; Run drops the client beyond it
	// writer is c.writeLoop, made once so that starting a writer
	// allocates nothing (the fan-out benchmark puts a fake one here).
	writer func()

	mu        sync.Mutex // guards out, spare, writing, hangup, dead, closeCode and closeText
	out       [][]byte   // frames waiting for the writer, oldest first; nil is a ping
	spare     [][]byte   // the writer's last batch, emptied, for out to reuse
	writing   bool       // a writer goroutine is running, or has stopped for good
	hangup    bool       // Run has closed c: the writer says goodbye after out
	dead      bool       // a write failed: nothing more is written
	closeCode int
	closeText string

	readerDone chan struct{}
	writerDone chan struct{} // closed when the last writer has finished
	// writeFailed tells the reader that the connection ended because a write
	// timed out: the client was too slow, not gone.
	writeFailed atomic.Bool
	// writeSince is when the write under way began (Unix nanoseconds), 0
	// between writes. Run's ticker ends a write older than wire.WriteWait:
	// one check a second in place of a socket deadline set for every frame,
	// which cost a timer update per frame and per recipient.
	writeSince atomic.Int64

	nonce string // the challenge, in a room with a passphrase

	// Owned by Run.
	pingSlot int // Run pings c at this tick of every pingSlots
	closing  bool
	joined   bool
	authed   bool     // answered the challenge
	held     *wire.In // a hello waiting for the answer to the challenge
	peer     wire.Peer
}

func (h *Hub) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.log.Debug("hub: upgrade refused", "remote", r.RemoteAddr, "err", err)
		return // the upgrader has answered
	}
	c := &conn{
		ws:         ws,
		remote:     r.RemoteAddr,
		limit:      h.cfg.SendQueue,
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	c.writer = c.writeLoop
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
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseGoingAway, "hub shutting down"),
			time.Now().Add(wire.WriteWait))
		ws.Close()
		return
	}
	// The handler returns at once so that net/http lets go of this
	// connection's request state and buffers; the reader lives on, and
	// a writer starts when there is something to send.
	go h.readLoop(c)
}

// readLoop is c's only reader. It decodes frames and posts them to Run.
func (h *Hub) readLoop(c *conn) {
	defer close(c.readerDone)
	ws := c.ws
	ws.SetReadLimit(backstopReadLimit)
	_ = ws.SetReadDeadline(time.Now().Add(helloWait))
	// The hello deadline holds until the client has said hello and, in a
	// room with a passphrase, answered the challenge.
	st := &readState{answered: h.key == nil, lim: h.newLimiter(time.Now())}
	ws.SetPongHandler(func(string) error {
		if st.helloSeen {
			return ws.SetReadDeadline(time.Now().Add(wire.PongWait))
		}
		return nil
	})
	for {
		typ, r, err := ws.NextReader()
		if err != nil {
			h.readFailed(c, err)
			return
		}
		if !h.readFrame(c, typ, r, st) {
			return
		}
	}
}

// readState is what c's reader knows between frames.
type readState struct {
	helloSeen bool // said hello and, with a passphrase, answered: pongs now count
	saidHello bool
	answered  bool
	lim       *limiter
}

// readFailed reports c gone after NextReader failed with err.
//
// It and readFrame hold the reader's large locals (a decoded frame, an
// event) in frames of their own, so that a reader parked between frames
// has a shallow stack, which the garbage collector shrinks: idle
// connections then cost a 4 KiB stack rather than 8 KiB.
//
//go:noinline
func (h *Hub) readFailed(c *conn, err error) {
	if errors.Is(err, websocket.ErrReadLimit) {
		// gorilla has sent close 1009; read what the client is still
		// sending so that hanging up does not reset the connection
		// before the client has read that close frame.
		_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
		_, _ = io.CopyN(io.Discard, c.ws.UnderlyingConn(), 4*backstopReadLimit)
	}
	reason := goneReason(err)
	if c.writeFailed.Load() {
		reason = wire.ReasonDropped
	}
	h.post(event{kind: evGone, c: c, reason: reason})
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
	if now := time.Now(); !st.lim.allow(now, perr == nil && in.Type == wire.TypeColor) {
		switch st.lim.drop(now) {
		case limitFlood:
			h.post(event{kind: evFlood, c: c})
			h.drainUntilClosed(c)
			return false
		case limitNotice:
			return h.post(event{kind: evLimited, c: c})
		}
		return true
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

var writeBufs sync.Pool

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

func goneReason(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return wire.ReasonTimeout
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return wire.ReasonDropped
	}
	return wire.ReasonClosed
}

// queue adds msg to c's outbox and starts a writer if none is running. It
// reports false if the outbox is full: the client is too slow for the room.
// Frames queued after a failed write or after closeConn are discarded: the
// reader reports the client gone.
func (c *conn) queue(msg []byte) bool {
	c.mu.Lock()
	if c.dead || c.hangup {
		c.mu.Unlock()
		return true
	}
	if len(c.out) >= c.limit {
		c.mu.Unlock()
		return false
	}
	c.appendAndUnlock(msg)
	return true
}

// appendAndUnlock adds msg (nil for a ping) to the outbox, releases c.mu,
// which the caller holds, and starts a writer if none is running.
func (c *conn) appendAndUnlock(msg []byte) {
	c.out = append(c.out, msg)
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writer()
	}
}

// queuePing queues a heartbeat ping unless one is already waiting or the
// outbox is full: a client that far behind is dropped by the next frame, or
// when its write stalls (see stalled). Once a second, then, an idle
// connection's outbox is trimmed: slots grown for a burst are given back,
// but not while frames stream, when the two slices are reused and queueing
// allocates nothing.
func (c *conn) queuePing() {
	c.mu.Lock()
	if !c.writing && cap(c.out) > keptOutbox {
		c.out = nil
	}
	if !c.writing && cap(c.spare) > keptOutbox {
		c.spare = nil
	}
	if c.dead || c.hangup || len(c.out) >= c.limit || (len(c.out) > 0 && c.out[len(c.out)-1] == nil) {
		c.mu.Unlock()
		return
	}
	c.appendAndUnlock(nil)
}

// take hands the writer every queued frame. With none queued, it reports
// more false and the writer must return; hangup true then means the writer
// must say goodbye first, since Run has closed c.
func (c *conn) take() (batch [][]byte, more, hangup bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.out) == 0 {
		if c.hangup {
			return nil, false, true
		}
		c.writing = false
		return nil, false, false
	}
	batch = c.out
	c.out, c.spare = c.spare[:0], nil
	return batch, true, false
}

// recycle gives the writer's written batch back for the outbox to reuse, so
// that queueing allocates nothing in the steady state.
func (c *conn) recycle(batch [][]byte) {
	clear(batch)
	c.mu.Lock()
	if c.spare == nil {
		c.spare = batch[:0]
	}
	c.mu.Unlock()
}

// writeLoop is c's writer: it writes queued frames and pings until the outbox is
// empty. When Run has closed c it then says goodbye with a close frame and
// hangs up. A write that cannot finish within wire.WriteWait ends the
// connection (see stalled): the client is too slow, and the reader reports
// it dropped.
func (c *conn) writeLoop() {
	for {
		batch, more, hangup := c.take()
		if !more {
			if hangup {
				c.hangUp()
				close(c.writerDone)
			}
			return
		}
		for _, msg := range batch {
			typ := websocket.TextMessage
			if msg == nil {
				typ = websocket.PingMessage
			}
			c.writeSince.Store(time.Now().UnixNano())
			if err := c.ws.WriteMessage(typ, msg); err != nil {
				c.writeSince.Store(0)
				c.mu.Lock()
				c.dead, c.out, c.spare = true, nil, nil
				c.mu.Unlock()
				c.writeFailed.Store(true)
				c.ws.Close() // the reader notices and reports the client gone
				close(c.writerDone)
				return
			}
		}
		c.writeSince.Store(0)
		c.recycle(batch)
	}
}

// stalled reports whether a write has been under way for longer than
// wire.WriteWait at now, and if so closes the socket under it: the write
// fails, and the writer and reader end c as when a write deadline passed.
// The write then ends between WriteWait and WriteWait plus a ping period
// after it began.
func (c *conn) stalled(now time.Time) bool {
	since := c.writeSince.Load()
	if since == 0 || now.UnixNano()-since <= int64(wire.WriteWait) {
		return false
	}
	c.writeFailed.Store(true)
	c.ws.NetConn().Close()
	return true
}

func (c *conn) hangUp() {
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(c.closeCode, c.closeText),
		time.Now().Add(wire.WriteWait))
	select {
	case <-c.readerDone:
	case <-time.After(closeGrace):
	}
	c.ws.Close()
}

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
		By: h.by, ByName: h.byName, Peers: h.peerList(), Host: h.cfg.Host})
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

// closeConn makes c's writer say goodbye with code and text, after any
// frames already queued.
func (h *Hub) closeConn(c *conn, code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	c.mu.Lock()
	c.closeCode, c.closeText, c.hangup = code, text, true
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writer()
	}
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func quote(s string) string { return "'" + s + "'" }
