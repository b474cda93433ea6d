package netns

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Firewall makes the host drop incoming TCP to port on its test network
// interface, as a laptop whose person dismissed the firewall's prompt does:
// nobody on the network reaches that port, while the host itself still
// does over loopback, and it can still dial out.
func (h *Host) Firewall(port int) error {
	nft, err := nftPath()
	if err != nil {
		return err
	}
	script := fmt.Sprintf("table inet hcwall {\n chain input {\n  type filter hook input priority 0; policy accept;\n  iifname %q tcp dport %d drop\n }\n}\n", h.Iface, port)
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ipPath, "netns", "exec", h.Name, nft, "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("netns: firewall in %s: %w: %s", h.Name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
