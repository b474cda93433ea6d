package delay

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func TestProxyDelaysEachWayAndKeepsOrder(t *testing.T) {
	p, err := Start(echo(t), Path{Base: 30 * time.Millisecond}, Path{Base: 20 * time.Millisecond, Jitter: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var sent bytes.Buffer
	start := time.Now()
	for i := range 50 {
		b := []byte{byte(i)}
		sent.Write(b)
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]byte, sent.Len())
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 50*time.Millisecond {
		t.Errorf("round trip %v through 30 ms up and 20-30 ms down", rtt)
	}
	if !bytes.Equal(got, sent.Bytes()) {
		t.Errorf("bytes reordered or lost: %v", got)
	}
}
