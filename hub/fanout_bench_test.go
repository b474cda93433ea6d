package hub

import (
	"fmt"
	"testing"

	"github.com/huecast/huecast/hub/wire"
)

// BenchmarkFanOut measures the hub's side of one colour reaching n joined
// clients: one encode, n outbox appends, and a writer started for each
// client whose writer had gone idle. The writers are real goroutines started
// the hub's way; only the socket write is left out: each takes its batch and
// gives it back, as writeLoop does.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			h := New(Config{Room: "lobby", SendQueue: 1 << 16})
			for i := 0; i < n; i++ {
				c := &conn{limit: 1 << 16, joined: true, peer: wire.Peer{ID: fmt.Sprint(i)}}
				c.writer = func() {
					for {
						batch, more, _ := c.take()
						if !more {
							return
						}
						c.recycle(batch)
					}
				}
				h.peers = append(h.peers, c)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.setColor("#1e90ff", wire.Stamp{MS: 1764120000000, N: int64(i), ID: "p1"}, "p1", "alice", nil)
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
