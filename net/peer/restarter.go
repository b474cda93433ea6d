package peer

import (
	"context"
	"sync"

	ev "github.com/huecast/huecast/net/event"
	"github.com/huecast/huecast/net/link"
)

// Stopped is package event's: the peer ended by itself and waits to be
// restarted.
type Stopped = ev.Stopped

// Restarter runs one Peer at a time and replaces it when the user changes
// name, room or hub, for a front end that lives longer than any one peer
// (the window). Its Events channel spans every peer it runs, and each new
// peer starts with the colour and stamp the last one knew. Create it with
// NewRestarter and call Run.
type Restarter struct {
	events  chan link.Event
	restart chan struct{} // a new config is waiting; capacity 1

	mu   sync.Mutex // guards cfg and cur
	cfg  Config
	cur  *Peer
	stop context.CancelFunc // cur's
}

// NewRestarter returns a Restarter that starts with cfg. Every peer it runs
// has the same ID: the room sees one person who moved, not a new one.
func NewRestarter(cfg Config) *Restarter {
	if cfg.ID == "" {
		cfg.ID = NewID()
	}
	return &Restarter{events: make(chan link.Event, 256), restart: make(chan struct{}, 1), cfg: cfg}
}

// Events delivers the running peer's events, and Stopped when a peer ends
// by itself. The caller must keep reading it; it is closed when Run returns.
func (r *Restarter) Events() <-chan link.Event { return r.events }

// SetColor sends #rrggbb through the running peer; it never blocks. A colour
// picked while a peer is being replaced is lost: the new peer's welcome
// brings the room's colour anyway.
func (r *Restarter) SetColor(c string) error {
	r.mu.Lock()
	p := r.cur
	r.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.SetColor(c)
}

// SetFlipNow shows colours on arrival (true) or at the moment the room
// shows them, in the running peer and those after it.
func (r *Restarter) SetFlipNow(now bool) {
	r.mu.Lock()
	r.cfg.FlipNow = now
	p := r.cur
	r.mu.Unlock()
	if p != nil {
		p.SetFlipNow(now)
	}
}

// Restart replaces the running peer with one that takes part as name in
// room, with the room's passphrase ("" for none), joining the hub at join, or, when join is empty, hosting (or
// whatever the Config's other fields say a peer without a hub does). The
// rest of the Config stays. It returns at once; Run does the work.
func (r *Restarter) Restart(name, room, join, passphrase string) {
	r.mu.Lock()
	r.cfg.Name, r.cfg.Room, r.cfg.Join, r.cfg.Passphrase = name, room, join, passphrase
	if r.stop != nil {
		r.stop()
	}
	r.mu.Unlock()
	select {
	case r.restart <- struct{}{}:
	default:
	}
}

// Run runs a peer for the current Config until ctx ends, starting a new one
// after every Restart. Events of a peer being replaced are dropped: they
// describe a room the user has left. Run returns nil when ctx ends.
func (r *Restarter) Run(ctx context.Context) error {
	defer close(r.events)
	for ctx.Err() == nil {
		select {
		case <-r.restart: // this run already has the newest config
		default:
		}
		pctx, cancel := context.WithCancel(ctx)
		r.mu.Lock()
		p := New(r.cfg)
		if r.cur != nil {
			// The colour and its stamp outlive the peer: a lone window
			// that renames hosts a new hub, which must not start green.
			p.Seed(r.cur.Color())
		}
		r.cur, r.stop = p, cancel
		r.mu.Unlock()

		done := make(chan error, 1)
		go func() { done <- p.Run(pctx) }()
		for ev := range p.Events() {
			if pctx.Err() != nil {
				continue // drain: the peer closes Events when it has finished
			}
			select {
			case r.events <- ev:
			case <-pctx.Done():
			}
		}
		err := <-done
		replaced := pctx.Err() != nil
		cancel()
		if replaced {
			continue
		}
		if err == nil {
			err = context.Canceled // a peer only ends cleanly when told to
		}
		select {
		case r.events <- Stopped{Err: err}:
		case <-ctx.Done():
			return nil
		}
		select {
		case <-r.restart:
		case <-ctx.Done():
		}
	}
	return nil
}
