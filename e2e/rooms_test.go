package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// Rooms of one name: a room is its name and its passphrase. The headless
// binary in network namespaces with mDNS for real.

const (
	// sideBySide is how long two rooms of one name run side by side while
	// they are checked: several of a host's 10 s browses, so that each
	// host sees the other's record again and again.
	sideBySide = 40 * time.Second
	// sideRound is how often a round of checks starts.
	sideRound = 5 * time.Second
)

func TestRoomsOfOneName(t *testing.T) {
	netns.Require(t)
	bin := buildLANBinary(t)
	t.Run("TwoPassphrasesSideBySide", func(t *testing.T) { twoPassphrases(t, bin) })
	t.Run("AnOpenHubWithALowerIDBesideALockedRoom", func(t *testing.T) { openBesideLocked(t, bin) })
}

// group is the peers of one room, by the prefix of their names.
type group struct {
	prefix string
	xs     []*hc
	colors []string
}

// keepApart runs rounds of colour changes in every group for sideBySide,
// and fails t if any peer hears of another group, is refused, loses its
// hub, or moves.
func keepApart(t *testing.T, groups []*group) {
	t.Helper()
	end := time.Now().Add(sideBySide)
	seen := map[*hc]int{} // events before the rooms were apart: start-up's
	for _, g := range groups {
		for _, x := range g.xs {
			seen[x] = len(x.all())
		}
	}
	pace := time.NewTicker(sideRound) // a round at most every sideRound
	defer pace.Stop()
	for round := 0; ; round++ {
		for _, g := range groups {
			c := g.colors[round%len(g.colors)]
			g.xs[round%len(g.xs)].say(c)
			awaitAll(t, g.xs, lanWait, "color", func(e ev) bool { return e.str("color") == c })
		}
		for _, g := range groups {
			for _, x := range g.xs {
				for i, e := range x.all() {
					later := i >= seen[x]
					switch {
					case mentions(e, func(n string) bool { return !strings.HasPrefix(n, g.prefix) }):
						t.Fatalf("%s heard of another room: %v", x.name, e)
					case later && (e.str("event") == "error" || e.str("event") == "disconnected"):
						t.Fatalf("%s: %v", x.name, e)
					case later && e.str("event") == "host_changed":
						t.Fatalf("%s moved: %v", x.name, e)
					case e.str("event") == "color" && !colorOf(g, e.str("color")):
						t.Fatalf("%s shows another room's colour: %v", x.name, e)
					}
				}
			}
		}
		if time.Now().After(end) {
			t.Logf("after %d rounds over %v: no fold, no error, no disconnect, no colour crossed", round+1, sideBySide)
			return
		}
		<-pace.C
	}
}

func colorOf(g *group, c string) bool {
	for _, x := range g.colors {
		if x == c || c == "#008000" { // every room starts green
			return true
		}
	}
	return false
}

// twoPassphrases: two groups use room lobby with different passphrases;
// each keeps its own hub and colour, and neither hears of the other.
func twoPassphrases(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	a := &group{prefix: "alpha", colors: []string{"#ff0000", "#ffa500"}}
	b := &group{prefix: "beta", colors: []string{"#0000ff", "#800080"}}
	for i, ns := range nw.Hosts {
		g, pass := a, "alpha moon"
		if i%2 == 1 {
			g, pass = b, "beta sun"
		}
		g.xs = append(g.xs, startHC(t, bin, ns, fmt.Sprintf("%s%d", g.prefix, len(g.xs)+1), "--passphrase", pass))
	}
	for _, g := range []*group{a, b} {
		host, _ := settle(t, g.xs, lanWait)
		if !strings.HasPrefix(host, g.prefix) {
			t.Fatalf("room %s joined %s's hub", g.prefix, host)
		}
		oneHub(t, g.xs, host)
		t.Logf("%s: hosted by %s", g.prefix, host)
	}
	keepApart(t, []*group{a, b})
}

// openBesideLocked: a peer without a passphrase hosts room lobby with an
// id lower than the locked room's host. The locked room keeps its host and
// members; the open one keeps its own.
func openBesideLocked(t *testing.T, bin string) {
	nw := netns.New(t, 4)
	locked := &group{prefix: "lock", colors: []string{"#ff0000", "#ffa500"}}
	for i, ns := range nw.Hosts[:3] {
		locked.xs = append(locked.xs, startHC(t, bin, ns, fmt.Sprintf("lock%d", i+1), "--passphrase", "gamma ray"))
	}
	host, _ := settle(t, locked.xs, lanWait)
	oneHub(t, locked.xs, host)
	open := &group{prefix: "open", colors: []string{"#0000ff", "#800080"}}
	// Id 0 is below any other: the open peer keeps it in its state file.
	state := filepath.Join(t.TempDir(), "open.json")
	if err := os.WriteFile(state, []byte(`{"id":"0000000000000000"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	x := startHC(t, bin, nw.Hosts[3], "open1", "--state", state)
	if e := x.must(lanWait, "joined", nil); e.str("id") != "0000000000000000" {
		t.Fatalf("the open peer joined as %v, want id 0000000000000000", e)
	}
	open.xs = []*hc{x}
	t.Logf("open hub open1 (id 0000000000000000) beside locked host %s (id %s)", host, lockedHostID(t, locked.xs, host))
	if !open.xs[0].hosting() {
		t.Fatalf("the open peer joined a locked room: %v", open.xs[0].all())
	}
	for _, e := range open.xs[0].all() {
		if e.str("event") == "error" {
			t.Logf("the open peer was told: %s: %s", e.str("code"), e.str("message"))
		}
	}
	keepApart(t, []*group{locked, open})
	oneHub(t, locked.xs, host)
}

// lockedHostID is the id of the peer named host, from its welcome.
func lockedHostID(t *testing.T, xs []*hc, host string) string {
	t.Helper()
	for _, x := range xs {
		for _, e := range x.all() {
			if e.str("event") == "joined" && e.str("host_id") != "" {
				return e.str("host_id")
			}
		}
	}
	t.Fatalf("no welcome of %v names its host's id", host)
	return ""
}
