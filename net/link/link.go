// Package link is the client side of huecast's protocol: it dials a hub,
// says hello, hands what happens to the caller as typed events, sends the
// colours the user picks, measures the round trip, and reconnects with
// backoff, saying hello again with the last colour it knew and its stamp.
package link

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/clock"
	"github.com/huecast/huecast/net/wire"
)

const (
	// welcomeWait bounds the wait for the hub's answer to hello.
	welcomeWait = wire.WelcomeWait
	// rttPeriod is how often the link measures the round trip to the hub,
	// and samples the hub's clock; often enough for a live figure in the
	// window and to follow the clocks' drift, rare enough to be free.
	rttPeriod = 2 * time.Second
	// The session's timings are the protocol's, which the page keeps too.
	burstPings  = wire.BurstPings
	burstGap    = wire.BurstGap
	settlePings = wire.SettlePings
	settleGap   = wire.SettleGap
	maxWait     = wire.MaxWait
	// closeGrace is how long a goodbye waits for the hub's close reply.
	closeGrace = 1 * time.Second
	// maxWelcome bounds what the link reads: a welcome lists every peer, so
	// it may be far larger than what clients send.
	maxWelcome = 1 << 20
	// eventBuffer lets bursts of events wait for a busy front end without
	// stalling the reader, which must keep answering the hub's pings.
	eventBuffer = 256
)

// Config says whom a link joins and as whom.
type Config struct {
	// Target returns the hub URL to dial. It is called before every attempt,
	// so that a caller can point the link at another hub (a new host).
	Target func(ctx context.Context) (string, error)
	ID     string // stable peer id; must not be empty
	Name   string
	Room   string
	// Addr is the address this peer would host on, told to the room so
	// that others can find it after a change of host; may be empty.
	Addr   string
	Logger *slog.Logger
	// Backoff gives the wait before reconnect attempt n (1, 2, …); nil is
	// Socket.IO's: 1 s doubling to 5 s, ±50%.
	Backoff func(attempt int) time.Duration
	// Dialer dials hubs; nil is websocket.DefaultDialer with a 5 s handshake timeout.
	Dialer *websocket.Dialer
	// Passphrase answers the challenge of a hub whose room has one; it
	// never crosses the wire. Empty: the link joins open rooms only.
	Passphrase string
	// Key, if set, is wire.AuthKey(Passphrase, Room), derived once by a
	// caller that needs it too (the derivation is slow on purpose).
	Key []byte
	// FlipNow delivers colours on arrival rather than at the moment the
	// room shows them (see SetFlipNow).
	FlipNow bool
	// Early delivers colours this long before their moment: a window
	// whose change appears at its next frame asks for half a frame.
	Early time.Duration
}

// Link is one peer's connection to its hub. Create it with New and call Run.
type Link struct {
	cfg    Config
	log    *slog.Logger
	dialer *websocket.Dialer
	events chan Event
	kick   chan struct{} // a colour is pending; capacity 1
	key    []byte        // wire.AuthKey of the passphrase; nil: none
	flips  chan flip     // colours to the flipper, which delivers them
	epoch  time.Time     // the link's clock reads the time since (monotonic)
	now    atomic.Bool   // deliver colours on arrival

	est clock.Estimator // the offset to the hub's clock; guarded by mu

	mu        sync.Mutex // guards the fields below and cfg.Addr
	hlc       wire.Clock // stamps picks made while away; has seen every stamp heard
	color     string     // last colour known, applied in stamp order
	stamp     wire.Stamp
	by        string
	byName    string
	pending   string          // picked by the user, not yet sent
	pendingAt wire.Stamp      // when pending was picked
	conn      *websocket.Conn // the current session's, once dialled; nil between sessions
	// sent is the last colour this session sent, and sentAt when it was
	// picked, until the hub echoes it; unechoed counts the colours sent
	// this session whose echo has not come. A session that ends before
	// the echo hands sent back to pending (unechoedBack).
	sent     string
	sentAt   wire.Stamp
	unechoed int
}

// New returns a link; Run connects it.
func New(cfg Config) *Link {
	if cfg.Backoff == nil {
		cfg.Backoff = SocketIOBackoff
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := cfg.Dialer
	if d == nil {
		d = &websocket.Dialer{HandshakeTimeout: 5 * time.Second, Proxy: LANProxy}
	}
	key := cfg.Key
	if key == nil {
		key = wire.AuthKey(cfg.Passphrase, cfg.Room)
	}
	l := &Link{
		cfg:    cfg,
		log:    log,
		dialer: d,
		events: make(chan Event, eventBuffer),
		kick:   make(chan struct{}, 1),
		key:    key,
		hlc:    wire.Clock{ID: cfg.ID},
		flips:  make(chan flip),
		epoch:  time.Now(),
	}
	l.now.Store(cfg.FlipNow)
	return l
}

// SetFlipNow switches between showing colours on arrival (true) and at the
// moment the room shows them (false, the default), from the next colour on.
func (l *Link) SetFlipNow(now bool) { l.now.Store(now) }

// Offset is the hub's clock minus this peer's as the link estimates it; ok
// is false until a round trip to the current hub has been timed.
func (l *Link) Offset() (off time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.est.Offset()
}

// Events delivers what happens, in order. The caller must keep reading it
// while Run runs; it is closed when Run returns.
func (l *Link) Events() <-chan Event { return l.events }

// Color returns the last colour the link knows, its stamp, and the name of
// whoever set it.
func (l *Link) Color() (string, wire.Stamp, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.color, l.stamp, l.byName
}

// SetColor sends a colour (#rrggbb) to the room. While disconnected the
// newest pick is kept, stamped when it was made, and the next hello
// carries it: the hub takes it unless the room changed colour after it.
// A pick sent on a connection that ends before the hub echoes it (the hub
// shut down as it arrived, or the network stopped carrying frames) is
// kept the same way: it may never have reached the hub.
func (l *Link) SetColor(color string) error {
	c, err := wire.ParseColor(color)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.pending, l.pendingAt = c, l.hlc.Stamp()
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return nil
}

// Seed sets the colour and stamp the link says hello with, for a peer that
// knew the room's state before this link existed (it renamed, or changed
// rooms). An older stamp than the link's own changes nothing.
func (l *Link) Seed(color string, st wire.Stamp, byName string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st.After(l.stamp) {
		l.color, l.stamp, l.byName = color, st, byName
		l.observe(st)
	}
}

// observe merges a stamp heard into the link's clock; l.mu must be held.
// One too far ahead is kept as the room's but does not move the clock.
func (l *Link) observe(st wire.Stamp) {
	if err := l.hlc.Observe(st); err != nil {
		l.log.Info("link: not moving the clock to a stamp from far ahead", "stamp", st.String(), "err", err)
	}
}

// SetAddr changes the address this peer tells hubs it would host on, from
// the next hello on; "" tells none (a peer that is hosting already).
func (l *Link) SetAddr(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg.Addr = addr
}

// Reconnect ends the current session, if any, as a lost connection ends
// it; Run then asks Target where to go. Used when this machine's address
// changed, so that the hub hears of the new one now rather than after its
// heartbeat gives up.
func (l *Link) Reconnect() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		_ = l.conn.Close() // the reader notices; the writer and Run follow
	}
}

// SocketIOBackoff is Socket.IO's reconnection delay, wire.Backoff: 1 s
// doubling to 5 s, randomised by ±50%, never above 5 s.
func SocketIOBackoff(attempt int) time.Duration {
	return wire.Backoff(attempt, rand.Float64())
}

// Run connects, and reconnects whenever the connection is lost, until ctx
// ends; then it says goodbye to the hub, closes Events and returns nil.
func (l *Link) Run(ctx context.Context) error {
	defer close(l.events)
	ctx, cancel := context.WithCancel(ctx)
	flipperDone := make(chan struct{})
	go func() {
		defer close(flipperDone)
		l.flipper(ctx)
	}()
	defer func() { cancel(); <-flipperDone }()
	for attempt := 1; ; attempt++ {
		url, err := l.cfg.Target(ctx)
		if err == nil {
			var joined bool
			joined, err = l.session(ctx, url)
			if joined {
				attempt = 1
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := l.cfg.Backoff(attempt)
		l.emit(ctx, disconnected(url, err, attempt, wait))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
	}
}

// session runs one connection to url until it fails or ctx ends. joined
// says whether the hub welcomed us.
func (l *Link) session(ctx context.Context, url string) (joined bool, err error) {
	url, err = NormalizeURL(url)
	if err != nil {
		return false, err
	}
	ws, resp, err := l.dialer.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return false, &StatusError{URL: url, Status: resp.StatusCode}
		}
		return false, fmt.Errorf("%s: %w", wire.Fill(wire.TextCannotReach, "host", hostOf(url)), err)
	}
	defer ws.Close()
	ws.SetReadLimit(maxWelcome)
	l.mu.Lock()
	l.conn = ws
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.conn = nil
		l.mu.Unlock()
	}()
	w, err := l.join(ctx, ws, url)
	if err != nil {
		return false, err
	}
	l.welcomed(ctx, url, w)
	return true, l.serve(ctx, ws)
}

// join proves that the hub at url knows the room's passphrase, if the room
// has one, says hello and returns the hub's welcome; an error if the hub
// refused us, asked for what we lack or answered otherwise.
func (l *Link) join(ctx context.Context, ws *websocket.Conn, url string) (wire.Out, error) {
	// Until the writer runs, nothing else would notice ctx ending.
	stopClosing := context.AfterFunc(ctx, func() { ws.Close() })
	if l.key != nil {
		// Nothing about us goes to a hub before it proves it knows the
		// room's passphrase.
		if err := authenticate(ws, l.key, url, wire.RoomName(l.cfg.Room)); err != nil {
			stopClosing()
			if r, ok := err.(*Refusal); ok {
				l.emit(ctx, r.HubError)
			}
			return wire.Out{}, err
		}
	}
	_ = ws.SetWriteDeadline(time.Now().Add(wire.WriteWait))
	if err := ws.WriteJSON(l.hello()); err != nil {
		stopClosing()
		return wire.Out{}, fmt.Errorf("hello to %s: %w", url, err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(welcomeWait))
	w, err := readOut(ws)
	if err == nil && w.Type == wire.TypeChallenge {
		// The room has a passphrase and we hold none: hang up at once
		// rather than time out.
		stopClosing()
		msg := "Room '" + wire.RoomName(l.cfg.Room) + "' needs a passphrase; set it under Name and room…, or with --passphrase."
		l.emit(ctx, HubError{Code: wire.CodeUnauthorized, Message: msg})
		return wire.Out{}, fmt.Errorf("%s asks for a passphrase, and this peer has none", url)
	}
	if !stopClosing() || err != nil {
		if err == nil {
			err = ctx.Err()
		}
		return wire.Out{}, fmt.Errorf("waiting for welcome from %s: %w", url, err)
	}
	if w.Type == wire.TypeError {
		l.emit(ctx, HubError{Code: w.Code, Message: w.Message})
		return wire.Out{}, fmt.Errorf("%s refused us: %s", url, w.Message)
	}
	if w.Type != wire.TypeWelcome {
		return wire.Out{}, fmt.Errorf("%s answered hello with %q, not welcome", url, w.Type)
	}
	if w.V != wire.Version {
		// An older hub took our hello as its own version's: leave before
		// it reads anything more from us.
		msg := wire.VersionText(hostOf(url), max(w.V, 1), wire.Version)
		l.emit(ctx, HubError{Code: wire.CodeBadVersion, Message: msg})
		return wire.Out{}, fmt.Errorf("%s speaks protocol %d, not %d", url, max(w.V, 1), wire.Version)
	}
	return w, nil
}

// hello is the hello this link says now, with the colour it knew.
func (l *Link) hello() wire.Hello {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending != "" && l.pendingAt.After(l.stamp) {
		// Picked while away: the hello carries it with the time it was
		// picked, and the hub keeps whichever is newer, it or the room's.
		l.color, l.stamp, l.by, l.byName = l.pending, l.pendingAt, l.cfg.ID, l.cfg.Name
		l.pending = ""
	}
	return wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: l.cfg.ID, Name: l.cfg.Name, Room: l.cfg.Room,
		Color: l.color, Stamp: l.stamp, ByName: l.byName, Addr: l.cfg.Addr}
}

// welcomed takes the room's state from the hub's welcome w and tells the
// caller it joined.
func (l *Link) welcomed(ctx context.Context, url string, w wire.Out) {
	l.mu.Lock()
	l.color, l.stamp, l.by, l.byName = w.Color, w.Stamp, w.By, w.ByName
	l.observe(w.Stamp)
	l.est.Reset() // perhaps another hub, with a clock of its own
	l.mu.Unlock()
	// The welcome's colour is shown at once; anything of the last
	// session still waiting for its moment is not.
	l.toFlipper(ctx, flip{reset: true, c: ColorChanged{Color: w.Color, Stamp: w.Stamp, By: w.By, Name: w.ByName}})
	l.emit(ctx, Joined{URL: url, ID: w.ID, Room: w.Room, Color: w.Color, Stamp: w.Stamp, By: w.By,
		ByName: w.ByName, Peers: w.Peers, Host: w.Host, HostID: w.HostID, Lead: wire.Duration(w.Lead)})
}

// serve runs a joined connection, its reader here and its writer beside,
// until it fails or ctx ends.
func (l *Link) serve(ctx context.Context, ws *websocket.Conn) error {
	// Every frame, the hub's pings included, proves the hub alive.
	alive := func() { _ = ws.SetReadDeadline(time.Now().Add(wire.PongWait)) }
	alive()
	ws.SetPingHandler(func(data string) error {
		alive()
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(wire.WriteWait))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})

	readerDone := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		l.writeLoop(ctx, ws, readerDone)
	}()
	select { // a colour picked while we were away goes out now
	case l.kick <- struct{}{}:
	default:
	}
	err := l.readLoop(ctx, ws, alive)
	close(readerDone)
	<-writerDone
	l.unechoedBack()
	return err
}

// unechoedBack ends a session's count of colours sent: the last one sent,
// if the hub never echoed it, is picked again as of when it was picked, so
// that the next hello carries it, unless a newer pick waits already or a
// colour newer than it came meanwhile (the room changed after it).
func (l *Link) unechoedBack() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent != "" && l.pending == "" {
		at := l.sentAt
		if l.by == l.cfg.ID && !at.After(l.stamp) {
			// The newest colour known is an earlier pick of ours, which
			// the hub stamped when it arrived, after this one was picked:
			// this one still comes after it.
			at = wire.Stamp{MS: l.stamp.MS, N: l.stamp.N + 1, ID: l.cfg.ID}
		}
		if at.After(l.stamp) {
			l.pending, l.pendingAt = l.sent, at
		}
	}
	l.sent, l.sentAt, l.unechoed = "", wire.Stamp{}, 0
}

// readLoop is the connection's only reader.
func (l *Link) readLoop(ctx context.Context, ws *websocket.Conn, alive func()) error {
	for {
		out, err := readOut(ws)
		if err != nil {
			return err
		}
		alive()
		switch out.Type {
		case wire.TypeColor:
			l.mu.Lock()
			if out.By == l.cfg.ID && l.unechoed > 0 {
				// The hub answers our colours in the order sent: once
				// the last is echoed, every one was taken.
				if l.unechoed--; l.unechoed == 0 {
					l.sent = ""
				}
			}
			fresh := out.Stamp.After(l.stamp)
			if fresh {
				l.color, l.stamp, l.by, l.byName = out.Color, out.Stamp, out.By, out.Name
				l.observe(out.Stamp)
			}
			off, synced := l.est.Offset()
			l.mu.Unlock()
			if fresh {
				c := ColorChanged{Color: out.Color, Stamp: out.Stamp, By: out.By, Name: out.Name,
					At: out.At, Lead: wire.Duration(out.Lead), Offset: off, Synced: synced}
				at := clock.Now
				if out.At > 0 && synced && !l.now.Load() {
					at = wire.Duration(out.At) - off - l.cfg.Early
					if at-l.clock() > maxWait {
						at = clock.Now
					}
				}
				l.toFlipper(ctx, flip{c: c, at: at})
			}
		case wire.TypeJoin:
			l.emit(ctx, PeerJoined{Peer: out.Peer})
		case wire.TypeLeave:
			l.emit(ctx, PeerLeft{Peer: out.Peer, Reason: out.Reason})
		case wire.TypePong:
			s := clock.Sample{Sent: time.Duration(out.T), Recv: l.clock(), Hub: wire.Duration(out.HT)}
			l.mu.Lock()
			if out.HT > 0 { // a hub without a clock (an older one) sends none
				l.est.Add(s)
			}
			off, _ := l.est.Offset()
			l.mu.Unlock()
			l.emit(ctx, RTT{D: s.RTT(), Offset: off})
		case wire.TypeError:
			l.emit(ctx, HubError{Code: out.Code, Message: out.Message})
		default:
			l.log.Debug("link: ignoring frame", "type", out.Type)
		}
	}
}

// writeLoop is the connection's only writer after the handshake: colours,
// round-trip pings, and the goodbye when ctx ends.
func (l *Link) writeLoop(ctx context.Context, ws *websocket.Conn, readerDone <-chan struct{}) {
	rtt := time.NewTimer(burstGap)
	defer rtt.Stop()
	pings := 1
	write := func(v any) bool {
		_ = ws.SetWriteDeadline(time.Now().Add(wire.WriteWait))
		if err := ws.WriteJSON(v); err != nil {
			ws.Close() // the reader returns and the session ends
			return false
		}
		return true
	}
	if !write(l.ping()) {
		return
	}
	for {
		select {
		case <-ctx.Done():
			_ = ws.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"),
				time.Now().Add(wire.WriteWait))
			select {
			case <-readerDone:
			case <-time.After(closeGrace):
			}
			ws.Close()
			return
		case <-readerDone:
			return
		case <-l.kick:
			l.mu.Lock()
			c := l.pending
			if c != "" {
				// Kept until the hub echoes it (unechoedBack).
				l.sent, l.sentAt = c, l.pendingAt
				l.unechoed++
			}
			l.pending = ""
			l.mu.Unlock()
			if c == "" {
				continue
			}
			if !write(wire.SetColor{Type: wire.TypeColor, Color: c}) {
				return
			}
		case <-rtt.C:
			if !write(l.ping()) {
				return
			}
			pings++
			switch {
			case pings < burstPings:
				rtt.Reset(burstGap)
			case pings < burstPings+settlePings:
				rtt.Reset(settleGap)
			default:
				rtt.Reset(rttPeriod)
			}
		}
	}
}

// ping is a round-trip ping stamped with the link's clock, telling the hub
// the round trip the link measures.
func (l *Link) ping() wire.Ping {
	l.mu.Lock()
	rtt := l.est.RTT()
	l.mu.Unlock()
	return wire.Ping{Type: wire.TypePing, T: int64(l.clock()), RTT: wire.Millis(rtt)}
}

// clock reads the link's clock: monotonic, so that a step of the wall
// clock moves no scheduled flip.
func (l *Link) clock() time.Duration { return time.Since(l.epoch) }

func readOut(ws *websocket.Conn) (wire.Out, error) {
	_, data, err := ws.ReadMessage()
	if err != nil {
		return wire.Out{}, err
	}
	var out wire.Out
	if err := json.Unmarshal(data, &out); err != nil {
		return wire.Out{}, fmt.Errorf("the hub sent a frame that is not JSON: %w", err)
	}
	return out, nil
}

func (l *Link) emit(ctx context.Context, ev Event) {
	select {
	case l.events <- ev:
	case <-ctx.Done():
	}
}

// NormalizeURL is wire.HubURL: the hub's WebSocket URL from what a person
// may type for it.
func NormalizeURL(s string) (string, error) { return wire.HubURL(s) }
