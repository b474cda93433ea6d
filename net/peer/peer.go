// Package peer is one huecast peer's life: find the room's hub or host it,
// join it through the same link as everyone else, and when the host goes,
// agree with the others on a new one. The window and headless mode both
// drive a Peer.
//
// Every peer listens from the start on the address it would host on, and
// tells the hub that address in its hello; a hosting peer tells none. When
// the hub is lost, each peer first asks the lost hub's address where the
// room went (a hub that folded into another says so), and otherwise elects,
// from the room's last peer list, the peer with the lowest id among those
// with an address. Everyone holds the same list, so everyone elects the
// same successor: it hosts, the others join it, and the link's hello brings
// the room's colour and stamp along. mDNS only finds hubs and breaks ties
// between hubs started together; losses are noticed through the WebSocket.
package peer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/discovery"
	ev "github.com/huecast/huecast/net/event"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// DefaultListen is where a peer listens, and hosts, unless told otherwise;
// if the port is taken it takes any free one.
const DefaultListen = ":7788"

const (
	// searchWait bounds the start-up search. mDNS answers on a LAN within
	// milliseconds; waiting longer only delays the first peer of a room.
	searchWait = 1 * time.Second
	// hostBrowse is how long one browse of a hosting peer lasts before a
	// fresh one. Each starts with a query, so two hubs of a room that missed
	// each other's announcements (a healed partition) meet within this.
	hostBrowse = 10 * time.Second
	// browsePause keeps a browse that fails at once from spinning.
	browsePause = 1 * time.Second
	// foldSettle lets the answers of hubs started together arrive, so that a
	// losing hub folds straight into the winner, not into another loser.
	foldSettle = 150 * time.Millisecond
	// probeTimeout bounds asking a peer where the room's hub is: a LAN
	// answers in milliseconds, and a vanished host must not hold up failover.
	probeTimeout = 500 * time.Millisecond
	// successorWait is how long peers keep trying an elected successor
	// before giving it up for the next. The successor itself may notice the
	// loss up to a ping period (wire.PingPeriod) after the others.
	successorWait = 3 * time.Second
	// lostPause is the wait after losing a hub before deciding where to go:
	// the decision is made at once, this only keeps a hub that welcomes and
	// drops us in a loop from spinning.
	lostPause = 50 * time.Millisecond
	// fastRetry is the wait between attempts while the room changes host:
	// the new hub is up within milliseconds.
	fastRetry = 100 * time.Millisecond
	// maxQuickDrops is how many sessions in a row may end within a second of
	// their welcome before reconnects slow down to Socket.IO's pace. A room
	// changing host drops a peer once or twice; a loop drops it every time.
	maxQuickDrops = 3
	// quickDrop is how soon after its welcome a session that ends counts
	// as a quick drop.
	quickDrop = 1 * time.Second
	// maxRedirects bounds following lost hubs that say where the room went.
	maxRedirects = 3
	// readvertise is the pause before advertising again after an
	// advertisement failed or ended while hosting.
	readvertise = 1 * time.Second
	// elderWait bounds waiting for a peer with a lower id, found searching
	// as we are, to start hosting: it does within a second of its own search.
	elderWait = 3 * time.Second
	// elderPoll is how often such a peer is asked again meanwhile.
	elderPoll = 250 * time.Millisecond
	// aloneAfter is how long a peer hosts with nobody joining, all layers
	// searched, before it says why that may be.
	aloneAfter = 8 * time.Second
	// askAroundEvery is how often a lone host without discovery asks the
	// members of its former room where the room is.
	askAroundEvery = 3 * time.Second
	// connectWait bounds a connection to a hub: on a LAN it is made within
	// milliseconds, and one whose first packet is lost is made at its
	// retransmission a second later; a firewall that drops it never
	// answers, and the hub is passed over.
	connectWait = 2 * time.Second
	// handshakeWait bounds the whole WebSocket upgrade (the link's default).
	handshakeWait = 5 * time.Second
	// proveTimeout bounds a hub's proof before we fold into it: a dial, two
	// frames each way, on a LAN.
	proveTimeout = 3 * time.Second
)

// Discovery finds hubs of a room and advertises ours; net/discovery's MDNS
// implements it over mDNS.
type Discovery interface {
	// Browse reports hubs of room other than self's on found until ctx
	// ends, sending only while ctx lasts.
	Browse(ctx context.Context, room, self string, found chan<- discovery.Hub) error
	// Advertise announces a hub until ctx ends.
	Advertise(ctx context.Context, ad discovery.Ad) error
}

// Config says how a peer takes part.
type Config struct {
	ID   string // stable peer id; NewID if empty
	Name string
	Room string
	// Join is a hub URL or host:port to join first, without searching.
	Join string
	// Host makes the peer host at once, without searching.
	Host bool
	// Listen is where the peer listens, and hosts; DefaultListen if empty.
	Listen string
	// Ifaces restricts the addresses this peer tells others to those of
	// these interfaces; empty: the one that routes to the hub.
	Ifaces []string
	// Discovery finds the room's hub at start and advertises ours; nil
	// means none: then Join says where to go, and without it the peer hosts.
	Discovery Discovery
	Logger    *slog.Logger
	// Passphrase is the room's, if it has one: the link answers hubs'
	// challenges with it, and a hub this peer hosts requires it, so the
	// room keeps it across a change of host.
	Passphrase string
	// Scan adds discovery's unicast layer: when mDNS is quiet, ask
	// /api/peer across the local subnets (net/scan). It needs Discovery.
	Scan bool
	// Remembered are hubs (URLs or host:port) this peer joined before,
	// newest first: asked at start, beside mDNS. They need Discovery.
	Remembered []string
	// MaxPeers and ColorRate are a hosted hub's limits (hub.Config);
	// zero means the hub's defaults.
	MaxPeers  int
	ColorRate float64
	// FlipNow shows colours on arrival rather than at the moment the room
	// shows them; Early delivers them this long before it (link.Config).
	FlipNow bool
	Early   time.Duration
	// Page serves the web page at a hub this peer hosts (hub.Config.Page);
	// nil serves none.
	Page http.Handler
	// Rooms lists the rooms nearby for GET /api/rooms while this peer
	// hosts; nil lists only its own.
	Rooms Rooms
}

// The peer's events are package event's, which a front end imports without
// the networking.
type (
	Hosting     = ev.Hosting
	Searching   = ev.Searching
	HostChanged = ev.HostChanged
	Alone       = ev.Alone
)

// Reasons carried by Searching and HostChanged.
const (
	ReasonStart    = ev.ReasonStart
	ReasonHostLost = ev.ReasonHostLost
	ReasonMerged   = ev.ReasonMerged
)

// AloneCauses are the likely reasons no other peer is found, each with
// what to do.
func AloneCauses() []string {
	return []string{
		"This machine's firewall blocks huecast: allow TCP port 7788 and UDP port 5353 (on Windows, set the network's profile to Private).",
		"Guest or isolated Wi-Fi keeps devices apart: use the main network, or turn off client isolation on the access point.",
		"The other machines are on a different subnet or VLAN: join by address (Join by address…, or --join HOST:7788).",
		"A VPN is on and takes the traffic: pause it, or join by address.",
	}
}

// Peer is one participant. Create with New, then Run; read Events.
type Peer struct {
	cfg    Config
	room   string
	log    *slog.Logger
	link   *link.Link
	events chan link.Event
	asks   chan ask // the link's Target, to Run's goroutine

	ctx context.Context         // Run's, set before the link runs: the link's Backoff asks with it
	hub atomic.Pointer[hub.Hub] // the hub this peer serves; nil when not hosting

	key []byte // wire.AuthKey of the passphrase; nil: an open room
	vk  string // wire.Verifier(key)

	mu      sync.Mutex      // guards info and origins
	info    Info            // what GET /api/peer answers
	origins map[string]bool // host:port of the room's hubs, for /api/peer's CORS

	layers   *layered       // nil without discovery
	port     int            // our listener's, set before anything runs; 0 without one
	listenIP net.IP         // our listener's when bound to one address
	reaching chan struct{}  // holds a token per ?reach= question under way
	noticed  chan evNoticed // capacity 1: /api/peer tells Run's goroutine
}

// Info is what a peer answers at GET /api/peer: who it is and where the
// room's hub is as far as it knows. Hub is empty when the peer hosts (the
// asker knows the address it asked) or knows no hub.
type Info struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Room    string `json:"room"`
	Hosting bool   `json:"hosting"`
	Hub     string `json:"hub"`
	// Verifier is wire.Verifier of the room's key (absent in an open
	// room), so that an asker tells rooms of one name apart.
	Verifier string `json:"vk,omitempty"`
	// Members is how many peers the hub holds, while hosting: a lone host
	// folds into a former member's hub that has others.
	Members int `json:"members,omitempty"`
	// Reached answers an asker that asked to be reached back (?reach=):
	// whether this peer reached the asker's /api/peer at the address the
	// question came from. Absent when not asked, or too busy to try.
	Reached *bool `json:"reached,omitempty"`
}

// New returns a peer; Run starts it.
func New(cfg Config) *Peer {
	if cfg.ID == "" {
		cfg.ID = NewID()
	}
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	room := wire.RoomName(cfg.Room)
	p := &Peer{cfg: cfg, room: room, log: log, events: make(chan link.Event, 256), asks: make(chan ask),
		reaching: make(chan struct{}, maxReachBacks), noticed: make(chan evNoticed, 1)}
	p.key = wire.AuthKey(cfg.Passphrase, room)
	p.vk = wire.Verifier(p.key)
	p.info = Info{ID: cfg.ID, Name: wire.CleanName(cfg.Name, wire.MaxNameLen), Room: room, Verifier: p.vk}
	if cfg.Discovery != nil {
		p.layers = newLayered(p, cfg.Discovery)
		p.cfg.Discovery = p.layers
	}
	p.link = link.New(link.Config{
		Target: p.target, Backoff: p.backoff,
		ID: cfg.ID, Name: cfg.Name, Room: cfg.Room, Logger: log, Passphrase: cfg.Passphrase, Key: p.key,
		FlipNow: cfg.FlipNow, Early: cfg.Early,
		Dialer: &websocket.Dialer{HandshakeTimeout: handshakeWait, Proxy: link.LANProxy,
			NetDialContext: (&net.Dialer{Timeout: connectWait}).DialContext},
	})
	return p
}

// NewID returns a random peer id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ID returns the peer's id.
func (p *Peer) ID() string { return p.cfg.ID }

// Events delivers the link's events and the peer's own; closed when Run returns.
func (p *Peer) Events() <-chan link.Event { return p.events }

// SetColor sends #rrggbb to the room.
func (p *Peer) SetColor(c string) error { return p.link.SetColor(c) }

// Color returns the last colour this peer knows, its stamp, and the name of
// whoever set it.
func (p *Peer) Color() (color string, st wire.Stamp, byName string) { return p.link.Color() }

// Seed gives a peer that has not run yet the colour a previous one knew, so
// that its hello carries it; the newer stamp wins as always.
func (p *Peer) Seed(color string, st wire.Stamp, byName string) { p.link.Seed(color, st, byName) }

// SetFlipNow shows colours on arrival (true) or at the room's moment.
func (p *Peer) SetFlipNow(now bool) { p.link.SetFlipNow(now) }

// Run takes part in the room until ctx ends. It fails only when the peer
// cannot listen and has no hub to join.
func (p *Peer) Run(ctx context.Context) error {
	defer close(p.events)
	p.ctx = ctx
	o := &owner{p: p, found: make(chan discovery.Hub),
		timers: map[timerKind]*timer{}, fired: make(chan *timer), ended: make(chan struct{}),
		results: make(chan result), netChanged: make(chan evNetChanged), scanned: make(chan discovery.Hub)}
	ln, err := p.listen()
	if err != nil {
		if p.cfg.Join == "" {
			return err
		}
		p.log.Info("peer: cannot listen, so this peer cannot take over as host", "err", err)
	}
	srvDone := make(chan struct{})
	var srv *http.Server
	if ln != nil {
		a := ln.Addr().(*net.TCPAddr)
		p.port = a.Port
		if !a.IP.IsUnspecified() {
			p.listenIP = a.IP
		}
		o.setListener(ln, p.cfg.Ifaces)
		srv = &http.Server{Handler: http.HandlerFunc(p.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			defer close(srvDone)
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				p.log.Error("peer: server", "err", err)
			}
		}()
	} else {
		close(srvDone)
	}

	var join string
	if p.cfg.Join != "" {
		url, err := link.NormalizeURL(p.cfg.Join)
		if err != nil {
			url = p.cfg.Join // the link reports it, and keeps trying
		}
		join = url
	}
	o.s.me = self{id: p.cfg.ID, room: p.room, public: o.public, canHost: ln != nil,
		search: p.cfg.Discovery != nil, scan: p.cfg.Discovery != nil && p.cfg.Scan, join: join != "", locked: p.key != nil, vk: p.vk}
	o.step(ctx, evStart{join: join, host: p.cfg.Host})

	linkDone := make(chan error, 1)
	go func() { linkDone <- p.link.Run(ctx) }()
	if p.layers != nil {
		o.wg.Go(func() { p.layers.followNetwork(ctx, o.netChanged) })
	}
	o.loop(ctx)
	o.stopHosting()
	o.wg.Wait()
	if srv != nil {
		_ = srv.Close()
	}
	<-srvDone
	return <-linkDone
}

// listen opens the listener this peer hosts on, on cfg.Listen or, if that
// is taken, on a free port of the same host.
func (p *Peer) listen() (net.Listener, error) {
	l, err := net.Listen("tcp", p.cfg.Listen)
	if err == nil {
		return l, nil
	}
	host, _, _ := net.SplitHostPort(p.cfg.Listen)
	p.log.Info("peer: address taken, using a free port", "listen", p.cfg.Listen, "err", err)
	if l, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
		return nil, fmt.Errorf("peer: listen for the hub: %w", err)
	}
	return l, nil
}

// serveHTTP serves /api/peer always, and the hub while hosting, each only
// under a Host that names this machine (hub.HostGuard's rule).
func (p *Peer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !hub.LocalHost(r.Host) {
		hub.RefuseHost(w, r)
		return
	}
	if r.URL.Path == "/api/peer" {
		p.serveInfo(w, r)
		return
	}
	if r.URL.Path == RoomsPath {
		p.serveRooms(w, r)
		return
	}
	if h := p.hub.Load(); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	http.Error(w, "huecast: this peer does not host the room's hub; GET /api/peer says where it is", http.StatusServiceUnavailable)
}

// publicURL is our hub's URL as others reach it now; "" without a listener.
func (p *Peer) publicURL() string {
	if p.port == 0 {
		return ""
	}
	ip := p.listenIP
	if ip == nil {
		ip = lanIP(p.cfg.Ifaces)
	}
	if ip == nil {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "ws://" + net.JoinHostPort(ip.String(), strconv.Itoa(p.port)) + "/ws"
}

// emitFrom hands ev to Events from a goroutine that Run waits for before
// it closes Events; it gives up when ctx ends.
func (p *Peer) emitFrom(ctx context.Context, ev link.Event) {
	select {
	case p.events <- ev:
	case <-ctx.Done():
	}
}

func (p *Peer) setInfo(hosting bool, hubURL string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.info.Hosting, p.info.Hub = hosting, hubURL
}
