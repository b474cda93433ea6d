package hub

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// RoomOrigin is the hub's default Origin check for WebSocket upgrades.
//
// Native clients send no Origin and are accepted. A browser page is
// accepted when a hub of this room served it: this hub, under whatever name
// or address the page reached it (the Origin's host is the Host the request
// came to), or the hub of a member of the room (the Origin's host is the
// address a peer told the room it would host on, wire.Peer.Addr). Any other
// page gets 403, so that a web site open in a browser on the LAN cannot
// drive the room from behind the person's back.
func (h *Hub) RoomOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	scheme := strings.ToLower(u.Scheme)
	o, ok := hostPort(scheme, u.Host)
	if !ok || u.Path != "" && u.Path != "/" {
		return false // "null" (a file or a sandbox), or not an origin at all
	}
	// The Host header carries no scheme: the page's own decides its default port.
	if self, ok := hostPort(scheme, r.Host); ok && self == o {
		return true
	}
	st, err := h.State(r.Context())
	if err != nil {
		return false
	}
	for _, p := range st.Peers {
		if a, ok := addrHostPort(p.Addr); ok && a == o {
			return true
		}
	}
	return false
}

// addrHostPort reads a peer's hub address: "ws://h:p/ws", "http://h:p" or "h:p".
func addrHostPort(addr string) (string, bool) {
	if addr == "" {
		return "", false
	}
	if !strings.Contains(addr, "://") {
		return hostPort("http", addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "", false
	}
	return hostPort(strings.ToLower(u.Scheme), u.Host)
}

// hostPort returns host:port in lower case, with scheme's default port when
// hostport has none, so that "http://h" and "h:80" compare equal.
func hostPort(scheme, hostport string) (string, bool) {
	var port string
	switch scheme {
	case "http", "ws":
		port = "80"
	case "https", "wss":
		port = "443"
	default:
		return "", false
	}
	host := hostport
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if host == "" || port == "" {
		return "", false
	}
	return net.JoinHostPort(strings.ToLower(host), port), true
}

// LocalHost says whether a request's Host header names this machine: an
// IP literal, localhost, or one of this machine's own names (its host
// name, <name>.local, and <name> under the DNS search domains the machine
// is configured with, as the LAN's DNS answers it: kitchen-pc.fritz.box).
// Any other name is one someone pointed at this address (DNS rebinding),
// and every endpoint refuses it (see HostGuard). <name> under any other
// domain is refused: the host name is public (the default display name),
// so a site could be named after it.
func LocalHost(hostport string) bool {
	return machineNames().allows(hostport)
}

// HostGuard answers 403 to a request whose Host is not this machine's
// (LocalHost), and passes the rest to next. The hub serves every endpoint
// through it; a peer serves /api/peer through it too.
func HostGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LocalHost(r.Host) {
			RefuseHost(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RefuseHost answers a request for a name this machine does not answer to.
func RefuseHost(w http.ResponseWriter, r *http.Request) {
	// A page of a site whose name was made to point at this address
	// (DNS rebinding) has the Origin it came from as its Host too.
	http.Error(w, "huecast: Host "+strconv.Quote(r.Host)+" is not this machine's address or name; connect by address",
		http.StatusForbidden)
}

// hostNames are the names a machine answers to besides IP literals and localhost.
type hostNames struct {
	full    string   // the host name as the system gives it, lower case
	short   string   // its first label
	domains []string // DNS search domains
}

var machineNames = sync.OnceValue(func() hostNames {
	name, _ := os.Hostname()
	b, _ := os.ReadFile("/etc/resolv.conf")
	return newHostNames(name, searchDomains(string(b)))
})

func newHostNames(name string, domains []string) hostNames {
	full := strings.TrimSuffix(strings.ToLower(name), ".")
	short, _, _ := strings.Cut(full, ".")
	return hostNames{full: full, short: short, domains: domains}
}

// searchDomains reads the search and domain lines of a resolv.conf.
func searchDomains(conf string) []string {
	var ds []string
	for line := range strings.Lines(conf) {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != "search" && f[0] != "domain") {
			continue
		}
		for _, d := range f[1:] {
			if d = strings.Trim(strings.ToLower(d), "."); d != "" && !slices.Contains(ds, d) {
				ds = append(ds, d)
			}
		}
	}
	return ds
}

func (n hostNames) allows(hostport string) bool {
	host := hostOnly(hostport)
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if n.short == "" {
		return false
	}
	if host == n.full || host == n.short || host == n.short+".local" {
		return true
	}
	for _, d := range n.domains {
		if host == n.short+"."+d {
			return true
		}
	}
	return false
}

// hostOnly is a Host header's host: lower case, without port, brackets,
// IPv6 zone or trailing dot; "" when there is none.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // an IPv6 zone
	}
	return host
}
