package netns

import (
	"fmt"
)

// Firewall makes the host drop incoming TCP to port on its test network
// interface, as a laptop whose person dismissed the firewall's prompt does:
// nobody on the network reaches that port, while the host itself still
// does over loopback, and it can still dial out.
func (h *Host) Firewall(port int) error {
	script := fmt.Sprintf("table inet hcwall {\n chain input {\n  type filter hook input priority 0; policy accept;\n  iifname %q tcp dport %d drop\n }\n}\n", h.Iface, port)
	return nftIn(h.Name, "firewall", script)
}
