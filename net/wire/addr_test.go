package wire

import "testing"

func TestHostPortIsWhatLiesBetweenTheSchemeAndThePath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ws://10.0.0.5:7788/ws", "10.0.0.5:7788"},
		{"wss://[fe80::1]:7788/ws", "[fe80::1]:7788"},
		{"http://10.0.0.5:7788/", "10.0.0.5:7788"},
		{" 10.0.0.5:7788 ", "10.0.0.5:7788"},
		{"laptop.local:7788/ws", "laptop.local:7788"},
		{"", ""},
		{"ws:///ws", ""},
	} {
		if got := HostPort(c.in); got != c.want {
			t.Errorf("HostPort(%q) = %q, want %q", c.in, got, c.want)
		}
		if c.want == "" {
			continue
		}
		// HubURL, the hub's own URL from the same address, names the same host.
		if u, err := HubURL(c.in); err != nil || HostPort(u) != c.want {
			t.Errorf("HubURL(%q) = %q, %v: host %q, want %q", c.in, u, err, HostPort(u), c.want)
		}
	}
}
