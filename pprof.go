//go:build pprof

// A profiling build: `go build -tags pprof` serves net/http/pprof on
// 127.0.0.1:6061 (loopback only), so that the windowed app's memory can be
// taken apart, e.g. `go tool pprof -sample_index=inuse_space
// http://127.0.0.1:6061/debug/pprof/heap`. Release builds never include it.

package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

func init() {
	l, err := net.Listen("tcp", "127.0.0.1:6061")
	if err != nil {
		os.Stderr.WriteString("huecast: pprof: " + err.Error() + "\n")
		return
	}
	go func() { _ = http.Serve(l, nil) }()
}
