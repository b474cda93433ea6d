// Package peer is one huecast peer's life: join a hub, or host one and join
// it through the same link as everyone else. The window and headless mode
// both drive a Peer.
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
	"time"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/link"
)

// DefaultListen is where a hosting peer listens unless told otherwise; if
// the port is taken it takes any free one.
const DefaultListen = ":7788"

// Config says how a peer takes part.
type Config struct {
	ID     string // stable peer id; NewID if empty
	Name   string
	Room   string
	Join   string // hub URL or host:port to join; empty: host
	Listen string // the hub's address when hosting; DefaultListen if empty
	Logger *slog.Logger
}

// Hosting: this peer hosts the room's hub at URL.
type Hosting struct {
	URL  string
	Room string
}

func (Hosting) Kind() string { return "hosting" }

// Peer is one participant. Create with New, then Run; read Events.
type Peer struct {
	cfg    Config
	log    *slog.Logger
	link   *link.Link
	events chan link.Event
	target string
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
	p := &Peer{cfg: cfg, log: log, events: make(chan link.Event, 256)}
	p.link = link.New(link.Config{
		Target: func(context.Context) (string, error) { return p.target, nil },
		ID:     cfg.ID, Name: cfg.Name, Room: cfg.Room, Logger: log,
	})
	return p
}

// NewID returns a random peer id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Events delivers the link's events and the peer's own; closed when Run returns.
func (p *Peer) Events() <-chan link.Event { return p.events }

// SetColor sends #rrggbb to the room.
func (p *Peer) SetColor(c string) error { return p.link.SetColor(c) }

// Run hosts or joins until ctx ends.
func (p *Peer) Run(ctx context.Context) error {
	defer close(p.events)
	var hubDone <-chan struct{}
	if p.cfg.Join != "" {
		p.target = p.cfg.Join
	} else {
		url, local, done, err := p.host(ctx)
		if err != nil {
			return err
		}
		p.target, hubDone = local, done
		select {
		case p.events <- Hosting{URL: url, Room: p.cfg.Room}:
		case <-ctx.Done():
		}
	}
	linkDone := make(chan error, 1)
	go func() { linkDone <- p.link.Run(ctx) }()
	for ev := range p.link.Events() {
		select {
		case p.events <- ev:
		case <-ctx.Done():
		}
	}
	err := <-linkDone
	if hubDone != nil {
		<-hubDone
	}
	return err
}

// host starts a hub and returns its URL for others, the URL this peer dials
// itself, and a channel closed once the hub has shut down.
func (p *Peer) host(ctx context.Context) (public, local string, done <-chan struct{}, err error) {
	l, err := net.Listen("tcp", p.cfg.Listen)
	if err != nil {
		host, _, _ := net.SplitHostPort(p.cfg.Listen)
		p.log.Info("peer: address taken, using a free port", "listen", p.cfg.Listen, "err", err)
		if l, err = net.Listen("tcp", net.JoinHostPort(host, "0")); err != nil {
			return "", "", nil, fmt.Errorf("peer: listen for the hub: %w", err)
		}
	}
	h := hub.New(hub.Config{Room: p.cfg.Room, Host: p.cfg.Name, Logger: p.log, Page: web.Handler()})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("peer: hub server", "err", err)
		}
	}()
	finished := make(chan struct{})
	go func() {
		_ = h.Run(ctx)
		_ = srv.Close()
		close(finished)
	}()
	addr := l.Addr().(*net.TCPAddr)
	localHost := addr.IP.String()
	if addr.IP.IsUnspecified() {
		localHost = "127.0.0.1"
	}
	local = "ws://" + net.JoinHostPort(localHost, fmt.Sprint(addr.Port)) + "/ws"
	publicHost := localHost
	if addr.IP.IsUnspecified() {
		if ip := lanIP(); ip != "" {
			publicHost = ip
		}
	}
	return "ws://" + net.JoinHostPort(publicHost, fmt.Sprint(addr.Port)) + "/ws", local, finished, nil
}

// lanIP is the first IPv4 address of an up, non-loopback interface.
func lanIP() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return ""
}
