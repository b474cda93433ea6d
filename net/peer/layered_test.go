package peer

import (
	"testing"
	"time"
)

func TestHostScansThinOutAndComeBackOnAChange(t *testing.T) {
	l := newLayered(&Peer{}, nil)
	if !l.hostScanDue() {
		t.Fatal("the first look is not due")
	}
	if l.hostScanDue() {
		t.Fatal("a second look at once")
	}
	var gaps []time.Duration
	for range 5 {
		gaps = append(gaps, l.every)
		l.scanned = l.scanned.Add(-l.every) // as if that long has passed
		if !l.hostScanDue() {
			t.Fatalf("not due after %v", gaps[len(gaps)-1])
		}
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 60 * time.Second, 60 * time.Second}
	for i := range want {
		if gaps[i] != want[i] {
			t.Fatalf("gaps %v, want %v", gaps, want)
		}
	}
	l.resetHostScans()
	if !l.hostScanDue() || l.every != hostBrowse {
		t.Fatalf("after a change: due=false or every=%v", l.every)
	}
}

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
