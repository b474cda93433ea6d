// Command liar is a test fixture that lies about hosting a huecast room: it
// advertises the room over mDNS (and answers the subnet search) as a hub
// with a low peer id, answers GET /api/peer with "hosting":true, and answers
// every WebSocket upgrade at /ws with 503. Honest peers must pass it over
// and stay one room. It runs only inside the test's network namespaces.
//
//	liar --room lobby --id 0000 --port 7788 [--vk 0123abcd] [--iface eth1]
//
// It prints "ready" once it serves, and counts the upgrades it refused on
// stderr, one line each.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/huecast/huecast/net/discovery"
)

func main() {
	room := flag.String("room", "lobby", "room to claim")
	id := flag.String("id", "0000", "peer id to claim (low ids win folds and elections)")
	port := flag.Int("port", 7788, "TCP port to serve")
	vk := flag.String("vk", "", "verifier of the room's passphrase to copy into the record (a locked room)")
	iface := flag.String("iface", "", "interface to advertise on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *room, *id, *port, *vk, *iface); err != nil {
		fmt.Fprintln(os.Stderr, "liar:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, room, id string, port int, vk, iface string) error {
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	var refused atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/api/peer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "name": "liar", "room": room, "hosting": true, "hub": "", "vk": vk})
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(os.Stderr, "refused upgrade %d from %s\n", refused.Add(1), r.RemoteAddr)
		http.Error(w, "huecast: this peer does not host the room's hub; GET /api/peer says where it is", http.StatusServiceUnavailable)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	var ifaces []string
	if iface != "" {
		ifaces = []string{iface}
	}
	d, err := discovery.New(discovery.Config{Ifaces: ifaces})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	err = d.Advertise(ctx, discovery.Ad{ID: id, Name: "liar", Room: room, Port: port, Auth: vk != "", Verifier: vk})
	if ctx.Err() != nil {
		return nil
	}
	return err
}
