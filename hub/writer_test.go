package hub

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// socketPair returns a conn over the server end of a loopback TCP
// connection, with a small send buffer, so that it fills after a few hundred kilobytes,
// and the client end.
func socketPair(t *testing.T) (*conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = sc.(*net.TCPConn).SetWriteBuffer(4096)
	c := &conn{sock: newSock(sc), limit: 1 << 20, readerDone: make(chan struct{}), writerDone: make(chan struct{})}
	c.writer = c.writeLoop
	t.Cleanup(func() { sc.Close(); cc.Close() })
	return c, cc
}

// readFrame reads one unmasked frame from r.
func readFrame(r *bufio.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if h[0]&0x80 == 0 || h[1]&0x80 != 0 {
		return 0, nil, fmt.Errorf("frame header %x: want FIN set and no mask", h)
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	return h[0] & 0x0f, payload, err
}

func TestAnIdleSocketIsWrittenWithoutAWriterGoroutine(t *testing.T) {
	if !canTryWrite {
		t.Skip("this system has no write that returns instead of waiting: every frame goes to a writer goroutine")
	}
	c, cc := socketPair(t)
	frame := appendFrame(nil, opText, []byte(`{"type":"color","color":"#1e90ff"}`))
	if !c.queue(frame) {
		t.Fatal("queue refused a frame to an idle client")
	}
	c.mu.Lock()
	own, queued := c.owner, len(c.out)
	c.mu.Unlock()
	if own != ownedByRun || queued != 0 {
		t.Fatalf("after a frame to an idle socket: owner %d, %d queued; want it written by the caller", own, queued)
	}
	_ = cc.SetReadDeadline(time.Now().Add(10 * time.Second))
	op, payload, err := readFrame(bufio.NewReader(cc))
	if err != nil || op != opText || string(payload) != `{"type":"color","color":"#1e90ff"}` {
		t.Fatalf("client read op %d %q, %v; want the colour frame", op, payload, err)
	}
}

func TestFramesArriveWholeAndInOrderWhenTheSocketFills(t *testing.T) {
	c, cc := socketPair(t)
	// Frames of many sizes, so that writes stop part-way through some.
	const frames = 3000
	for i := range frames {
		payload := fmt.Appendf(nil, "%06d:", i)
		for range i % 300 {
			payload = append(payload, 'x')
		}
		if !c.queue(appendFrame(nil, opText, payload)) {
			t.Fatalf("frame %d refused with a limit of %d", i, c.limit)
		}
	}
	c.mu.Lock()
	waiting := c.owner == ownedByWriter
	c.mu.Unlock()
	if !waiting {
		t.Fatal("the client reads nothing, yet its socket took all frames: the test proves nothing")
	}
	_ = cc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(cc)
	for i := range frames {
		op, payload, err := readFrame(r)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		want := fmt.Sprintf("%06d:", i)
		if op != opText || len(payload) != len(want)+i%300 || string(payload[:len(want)]) != want {
			t.Fatalf("frame %d: op %d, %.20q (%d bytes); want text %q, %d bytes", i, op, payload, len(payload), want, len(want)+i%300)
		}
	}
}

func TestNothingIsWrittenAfterAClose(t *testing.T) {
	c, cc := socketPair(t)
	close(c.readerDone)
	h := New(Config{})
	h.closeConn(c, 1000, "")
	c.queue(appendFrame(nil, opText, []byte("late"))) // must not follow it
	h.closeConn(c, 1002, "again")                     // nor a second close
	select {
	case <-c.writerDone:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not hang up")
	}
	_ = cc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(cc)
	op, payload, err := readFrame(r)
	if err != nil || op != opClose || binary.BigEndian.Uint16(payload) != 1000 {
		t.Fatalf("first frame: op %d %q, %v; want close 1000", op, payload, err)
	}
	if op, payload, err := readFrame(r); err != io.EOF {
		t.Fatalf("after the close: op %d %q, %v; want EOF", op, payload, err)
	}
}

// A close queued behind a backlog follows it, and the writer that drains
// the backlog hangs up: Run never writes the socket again.
func TestACloseBehindABacklogFollowsIt(t *testing.T) {
	c, cc := socketPair(t)
	close(c.readerDone)
	big := appendFrame(nil, opText, make([]byte, 60000))
	for i := 0; ; i++ { // until a writer holds the socket
		c.queue(big)
		c.mu.Lock()
		own := c.owner
		c.mu.Unlock()
		if own == ownedByWriter {
			break
		}
		if i > 1000 {
			t.Fatal("60 MB went into a socket that nobody reads: the test proves nothing")
		}
	}
	h := New(Config{})
	h.closeConn(c, 1001, "bye")
	c.queue(appendFrame(nil, opText, []byte("late")))
	_ = cc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(cc)
	for {
		op, payload, err := readFrame(r)
		if err != nil {
			t.Fatalf("reading the backlog: %v", err)
		}
		if op == opClose {
			if binary.BigEndian.Uint16(payload) != 1001 {
				t.Fatalf("close %q, want 1001", payload)
			}
			break
		}
		if op != opText || len(payload) != 60000 {
			t.Fatalf("op %d, %d bytes; want the backlog's frames", op, len(payload))
		}
	}
	<-c.writerDone
	if op, payload, err := readFrame(r); err != io.EOF {
		t.Fatalf("after the close: op %d %q, %v; want EOF", op, payload, err)
	}
}
