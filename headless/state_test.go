package headless

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
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

func TestTheIDIsKeptAcrossRunsAndNeverShared(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "huecast", "headless.json")
	first, note, release, err := ClaimID(path)
	if err != nil || first == "" || note != "" {
		t.Fatalf("first run: %q %q %v", first, note, err)
	}
	if runtime.GOOS != "windows" {
		// While the first peer runs, a second one on the same file must
		// not share its id.
		second, note, rel2, err := ClaimID(path)
		if err != nil || second == first || !strings.Contains(note, "another huecast") {
			t.Fatalf("second peer at once: %q %q %v; want a fresh id and a note", second, note, err)
		}
		rel2()
	}
	// Remembering hubs keeps the id.
	st, _ := LoadState(path)
	st.Remember("10.0.0.2:7788")
	if err := st.Save(path); err != nil {
		t.Fatal(err)
	}
	release()
	again, _, release, err := ClaimID(path)
	if err != nil || again != first {
		t.Fatalf("after a restart: %q, %v; want %s", again, err, first)
	}
	release()
	if st, _ := LoadState(path); st.ID != first || len(st.Hubs) != 1 {
		t.Fatalf("state %+v", st)
	}
}

func TestAStateFileThatIsNotOursIsLeftAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("shopping list\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if id, _, _, err := ClaimID(path); err == nil || !strings.Contains(err.Error(), "--state") {
		t.Fatalf("ClaimID = %q, %v; want an error naming --state", id, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "shopping list\n" {
		t.Fatalf("the file was changed to %q", b)
	}
}

func TestNoStateFileGivesANewIDEachRun(t *testing.T) {
	a, _, _, _ := ClaimID("")
	b, _, _, _ := ClaimID("")
	if a == "" || a == b {
		t.Fatalf("ids %q and %q", a, b)
	}
}
