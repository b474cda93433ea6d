package hub

import (
	"fmt"
	"testing"

	"github.com/huecast/huecast/hub/wire"
)

// BenchmarkFanOut measures the hub's side of one colour reaching n joined
// clients: one encode, n queue sends. Each client's queue is drained by its
// own goroutine, as its writer would.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := New(Config{Room: "lobby", SendQueue: 1 << 16})
			stop := make(chan struct{})
			defer close(stop)
			for i := 0; i < n; i++ {
				c := &conn{send: make(chan []byte, 1<<16), joined: true, peer: wire.Peer{ID: fmt.Sprint(i)}}
				h.peers = append(h.peers, c)
				go func() {
					for {
						select {
						case <-c.send:
						case <-stop:
							return
						}
					}
				}()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.setColor("#1e90ff", uint64(i+1), "p1", "alice", nil)
			}
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
