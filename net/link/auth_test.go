package link_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/hub/wire"
	"github.com/huecast/huecast/net/link"
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
