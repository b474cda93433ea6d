package headless

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
	"github.com/huecast/huecast/net/wire"
)

type fakePeer struct {
	events chan link.Event
	mu     sync.Mutex
	set    []string
}

func (f *fakePeer) Events() <-chan link.Event { return f.events }
func (f *fakePeer) SetColor(c string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = append(f.set, c)
	return nil
}

func TestHeadlessPrintsEventsAndTakesCommands(t *testing.T) {
	f := &fakePeer{events: make(chan link.Event, 8)}
	quit := make(chan struct{})
	var out bytes.Buffer
	in := strings.NewReader("blue\n\n#FF0000\nchartreuse-ish\nquit\n")
	done := make(chan struct{})
	go func() {
		Run(context.Background(), f, in, &out, func() { close(quit) })
		close(done)
	}()
	f.events <- peer.Hosting{URL: "ws://127.0.0.1:1/ws", Room: "lobby"}
	f.events <- link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 1, ID: "id"}, By: "id", Name: "alice"}
	f.events <- link.PeerLeft{Peer: wire.Peer{ID: "b", Name: "bob"}, Reason: "timeout"}
	f.events <- link.RTT{D: 5}
	<-quit // every command has been read by now
	close(f.events)
	<-done

	f.mu.Lock()
	if strings.Join(f.set, ",") != "#1e90ff,#ff0000" {
		t.Errorf("colours set = %v, want #1e90ff,#ff0000", f.set)
	}
	f.mu.Unlock()
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		events = append(events, m)
	}
	kinds := map[string]map[string]any{}
	for _, m := range events {
		kinds[m["event"].(string)] = m
	}
	if len(events) != 4 || kinds["rtt"] != nil {
		t.Fatalf("events = %v, want hosting, color, peer_left and one error, no rtt", events)
	}
	if kinds["color"]["by"] != "alice" || kinds["peer_left"]["reason"] != "timeout" || kinds["error"]["code"] != "bad_color" {
		t.Fatalf("events = %v", events)
	}
}

// TestHeadlessPrintsEveryState: each state a peer can be in has its line.
func TestHeadlessPrintsEveryState(t *testing.T) {
	for _, tc := range []struct {
		ev   link.Event
		want string
	}{
		{peer.Searching{Room: "lobby", Reason: peer.ReasonStart}, `{"event":"searching","reason":"start","room":"lobby"}`},
		{peer.Searching{Room: "lobby", Reason: peer.ReasonHostLost}, `{"event":"searching","reason":"host_lost","room":"lobby"}`},
		{peer.Hosting{URL: "ws://10.0.0.2:7788/ws", Room: "lobby"}, `{"event":"hosting","room":"lobby","url":"ws://10.0.0.2:7788/ws"}`},
		{link.Joined{URL: "ws://10.0.0.2:7788/ws", ID: "a", Room: "lobby", Color: "#008000", Stamp: wire.Stamp{MS: 1764120000000, N: 2, ID: "a"}, Host: "bob", HostID: "b", Peers: []wire.Peer{{ID: "a"}, {ID: "b"}}, Lead: 40 * time.Millisecond},
			`{"color":"#008000","event":"joined","host":"bob","host_id":"b","id":"a","lead_ms":40,"peers":2,"room":"lobby","stamp":{"ms":1764120000000,"n":2,"id":"a"},"url":"ws://10.0.0.2:7788/ws"}`},
		{link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 4, ID: "b"}, Name: "bob", At: 12345.5, Offset: -2500 * time.Microsecond, Synced: true,
			Shown: time.UnixMicro(1700000000123456), ShownHub: 12345.6},
			`{"at":12345.5,"by":"bob","color":"#1e90ff","event":"color","late":false,"late_count":0,"offset_ms":-2.5,"shown_ms":12345.6,"shown_unix_ms":1700000000123.456,"stamp":{"ms":4,"n":0,"id":"b"}}`},
		{link.ColorChanged{Color: "#1e90ff", Stamp: wire.Stamp{MS: 5}, Late: true, LateCount: 2, Shown: time.UnixMicro(1000)},
			`{"at":0,"by":"","color":"#1e90ff","event":"color","late":true,"late_count":2,"shown_unix_ms":1,"stamp":{"ms":5,"n":0,"id":""}}`},
		{link.Disconnected{URL: "ws://10.0.0.2:7788/ws", Reason: "the connection was lost", Attempt: 2, RetryIn: 830 * time.Millisecond},
			`{"attempt":2,"event":"disconnected","reason":"the connection was lost","retry_ms":830,"url":"ws://10.0.0.2:7788/ws"}`},
		{peer.HostChanged{URL: "ws://10.0.0.2:7788/ws", ID: "ab", Name: "bob", Reason: peer.ReasonHostLost},
			`{"event":"host_changed","id":"ab","name":"bob","reason":"host_lost","url":"ws://10.0.0.2:7788/ws"}`},
		{peer.HostChanged{URL: "ws://10.0.0.3:7788/ws", Reason: peer.ReasonMerged},
			`{"event":"host_changed","id":"","name":"","reason":"merged","url":"ws://10.0.0.3:7788/ws"}`},
	} {
		b, err := json.Marshal(encode(tc.ev))
		if err != nil || string(b) != tc.want {
			t.Errorf("%T printed as %s (%v), want %s", tc.ev, b, err, tc.want)
		}
	}
}
