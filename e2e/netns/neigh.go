package netns

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Every namespace's ARP entries count against one table of the kernel's,
// sized by the root namespace's sysctls (gc_thresh3, 1024 by default). On a
// real LAN each laptop has a kernel, and a table, of its own; here the peers
// of a network, and of the networks of tests running at once, share one. A
// peer's search of its /24 leaves an incomplete entry for each of ~250
// addresses nobody holds, so four peers searching at once fill the shared
// table, and then no new neighbour can be resolved in any namespace: every
// connection to a host not yet in the table times out, as no LAN of four
// laptops would. roomForNeighbours gives the shared table room for what
// separate kernels would hold, and never shrinks it.
var neighbourTable = []struct {
	name string
	min  int
}{
	// gc_thresh3 first, so that the limits stay ordered at every step.
	{"gc_thresh3", 16384},
	{"gc_thresh2", 8192},
}

// roomForNeighbours raises the kernel's ARP table limits to at least
// neighbourTable's, leaving any larger setting alone.
func roomForNeighbours() error {
	for _, v := range neighbourTable {
		path := "/proc/sys/net/ipv4/neigh/default/" + v.name
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading the neighbour table's size: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", path, b)
		}
		if n >= v.min {
			continue
		}
		if err := os.WriteFile(path, []byte(strconv.Itoa(v.min)), 0o644); err != nil {
			return fmt.Errorf("raising %s from %d to %d: %w", path, n, v.min, err)
		}
	}
	return nil
}
