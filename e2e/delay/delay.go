// Package delay is a TCP proxy that holds what crosses it for a time in
// each direction: latency in user space, for kernels without netem. Tests
// put one in front of a hub per peer to give each peer its own path.
package delay

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Path is one direction's delay: Base plus up to Jitter, drawn for every
// chunk read. Chunks keep their order, as TCP's segments do, so a chunk
// never overtakes the one before it.
type Path struct {
	Base, Jitter time.Duration
}

func (p Path) draw() time.Duration {
	if p.Jitter <= 0 {
		return p.Base
	}
	return p.Base + rand.N(p.Jitter)
}

// Proxy forwards connections made to Addr to a target, delaying what goes
// to the target by Up and what comes back by Down.
type Proxy struct {
	Addr     string // host:port to dial instead of the target
	up, down Path
	target   string
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex // guards conns and closed
	conns    map[net.Conn]struct{}
	closed   bool
}

// Start listens on a free loopback port and forwards to target. The caller
// must call Close.
func Start(target string, up, down Path) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), up: up, down: down, target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Close stops listening, ends every connection and waits for its pumps.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		t, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, t) {
			c.Close()
			t.Close()
			return
		}
		p.wg.Add(2)
		go p.pump(t, c, p.up)
		go p.pump(c, t, p.down)
	}
}

// track notes the two ends of a connection so that Close can end them; it
// refuses once the proxy is closing.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

type chunk struct {
	b  []byte
	at time.Time
}

// pump copies src to dst, each chunk at least its delay after it was read.
// Its end closes both: a WebSocket has no use for a half-open connection.
func (p *Proxy) pump(dst, src net.Conn, path Path) {
	defer p.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	chunks := make(chan chunk, 256)
	go func() {
		defer close(chunks)
		var last time.Time
		for {
			buf := make([]byte, 16<<10)
			n, err := src.Read(buf)
			if n > 0 {
				at := time.Now().Add(path.draw())
				if at.Before(last) {
					at = last
				}
				last = at
				select {
				case chunks <- chunk{buf[:n], at}:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		dst.Close()
		src.Close()
		for range chunks {
		}
	}()
	timer := time.NewTimer(0)
	<-timer.C
	for c := range chunks {
		if d := time.Until(c.at); d > 0 {
			timer.Reset(d)
			<-timer.C // the delay itself
		}
		if _, err := dst.Write(c.b); err != nil {
			return
		}
	}
}
