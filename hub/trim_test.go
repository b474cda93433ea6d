package hub

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// TestBurstOfConnectionsIsFollowedByTwoTrims checks when the hub gives memory
// back: not for a few connections; after a burst of trimAfter has been
// quiet for trimQuiet, and once more trimQuiet later; and not again while
// nothing changes.
func TestBurstOfConnectionsIsFollowedByTwoTrims(t *testing.T) {
	t.Parallel()
	h := New(Config{Room: "lobby"})
	trims := make(chan time.Time, 8)
	h.release = func() { trims <- time.Now() }
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx) }()
	var readers sync.WaitGroup
	var conns []*websocket.Conn
	t.Cleanup(func() {
		for _, ws := range conns {
			ws.Close()
		}
		readers.Wait()
		cancel()
		<-ran
		srv.Close()
	})
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	join := func(i int) {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, ws)
		if err := ws.WriteJSON(wire.Hello{Type: wire.TypeHello, V: wire.Version, ID: fmt.Sprintf("p%d", i), Room: "lobby"}); err != nil {
			t.Fatal(err)
		}
		readers.Add(1)
		go func() { // answers the hub's pings until closed
			defer readers.Done()
			for {
				if _, _, err := ws.NextReader(); err != nil {
					return
				}
			}
		}()
	}
	noTrimFor := func(d time.Duration, why string) {
		t.Helper()
		select {
		case at := <-trims:
			t.Fatalf("trimmed at %v: %s", at.Format(time.StampMilli), why)
		case <-time.After(d):
		}
	}

	for i := 0; i < trimAfter-1; i++ {
		join(i)
	}
	noTrimFor(2*trimQuiet+wire.PingPeriod, "fewer connections than a burst")

	next := func(after time.Time, least time.Duration, what string) time.Time {
		t.Helper()
		select {
		case at := <-trims:
			if gap := at.Sub(after); gap < least {
				t.Fatalf("%s %v early: %v after, want at least %v", what, least-gap, gap, least)
			}
			return at
		case <-time.After(least + 2*wire.PingPeriod + 5*time.Second):
			t.Fatalf("no %s", what)
		}
		return time.Time{}
	}
	lastJoin := time.Now()
	join(trimAfter - 1)
	first := next(lastJoin, trimQuiet, "trim after a burst")
	// Both times are read on the trims' own goroutines, each started some
	// scheduling delay after Run decided: the second may seem a little
	// less than trimQuiet after the first on a loaded machine.
	const schedSlack = 20 * time.Millisecond
	next(first, trimQuiet-schedSlack, "second trim after the first")
	noTrimFor(trimQuiet+2*wire.PingPeriod, "nothing changed since the last trim")
}
