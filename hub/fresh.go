// fresh.go: the cap on connections that have not said hello yet.

package hub

import (
	"net"
	"net/http"
	"sync"
)

const (
	// maxFreshPerAddr bounds the connections one address may hold open
	// before their hello (and, with a passphrase, its answer). A browser
	// opens one per tab, a peer one; a host behind NAT (a classroom behind
	// one address) a few at once. Loopback is not counted by address: it
	// is this machine (the load tool opens hundreds at once from it).
	maxFreshPerAddr = 32
	// DefaultMaxFresh bounds them in all, so that silent sockets from many
	// addresses cannot pile up either; each is closed after helloWait,
	// so a burst of joins clears within seconds, and the members already
	// in the room are served throughout.
	DefaultMaxFresh = 512
)

// freshConns counts connections between the upgrade and their hello.
type freshConns struct {
	mu     sync.Mutex // guards byAddr and total
	byAddr map[string]int
	total  int
	max    int // the cap on total
}

// take counts a new connection from remote, or says why it may not open.
func (f *freshConns) take(remote string) (ok bool, why string) {
	addr := addrOf(remote)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.total >= f.max {
		return false, "huecast: the hub has too many connections waiting to say hello; try again in a few seconds"
	}
	if !isLoopback(addr) {
		if f.byAddr[addr] >= maxFreshPerAddr {
			return false, "huecast: too many connections from this address have not said hello; close some, then try again"
		}
		if f.byAddr == nil {
			f.byAddr = map[string]int{}
		}
		f.byAddr[addr]++
	}
	f.total++
	return true, ""
}

// release uncounts a connection take counted.
func (f *freshConns) release(remote string) {
	addr := addrOf(remote)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total--
	if isLoopback(addr) {
		return
	}
	if f.byAddr[addr]--; f.byAddr[addr] <= 0 {
		delete(f.byAddr, addr)
	}
}

// takeFresh counts r's connection as one yet to say hello, or answers 503.
func (h *Hub) takeFresh(w http.ResponseWriter, r *http.Request) bool {
	ok, why := h.fresh.take(r.RemoteAddr)
	if !ok {
		h.log.Info("hub: refused a connection over the cap of those yet to say hello", "remote", r.RemoteAddr)
		w.Header().Set("Retry-After", "5")
		http.Error(w, why, http.StatusServiceUnavailable)
	}
	return ok
}

// settle uncounts c once it has said hello or gone; Run calls it.
func (h *Hub) settle(c *conn) {
	if c.fresh {
		c.fresh = false
		h.fresh.release(c.remote)
	}
}

func addrOf(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

func isLoopback(addr string) bool {
	ip := net.ParseIP(addr)
	return ip != nil && ip.IsLoopback()
}
