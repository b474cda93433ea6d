package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// Filters on the bridge's forward path, with nftables in the bridge's own
// namespace: what a switch or access point does to the frames it passes.
// Nothing here touches a namespace the network did not create.

// nftTable is the bridge-family table the filters live in.
const nftTable = "hcswitch"

// Nft feeds script to "nft -f -" inside the bridge's namespace. The table
// "bridge hcswitch" with a chain "forward" (hooked to the bridge's forward
// path) exists once any filter method has run; script may add to it.
func (nw *Network) Nft(script string) error {
	return nftIn(nw.Bridge, "nft", script)
}

// nftIn loads the nftables script in namespace ns; what names the step in
// the error.
func nftIn(ns, what, script string) error {
	nft, err := nftPath()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ipPath, "netns", "exec", ns, nft, "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("netns: %s in %s: %w: %s", what, ns, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// nftPath finds nft, also where a PATH without the sbin folders misses it.
func nftPath() (string, error) {
	if p, err := exec.LookPath("nft"); err == nil {
		return p, nil
	}
	for _, c := range []string{"/usr/sbin/nft", "/sbin/nft"} {
		if _, err := exec.LookPath(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("netns: nft (nftables) is not installed")
}

func (nw *Network) ensureTable() error {
	return nw.Nft(fmt.Sprintf("table bridge %s {\n chain forward { type filter hook forward priority 0; policy accept; }\n}\n", nftTable))
}

// Rule adds one rule to the bridge's forward chain, e.g.
// "ip daddr 224.0.0.0/4 drop".
func (nw *Network) Rule(rule string) error {
	if err := nw.ensureTable(); err != nil {
		return err
	}
	return nw.Nft(fmt.Sprintf("add rule bridge %s forward %s\n", nftTable, rule))
}

// BlockMulticast makes the bridge drop every IPv4 and IPv6 multicast frame,
// as many office and campus access points do: mDNS stops working, unicast
// and broadcast (ARP) still pass.
func (nw *Network) BlockMulticast() error {
	if err := nw.Rule("ip daddr 224.0.0.0/4 drop"); err != nil {
		return err
	}
	return nw.Rule("ip6 daddr ff00::/8 drop")
}

// Loss makes the bridge drop percent of all frames, at random.
func (nw *Network) Loss(percent int) error {
	return nw.Rule(fmt.Sprintf("numgen random mod 100 < %d drop", percent))
}

// Count adds a named counter of the frames rule's match selects (a match
// without a verdict, e.g. "tcp dport 7788"); Counted reads it.
func (nw *Network) Count(name, match string) error {
	if err := nw.ensureTable(); err != nil {
		return err
	}
	if err := nw.Nft(fmt.Sprintf("add counter bridge %s %s\n", nftTable, name)); err != nil {
		return err
	}
	return nw.Nft(fmt.Sprintf("add rule bridge %s forward %s counter name %s\n", nftTable, match, name))
}

// Counted returns how many frames counter name has counted.
func (nw *Network) Counted(name string) (int, error) {
	nft, err := nftPath()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, ipPath, "netns", "exec", nw.Bridge, nft, "-j", "list", "counter", "bridge", nftTable, name).Output()
	if err != nil {
		return 0, fmt.Errorf("netns: reading counter %s: %w", name, err)
	}
	var doc struct {
		Nftables []struct {
			Counter *struct {
				Packets int `json:"packets"`
			} `json:"counter"`
		} `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return 0, fmt.Errorf("netns: reading counter %s: %w", name, err)
	}
	for _, x := range doc.Nftables {
		if x.Counter != nil {
			return x.Counter.Packets, nil
		}
	}
	return 0, fmt.Errorf("netns: counter %s not found", name)
}

// ResetCounter sets counter name back to zero.
func (nw *Network) ResetCounter(name string) error {
	return nw.Nft(fmt.Sprintf("reset counter bridge %s %s\n", nftTable, name))
}

// Flush removes every filter and counter: the bridge forwards everything.
func (nw *Network) Flush() error {
	if err := nw.ensureTable(); err != nil {
		return err
	}
	return nw.Nft(fmt.Sprintf("flush table bridge %s\n", nftTable))
}
