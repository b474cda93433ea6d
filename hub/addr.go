// addr.go: where a member says it would host, checked before the room hears it.

package hub

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/huecast/huecast/net/wire"
)

const (
	// checkAddrWait bounds Config.CheckAddr: a LAN peer answers within
	// milliseconds, and a firewall that drops the dial must not hold a
	// hello for long.
	checkAddrWait = 1 * time.Second
	// maxAddrChecks bounds the hellos held at once; beyond it a member is
	// admitted without an address (it is then never elected).
	maxAddrChecks = 64
)

// memberAddr is the address a member would host on as the room can reach
// it: the port it told, at the address its connection came from, so that
// nobody makes the room dial somewhere else. "" when told none or nonsense.
func memberAddr(remote, told string) string {
	_, port, err := net.SplitHostPort(told)
	if err != nil {
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return ""
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil || net.ParseIP(host) == nil {
		return ""
	}
	return wire.CleanName(net.JoinHostPort(host, port), 64)
}

// checkAddr holds c's hello while Config.CheckAddr asks in.Addr whether it
// is c's peer; Run then admits it with the address confirmed, or none.
func (h *Hub) checkAddr(c *conn, in wire.In) {
	if len(h.checking) >= maxAddrChecks {
		h.log.Info("hub: too many addresses being checked; admitting a peer without one", "remote", c.remote)
		in.Addr = ""
		h.join(c, in)
		return
	}
	h.checking[c] = true
	id := wire.CleanName(in.ID, wire.MaxIDLen)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), checkAddrWait)
		ok := h.cfg.CheckAddr(ctx, id, in.Addr)
		cancel()
		if !ok {
			h.log.Info("hub: a member's address does not answer; the room will not elect it", "id", id, "addr", in.Addr)
			in.Addr = ""
		}
		h.post(event{kind: evAddrChecked, c: c, in: in})
	}()
}
