package peer

import (
	"context"
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
)

const waitFor = 10 * time.Second

// next returns the first event of r that match accepts, failing the test if
// none comes within waitFor.
func next[E link.Event](t *testing.T, r *Restarter, match func(E) bool) E {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case ev, ok := <-r.Events():
			if !ok {
				t.Fatal("events closed")
			}
			if e, ok := ev.(E); ok && match(e) {
				return e
			}
		case <-deadline:
			var zero E
			t.Fatalf("no %T within %v", zero, waitFor)
		}
	}
}

func every[E link.Event](E) bool { return true }

func runRestarter(t *testing.T, cfg Config) *Restarter {
	t.Helper()
	r := NewRestarter(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range r.Events() { // Run closes Events on its way out
		}
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

func TestALoneWindowThatRenamesKeepsTheColourAndItsStamp(t *testing.T) {
	r := runRestarter(t, Config{Name: "ann", Room: "one", Listen: "127.0.0.1:0"})
	next(t, r, every[Hosting])
	first := next(t, r, every[link.Joined])
	if err := r.SetColor("#800080"); err != nil {
		t.Fatal(err)
	}
	c := next(t, r, every[link.ColorChanged])

	// Renaming restarts the peer: its new hub starts green, and the hello
	// of its own link brings the colour back with the stamp it had.
	r.Restart("anna", "one", "", "")
	j := next(t, r, func(j link.Joined) bool { return j.URL != first.URL || j.Host == "anna" })
	if j.Color != "#800080" || j.Stamp != c.Stamp || j.ByName != "ann" || j.ID != first.ID {
		t.Fatalf("after renaming joined %+v, want #800080 at %v set by ann, as peer %s", j, c.Stamp, first.ID)
	}
}

func TestRestarterMovesToANewRoomAndToAnotherHub(t *testing.T) {
	r := runRestarter(t, Config{Name: "ann", Room: "one", Listen: "127.0.0.1:0"})
	if h := next(t, r, every[Hosting]); h.Room != "one" {
		t.Fatalf("hosting %+v, want room one", h)
	}
	first := next(t, r, every[link.Joined])
	if first.Room != "one" || first.Host != "ann" {
		t.Fatalf("joined %+v", first)
	}

	r.Restart("ann", "two", "", "")
	if h := next(t, r, every[Hosting]); h.Room != "two" {
		t.Fatalf("after restart hosting %+v, want room two", h)
	}
	if j := next(t, r, func(j link.Joined) bool { return j.Room == "two" }); j.ID != first.ID {
		t.Fatalf("the restarted peer is %q, was %q: a restart must keep the peer's id", j.ID, first.ID)
	}

	url := hostFor(t, "bea", "three")
	r.Restart("ann", "three", url, "")
	j := next(t, r, func(j link.Joined) bool { return j.Room == "three" })
	if j.Host != "bea" || len(j.Peers) != 2 {
		t.Fatalf("joined %+v, want bea's hub with two peers", j)
	}
	if err := r.SetColor("#1e90ff"); err != nil {
		t.Fatal(err)
	}
	if c := next(t, r, every[link.ColorChanged]); c.Color != "#1e90ff" || c.Name != "ann" {
		t.Fatalf("colour %+v", c)
	}
}

func TestRestarterReportsAPeerThatCannotStartAndWaitsForARestart(t *testing.T) {
	// 192.0.2.1 is TEST-NET-1, never this machine's: hosting there fails.
	r := runRestarter(t, Config{Name: "ann", Room: "one", Listen: "192.0.2.1:1"})
	if s := next(t, r, every[Stopped]); s.Err == nil {
		t.Fatal("Stopped without a reason")
	}
	url := hostFor(t, "bea", "one")
	r.Restart("ann", "one", url, "")
	if j := next(t, r, every[link.Joined]); j.Host != "bea" {
		t.Fatalf("joined %+v, want bea's hub", j)
	}
}

// hostFor runs a plain hosting peer until the test ends and returns its URL.
func hostFor(t *testing.T, name, room string) string {
	t.Helper()
	p := New(Config{Name: name, Room: room, Listen: "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var url string
	for ev := range p.Events() { // hosting, then its own link joined
		if h, ok := ev.(Hosting); ok {
			url = h.URL
		}
		if _, ok := ev.(link.Joined); ok {
			break
		}
	}
	drained := make(chan struct{})
	go func() {
		for range p.Events() {
		}
		close(drained)
	}()
	t.Cleanup(func() { cancel(); <-done; <-drained })
	if url == "" {
		t.Fatal("the other peer never hosted")
	}
	return url
}
