package main

import (
	"strings"
	"testing"
)

func TestRoomsWithoutDiscoveryExitsTwoAndSaysWhy(t *testing.T) {
	out, errs, code := runMain(t, "--rooms", "--no-mdns", "--headless")
	if code != 2 || out != "" || !strings.Contains(errs, "--no-mdns") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and why", code, out, errs)
	}
}
