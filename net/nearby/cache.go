package nearby

import (
	"context"
	"sync"
	"time"
)

const (
	// Fresh is how long a listing serves before the next ask starts a new
	// look: windows and pages ask every few seconds while they show it.
	Fresh = 5 * time.Second
	// SweepEvery is the shortest time between two subnet searches for
	// the listing: a search asks up to a thousand addresses, so it runs at
	// most this often, and only while someone asks.
	SweepEvery = 30 * time.Second
	// hearFor is how long one look listens to mDNS: every hub answers a
	// query within milliseconds on a LAN.
	hearFor = 1500 * time.Millisecond
	// firstWait bounds how long the first ask waits for the first look.
	firstWait = 3 * time.Second
)

// Cache keeps the listing of the rooms nearby, and looks again only when it
// is asked for one older than Fresh: nothing is sent while nobody asks.
// Its methods are safe for concurrent use.
type Cache struct {
	cfg func() Config // what a look uses, built when it starts
	now func() time.Time

	mu      sync.Mutex    // guards the fields below
	rooms   []Room        // the last look's
	at      time.Time     // when the last look ended; zero before the first
	swept   time.Time     // when a look last searched the subnets
	looking chan struct{} // closed when the running look ends; nil when none runs
}

// NewCache returns a Cache whose looks use cfg(), built afresh for each look
// (the subnets may change); cfg's Scan runs at most every SweepEvery.
func NewCache(cfg func() Config) *Cache {
	return &Cache{cfg: cfg, now: time.Now}
}

// Rooms returns the latest listing, starting a new look when it is older
// than Fresh. The first call waits for the first look, until ctx ends.
func (c *Cache) Rooms(ctx context.Context) []Room {
	c.mu.Lock()
	if c.looking == nil && c.now().Sub(c.at) >= Fresh {
		c.looking = make(chan struct{})
		go c.look(c.looking)
	}
	first, looking := c.at.IsZero(), c.looking
	c.mu.Unlock()
	if first && looking != nil {
		wctx, cancel := context.WithTimeout(ctx, firstWait)
		defer cancel()
		select {
		case <-looking:
		case <-wctx.Done():
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Room(nil), c.rooms...)
}

// look runs one look, with the subnet search when one is due, and closes
// done when it has stored the result.
func (c *Cache) look(done chan struct{}) {
	cfg := c.cfg()
	c.mu.Lock()
	if cfg.Scan != nil && c.now().Sub(c.swept) < SweepEvery {
		cfg.Scan = nil
	}
	if cfg.Scan != nil {
		c.swept = c.now()
	}
	old := c.rooms
	c.mu.Unlock()
	rooms := Look(context.Background(), cfg, hearFor)
	if cfg.Scan == nil {
		rooms = keepSwept(rooms, old, cfg)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rooms, c.at, c.looking = rooms, c.now(), nil
	close(done)
}

// keepSwept carries over, into a look without the subnet search, the rooms
// the last one listed that mDNS did not hear, when their hubs still check
// out: on a network that drops multicast they are heard only by the
// search, which runs every SweepEvery, and must not vanish in between.
func keepSwept(rooms, old []Room, cfg Config) []Room {
	heard := map[string]bool{}
	for _, r := range rooms {
		heard[r.HostID] = true
	}
	var mu sync.Mutex // guards rooms
	var wg sync.WaitGroup
	for _, r := range old {
		if heard[r.HostID] {
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), hearFor)
			defer cancel()
			if again, why := check(ctx, claim{url: r.URL, id: r.HostID, room: r.Room, locked: r.Locked, verifier: r.verifier}, cfg.Self); why == "" {
				mu.Lock()
				rooms = append(rooms, again)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return tidy(rooms)
}
