package hub

import (
	"net"
	"slices"
	"testing"
)

func TestSearchDomainsAreReadFromResolvConf(t *testing.T) {
	conf := "# generated\nnameserver 10.0.0.1\nsearch fritz.box Corp.Example.\ndomain lan\noptions ndots:1\nsearch\n"
	if got, want := searchDomains(conf), []string{"fritz.box", "corp.example", "lan"}; !slices.Equal(got, want) {
		t.Fatalf("searchDomains = %q, want %q", got, want)
	}
}

// TestMachineNamesAreItsOwnOnly: the machine's name alone, under .local
// and under its own search domains; never under any other domain.
func TestMachineNamesAreItsOwnOnly(t *testing.T) {
	n := newHostNames("Kitchen-PC", []string{"fritz.box"})
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"kitchen-pc", true},
		{"KITCHEN-PC:7788", true},
		{"kitchen-pc.local:7788", true},
		{"kitchen-pc.local.", true},
		{"kitchen-pc.fritz.box:7788", true},
		{"10.0.0.5:7788", true},
		{"[fe80::1%25eth0]:7788", true},
		{"localhost", true},
		{"app.localhost:80", true},
		{"kitchen-pc.evil.example", false},
		{"kitchen-pc.fritz.box.evil.example", false},
		{"kitchen-pcx.local", false},
		{"evil.example", false},
		{"", false},
		{":7788", false},
	} {
		if got := n.allows(tc.host); got != tc.want {
			t.Errorf("allows(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
	// A host name given with its domain is itself too.
	if !newHostNames("kitchen-pc.corp.example", nil).allows("kitchen-pc.corp.example:7788") {
		t.Error("the full host name is refused")
	}
}

// TestOwnEndpointIsTheAddressTheConnectionCameIn: in a room with a
// passphrase the proofs bind the Host, so it must name the hub itself.
func TestOwnEndpointIsTheAddressTheConnectionCameIn(t *testing.T) {
	local := &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 7788}
	for _, tc := range []struct {
		ep   string
		want bool
	}{
		{"10.0.0.5:7788", true},
		{"localhost:7788", true},
		{"10.0.0.6:7788", false}, // a relay's address
		{"10.0.0.5:7789", false}, // another program on this machine
		{"10.0.0.5", false},      // port 80
		{"evil.example:7788", false},
	} {
		if got := ownEndpoint(tc.ep, local); got != tc.want {
			t.Errorf("ownEndpoint(%q) = %v, want %v", tc.ep, got, tc.want)
		}
	}
	mapped := &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.5"), Port: 80}
	if !ownEndpoint("10.0.0.5", mapped) {
		t.Error("an IPv4 address on a dual-stack listener is refused")
	}
}
