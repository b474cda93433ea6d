package hub

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/huecast/huecast/net/wire"
)

// BenchmarkFanOut measures the hub's side of one colour reaching n joined
// clients over real loopback sockets: one encode, one frame, and one write
// to each client's socket (clients read and discard on goroutines of their
// own). An op ends when the hub has written every frame; a client whose
// socket would block gets a writer goroutine, as in the hub.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := New(Config{Room: "lobby", SendQueue: 1 << 16})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			var readers sync.WaitGroup
			for i := 0; i < n; i++ {
				cc, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				sc, err := ln.Accept()
				if err != nil {
					b.Fatal(err)
				}
				readers.Add(1)
				go func() {
					defer readers.Done()
					_, _ = io.Copy(io.Discard, cc)
				}()
				c := &conn{sock: newSock(sc), limit: 1 << 16, joined: true, peer: wire.Peer{ID: fmt.Sprint(i)},
					readerDone: make(chan struct{}), writerDone: make(chan struct{})}
				c.writer = c.writeLoop
				close(c.readerDone)
				h.peers = append(h.peers, c)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.setColor("#1e90ff", wire.Stamp{MS: 1764120000000, N: int64(i), ID: "p1"}, "p1", "alice")
			}
			b.StopTimer()
			for _, c := range h.peers {
				h.closeConn(c, 1000, "")
			}
			for _, c := range h.peers {
				<-c.writerDone
			}
			readers.Wait()
		})
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	frame := []byte(`{"type":"color","color":"#1E90FF"}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in, err := wire.DecodeIn(frame)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wire.ParseColor(in.Color); err != nil {
			b.Fatal(err)
		}
	}
}
