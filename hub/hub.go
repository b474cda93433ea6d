// Package hub is huecast's room server: it holds one room's colour and
// members, and fans every accepted colour out to all of them over WebSockets.
//
// One goroutine, Run's, owns the room state and the set of connections;
// connections reach it through a channel. Each connection has exactly one
// reader goroutine (gorilla/websocket reads) and one write side, which the
// hub owns (writer.go): a broadcast is framed once, and Run writes the frame
// to every idle socket itself without blocking; a writer goroutine runs only
// while a connection has frames its socket could not take at once. An idle
// connection costs one parked goroutine; Run's ticker sends the heartbeat
// pings and ends writes that have stalled.
package hub

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
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
	HostID string       // the hosting peer's id, sent in welcome; "" when no peer hosts
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
	// Key, if set, is wire.AuthKey(Passphrase, Room), derived once by a
	// caller that needs it too (the derivation is slow on purpose).
	Key []byte
	// MaxPeers bounds the joined peers; 0 means DefaultMaxPeers. A hello
	// beyond it gets room_full.
	MaxPeers int
	// ColorRate (colours per second) and ColorBurst are each client's token
	// bucket; 0 means the defaults, a negative ColorRate no limit.
	ColorRate  float64
	ColorBurst int
	// CheckAddr, if set, says whether the peer id answers at addr (the
	// host:port a member would host on, at the address its connection
	// came from); only an addr it confirms is told to the room, so the
	// room never elects a member nobody can reach. It must return within
	// ctx. nil takes every addr as given.
	CheckAddr func(ctx context.Context, id, addr string) bool
	// MaxFresh bounds the connections yet to say hello, from all
	// addresses; 0 means DefaultMaxFresh. Beyond it a new one gets 503.
	MaxFresh int
}

// State is a snapshot of a room.
type State struct {
	Room   string      `json:"room"`
	Color  string      `json:"color"`
	Stamp  wire.Stamp  `json:"stamp"`
	By     string      `json:"by"`
	ByName string      `json:"by_name"`
	Peers  []wire.Peer `json:"peers"`
	// Lead is how far ahead of accepting a colour the room shows it now,
	// in ms (see Hub.lead).
	Lead float64 `json:"lead_ms"`
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
	start    time.Time       // the hub's clock reads the time since (monotonic)
	fresh    freshConns      // connections yet to say hello, by address and in all

	// Owned by Run's goroutine.
	authFails map[string]*bucket      // wrong passphrase answers, by remote address
	conns     map[*conn]struct{}      // every open connection, joined or not
	peers     []*conn                 // joined connections, in join order
	churn     int                     // connections opened or closed since the last trim
	lastOpen  time.Time               // when the last connection was registered
	retrimAt  time.Time               // when to give memory back once more; zero: not due
	rtts      map[*conn]time.Duration // round trips members last reported
	checking  map[*conn]bool          // hellos held while CheckAddr runs
	waiting   time.Duration           // the moment of the last colour sent, on the hub's clock
	clock     wire.Clock              // stamps accepted colours; has seen every stamp adopted
	color     string
	stamp     wire.Stamp // color's
	by        string
	byName    string
}

// New returns a hub for cfg.Room, starting green. The caller must call Run.
func New(cfg Config) *Hub {
	cfg.Room = wire.RoomName(cfg.Room)
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = DefaultSendQueue
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = DefaultMaxPeers
	}
	if cfg.MaxFresh <= 0 {
		cfg.MaxFresh = DefaultMaxFresh
	}
	// The host's name reaches every screen: cleaned like any peer's.
	cfg.Host = wire.CleanName(cfg.Host, wire.MaxNameLen)
	cfg.HostID = wire.CleanName(cfg.HostID, wire.MaxIDLen)
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
		key:       cfg.Key,
		release:   debug.FreeOSMemory,
		start:     time.Now(),
		rtts:      map[*conn]time.Duration{},
		checking:  map[*conn]bool{},
		fresh:     freshConns{max: cfg.MaxFresh},
	}
	if h.key == nil {
		h.key = wire.AuthKey(cfg.Passphrase, cfg.Room)
	}
	h.runOnce <- struct{}{}
	checkOrigin := cfg.CheckOrigin
	if checkOrigin == nil {
		checkOrigin = h.RoomOrigin
	}
	h.upgrader = websocket.Upgrader{
		// Client frames are small: a colour fits the read buffer, a hello
		// is read past it. The hub writes its frames itself (writer.go),
		// so gorilla never takes a write buffer.
		ReadBufferSize:  128,
		WriteBufferPool: &gorillaWriteBufs,
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

// ServeHTTP serves /ws, /api/state and the page, each only under a Host
// that names this machine (HostGuard).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !LocalHost(r.Host) {
		h.log.Info("hub: refused a request for a name this machine does not answer to", "host", r.Host,
			"path", r.URL.Path, "remote", r.RemoteAddr)
		RefuseHost(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

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
				h.sendTo(c, wire.Challenge{Type: wire.TypeChallenge, Nonce: c.nonce, V: wire.Version})
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
	st := State{Room: h.cfg.Room, Color: h.color, Stamp: h.stamp, By: h.by, ByName: h.byName, Peers: h.peerList(),
		Lead: wire.Millis(h.lead())}
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
	evFrame       eventKind = iota // a frame decoded, or a protocol error in err
	evTooLarge                     // a frame over wire.MaxFrame
	evGone                         // the reader has stopped; reason says why
	evLimited                      // frames were dropped over the rate limit
	evFlood                        // the client kept flooding: disconnect it
	evPong                         // the client pinged: send frame, the pong
	evAddrChecked                  // CheckAddr answered for a held hello: in.Addr is what it confirmed, or ""
)

type event struct {
	kind   eventKind
	c      *conn
	in     wire.In
	err    *wire.ProtocolError
	frame  []byte // evPong's pong
	reason string // evGone's, for the room
	// code and text are the close evGone asks Run to say (0: normal
	// closure): the echo of the client's, or why the reader stopped.
	code int
	text string
}
