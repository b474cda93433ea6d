package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// standInHub is a minimal hub that follows huecast's wire protocol closely
// enough to be driven by the load tool: hello → welcome (and join to the
// others), color → one encoded broadcast to every client, the sender
// included. It exists so the load tool can be tested before, and apart
// from, the real hub; it is no model of the real hub's policies.
type standInHub struct {
	register   chan *standInClient
	unregister chan *standInClient
	colours    chan standInColour
	count      chan chan int
	done       chan struct{} // closed when run returns

	// lossyEvery, when > 0, withholds every lossyEvery-th broadcast from the
	// client named lossyName, so tests can see the tool report missing
	// deliveries.
	lossyEvery int
	lossyName  string
}

type standInClient struct {
	conn     *websocket.Conn
	send     chan []byte // owned by the hub goroutine, which closes it
	id, name string
}

type standInColour struct {
	from   *standInClient
	colour string
}

var standInColourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func newStandInHub() *standInHub {
	return &standInHub{
		register:   make(chan *standInClient),
		unregister: make(chan *standInClient),
		colours:    make(chan standInColour, 256),
		count:      make(chan chan int),
		done:       make(chan struct{}),
	}
}

// startStandInHub serves a stand-in hub on loopback until the test ends and
// returns its host:port.
func startStandInHub(t *testing.T, h *standInHub) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	go h.run(ctx)
	mux := http.NewServeMux()
	mux.Handle("GET /ws", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		// httptest's Close does not wait for hijacked connections: stop the
		// hub, which closes them, and wait for it.
		cancel()
		<-h.done
		srv.Close()
	})
	return strings.TrimPrefix(srv.URL, "http://")
}

// clients returns how many clients the hub holds now.
func (h *standInHub) clients(t *testing.T) int {
	t.Helper()
	reply := make(chan int)
	h.count <- reply
	return <-reply
}

func (h *standInHub) run(ctx context.Context) {
	defer close(h.done)
	clients := map[*standInClient]bool{}
	colour, seq := "#008000", int64(0)
	for {
		select {
		case <-ctx.Done():
			for c := range clients {
				close(c.send)
			}
			return
		case reply := <-h.count:
			reply <- len(clients)
		case c := <-h.register:
			peers := []map[string]string{}
			for o := range clients {
				peers = append(peers, map[string]string{"id": o.id, "name": o.name})
			}
			welcome, _ := json.Marshal(map[string]any{"type": "welcome", "id": c.id, "room": "lobby",
				"color": colour, "seq": seq, "by": "", "peers": peers, "host": "stand-in"})
			join, _ := json.Marshal(map[string]any{"type": "join", "peer": map[string]string{"id": c.id, "name": c.name}})
			c.send <- welcome
			for o := range clients {
				h.trySend(clients, o, join)
			}
			clients[c] = true
		case c := <-h.unregister:
			if clients[c] {
				delete(clients, c)
				close(c.send)
			}
		case m := <-h.colours:
			if !clients[m.from] {
				continue
			}
			colour, seq = strings.ToLower(m.colour), seq+1
			frame, _ := json.Marshal(map[string]any{"type": "color", "color": colour, "seq": seq, "by": m.from.id, "name": m.from.name})
			for o := range clients {
				if h.lossyEvery > 0 && o.name == h.lossyName && seq%int64(h.lossyEvery) == 0 {
					continue
				}
				h.trySend(clients, o, frame)
			}
		}
	}
}

// trySend queues frame for c or drops c when its queue is full.
func (h *standInHub) trySend(clients map[*standInClient]bool, c *standInClient, frame []byte) {
	select {
	case c.send <- frame:
	default:
		delete(clients, c)
		close(c.send)
	}
}

func (h *standInHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	var hello struct{ Type, ID, Name, Room string }
	if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		conn.WriteJSON(map[string]string{"type": "error", "code": "hello_required", "message": "say hello first"})
		conn.Close()
		return
	}
	c := &standInClient{conn: conn, send: make(chan []byte, 4096), id: hello.ID, name: hello.Name}
	select {
	case h.register <- c:
	case <-h.done:
		conn.Close()
		return
	}
	// The writer is the only goroutine that writes on conn.
	go func() {
		for frame := range c.send {
			if conn.WriteMessage(websocket.TextMessage, frame) != nil {
				break
			}
		}
		conn.Close()
	}()
	defer func() {
		select {
		case h.unregister <- c:
		case <-h.done:
		}
	}()
	for {
		var m struct{ Type, Color string }
		if err := conn.ReadJSON(&m); err != nil {
			return
		}
		if m.Type == "color" && standInColourRE.MatchString(m.Color) {
			select {
			case h.colours <- standInColour{from: c, colour: m.Color}:
			case <-h.done:
				return
			}
		}
	}
}
