package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/delay"
	"github.com/huecast/huecast/hub"
)

// The binary's headless peers print a colour when they show it: by default
// at its moment, with --flip=now on arrival.
func TestHeadlessPeersPrintColoursAtTheirMomentOrOnArrival(t *testing.T) {
	bin := buildBinary(t)
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	hubAddr := strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")

	// A member 100 ms away each way makes the room's lead over 200 ms.
	px, err := delay.Start(hubAddr, delay.Path{Base: 100 * time.Millisecond}, delay.Path{Base: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	far := start(t, bin, "--headless", "--no-mdns", "--join", px.Addr, "--name", "far")
	together := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "together")
	now := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "now", "--flip=now")
	for _, p := range []*proc{far, together, now} {
		p.await("joined", event("joined"))
	}
	lead := 0.0
	if !pollUntil(waitFor, 50*time.Millisecond, func() bool {
		lead = stateLead(t, "http://"+hubAddr+"/api/state")
		return lead >= 200
	}) {
		t.Fatalf("the lead stayed at %v ms with a member 200 ms away", lead)
	}

	io.WriteString(together.stdin, "orange\n")
	shown := map[string]map[string]any{}
	for name, p := range map[string]*proc{"far": far, "together": together, "now": now} {
		shown[name] = p.await("orange", colorEvent("#ffa500"))
	}
	at, _ := shown["together"]["at"].(float64)
	for name, m := range shown {
		if _, ok := m["offset_ms"].(float64); !ok || m["late"] != false || m["at"] != at {
			t.Errorf("%s printed %v", name, m)
		}
	}
	unix := func(name string) float64 { v, _ := shown[name]["shown_unix_ms"].(float64); return v }
	// far and together show it within a few ms of each other; now 200 ms
	// before them, on arrival (margins for a loaded machine).
	if d := unix("far") - unix("together"); d < -30 || d > 30 {
		t.Errorf("far showed it %.1f ms after together", d)
	}
	if d := unix("together") - unix("now"); d < 120 {
		t.Errorf("--flip=now showed it only %.1f ms before the room", d)
	}
	if s, _ := shown["together"]["shown_ms"].(float64); s < at-20 {
		t.Errorf("together showed it at %.1f on the hub's clock, before its moment %.1f", s, at)
	}
}

func stateLead(t *testing.T, url string) float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st hub.State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st.Lead
}
