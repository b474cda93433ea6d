package peer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

func TestFailoverKeepsThePassphrase(t *testing.T) {
	const pass = "meetup 2026"
	host := runPeer(t, peer.Config{ID: "0host", Passphrase: pass})
	url := hostingURL(host)
	a := runPeer(t, peer.Config{ID: "a", Join: url, Passphrase: pass})
	b := runPeer(t, peer.Config{ID: "b", Join: url, Passphrase: pass})
	for _, r := range []*running{a, b} {
		next[link.Joined](r, eventWait, nil)
	}
	// A stranger without the passphrase is told so, and never joins.
	stranger := runPeer(t, peer.Config{ID: "z", Join: url})
	if e := next[link.HubError](stranger, eventWait, nil); e.Code != wire.CodeUnauthorized {
		t.Fatalf("stranger got %+v, want unauthorized", e)
	}

	host.stop()
	if hc := next[peer.HostChanged](b, eventWait, nil); hc.ID != "a" {
		t.Fatalf("elected %+v, want a", hc)
	}
	j := next[link.Joined](b, eventWait, nil)
	if j.Host != "name-a" {
		t.Fatalf("b joined %+v, want a's hub", j)
	}
	// a's hub asks the same passphrase: a wrong one is refused there too.
	wrong := runPeer(t, peer.Config{ID: "y", Join: j.URL, Passphrase: "guess"})
	if e := next[link.HubError](wrong, eventWait, nil); e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, "Wrong passphrase") {
		t.Fatalf("wrong passphrase at the new host got %+v, want unauthorized", e)
	}
	// and the right one joins it.
	late := runPeer(t, peer.Config{ID: "x", Join: j.URL, Passphrase: pass})
	if j2 := next[link.Joined](late, eventWait, nil); j2.Host != "name-a" || len(j2.Peers) != 3 {
		t.Fatalf("late joined %+v, want a's hub with a, b and itself", j2)
	}
}

func TestAHubFoundWithAuthAsksForThePassphraseBeforeJoining(t *testing.T) {
	lan := newLAN()
	host := runPeer(t, peer.Config{ID: "h", Discovery: fakeDisc{lan}, Passphrase: "s3cret"})
	hostingURL(host)
	p := runPeer(t, peer.Config{ID: "p", Discovery: fakeDisc{lan}})
	start := time.Now()
	if e := next[link.HubError](p, eventWait, nil); e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, "passphrase") {
		t.Fatalf("got %+v, want unauthorized asking for the passphrase", e)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("asked after %v", d)
	}
}
