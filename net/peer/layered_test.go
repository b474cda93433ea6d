package peer

import "testing"

func TestHostPortOfHubURLsAndAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"ws://10.0.0.5:7788/ws": "10.0.0.5:7788",
		"wss://[fd00::1]:9/ws":  "[fd00::1]:9",
		"10.0.0.5:7788":         "10.0.0.5:7788",
		"http://10.0.0.5:7788/": "10.0.0.5:7788",
		"10.0.0.5":              "10.0.0.5",
	} {
		if got := hostPort(in); got != want {
			t.Errorf("hostPort(%q) = %q, want %q", in, got, want)
		}
	}
}
