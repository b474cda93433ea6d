package hub

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
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
// IP literal, localhost, or this machine's host name (alone or under any
// domain, as mDNS or the LAN's DNS answers it). Anything else on /ws is a name someone
// pointed at this address (DNS rebinding), and is refused.
func LocalHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return false
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // an IPv6 zone
	}
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	name, err := os.Hostname()
	if err != nil || name == "" {
		return false
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	// The machine's name under any domain its LAN's DNS gives it
	// (kitchen-pc.fritz.box, kitchen-pc.local).
	short, _, _ := strings.Cut(name, ".")
	first, _, _ := strings.Cut(host, ".")
	return host == name || first == short
}
