package link_test

import (
	"context"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

// swallower is a hub that welcomes, reads up to the first colour frame
// and hangs up without taking it: a hub that shut down (it folded into
// another) as the frame arrived, or a connection whose frames a lossy
// network stopped carrying. took is closed once it has read the colour.
// With echoFirst it takes the first colour (closing first) and swallows
// the second: it echoes the first only once the second has come, stamped
// a second ahead (its clock runs ahead of ours, or the frame took its time).
func swallower(t *testing.T, echoFirst bool) (url string, first, took <-chan struct{}) {
	t.Helper()
	gotFirst, read := make(chan struct{}), make(chan struct{})
	url = scriptedHub(t, func(_ context.Context, ws *websocket.Conn, in wire.In) {
		ws.WriteJSON(wire.Welcome{Type: wire.TypeWelcome, V: wire.Version, ID: in.ID, Room: "lobby", Color: wire.StartColor})
		kept := ""
		for ws.ReadJSON(&in) == nil {
			if in.Type != wire.TypeColor {
				continue
			}
			if echoFirst && kept == "" {
				kept = in.Color
				close(gotFirst)
				continue
			}
			if kept != "" {
				st := wire.Stamp{MS: time.Now().Add(time.Second).UnixMilli(), ID: in.ID}
				ws.WriteJSON(wire.Color{Type: wire.TypeColor, Color: kept, Stamp: st, By: "a", Name: "ann"})
			}
			close(read)
			return
		}
	})
	return url, gotFirst, read
}

// linkVia runs a link whose first dial goes to first and every later one
// to next, once proceed (nil: at once) is closed.
func linkVia(t *testing.T, first, next string, proceed <-chan struct{}) *running {
	t.Helper()
	dials := 0
	l := link.New(link.Config{
		Target: func(ctx context.Context) (string, error) {
			if dials++; dials == 1 {
				return first, nil
			}
			if proceed != nil {
				select {
				case <-proceed:
				case <-ctx.Done():
				}
			}
			return next, nil
		},
		ID: "a", Name: "ann", Room: "lobby",
		Backoff: func(int) time.Duration { return 20 * time.Millisecond },
	})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- l.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range l.Events() {
		}
		<-ran
	})
	return &running{t: t, l: l}
}

func within(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(waitFor):
		t.Fatalf("%s: not within %v", what, waitFor)
	}
}

func isDisconnected(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok }

// A colour sent to a hub that never answered it was not taken: the next
// hub hears it in the hello, stamped when it was picked, and keeps it
// unless the room changed colour after that pick.
func TestAColourTheHubNeverEchoedGoesInTheNextHello(t *testing.T) {
	for _, tc := range []struct {
		name  string
		later string // picked by another peer after ours, before we rejoin; "" for none
		want  string
	}{
		{"the room kept its colour: ours is taken", "", "#1e90ff"},
		{"the room changed after our pick: theirs stays", "#ff8c00", "#ff8c00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lost, _, took := swallower(t, false)
			next, _ := hubAt(t, "127.0.0.1:0")
			proceed := make(chan struct{})
			a := linkVia(t, lost, next, proceed)
			l := a.l
			a.await("joined", isJoined)
			before := time.Now().UnixMilli()
			if err := l.SetColor("#1e90ff"); err != nil {
				t.Fatal(err)
			}
			within(t, took, "the colour reaching the first hub")
			a.await("disconnected", isDisconnected)
			if tc.later != "" {
				b := startLink(t, "b", next)
				b.await("joined", isJoined)
				if err := b.l.SetColor(tc.later); err != nil {
					t.Fatal(err)
				}
				b.await("its own colour", colorIs(tc.later))
			}
			close(proceed)
			j := a.await("joined the next hub", isJoined).(link.Joined)
			if j.Color != tc.want {
				t.Fatalf("joined the next hub on %s, want %s", j.Color, tc.want)
			}
			if tc.later == "" && (j.Stamp.ID != "a" || j.Stamp.MS < before) {
				t.Fatalf("the pick came with stamp %s, want a's from when it was picked (after %d)", j.Stamp, before)
			}
		})
	}
}

// A colour the hub echoed was taken: the hello after it carries the hub's
// stamp, not the pick's again.
func TestAnEchoedColourIsNotSentAgain(t *testing.T) {
	url, stop := hubAt(t, "127.0.0.1:0")
	a := startLink(t, "a", url)
	a.await("joined", isJoined)
	if err := a.l.SetColor("#1e90ff"); err != nil {
		t.Fatal(err)
	}
	echo := a.await("the echo", colorIs("#1e90ff")).(link.ColorChanged)
	stop()
	hubAt(t, url[len("ws://"):len(url)-len("/ws")])
	j := a.await("rejoined", isJoined).(link.Joined)
	if j.Color != "#1e90ff" || j.Stamp != echo.Stamp {
		t.Fatalf("rejoined on %s at %s, want #1e90ff at the first hub's stamp %s", j.Color, j.Stamp, echo.Stamp)
	}
}

// Two picks in a row, the first taken with a stamp later than the second
// pick's, the second never echoed: the second was still picked after the
// first, and the next hub takes it.
func TestTheLastOfTwoPicksWinsThoughTheFirstWasStampedLater(t *testing.T) {
	lost, first, took := swallower(t, true)
	next, _ := hubAt(t, "127.0.0.1:0")
	a := linkVia(t, lost, next, nil)
	a.await("joined", isJoined)
	if err := a.l.SetColor("#1e90ff"); err != nil {
		t.Fatal(err)
	}
	within(t, first, "the first pick reaching the hub")
	if err := a.l.SetColor("#ff8c00"); err != nil {
		t.Fatal(err)
	}
	within(t, took, "the second pick reaching the hub")
	a.await("the first pick's echo", colorIs("#1e90ff"))
	if j := a.await("joined the next hub", isJoined).(link.Joined); j.Color != "#ff8c00" {
		t.Fatalf("joined the next hub on %s, want the last pick #ff8c00", j.Color)
	}
}
