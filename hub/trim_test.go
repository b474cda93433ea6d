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
	"github.com/huecast/huecast/hub/wire"
)

// TestBurstOfConnectionsIsFollowedByOneTrim checks when the hub gives memory
// back: not for a few connections, once after a burst of trimAfter has been
// quiet for trimQuiet, and not again while nothing changes.
func TestBurstOfConnectionsIsFollowedByOneTrim(t *testing.T) {
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
		if err := ws.WriteJSON(wire.Hello{Type: wire.TypeHello, ID: fmt.Sprintf("p%d", i), Room: "lobby"}); err != nil {
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

	lastJoin := time.Now()
	join(trimAfter - 1)
	select {
	case at := <-trims:
		if quiet := at.Sub(lastJoin); quiet < trimQuiet {
			t.Fatalf("trimmed %v after the last connection, want at least %v of quiet", quiet, trimQuiet)
		}
	case <-time.After(trimQuiet + 2*wire.PingPeriod + 5*time.Second):
		t.Fatalf("no trim after a burst of %d connections", trimAfter)
	}
	noTrimFor(trimQuiet+2*wire.PingPeriod, "nothing changed since the last trim")
}
