// Command hub-profile serves huecast's hub alone, with net/http/pprof beside
// it, so that its memory can be profiled under the load tool:
//
//	hub-profile -listen 127.0.0.1:7790 &
//	huecast-load -idle -proto huecast -addr 127.0.0.1:7790 -n 1000 -idle-hold 30s &
//	go tool pprof -sample_index=inuse_space http://127.0.0.1:7790/debug/pprof/heap
//	curl 'http://127.0.0.1:7790/debug/pprof/goroutine?debug=1'
//	curl http://127.0.0.1:7790/debug/memstats
//	go tool pprof http://127.0.0.1:7790/debug/pprof/profile?seconds=5
//
// It listens on loopback only. The figures BENCHMARKS.md compares are taken
// from the real binary; this is for finding where the memory goes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"

	"github.com/huecast/huecast/hub"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:7790", "loopback address to serve the hub (/ws) and /debug/pprof/ on")
	rate := flag.Int("memprofilerate", 4096, "runtime.MemProfileRate: sample one allocation per this many bytes")
	colorRate := flag.Float64("color-rate", -1, "colours a second each client may send, as huecast's --color-rate (negative: no limit, as bench/run.sh runs huecast)")
	flag.Parse()
	runtime.MemProfileRate = *rate
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(os.Stderr, "hub-profile: -listen must be a loopback address")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := hub.New(hub.Config{Room: "lobby", Host: "profile", ColorRate: *colorRate})
	mux := http.NewServeMux()
	mux.Handle("/ws", h)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/memstats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") == "1" {
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		out := map[string]any{
			"goroutines": runtime.NumGoroutine(), "heap_inuse": m.HeapInuse, "heap_alloc": m.HeapAlloc,
			"stack_inuse": m.StackInuse, "sys": m.Sys, "heap_released": m.HeapReleased, "num_gc": m.NumGC,
		}
		// The runtime's own account of every byte it maps, by class: live
		// objects, unused parts of their spans, stacks, metadata.
		var samples []metrics.Sample
		for _, d := range metrics.All() {
			if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == "/gc/stack/starting-size:bytes" {
				samples = append(samples, metrics.Sample{Name: d.Name})
			}
		}
		metrics.Read(samples)
		for _, s := range samples {
			if s.Value.Kind() == metrics.KindUint64 {
				out[s.Name] = s.Value.Uint64()
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hub-profile:", err)
		os.Exit(1)
	}
	fmt.Printf("{\"pid\":%d,\"addr\":%q}\n", os.Getpid(), l.Addr().String())
	srv := &http.Server{Handler: mux}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	go func() { _ = srv.Serve(l) }()
	if err := h.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "hub-profile:", err)
		os.Exit(1)
	}
}
