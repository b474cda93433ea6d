// Package lan tells which of this machine's interfaces and addresses are
// the local network's, for discovery, the unicast search and the phone's
// address. Docker bridges, virtual machines' and VPN interfaces carry
// addresses no other peer of the room can reach; announcing them, probing
// their subnets or showing them in a QR code sends people and packets the
// wrong way.
package lan

import (
	"fmt"
	"net"
	"slices"
	"strings"
)

// virtualPrefixes are interface names of container bridges, virtual
// machines' networks, tunnels and VPNs, and Apple's peer-to-peer links.
var virtualPrefixes = []string{
	"docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap",
	"wg", "utun", "awdl", "llw", "zt", "tailscale", "lxcbr", "lxdbr", "cni", "flannel",
}

// Iface is an interface with its reason to be used or left out.
type Iface struct {
	net.Interface
	Addrs []*net.IPNet // its addresses, loopback left out
	// Why is empty for an interface in use, else why it is left out.
	Why string
}

// Virtual says whether name is the name of a container, virtual machine,
// tunnel or VPN interface.
func Virtual(name string) bool {
	for _, p := range virtualPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Classify returns every interface of the machine with whether to use it:
// when named is not empty, exactly the named ones that are up; otherwise
// those that are up, not loopback, can broadcast and multicast, and are
// not virtual by their name.
func Classify(named []string) ([]Iface, error) {
	all, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("lan: list interfaces: %w", err)
	}
	out := make([]Iface, 0, len(all))
	for _, ifi := range all {
		x := Iface{Interface: ifi, Addrs: addrs(ifi)}
		x.Why = why(ifi, named)
		out = append(out, x)
	}
	return out, nil
}

func why(ifi net.Interface, named []string) string {
	if len(named) > 0 {
		if !slices.Contains(named, ifi.Name) {
			return "not named by --iface"
		}
		if ifi.Flags&net.FlagUp == 0 {
			return "down"
		}
		return ""
	}
	switch {
	case ifi.Flags&net.FlagUp == 0:
		return "down"
	case ifi.Flags&net.FlagLoopback != 0:
		return "loopback"
	case Virtual(ifi.Name):
		return "virtual (container, virtual machine, tunnel or VPN); name it with --iface to use it"
	case ifi.Flags&net.FlagBroadcast == 0:
		return "cannot broadcast (a point-to-point link or tunnel)"
	case ifi.Flags&net.FlagMulticast == 0:
		return "cannot multicast"
	}
	return ""
}

// Interfaces returns the interfaces to use, as Classify decides.
func Interfaces(named []string) ([]Iface, error) {
	all, err := Classify(named)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(x Iface) bool { return x.Why != "" }), nil
}

// IPs returns the addresses of ifs worth telling others: IPv4 first, then
// IPv6 other than link-local, then link-local IPv6.
func IPs(ifs []Iface) []net.IP {
	var v4, v6, ll []net.IP
	for _, x := range ifs {
		for _, a := range x.Addrs {
			switch {
			case a.IP.To4() != nil:
				v4 = append(v4, a.IP.To4())
			case a.IP.IsLinkLocalUnicast():
				ll = append(ll, a.IP)
			default:
				v6 = append(v6, a.IP)
			}
		}
	}
	return append(append(v4, v6...), ll...)
}

// Owns says whether ip is an address of one of ifs.
func Owns(ifs []Iface, ip net.IP) bool {
	for _, x := range ifs {
		for _, a := range x.Addrs {
			if a.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}

// OnLink says whether ip is on the IPv4 subnet of one of ifs, or is a
// link-local IPv6 address (which is on a link by definition).
func OnLink(ifs []Iface, ip net.IP) bool {
	if ip4 := ip.To4(); ip4 != nil {
		for _, x := range ifs {
			for _, a := range x.Addrs {
				if a.IP.To4() != nil && a.Contains(ip4) {
					return true
				}
			}
		}
		return false
	}
	for _, x := range ifs {
		for _, a := range x.Addrs {
			if a.IP.To4() == nil && a.Contains(ip) {
				return true
			}
		}
	}
	return ip.IsLinkLocalUnicast()
}

// Fingerprint is a string that changes when the addresses of ifs change.
func Fingerprint(ifs []Iface) string {
	var parts []string
	for _, x := range ifs {
		for _, a := range x.Addrs {
			parts = append(parts, x.Name+"="+a.String())
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// Host returns the address to show for this machine, e.g. in the phone's
// URL: among ifs, the one this machine sends from toward toward (a peer of
// the room; "" for the default route) if it is one of theirs, else the
// first IPv4 address, else the first IPv6 address that is not link-local;
// nil when ifs have none of those.
func Host(ifs []Iface, toward string) net.IP {
	if ip := routeFrom(toward); ip != nil && Owns(ifs, ip) && !ip.IsLinkLocalUnicast() {
		return ip
	}
	for _, ip := range IPs(ifs) {
		if !ip.IsLinkLocalUnicast() {
			return ip
		}
	}
	return nil
}

// routeFrom returns the source address of the route toward host, or of
// the default route for "": a UDP socket is connected, nothing is sent.
func routeFrom(host string) net.IP {
	targets := []string{host}
	if host == "" {
		// Documentation addresses (RFC 5737, RFC 3849): never answered,
		// and never sent to, but routed by the default route.
		targets = []string{"192.0.2.1", "2001:db8::1"}
	}
	for _, t := range targets {
		c, err := net.Dial("udp", net.JoinHostPort(t, "9"))
		if err != nil {
			continue
		}
		ip := c.LocalAddr().(*net.UDPAddr).IP
		c.Close()
		if ip != nil && !ip.IsUnspecified() {
			return ip
		}
	}
	return nil
}

// Subnet is an IPv4 range to search, and the interface it lies on.
type Subnet struct {
	Iface string
	Own   net.IP     // this machine's address in it
	Net   *net.IPNet // at most a /24: the one around Own
}

// Subnets returns the IPv4 ranges of ifs to search: each address's subnet,
// or the /24 around the address when the subnet is wider, so that a search
// stays within 254 addresses per interface address. Subnets narrower than
// /30 hold no other host and are left out.
func Subnets(ifs []Iface) []Subnet {
	var out []Subnet
	for _, x := range ifs {
		for _, a := range x.Addrs {
			ip4 := a.IP.To4()
			if ip4 == nil {
				continue
			}
			ones, bits := a.Mask.Size()
			if bits == 128 {
				ones -= 96
			}
			if ones < 24 {
				ones = 24
			}
			if ones > 30 {
				continue
			}
			mask := net.CIDRMask(ones, 32)
			out = append(out, Subnet{Iface: x.Name, Own: ip4, Net: &net.IPNet{IP: ip4.Mask(mask), Mask: mask}})
		}
	}
	return out
}

// Hosts returns the host addresses of s other than Own: neither the
// subnet's own address nor its broadcast address.
func (s Subnet) Hosts() []net.IP {
	ones, _ := s.Net.Mask.Size()
	n := 1<<(32-ones) - 2
	base := s.Net.IP.To4()
	var out []net.IP
	for i := 1; i <= n; i++ {
		v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
		v += uint32(i)
		ip := net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4()
		if !ip.Equal(s.Own) {
			out = append(out, ip)
		}
	}
	return out
}

func addrs(ifi net.Interface) []*net.IPNet {
	as, err := ifi.Addrs()
	if err != nil {
		return nil
	}
	var out []*net.IPNet
	for _, a := range as {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() {
			out = append(out, n)
		}
	}
	return out
}
