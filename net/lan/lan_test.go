package lan

import (
	"net"
	"testing"
)

func TestVirtualNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"eth0", false}, {"enp3s0", false}, {"wlan0", false}, {"wlp2s0", false}, {"en0", false}, {"eth1", false},
		{"docker0", true}, {"br-3f2a9c", true}, {"veth12ab", true}, {"virbr0", true}, {"vmnet8", true},
		{"vboxnet0", true}, {"tun0", true}, {"tap1", true}, {"wg0", true}, {"utun3", true}, {"awdl0", true},
		{"llw0", true}, {"zt5u4y", true}, {"tailscale0", true},
	} {
		if got := Virtual(tc.name); got != tc.want {
			t.Errorf("Virtual(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWhyAnInterfaceIsLeftOut(t *testing.T) {
	lan := net.FlagUp | net.FlagBroadcast | net.FlagMulticast
	for _, tc := range []struct {
		desc  string
		ifi   net.Interface
		named []string
		used  bool
	}{
		{"a LAN interface", net.Interface{Name: "eth0", Flags: lan}, nil, true},
		{"down", net.Interface{Name: "eth0", Flags: lan &^ net.FlagUp}, nil, false},
		{"loopback", net.Interface{Name: "lo", Flags: net.FlagUp | net.FlagLoopback | net.FlagMulticast}, nil, false},
		{"docker's bridge", net.Interface{Name: "docker0", Flags: lan}, nil, false},
		{"a point-to-point VPN", net.Interface{Name: "ppp0", Flags: net.FlagUp | net.FlagMulticast | net.FlagPointToPoint}, nil, false},
		{"no multicast", net.Interface{Name: "eth2", Flags: net.FlagUp | net.FlagBroadcast}, nil, false},
		{"a virtual one named by --iface", net.Interface{Name: "docker0", Flags: lan}, []string{"docker0"}, true},
		{"a tunnel named by --iface", net.Interface{Name: "tun0", Flags: net.FlagUp}, []string{"tun0"}, true},
		{"a LAN one not named by --iface", net.Interface{Name: "eth0", Flags: lan}, []string{"eth1"}, false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			w := why(tc.ifi, tc.named)
			if (w == "") != tc.used {
				t.Fatalf("why = %q, want used=%v", w, tc.used)
			}
		})
	}
}

func TestSubnetsStayWithinASlash24(t *testing.T) {
	mk := func(cidr string) *net.IPNet {
		ip, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	ifs := []Iface{{Interface: net.Interface{Name: "eth0"}, Addrs: []*net.IPNet{
		mk("10.1.2.3/16"), mk("192.168.5.9/24"), mk("172.16.0.5/28"), mk("10.9.9.9/32"), mk("fe80::1/64"),
	}}}
	got := Subnets(ifs)
	want := []struct {
		net   string
		hosts int
	}{{"10.1.2.0/24", 253}, {"192.168.5.0/24", 253}, {"172.16.0.0/28", 13}}
	if len(got) != len(want) {
		t.Fatalf("got %d subnets %v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Net.String() != w.net {
			t.Errorf("subnet %d = %s, want %s", i, got[i].Net, w.net)
		}
		hosts := got[i].Hosts()
		if len(hosts) != w.hosts {
			t.Errorf("%s: %d hosts, want %d", w.net, len(hosts), w.hosts)
		}
		for _, h := range hosts {
			if h.Equal(got[i].Own) || !got[i].Net.Contains(h) {
				t.Errorf("%s: host %s is ours or outside", w.net, h)
			}
		}
	}
}

func TestIPsOrderIPv4First(t *testing.T) {
	ifs := []Iface{{Addrs: []*net.IPNet{
		{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)},
		{IP: net.ParseIP("fd00::5"), Mask: net.CIDRMask(64, 128)},
		{IP: net.ParseIP("192.168.1.4").To4(), Mask: net.CIDRMask(24, 32)},
	}}}
	got := IPs(ifs)
	if len(got) != 3 || got[0].String() != "192.168.1.4" || got[1].String() != "fd00::5" || got[2].String() != "fe80::1" {
		t.Fatalf("IPs = %v", got)
	}
	if !OnLink(ifs, net.ParseIP("192.168.1.200")) || OnLink(ifs, net.ParseIP("192.168.2.1")) {
		t.Fatal("OnLink is wrong about 192.168.1.0/24")
	}
}
