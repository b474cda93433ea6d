package nearby

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huecast/huecast/net/discovery"
	"github.com/huecast/huecast/net/scan"
)

// records is a Browser that reports fixed records, as mDNS would.
type records []discovery.Hub

func (rs records) BrowseAll(ctx context.Context, self string, found chan<- discovery.Hub) error {
	for _, h := range rs {
		select {
		case found <- h:
		case <-ctx.Done():
			return nil
		}
	}
	<-ctx.Done()
	return nil
}

// answering serves /api/peer with body, counting the asks.
func answering(t *testing.T, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/api/peer" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func wsURL(s *httptest.Server) string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/ws" }

func TestLookListsOnlyHubsThatCheckOut(t *testing.T) {
	kitchen, _ := answering(t, `{"id":"k1","name":"cy","room":"kitchen","hosting":true,"members":3}`)
	vault, _ := answering(t, `{"id":"v1","name":"di","room":"vault","hosting":true,"members":2,"vk":"0123abcd"}`)
	member, _ := answering(t, `{"id":"m1","name":"ed","room":"kitchen","hosting":false,"hub":"ws://10.0.0.9:7788/ws"}`)
	other, _ := answering(t, `{"id":"o1","name":"fa","room":"other","hosting":true,"members":1}`)
	web, _ := answering(t, `<html>router login</html>`)
	self, _ := answering(t, `{"id":"me","name":"me","room":"lobby","hosting":true}`)
	rs := records{
		{ID: "zz", Room: "kitchen", Name: "cy", URL: wsURL(kitchen)}, // a forger's claim first
		{ID: "k1", Room: "kitchen", Name: "cy", URL: wsURL(kitchen)},
		{ID: "k1", Room: "kitchen", Name: "cy", URL: wsURL(kitchen)}, // heard twice
		{ID: "v1", Room: "vault", URL: wsURL(vault), Auth: true, Verifier: "0123abcd"},
		{ID: "m1", Room: "kitchen", URL: wsURL(member)},                                       // not a hub
		{ID: "o1", Room: "lobby", URL: wsURL(other)},                                          // claims a room its hub denies
		{ID: "zz", Room: "other", URL: wsURL(other)},                                          // claims another's hub
		{ID: "o2", Room: "other", URL: wsURL(web)},                                            // no huecast peer there
		{ID: "v2", Room: "vault", URL: wsURL(vault)},                                          // open, says the record
		{ID: "me", Room: "lobby", URL: wsURL(self)},                                           // our own hub
		{ID: "x", Room: "lobby", URL: "http://" + strings.TrimPrefix(kitchen.URL, "http://")}, // not ws
	}
	got := Look(context.Background(), Config{MDNS: rs, Self: "me"}, 300*time.Millisecond)
	want := []Room{
		{Room: "kitchen", Host: "cy", HostID: "k1", Members: 3, URL: wsURL(kitchen)},
		{Room: "vault", Host: "di", HostID: "v1", Members: 2, Locked: true, URL: wsURL(vault)},
	}
	if len(got) != len(want) {
		t.Fatalf("listed %+v, want %+v", got, want)
	}
	for i := range want {
		got[i].verifier = ""
		if got[i] != want[i] {
			t.Fatalf("listed %+v, want %+v", got[i], want[i])
		}
	}
	if p := got[0].Page(); p != strings.TrimSuffix(kitchen.URL, "/")+"/" {
		t.Fatalf("page %q", p)
	}
}

func TestLookOfAForgedFloodStaysBounded(t *testing.T) {
	hub, asks := answering(t, `{"id":"k1","name":"cy","room":"kitchen","hosting":true,"members":99999999}`)
	var rs records
	for i := range 1000 {
		// One hub claimed under a thousand ids and rooms, and at a
		// thousand paths: it is asked at most maxChecks times.
		rs = append(rs, discovery.Hub{ID: fmt.Sprint("f", i), Room: fmt.Sprint("r", i), URL: wsURL(hub) + fmt.Sprint(i)})
	}
	rs = append(rs, discovery.Hub{ID: "k1", Room: "kitchen", URL: wsURL(hub)})
	got := Look(context.Background(), Config{MDNS: rs}, 2*time.Second)
	if n := asks.Load(); n > maxChecks {
		t.Fatalf("asked %d times, over %d", n, maxChecks)
	}
	for _, r := range got {
		if r.HostID != "k1" || r.Members != maxMembers {
			t.Fatalf("listed %+v", r)
		}
	}
	if len(got) > 1 {
		t.Fatalf("one hub listed %d times", len(got))
	}
}

func TestTidyKeepsOneListingPerHostIPv4First(t *testing.T) {
	got := tidy([]Room{
		{Room: "b", HostID: "2", URL: "ws://10.0.0.2:7788/ws"},
		{Room: "a", HostID: "1", URL: "ws://[fe80::1%25eth0]:7788/ws"},
		{Room: "a", HostID: "1", URL: "ws://10.0.0.1:7788/ws"},
		{Room: "c", HostID: "2", URL: "ws://10.0.0.3:7788/ws"}, // one peer cannot host two rooms
	})
	if len(got) != 2 || got[0].URL != "ws://10.0.0.1:7788/ws" || got[1].Room != "b" {
		t.Fatalf("tidied to %+v", got)
	}
}

func TestCacheLooksOnlyWhenAskedAndSweepsAtMostEverySweepEvery(t *testing.T) {
	kitchen, _ := answering(t, `{"id":"k1","name":"cy","room":"kitchen","hosting":true,"members":2}`)
	var looks atomic.Int32
	c := NewCache(func() Config {
		looks.Add(1)
		// A search of no subnets asks nothing: only whether it ran counts.
		return Config{MDNS: records{{ID: "k1", Room: "kitchen", URL: wsURL(kitchen)}}, Scan: &scan.Config{}}
	})
	var clock atomic.Int64
	clock.Store(time.Unix(1000, 0).UnixNano())
	c.now = func() time.Time { return time.Unix(0, clock.Load()) }
	state := func() (at, swept time.Time) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.at, c.swept
	}
	// ask asks at clock+d and waits for the look it may start.
	ask := func(d time.Duration) []Room {
		clock.Add(int64(d))
		got := c.Rooms(context.Background())
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			c.mu.Lock()
			idle := c.looking == nil
			c.mu.Unlock()
			if idle {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatal("a look never ended")
			}
		}
	}
	if looks.Load() != 0 {
		t.Fatal("looked before anyone asked")
	}
	if got := ask(0); len(got) != 1 || got[0].Members != 2 {
		t.Fatalf("first ask got %+v", got)
	}
	_, firstSweep := state()
	if firstSweep.IsZero() {
		t.Fatal("the first look did not search the subnets")
	}
	ask(Fresh / 2)
	if n := looks.Load(); n != 1 {
		t.Fatalf("%d looks for two asks within Fresh", n)
	}
	ask(Fresh)
	if _, swept := state(); looks.Load() != 2 || !swept.Equal(firstSweep) {
		t.Fatalf("after Fresh: %d looks, swept again %v", looks.Load(), !swept.Equal(firstSweep))
	}
	if got := ask(0); len(got) != 1 {
		t.Fatalf("a look without the search lost the room: %+v", got)
	}
	ask(SweepEvery)
	if _, swept := state(); swept.Equal(firstSweep) {
		t.Fatal("no search after SweepEvery")
	}
}
