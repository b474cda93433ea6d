package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
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

func TestStartupTakesSavedChoicesUnlessAFlagWasGiven(t *testing.T) {
	newID := func() string { return "made" }
	flags := Start{Name: "host-name", Room: "lobby", FlipNow: true}
	cases := []struct {
		name  string
		saved func(fyne.Preferences)
		given map[string]bool
		want  Start
	}{
		{"nothing saved: the flags' defaults, flip as saved (off)", func(fyne.Preferences) {}, nil,
			Start{Name: "host-name", Room: "lobby", FlipNow: false, ID: "made"}},
		{"saved name and room win over the defaults", func(p fyne.Preferences) {
			p.SetString(PrefName, "ada")
			p.SetString(PrefRoom, "lab")
			p.SetBool(PrefFlipNow, true)
			p.SetStringList(PrefRecent, []string{"10.0.0.5:7788"})
			p.SetString(PrefID, "kept")
		}, nil, Start{Name: "ada", Room: "lab", FlipNow: true, ID: "kept", Remembered: []string{"10.0.0.5:7788"}}},
		{"given flags win over what was saved", func(p fyne.Preferences) {
			p.SetString(PrefName, "ada")
			p.SetString(PrefRoom, "lab")
			p.SetBool(PrefFlipNow, false)
		}, map[string]bool{"name": true, "room": true, "flip": true},
			Start{Name: "host-name", Room: "lobby", FlipNow: true, ID: "made"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			c.saved(a.Preferences())
			got := Startup(a.Preferences(), flags, c.given, newID)
			if got.Name != c.want.Name || got.Room != c.want.Room || got.FlipNow != c.want.FlipNow || got.ID != c.want.ID ||
				strings.Join(got.Remembered, ",") != strings.Join(c.want.Remembered, ",") {
				t.Errorf("Startup = %+v, want %+v", got, c.want)
			}
			if c.given["flip"] && a.Preferences().Bool(PrefFlipNow) != flags.FlipNow {
				t.Error("--flip did not become the window's setting")
			}
		})
	}
}
