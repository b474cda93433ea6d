package headless

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/peer"
)

func TestHubsJoinedAreRememberedNewestFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "headless.json")
	f := &fakePeer{events: make(chan link.Event, 16)}
	done := make(chan struct{})
	go func() {
		RunRemembering(context.Background(), f, strings.NewReader(""), io.Discard, func() {}, path)
		close(done)
	}()
	for i := range 7 {
		f.events <- link.Joined{URL: "ws://10.0.0." + string(rune('1'+i)) + ":7788/ws"}
	}
	f.events <- link.Joined{URL: "ws://10.0.0.3:7788/ws"}
	// Our own hub is not remembered, by either of its addresses.
	f.events <- peer.Hosting{URL: "ws://10.0.0.99:7788/ws", Room: "lobby"}
	f.events <- link.Joined{URL: "ws://127.0.0.1:7788/ws"}
	f.events <- link.Joined{URL: "ws://10.0.0.99:7788/ws"}
	close(f.events)
	<-done
	st, err := LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.3:7788", "10.0.0.7:7788", "10.0.0.6:7788", "10.0.0.5:7788", "10.0.0.4:7788"}
	if !slices.Equal(st.Hubs, want) {
		t.Fatalf("remembered %v, want %v", st.Hubs, want)
	}
}

func TestABrokenStateIsAnErrorNotACrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "headless.json")
	if st, err := LoadState(path); err != nil || len(st.Hubs) != 0 {
		t.Fatalf("a missing file: %+v, %v", st, err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken file: %v", err)
	}
}
