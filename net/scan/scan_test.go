package scan

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huecast/huecast/net/lan"
)

// hostile returns servers that answer /api/peer in ways a huecast peer of
// room "lobby" never does, and stops them when t ends.
func hostile(t *testing.T, good string) map[string]*httptest.Server {
	t.Helper()
	stop := make(chan struct{})
	srv := map[string]*httptest.Server{
		"wrong room": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"id":"aaaa","room":"other","hosting":true}`))
		})),
		"huge body": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"id":"aaab","room":"lobby","hosting":true,"name":"`))
			chunk := []byte(strings.Repeat("x", 64<<10))
			for range 1024 { // 64 MiB, if anyone read it all
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})),
		"slow drip": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, b := range []byte(`{"id":"aaac","room":"lobby","hosting":true}`) {
				w.Write([]byte{b})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(200 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-stop:
					return
				}
			}
		})),
		"redirect": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, good+"/api/peer", http.StatusFound)
		})),
		"not JSON": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html>router login</html>"))
		})),
		"bad id": httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"id":"<script>","room":"lobby","hosting":true}`))
		})),
	}
	t.Cleanup(func() {
		close(stop)
		for _, s := range srv {
			s.Close()
		}
	})
	return srv
}

func hostport(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

func TestHostileAnswersAreIgnoredWithinTheDeadline(t *testing.T) {
	var mu sync.Mutex // guards seen
	var seen []string
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get(Header))
		mu.Unlock()
		w.Write([]byte(`{"id":"bbbb","name":"ann","room":"Lobby","hosting":true,"hub":""}`))
	}))
	defer good.Close()
	var targets []string
	for _, s := range hostile(t, good.URL) {
		targets = append(targets, hostport(s))
	}
	targets = append(targets, hostport(good))
	found := make(chan Answer, len(targets))
	start := time.Now()
	st := Ask(context.Background(), Config{Room: "lobby", Self: "self"}, targets, found)
	took := time.Since(start)
	close(found)
	var got []Answer
	for a := range found {
		got = append(got, a)
	}
	if len(got) != 1 || got[0].ID != "bbbb" || got[0].Addr != hostport(good) || got[0].HubURL() != "ws://"+hostport(good)+"/ws" {
		t.Fatalf("found %+v, want only the good peer", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "1" {
		t.Fatalf("the good peer was asked %d times (redirects followed?), marked %v", len(seen), seen)
	}
	if st.Asked != len(targets) || st.Answered != 1 {
		t.Fatalf("stats %+v", st)
	}
	if took > ProbeTimeout+time.Second {
		t.Fatalf("took %v: a hostile answer held the search beyond a probe's deadline", took)
	}
}

func TestVerifyDecides(t *testing.T) {
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":"bbbb","room":"lobby","hosting":true}`))
	}))
	defer good.Close()
	found := make(chan Answer, 1)
	st := Ask(context.Background(), Config{Room: "lobby", Verify: func(Answer) bool { return false }},
		[]string{hostport(good)}, found)
	if st.Answered != 0 || st.Ignored != 1 || len(found) != 0 {
		t.Fatalf("an answer Verify refused counted: %+v", st)
	}
}

func TestTargetsStayOnTheSubnets(t *testing.T) {
	_, n, _ := net.ParseCIDR("10.77.5.0/24")
	sub := lan.Subnet{Iface: "eth1", Own: net.ParseIP("10.77.5.11").To4(), Net: n}
	cfg := Config{
		First:   []string{"10.77.5.40:9000", "8.8.8.8:7788", "10.77.5.11:7788", "[fe80::1]:7788"},
		Subnets: []lan.Subnet{sub},
		Ports:   []int{7788},
	}
	got := Targets(cfg)
	if got[0] != "10.77.5.40:9000" {
		t.Fatalf("a remembered hub on the subnet is not asked first: %v", got[:3])
	}
	if len(got) != 1+253 {
		t.Fatalf("%d targets, want 254", len(got))
	}
	for _, hp := range got {
		host, _, _ := net.SplitHostPort(hp)
		if ip := net.ParseIP(host); !n.Contains(ip) || ip.Equal(sub.Own) {
			t.Fatalf("target %s is off the subnet or our own", hp)
		}
	}
	many := Config{Subnets: []lan.Subnet{sub, sub, sub, sub, sub}, Ports: []int{1, 2, 3, 4, 5}}
	if n := len(Targets(many)); n != MaxTargets {
		t.Fatalf("%d targets, want the bound %d", n, MaxTargets)
	}
}

func TestAnyRoomKeepsEveryRoomsAnswerAndNothingHostile(t *testing.T) {
	kitchen := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":"cccc","name":"cy","room":"Kitchen","hosting":true,"members":3,"vk":"0123abcd"}`))
	}))
	defer kitchen.Close()
	targets := []string{hostport(kitchen)}
	for _, s := range hostile(t, kitchen.URL) {
		targets = append(targets, hostport(s))
	}
	found := make(chan Answer, len(targets))
	st := Ask(context.Background(), Config{Room: "lobby", AnyRoom: true, Verify: func(Answer) bool { return false }}, targets, found)
	close(found)
	var got []Answer
	for a := range found {
		got = append(got, a)
	}
	// hostile's "wrong room" answers as a hub of another room: with
	// AnyRoom it is listed too, as any room's answer is.
	rooms := map[string]Answer{}
	for _, a := range got {
		rooms[a.Room] = a
	}
	if k, ok := rooms["kitchen"]; !ok || k.Members != 3 || k.Verifier != "0123abcd" || len(got) != 2 {
		t.Fatalf("found %+v (stats %+v), want kitchen's hub with 3 members and the other room's", got, st)
	}
}
