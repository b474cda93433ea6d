package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// floorServer is the fan-out floor: the least a relay can do per delivery on
// this machine. It speaks just enough of huecast's protocol for the load
// tool (hello → welcome, colour → colour to everyone), and relays a colour
// by framing it once, as the hub does, and writing that frame to every
// client with one write(2) each: no JSON encoder, no queue, no goroutine
// woken, no per-client state beyond the socket. Its CPU per delivery is the
// floor the benchmark divides every server's by; its latency is what one
// thread writing to every socket in turn costs the last recipient.
type floorServer struct {
	mu    sync.Mutex // guards conns, seq and every write after the handshake
	conns map[net.Conn]bool
	seq   uint64
	frame []byte // the frame being relayed, reused
}

// serveFloor serves the floor on addr until ctx ends. It prints nothing
// but errors: run.sh waits for the port to accept connections.
func serveFloor(ctx context.Context, addr string) error {
	if err := checkLoopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("floor server: %w", err)
	}
	return serveFloorOn(ctx, ln)
}

// serveFloorOn is serveFloor on a listener already open.
func serveFloorOn(ctx context.Context, ln net.Listener) error {
	f := &floorServer{conns: map[net.Conn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", f.serveWS)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	stop := context.AfterFunc(ctx, func() {
		srv.Close()
		f.mu.Lock()
		for c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	})
	defer stop()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("floor server: %w", err)
	}
	return nil
}

var floorUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

func (f *floorServer) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := floorUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	nc := ws.NetConn()
	var hello struct{ Type, ID, Name string }
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		return
	}
	f.mu.Lock()
	err = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"welcome","id":`+strconv.Quote(hello.ID)+`}`))
	f.conns[nc] = true
	f.mu.Unlock()
	if err != nil {
		return
	}
	defer func() {
		f.mu.Lock()
		delete(f.conns, nc)
		f.mu.Unlock()
	}()
	by, name := strconv.Quote(hello.ID), strconv.Quote(hello.Name)
	for {
		_, r, err := ws.NextReader()
		if err != nil {
			return
		}
		var m struct{ Type, Color string }
		if err := json.NewDecoder(io.LimitReader(r, 4096)).Decode(&m); err != nil || m.Type != "color" {
			continue
		}
		if _, ok := parseColour(m.Color); !ok {
			continue
		}
		f.relay(m.Color, by, name)
	}
}

// relay frames the colour once and writes it to every client, the sender
// included, as huecast's hub does.
func (f *floorServer) relay(colour, by, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	p := f.frame[:0]
	p = append(p, 0x81, 0) // FIN, text; the length is set below (< 126)
	p = append(p, `{"type":"color","color":"`...)
	p = append(p, colour...)
	p = append(p, `","seq":`...)
	p = strconv.AppendUint(p, f.seq, 10)
	p = append(p, `,"by":`...)
	p = append(p, by...)
	p = append(p, `,"name":`...)
	p = append(p, name...)
	p = append(p, '}')
	if len(p)-2 >= 126 {
		return // ids and names of the load tool's clients are far shorter
	}
	p[1] = byte(len(p) - 2)
	f.frame = p
	for c := range f.conns {
		if _, err := c.Write(p); err != nil {
			delete(f.conns, c)
			c.Close()
		}
	}
}
