// Package nearby lists the rooms around a peer: the hubs of every room that
// mDNS or the subnet search (net/scan) reports. A record or an answer is a
// claim, not a proof, so each hub is asked at its own /api/peer before it
// is listed, and joining a room from the list makes all of joining's
// checks again (the hello's room, the passphrase's mutual proof).
//
// The peer that hosts a room keeps the listing (Cache) and serves it at
// GET /api/rooms; members and pages ask their hub instead of looking
// themselves, so a room sweeps the subnets once, not once per member.
package nearby

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/scan"
	"github.com/huecast/huecast/net/wire"
)

const (
	// MaxRooms caps a listing: a LAN has a handful of rooms, and a flood of
	// forged records must not grow a list or the checks without bound.
	MaxRooms = 64
	// maxChecks caps the hubs one look asks, maxClaims the claims it
	// weighs: claims beyond either are dropped.
	maxChecks = 2 * MaxRooms
	maxClaims = 8 * MaxRooms
	// maxMembers caps a hub's claimed count at what a hub admits at most.
	maxMembers = 1 << 16
)

// Room is one room heard nearby: its hub checked out at /api/peer.
type Room struct {
	Room    string `json:"room"`    // its clean name
	Host    string `json:"host"`    // the hosting peer's display name
	HostID  string `json:"host_id"` // the hosting peer's id
	Members int    `json:"members"` // peers in the room, the host included
	Locked  bool   `json:"locked"`  // the room has a passphrase
	URL     string `json:"url"`     // its hub, ws://host:port/ws
	// Here marks the room of the hub that answered /api/rooms.
	Here bool `json:"here,omitempty"`
	// verifier tells two rooms of one name apart; it is derived from the
	// passphrase, so it is never shown or sent on.
	verifier string
}

// Page is the web page of r's hub.
func (r Room) Page() string {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		return ""
	}
	return "http://" + u.Host + "/"
}

// Browser hears hubs of every room; net/discovery's MDNS is one.
type Browser interface {
	BrowseAll(ctx context.Context, self string, found chan<- discovery.Hub) error
}

// Config says where a look listens and whom it asks.
type Config struct {
	MDNS Browser // nil: no mDNS
	// Scan, if set, is the subnet search to run beside mDNS (its Room,
	// Self and Verify are ignored: every room's answers count).
	Scan   *scan.Config
	Self   string // our peer id: our own hub is not listed
	Logger *slog.Logger
}

// claim is a hub someone says there is: a record, an answer, a pointer.
type claim struct {
	url      string
	id, room string // "" when the claim does not say (a pointer)
	locked   bool
	verifier string
}

// Look listens for wait, asks each hub claimed meanwhile who it is, and
// returns the rooms whose hubs checked out, one per hub, sorted by room
// and host. It returns sooner when ctx ends.
func Look(ctx context.Context, cfg Config, wait time.Duration) []Room {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	claims := make(chan claim)
	var sources sync.WaitGroup
	if cfg.MDNS != nil {
		sources.Go(func() { hear(lctx, cfg, claims, log) })
	}
	if cfg.Scan != nil {
		sources.Go(func() { sweep(lctx, cfg, claims) })
	}
	go func() { sources.Wait(); close(claims) }()

	// A hub is asked once per look, however many claims name it; each
	// claim is then held against its answer, so a forged claim of a
	// hub's address cannot hide the hub's true record.
	var mu sync.Mutex // guards rooms
	var rooms []Room
	var checks sync.WaitGroup
	asked := map[string]*asking{}
	seen := map[claim]bool{}
	for c := range claims {
		if seen[c] || len(seen) >= maxClaims {
			continue
		}
		seen[c] = true
		a, ok := asked[c.url]
		if !ok {
			if len(asked) >= maxChecks {
				continue
			}
			a = &asking{done: make(chan struct{})}
			asked[c.url] = a
			go func() { defer close(a.done); a.answer, a.err = ask(ctx, c.url) }()
		}
		checks.Go(func() {
			<-a.done
			r, why := verdict(c, a.answer, a.err, cfg.Self)
			if why != "" {
				log.Debug("nearby: not listed", "url", c.url, "id", c.id, "room", c.room, "why", why)
				return
			}
			mu.Lock()
			rooms = append(rooms, r)
			mu.Unlock()
		})
	}
	checks.Wait()
	return tidy(rooms)
}

// hear sends mDNS's records of every room as claims until ctx ends.
func hear(ctx context.Context, cfg Config, claims chan<- claim, log *slog.Logger) {
	found := make(chan discovery.Hub)
	done := make(chan error, 1)
	go func() { done <- cfg.MDNS.BrowseAll(ctx, cfg.Self, found) }()
	for {
		select {
		case h := <-found:
			select {
			case claims <- claim{url: h.URL, id: h.ID, room: h.Room, locked: h.Auth, verifier: h.Verifier}:
			case <-ctx.Done():
			}
		case err := <-done:
			if err != nil {
				log.Debug("nearby: mDNS", "err", err)
			}
			return
		}
	}
}

// sweep sends the subnet search's answers as claims: a hosting peer's own
// hub, and the hub a member points to when that is on a searched subnet.
func sweep(ctx context.Context, cfg Config, claims chan<- claim) {
	sc := *cfg.Scan
	sc.AnyRoom, sc.Self, sc.Verify = true, cfg.Self, nil
	found := make(chan scan.Answer)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d := sc.Deadline
		if d == 0 {
			d = scan.Deadline
		}
		sctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		scan.Ask(sctx, sc, scan.Targets(sc), found)
	}()
	for {
		select {
		case a := <-found:
			c := claim{url: a.HubURL(), id: a.ID, room: a.Room, locked: a.Verifier != "", verifier: a.Verifier}
			if !a.Hosting {
				if a.Hub == "" || !onSubnets(sc, a.Hub) {
					continue
				}
				c = claim{url: a.Hub, room: a.Room}
			}
			select {
			case claims <- c:
			case <-ctx.Done():
			}
		case <-done:
			return
		}
	}
}

// onSubnets says whether hubURL's host is an address the search may ask.
func onSubnets(sc scan.Config, hubURL string) bool {
	u, err := url.Parse(hubURL)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	for _, s := range sc.Subnets {
		if ip != nil && s.Net.Contains(ip) {
			return true
		}
	}
	return false
}

// asking is one hub's /api/peer answer, once done is closed.
type asking struct {
	done   chan struct{}
	answer scan.Answer
	err    error
}

// ask asks the peer at hubURL's address who it is.
func ask(ctx context.Context, hubURL string) (scan.Answer, error) {
	u, err := url.Parse(hubURL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return scan.Answer{}, errors.New("not a hub URL")
	}
	return scan.Probe(ctx, u.Host)
}

// check asks the hub c claims who it is, and holds c against the answer.
func check(ctx context.Context, c claim, self string) (Room, string) {
	a, err := ask(ctx, c.url)
	return verdict(c, a, err, self)
}

// verdict lists c's hub only when it answered as hosting, for the room, id
// and passphrase the claim gave.
func verdict(c claim, a scan.Answer, err error, self string) (Room, string) {
	switch {
	case err != nil:
		return Room{}, err.Error()
	case !a.Hosting:
		return Room{}, "does not host"
	case a.ID == self:
		return Room{}, "our own hub"
	case c.id != "" && a.ID != c.id:
		return Room{}, "another peer's hub than claimed"
	case a.Room == "" || (c.room != "" && a.Room != c.room):
		return Room{}, "another room than claimed"
	case c.id != "" && (a.Verifier != c.verifier || (c.locked && a.Verifier == "")):
		return Room{}, "another passphrase than claimed"
	}
	return Room{Room: a.Room, Host: wire.CleanName(a.Name, wire.MaxNameLen), HostID: a.ID,
		Members: min(max(a.Members, 1), maxMembers), Locked: a.Verifier != "", URL: c.url, verifier: a.Verifier}, ""
}

// tidy keeps one listing per hosting peer (a hub heard at several
// addresses, or found by both layers), at most MaxRooms, in order.
func tidy(rooms []Room) []Room {
	slices.SortStableFunc(rooms, func(a, b Room) int {
		return cmp.Or(strings.Compare(a.Room, b.Room), strings.Compare(a.Host, b.Host),
			strings.Compare(a.HostID, b.HostID), preferIPv4(a.URL, b.URL), strings.Compare(a.URL, b.URL))
	})
	seen := map[string]bool{}
	out := rooms[:0]
	for _, r := range rooms {
		if !seen[r.HostID] && len(out) < MaxRooms {
			seen[r.HostID] = true
			out = append(out, r)
		}
	}
	return out
}

// preferIPv4 orders a hub's IPv4 URL before its IPv6 ones.
func preferIPv4(a, b string) int {
	v6 := func(s string) int {
		if strings.Contains(s, "[") {
			return 1
		}
		return 0
	}
	return cmp.Compare(v6(a), v6(b))
}
