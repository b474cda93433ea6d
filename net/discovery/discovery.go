// Package discovery finds huecast hubs on the local network and advertises
// ours, over mDNS/DNS-SD (service _huecast._tcp in local.). It is the only
// package that imports zeroconf.
//
// zeroconf has limits the callers must know: it reports a service once per
// browse and never reports one going away, so a hub's loss is noticed
// through its WebSocket, not here; a Resolver serves a single Browse; and the
// entries channel is closed by the library, which blocks on it until then.
// Browse drains it until it is closed.
package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/grandcat/zeroconf"
	"github.com/huecast/huecast/net/lan"
	"github.com/huecast/huecast/net/wire"
)

const (
	// Service is huecast's DNS-SD service type, Domain its domain.
	Service = "_huecast._tcp"
	Domain  = "local."
	// Version is the TXT record's v: what a hub with this record speaks.
	Version = "3" // wire.Version
	// maxTXT is the most one TXT string may hold (RFC 6763, 6.1).
	maxTXT = 255
	// maxPath caps the TXT path, which only ever needs to be short.
	maxPath = 64
)

// Hub is a hub of our room found on the network.
type Hub struct {
	ID       string // the hosting peer's id
	Name     string // the hosting peer's display name; may be empty
	Room     string // as the hub wrote it, cleaned
	URL      string // ws://ip:port/path, IPv4 when the hub has one we reach
	Instance string // the DNS-SD instance name
	Auth     bool   // the room has a passphrase (TXT auth=1)
	// Verifier is the room's wire.Verifier (TXT vk): "" for an open room,
	// or a locked one whose record has none or a malformed one.
	Verifier string
}

// Ad says what Advertise announces.
type Ad struct {
	ID   string // our peer id; required
	Name string // our display name
	Room string
	Port int      // the hub's TCP port
	Path string   // the WebSocket path; "/ws" if empty
	IPs  []net.IP // addresses to announce; empty: those of the interfaces used
	// Auth says the room has a passphrase (TXT auth=1), so that a peer
	// can ask for it before joining.
	Auth bool
	// Verifier is wire.Verifier of the room's key (TXT vk), so that a peer
	// tells two rooms of one name apart before it connects.
	Verifier string
}

// Config says which interfaces discovery uses.
type Config struct {
	// Ifaces names the interfaces to advertise and browse on; empty means
	// every interface that is up and can multicast.
	Ifaces []string
	Logger *slog.Logger // nil discards logs
}

// MDNS advertises and browses over multicast DNS. Create it with New.
type MDNS struct {
	ifaces []string
	log    *slog.Logger
}

// New checks cfg and returns an MDNS. It fails when a named interface does
// not exist or cannot multicast; nothing is sent until Browse or Advertise.
func New(cfg Config) (*MDNS, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &MDNS{log: log}
	for _, name := range cfg.Ifaces {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return nil, fmt.Errorf("discovery: interface %q: %w", name, err)
		}
		if ifi.Flags&net.FlagMulticast == 0 {
			return nil, fmt.Errorf("discovery: interface %q cannot multicast, so mDNS cannot use it", name)
		}
		m.ifaces = append(m.ifaces, name)
	}
	return m, nil
}

// interfaces returns the interfaces to use now: the named ones that are up,
// or the LAN interfaces (net/lan): up, multicast-capable, neither loopback
// nor a container's, virtual machine's, tunnel's or VPN's.
func (m *MDNS) interfaces() ([]net.Interface, error) {
	ifs, err := lan.Interfaces(m.ifaces)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var use []net.Interface
	for _, x := range ifs {
		if x.Flags&net.FlagMulticast != 0 {
			use = append(use, x.Interface)
		}
	}
	if len(use) == 0 {
		if len(m.ifaces) > 0 {
			return nil, fmt.Errorf("discovery: none of the interfaces %s is up", strings.Join(m.ifaces, ", "))
		}
		return nil, errors.New("discovery: no LAN interface is up and can multicast")
	}
	return use, nil
}

// Advertise announces our hub until ctx ends, then says goodbye (a record
// with TTL 0) and returns nil.
func (m *MDNS) Advertise(ctx context.Context, ad Ad) error {
	if ad.Path == "" {
		ad.Path = "/ws"
	}
	instance := InstanceName(ad.ID)
	if instance == "" {
		return errors.New("discovery: advertise: no peer id")
	}
	txt, err := TXT(ad)
	if err != nil {
		return err
	}
	ifs, err := m.interfaces()
	if err != nil {
		return err
	}
	ips := ad.IPs
	if len(ips) == 0 {
		for _, ifi := range ifs {
			ips = append(ips, interfaceIPs(ifi)...)
		}
	}
	var addrs []string
	for _, ip := range ips {
		addrs = append(addrs, ip.String())
	}
	if len(addrs) == 0 {
		return errors.New("discovery: advertise: the interfaces have no address")
	}
	// A host name of our own: namespaces and containers share the machine's
	// name, and the answers must not mix with the machine's own records.
	host := instance + "." + Domain
	srv, err := zeroconf.RegisterProxy(instance, Service, Domain, ad.Port, host, addrs, txt, ifs)
	if err != nil {
		return fmt.Errorf("discovery: register %q: %w", instance, err)
	}
	m.log.Debug("discovery: advertising", "instance", instance, "port", ad.Port, "addrs", addrs)
	<-ctx.Done()
	srv.Shutdown()
	return nil
}

// InstanceName is the DNS-SD instance name of peer id: unique per peer, and
// only letters, digits and dashes, so it stays one DNS label.
func InstanceName(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r < 128 && (r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
		if b.Len() == 40 {
			break
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "huecast-" + b.String()
}

// TXT returns the TXT strings that advertise ad.
func TXT(ad Ad) ([]string, error) {
	path := ad.Path
	if path == "" {
		path = "/ws"
	}
	room := wire.RoomName(ad.Room)
	txt := []string{"v=" + Version, "room=" + room, "id=" + ad.ID, "path=" + path}
	for _, s := range txt {
		if len(s) > maxTXT {
			return nil, fmt.Errorf("discovery: %q is longer than the %d bytes a TXT string holds", s[:20]+"…", maxTXT)
		}
	}
	if ad.Auth {
		txt = append(txt, "auth=1")
		if validVerifier(ad.Verifier) {
			txt = append(txt, "vk="+ad.Verifier)
		}
	}
	if name := clipBytes("name="+wire.CleanName(ad.Name, wire.MaxNameLen), maxTXT); name != "name=" {
		txt = append(txt, name)
	}
	return txt, nil
}

// clipBytes cuts s to at most n bytes without splitting a character.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Browse reports, on found, every hub of room that answers or announces
// itself, until ctx ends; then it returns nil. Records of other rooms, our
// own (id self) and wrong or hostile ones are left out, with a debug log.
// A hub is reported once per Browse. Browse sends on found only while ctx
// lasts, so a caller may stop reading once it has cancelled ctx.
func (m *MDNS) Browse(ctx context.Context, room, self string, found chan<- Hub) error {
	return m.browse(ctx, wire.RoomName(room), self, found)
}

// BrowseAll reports, as Browse does, the hubs of every room: a listing of
// the rooms nearby. Each is a claim its record makes; the caller checks a
// hub before it lists it, and joining checks it again.
func (m *MDNS) BrowseAll(ctx context.Context, self string, found chan<- Hub) error {
	return m.browse(ctx, "", self, found)
}

// browse is Browse of room, or of every room when room is "".
func (m *MDNS) browse(ctx context.Context, room, self string, found chan<- Hub) error {
	ifs, err := m.interfaces()
	if err != nil {
		return err
	}
	res, err := newResolver(ifs)
	if err != nil {
		return err
	}
	f := filter{room: room, self: self, ifs: ifs, nets: onLink(ifs)}
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry)
	browseErr := res.Browse(bctx, Service, Domain, entries)
	if browseErr != nil {
		cancel() // zeroconf's loop closes entries once it sees this
	}
	// zeroconf blocks sending entries until it closes the channel: drain it.
	for e := range entries {
		h, why := f.check(e)
		if why != "" {
			m.log.Debug("discovery: ignoring a record", "instance", e.Instance, "why", why)
			continue
		}
		select {
		case found <- h:
		case <-ctx.Done():
		}
	}
	if browseErr != nil {
		return fmt.Errorf("discovery: browse: %w", browseErr)
	}
	return nil
}

// newResolver listens on ifs over IPv4 and IPv6, or over whichever of the
// two works on this machine.
func newResolver(ifs []net.Interface) (*zeroconf.Resolver, error) {
	var errs []error
	for _, ip := range []zeroconf.IPType{zeroconf.IPv4AndIPv6, zeroconf.IPv4, zeroconf.IPv6} {
		r, err := zeroconf.NewResolver(zeroconf.SelectIfaces(ifs), zeroconf.SelectIPTraffic(ip))
		if err == nil {
			return r, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("discovery: cannot listen for mDNS: %w", errors.Join(errs...))
}

// filter decides which records are hubs of our room we can reach.
type filter struct {
	room string // "" takes every room
	self string
	ifs  []net.Interface
	nets []*net.IPNet // IPv4 subnets of ifs
}

var pathRE = regexp.MustCompile(`^/[A-Za-z0-9/_.~-]*$`)

// check returns the hub e describes, or why it is left out.
func (f filter) check(e *zeroconf.ServiceEntry) (Hub, string) {
	if e == nil {
		return Hub{}, "empty entry"
	}
	txt, why := parseTXT(e.Text)
	if why != "" {
		return Hub{}, why
	}
	if v := txt["v"]; v != Version {
		return Hub{}, fmt.Sprintf("version %q, we speak %s", clip(v), Version)
	}
	id := txt["id"]
	if id == "" || len(id) > wire.MaxIDLen || wire.CleanName(id, wire.MaxIDLen) != id {
		return Hub{}, fmt.Sprintf("bad id %q", clip(id))
	}
	if id == f.self || e.Instance == InstanceName(f.self) {
		return Hub{}, "our own record"
	}
	room := wire.CleanRoom(txt["room"])
	if room == "" {
		return Hub{}, "no room"
	}
	if f.room != "" && room != f.room {
		return Hub{}, fmt.Sprintf("room %q, not ours", clip(room))
	}
	path := txt["path"]
	if len(path) > maxPath || !pathRE.MatchString(path) {
		return Hub{}, fmt.Sprintf("bad path %q", clip(path))
	}
	if e.Port <= 0 || e.Port > 65535 {
		return Hub{}, fmt.Sprintf("port %d out of range", e.Port)
	}
	host := f.pickIP(e)
	if host == "" {
		return Hub{}, fmt.Sprintf("no address we can reach (IPv4 %v, IPv6 %v)", e.AddrIPv4, e.AddrIPv6)
	}
	return Hub{
		ID:   id,
		Name: wire.CleanName(txt["name"], wire.MaxNameLen),
		Room: room,
		// A zone is written %25 in a URL (RFC 6874).
		URL:      "ws://" + strings.Replace(net.JoinHostPort(host, strconv.Itoa(e.Port)), "%", "%25", 1) + path,
		Instance: e.Instance,
		Auth:     txt["auth"] == "1",
		Verifier: verifierOf(txt),
	}, ""
}

// verifierOf is the TXT's vk when the room is locked and vk has
// wire.Verifier's shape; "" otherwise, which no peer holding a passphrase
// takes for its room.
func verifierOf(txt map[string]string) string {
	if vk := txt["vk"]; txt["auth"] == "1" && validVerifier(vk) {
		return vk
	}
	return ""
}

func validVerifier(vk string) bool {
	if len(vk) != wire.VerifierLen {
		return false
	}
	for i := 0; i < len(vk); i++ {
		if c := vk[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// parseTXT reads key=value strings; the first of a repeated key counts
// (RFC 6763, 6.4). Keys are case-insensitive.
func parseTXT(text []string) (map[string]string, string) {
	if len(text) == 0 {
		return nil, "no TXT record"
	}
	kv := map[string]string{}
	for _, s := range text {
		k, v, ok := strings.Cut(s, "=")
		k = strings.ToLower(k)
		if !ok || k == "" {
			continue
		}
		if _, seen := kv[k]; !seen {
			kv[k] = v
		}
	}
	for _, k := range []string{"v", "room", "id", "path"} {
		if _, ok := kv[k]; !ok {
			return nil, "TXT lacks " + k
		}
	}
	return kv, ""
}

// pickIP returns the address to dial e at: an IPv4 address on the subnet
// of one of our interfaces first; else a routable IPv6 address, or a
// link-local one when a single interface makes its zone certain and the
// record does not show that it comes from another link.
func (f filter) pickIP(e *zeroconf.ServiceEntry) string {
	offLink := false // the record has IPv4 addresses, none on our subnets
	for _, ip := range e.AddrIPv4 {
		ip4 := ip.To4()
		if ip4 == nil || !usable(ip4) {
			continue
		}
		if f.onLink(ip4) {
			return ip4.String()
		}
		offLink = true
	}
	for _, ip := range e.AddrIPv6 {
		if ip.To4() != nil || !usable(ip) {
			continue
		}
		if ip.IsLinkLocalUnicast() {
			// A hub on our link, when both of us speak IPv4 there, has an
			// address on our subnet. One that offers only others is on
			// another link, and its link-local address belongs to that
			// link: on Linux an mDNS socket hears the queries of every
			// interface some other socket of the machine listens on, so
			// zeroconf answers on links its hub was not meant for.
			if len(f.ifs) == 1 && !(offLink && len(f.nets) > 0) {
				return ip.String() + "%" + f.ifs[0].Name
			}
			continue
		}
		return ip.String()
	}
	return ""
}

func (f filter) onLink(ip net.IP) bool {
	for _, n := range f.nets {
		if !n.Contains(ip) {
			continue
		}
		// Neither the subnet's own address nor its broadcast address is a host.
		ones, bits := n.Mask.Size()
		if bits-ones >= 2 {
			first := n.IP.Mask(n.Mask)
			last := make(net.IP, len(first))
			for i := range first {
				last[i] = first[i] | ^n.Mask[i]
			}
			if ip.Equal(first) || ip.Equal(last) {
				return false
			}
		}
		return true
	}
	return false
}

func usable(ip net.IP) bool {
	return !ip.IsUnspecified() && !ip.IsLoopback() && !ip.IsMulticast() && !ip.Equal(net.IPv4bcast)
}

// onLink returns the IPv4 subnets of ifs.
func onLink(ifs []net.Interface) []*net.IPNet {
	var nets []*net.IPNet
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
				nets = append(nets, &net.IPNet{IP: n.IP.To4(), Mask: n.Mask[len(n.Mask)-4:]})
			}
		}
	}
	return nets
}

// interfaceIPs returns ifi's addresses worth announcing: IPv4 and IPv6,
// loopback left out.
func interfaceIPs(ifi net.Interface) []net.IP {
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
			ips = append(ips, n.IP)
		}
	}
	return ips
}

func clip(s string) string {
	if len(s) > 40 {
		return clipBytes(s, 40) + "…"
	}
	return s
}
