package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestThePeerIDIsKeptInThePreferences(t *testing.T) {
	a := test.NewTempApp(t)
	n := 0
	newID := func() string { n++; return []string{"first", "second"}[n-1] }
	if id := PeerID(a.Preferences(), newID); id != "first" {
		t.Fatalf("first start: %q", id)
	}
	if id := PeerID(a.Preferences(), newID); id != "first" || n != 1 {
		t.Fatalf("a restart gave %q (%d ids made), want first kept", id, n)
	}
	a.Preferences().SetString(PrefID, " bad\x00")
	if id := PeerID(a.Preferences(), newID); id != "second" {
		t.Fatalf("a kept id that is not one gave %q, want a new one", id)
	}
}
