// Package scan finds huecast peers without multicast: it asks GET /api/peer
// of every address of the local subnets, a bounded number at a time, within
// an overall deadline. It is the second layer of discovery, used when mDNS
// hears nothing (a switch or access point that drops multicast).
//
// Only a valid answer for our room counts; anything else (another room, a
// web server, a body too large or too slow, a redirect) is left out and
// costs at most one probe's deadline. Every address asked lies on a subnet
// of an interface the caller chose (net/lan), so nothing leaves the local
// network.
package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/wire"
)

const (
	// Workers is how many addresses are asked at once: a whole /24 in one
	// round, since an address nobody holds holds its worker until
	// ProbeTimeout, while live ones answer in milliseconds.
	Workers = 256
	// ProbeTimeout bounds one address: a LAN peer answers within a few
	// milliseconds, and an address nobody holds never answers at all.
	ProbeTimeout = 500 * time.Millisecond
	// Deadline bounds a whole search: enough for a /24 and remembered hubs.
	Deadline = 1500 * time.Millisecond
	// MaxTargets bounds the addresses one search asks: four /24s of one
	// port, or one /24 of four ports.
	MaxTargets = 1024
	// maxAnswer bounds what a probe reads: an answer is a few hundred bytes.
	maxAnswer = 4096
	// Header marks a request as this search's, so that the peer asked knows
	// that someone could not find it over mDNS.
	Header = "X-Huecast-Search"
)

// Answer is what a peer of our room said at /api/peer, and where.
type Answer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Room    string `json:"room"`
	Hosting bool   `json:"hosting"`
	Hub     string `json:"hub"`
	// Verifier is the room's wire.Verifier; "" for an open room.
	Verifier string `json:"vk"`
	// Members is how many peers a hosting peer's hub holds, itself included.
	Members int `json:"members"`
	// Addr is the host:port asked.
	Addr string `json:"-"`
	// Body is the answer as sent, for Config.Verify.
	Body []byte `json:"-"`
}

// Config says what to search.
type Config struct {
	Room string // ours; answers of other rooms are left out
	// AnyRoom keeps the answers of every room, for a listing of the rooms
	// nearby; Room and Verify are then not asked.
	AnyRoom bool
	Self    string // our peer id; our own answer is left out
	// First are host:port addresses to ask before the subnets (hubs this
	// peer knew); only those on a searched subnet are asked.
	First   []string
	Subnets []lan.Subnet
	Ports   []int // ports to ask on every address
	// Verify, if set, must accept an answer for it to count (a room with a
	// passphrase checks the answer's proof).
	Verify   func(Answer) bool
	Logger   *slog.Logger
	Deadline time.Duration // Deadline if zero
}

// Stats counts what a search did.
type Stats struct {
	Asked    int // addresses asked
	Answered int // valid answers of our room (of any, with AnyRoom)
	Ignored  int // answers that were not a peer of our room
}

// Targets returns the host:port addresses a search asks, in order,
// at most MaxTargets.
func Targets(cfg Config) []string {
	seen := map[string]bool{}
	var out []string
	add := func(hp string) {
		if !seen[hp] && len(out) < MaxTargets {
			seen[hp] = true
			out = append(out, hp)
		}
	}
	for _, hp := range cfg.First {
		host, _, err := net.SplitHostPort(hp)
		if ip := net.ParseIP(host); err == nil && ip != nil && onSubnets(cfg.Subnets, ip) {
			add(hp)
		}
	}
	for _, port := range cfg.Ports {
		for _, s := range cfg.Subnets {
			for _, ip := range s.Hosts() {
				add(net.JoinHostPort(ip.String(), strconv.Itoa(port)))
			}
		}
	}
	return out
}

func onSubnets(subs []lan.Subnet, ip net.IP) bool {
	for _, s := range subs {
		if s.Net.Contains(ip) && !ip.Equal(s.Own) {
			return true
		}
	}
	return false
}

// Search asks every target, Workers at a time, and sends each valid answer
// of our room on found as it comes (only while ctx lasts). It returns when
// all are asked, at its deadline, or when ctx ends.
func Search(ctx context.Context, cfg Config, found chan<- Answer) Stats {
	d := cfg.Deadline
	if d == 0 {
		d = Deadline
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return Ask(ctx, cfg, Targets(cfg), found)
}

// Ask asks the given host:port addresses, as Search does, until ctx ends.
// The caller must have checked that they are on the local subnets.
func Ask(ctx context.Context, cfg Config, targets []string, found chan<- Answer) Stats {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	room := wire.RoomName(cfg.Room)
	var asked, answered, ignored atomic.Int64
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range min(Workers, len(targets)) {
		wg.Go(func() {
			for hp := range jobs {
				asked.Add(1)
				a, err := Probe(ctx, hp)
				switch {
				case err != nil:
					if errors.Is(err, errNotPeer) {
						ignored.Add(1)
						log.Debug("scan: not a huecast peer", "addr", hp, "err", err)
					}
					continue
				case !cfg.AnyRoom && a.Room != room:
					ignored.Add(1)
					log.Debug("scan: a peer of another room", "addr", hp, "room", a.Room)
					continue
				case a.ID == cfg.Self:
					continue
				case !cfg.AnyRoom && cfg.Verify != nil && !cfg.Verify(a):
					ignored.Add(1)
					log.Debug("scan: a peer without the room's proof", "addr", hp, "id", a.ID)
					continue
				}
				answered.Add(1)
				select {
				case found <- a:
				case <-ctx.Done():
				}
			}
		})
	}
feed:
	for _, hp := range targets {
		select {
		case jobs <- hp:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return Stats{Asked: int(asked.Load()), Answered: int(answered.Load()), Ignored: int(ignored.Load())}
}

// idRE is what a peer id looks like; anything else is not a peer's answer.
var idRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// errNotPeer: something answered, but not as a huecast peer does.
var errNotPeer = errors.New("not a huecast peer")

// client asks peers directly, never through a proxy, never following a
// redirect (a peer never sends one), and never keeps a connection.
var client = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true, MaxResponseHeaderBytes: maxAnswer,
		DialContext: (&net.Dialer{Timeout: ProbeTimeout}).DialContext},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Probe asks the peer at host:port who it is, within ProbeTimeout.
func Probe(ctx context.Context, hostport string) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hostport+"/api/peer", nil)
	if err != nil {
		return Answer{}, err
	}
	req.Header.Set(Header, "1")
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Answer{}, fmt.Errorf("%w: %s", errNotPeer, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", errNotPeer, err)
	}
	if len(body) > maxAnswer {
		return Answer{}, fmt.Errorf("%w: answer longer than %d bytes", errNotPeer, maxAnswer)
	}
	var a Answer
	if err := json.Unmarshal(body, &a); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", errNotPeer, err)
	}
	if len(a.ID) > wire.MaxIDLen || !idRE.MatchString(a.ID) {
		return Answer{}, fmt.Errorf("%w: bad id", errNotPeer)
	}
	a.Room = wire.CleanRoom(a.Room)
	a.Name = wire.CleanName(a.Name, wire.MaxNameLen)
	if a.Hub != "" && !strings.HasPrefix(a.Hub, "ws://") && !strings.HasPrefix(a.Hub, "wss://") {
		a.Hub = ""
	}
	a.Addr, a.Body = hostport, body
	return a, nil
}

// HubURL is the WebSocket URL of the hub a hosting answer's peer serves.
func (a Answer) HubURL() string { return "ws://" + a.Addr + "/ws" }
