package link_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/link"
	"github.com/huecast/huecast/net/wire"
)

func passHub(t *testing.T, pass string) string {
	t.Helper()
	h := hub.New(hub.Config{Room: "lobby", Passphrase: pass})
	srv := httptest.NewServer(h)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { _ = h.Run(ctx); close(ran) }()
	t.Cleanup(func() { cancel(); <-ran; srv.Close() })
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

func startLinkWith(t *testing.T, url string, cfg link.Config) *running {
	t.Helper()
	cfg.Target = func(context.Context) (string, error) { return url, nil }
	return runLink(t, cfg)
}

// runLink runs a link of room lobby with cfg, retrying every 20 ms, until
// the test ends.
func runLink(t *testing.T, cfg link.Config) *running {
	t.Helper()
	cfg.Room = "lobby"
	cfg.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	l := link.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- l.Run(ctx) }()
	r := &running{t: t, l: l}
	r.stop = func() {
		cancel()
		for range l.Events() {
		}
		<-ran
	}
	t.Cleanup(r.stop)
	return r
}

func TestLinkAnswersThePassphraseChallenge(t *testing.T) {
	url := passHub(t, "open sesame")
	a := startLinkWith(t, url, link.Config{ID: "a", Passphrase: "open sesame"})
	a.await("joined", isJoined)
	b := startLinkWith(t, url, link.Config{ID: "b", Passphrase: "open sesame"})
	b.await("joined", isJoined)
	if err := b.l.SetColor("#1e90ff"); err != nil {
		t.Fatal(err)
	}
	a.await("b's colour", colorIs("#1e90ff"))
}

func TestLinkWithoutOrWithWrongPassphraseIsRefused(t *testing.T) {
	url := passHub(t, "open sesame")
	for _, tc := range []struct{ name, pass, says string }{
		{"none", "", "needs a passphrase"},
		{"wrong", "open barley", "Wrong passphrase"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startLinkWith(t, url, link.Config{ID: "x-" + tc.name, Passphrase: tc.pass})
			start := time.Now()
			ev := r.await("an error", func(ev link.Event) bool { _, ok := ev.(link.HubError); return ok || isJoined(ev) })
			e, ok := ev.(link.HubError)
			if !ok || e.Code != wire.CodeUnauthorized || !strings.Contains(e.Message, tc.says) {
				t.Fatalf("got %#v, want unauthorized saying %q", ev, tc.says)
			}
			// Refused at once, not at the hub's 5 s hello deadline.
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("refused after %v", d)
			}
			r.await("disconnected", func(ev link.Event) bool { _, ok := ev.(link.Disconnected); return ok })
		})
	}
}

// fakeHub serves a locked room's first steps with proof as its answer to
// the client's own challenge (hub is its own nonce, ep the Host it was
// sent), and records every frame type it is sent. v is its challenge's
// protocol version.
func fakeHub(t *testing.T, v int, proof func(key []byte, hub, theirs, ep string) string) (url string, got chan string) {
	t.Helper()
	key := wire.AuthKey("open sesame", "lobby")
	got = make(chan string, 16)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		nonce := wire.NewNonce()
		_ = ws.WriteJSON(wire.Challenge{Type: wire.TypeChallenge, Nonce: nonce, V: v})
		var theirs string
		for {
			var in wire.In
			if err := ws.ReadJSON(&in); err != nil {
				return
			}
			select {
			case got <- in.Type:
			default:
			}
			switch in.Type {
			case wire.TypeChallenge:
				theirs = in.Nonce
			case wire.TypeAuth:
				_ = ws.WriteJSON(wire.Auth{Type: wire.TypeAuth, MAC: proof(key, nonce, theirs, wire.Endpoint(r.Host))})
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws", got
}

func TestLinkRefusesAHubThatCannotProveThePassphrase(t *testing.T) {
	wrongKey := wire.AuthKey("guess", "lobby")
	for _, tc := range []struct {
		name  string
		proof func(key []byte, hub, theirs, ep string) string
	}{
		{"wrong key", func(_ []byte, hub, theirs, ep string) string { return wire.HubProof(wrongKey, hub, theirs, ep) }},
		{"the client's own answer reflected", func(key []byte, hub, theirs, ep string) string {
			return wire.Answer(key, hub, theirs, ep)
		}},
		{"another nonce", func(key []byte, hub, _, ep string) string { return wire.HubProof(key, hub, wire.NewNonce(), ep) }},
		// A relay passing on the real hub's proof: bound to the hub's
		// address and nonce, not to the ones this link saw.
		{"a proof for another address", func(key []byte, hub, theirs, _ string) string {
			return wire.HubProof(key, hub, theirs, "10.9.9.9:7788")
		}},
		{"a proof for another hub nonce", func(key []byte, _, theirs, ep string) string {
			return wire.HubProof(key, wire.NewNonce(), theirs, ep)
		}},
		{"protocol 2's proof", func(key []byte, _, theirs, _ string) string { return wire.AuthMAC(key, "hub:"+theirs) }},
		{"empty", func([]byte, string, string, string) string { return "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, got := fakeHub(t, wire.Version, tc.proof)
			r := startLinkWith(t, url, link.Config{ID: "a", Passphrase: "open sesame"})
			ev := r.await("an error", func(ev link.Event) bool { _, ok := ev.(link.HubError); return ok || isJoined(ev) })
			if e, ok := ev.(link.HubError); !ok || e.Code != wire.CodeUnprovenHub || !strings.Contains(e.Message, "could not prove") {
				t.Fatalf("got %#v, want unproven_hub", ev)
			}
			// It told the hub nothing about itself: no hello, no colour.
			for range len(got) {
				if f := <-got; f != wire.TypeChallenge && f != wire.TypeAuth {
					t.Fatalf("the link sent %q to a hub that did not prove itself", f)
				}
			}
		})
	}
	t.Run("an older hub", func(t *testing.T) {
		url, got := fakeHub(t, 0, wire.HubProof)
		r := startLinkWith(t, url, link.Config{ID: "a", Passphrase: "open sesame"})
		ev := r.await("an error", func(ev link.Event) bool { _, ok := ev.(link.HubError); return ok || isJoined(ev) })
		if e, ok := ev.(link.HubError); !ok || e.Code != wire.CodeBadVersion || !strings.Contains(e.Message, "update huecast") {
			t.Fatalf("got %#v, want bad_version", ev)
		}
		// Not even an answer: an older hub would take it for a wrong passphrase.
		for range len(got) {
			if f := <-got; f != wire.TypeChallenge {
				t.Fatalf("the link sent %q to an older hub", f)
			}
		}
	})
	t.Run("an open hub", func(t *testing.T) {
		h := hub.New(hub.Config{Room: "lobby"})
		srv := httptest.NewServer(h)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{})
		go func() { _ = h.Run(ctx); close(ran) }()
		t.Cleanup(func() { cancel(); <-ran; srv.Close() })
		r := startLinkWith(t, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", link.Config{ID: "a", Passphrase: "open sesame"})
		ev := r.await("an error", func(ev link.Event) bool { _, ok := ev.(link.HubError); return ok || isJoined(ev) })
		if e, ok := ev.(link.HubError); !ok || e.Code != wire.CodeUnprovenHub || !strings.Contains(e.Message, "without a passphrase") {
			t.Fatalf("got %#v, want unproven_hub", ev)
		}
		if st, _ := h.State(context.Background()); len(st.Peers) != 0 {
			t.Fatalf("the open hub has %v", st.Peers)
		}
	})
}

func TestProveChecksAHubWithoutJoiningIt(t *testing.T) {
	url := passHub(t, "open sesame")
	ctx := context.Background()
	if err := link.Prove(ctx, url, wire.AuthKey("open sesame", "lobby"), "lobby"); err != nil {
		t.Fatalf("Prove of the room's hub: %v", err)
	}
	var r *link.Refusal
	if err := link.Prove(ctx, url, wire.AuthKey("guess", "lobby"), "lobby"); !errors.As(err, &r) || r.Code != wire.CodeUnauthorized {
		t.Fatalf("Prove with a wrong key: %v, want the hub's unauthorized", err)
	}
	fake, _ := fakeHub(t, wire.Version, func([]byte, string, string, string) string { return "" })
	if err := link.Prove(ctx, fake, wire.AuthKey("open sesame", "lobby"), "lobby"); !errors.As(err, &r) || r.Code != wire.CodeUnprovenHub {
		t.Fatalf("Prove of a hub that cannot: %v, want unproven_hub", err)
	}
}
