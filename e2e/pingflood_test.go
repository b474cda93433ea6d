package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// Connections that flood the hub with WebSocket pings and never read its
// pongs: the pongs count towards each connection's outbox and the pings
// towards its frame limit, so the hub's memory stays near its idle size,
// the flooders are dropped, and the members carry on.
func TestPingsNeverReadDoNotSwellTheHub(t *testing.T) {
	const (
		flooders = 32
		flood    = 3 * time.Second
		allowed  = 8 << 20 // bytes over the idle size: "a few MB"
	)
	bin := buildBinary(t)
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))
	alice := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "alice")
	bob := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "bob")
	alice.await("joined", event("joined"))
	bob.await("joined", event("joined"))
	pid := host.cmd.Process.Pid
	idle := rss(t, pid)

	var wg sync.WaitGroup
	stop := time.Now().Add(flood)
	payload := []byte(strings.Repeat("p", 125)) // the most a control frame carries
	for i := range flooders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				t.Errorf("flooder %d: %v", i, err)
				return
			}
			defer ws.Close()
			_ = ws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: fmt.Sprintf("flood%02d", i), Room: wire.DefaultRoom})
			for time.Now().Before(stop) { // never reads
				if ws.WriteControl(websocket.PingMessage, payload, time.Now().Add(100*time.Millisecond)) != nil {
					return // the hub has dropped it
				}
			}
		}()
	}
	peak := idle
	sample := time.NewTicker(20 * time.Millisecond) // memory, until a second after the flood
	for now := time.Now(); now.Before(stop.Add(time.Second)); now = <-sample.C {
		peak = max(peak, rss(t, pid))
	}
	sample.Stop()
	wg.Wait()
	t.Logf("hub RSS idle %.1f MiB, peak %.1f MiB under %d ping flooders (+%.1f MiB)",
		mibOf(idle), mibOf(peak), flooders, mibOf(peak-idle))
	if peak-idle > allowed {
		t.Errorf("the hub grew by %.1f MiB under the ping flood; want at most %.0f", mibOf(peak-idle), mibOf(allowed))
	}

	// The members are still in the room, and colours cross it.
	st := apiState(t, "http://"+strings.TrimSuffix(strings.TrimPrefix(url, "ws://"), "/ws")+"/api/state")
	names := map[string]bool{}
	for _, p := range st.Peers {
		names[p.Name] = true
	}
	if !names["alice"] || !names["bob"] || !names["hosty"] {
		t.Errorf("after the flood the room has %v; want alice, bob and hosty in it", st.Peers)
	}
	io.WriteString(alice.stdin, "orange\n")
	for _, p := range []*proc{bob, host} {
		p.await("orange after the flood", colorEvent("#ffa500"))
	}
}

// rss is the process's resident set, from /proc.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS for process %d", pid)
	return 0
}

func mibOf(b int64) float64 { return float64(b) / (1 << 20) }

func apiState(t *testing.T, url string) (st struct {
	Peers []wire.Peer `json:"peers"`
}) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
