// writer.go: a connection's write side: fan-out, the outbox, the writer goroutine that drains it, and hanging up.

package hub

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// The write side of a connection has one writer at a time, and c.mu says
// who it is. While no writer goroutine runs (c.writing false) and the
// outbox is empty, whoever holds c.mu may write: the fan-out in Run, or the
// reader answering a ping. It writes without blocking (sock.tryWrite), so a
// delivery to an idle client costs one write(2) and wakes no goroutine.
// Only when the socket would block, or a frame is already waiting, does the
// frame (or what is left of it) go to the outbox, and a writer goroutine
// drains it with blocking writes, timed by Run's ticker (see stalled).

// fanOut writes frame, made once, to every joined peer but skip. A peer
// whose outbox is full is too slow for the room and is dropped.
func (h *Hub) fanOut(frame []byte, skip *conn) {
	var slow []*conn
	for _, c := range h.peers {
		if c == skip {
			continue
		}
		if !c.queue(frame) {
			slow = append(slow, c)
		}
	}
	for _, c := range slow {
		h.log.Info("hub: dropping a client that cannot keep up", "id", c.peer.ID, "remote", c.remote)
		h.drop(c, wire.ReasonDropped, websocket.CloseTryAgainLater, "too slow to keep up")
	}
}

// frameKind says how the write side treats a frame it cannot write at once.
type frameKind int

const (
	kindData    frameKind = iota // bounded by c.limit; refused after closeConn
	kindPing                     // skipped when the outbox is full or ends in a ping
	kindControl                  // from gorilla: a pong, or a close that ends the writing
)

// queue writes frame (a whole WebSocket frame, shared with other
// recipients and never changed) to c, or queues it. It reports false if
// the outbox is full: the client is too slow for the room. Frames after a
// failed write or after closeConn are discarded: the reader reports the
// client gone.
func (c *conn) queue(frame []byte) bool { return c.send(frame, kindData) }

// queuePing sends a heartbeat ping unless one is already waiting or the
// outbox is full: a client that far behind is dropped by the next frame, or
// when its write stalls (see stalled). Once a second, then, an idle
// connection's outbox is trimmed: slots grown for a burst are given back,
// but not while frames stream, when the two slices are reused and queueing
// allocates nothing.
func (c *conn) queuePing() {
	c.mu.Lock()
	if !c.writing && cap(c.out) > keptOutbox {
		c.out = nil
	}
	if !c.writing && cap(c.spare) > keptOutbox {
		c.spare = nil
	}
	c.mu.Unlock()
	c.send(pingFrame, kindPing)
}

// control sends a frame gorilla/websocket wrote from the reader: a pong,
// or a close (the echo of the client's, or one after a protocol error).
// Nothing is written after a close.
func (c *conn) control(frame []byte) { c.send(frame, kindControl) }

func (c *conn) send(frame []byte, kind frameKind) bool {
	c.mu.Lock()
	if c.dead || c.closeQueued || (c.hangup && kind != kindControl) {
		c.mu.Unlock()
		return true
	}
	if kind == kindControl && isClose(frame) {
		c.closeQueued = true
	}
	if !c.writing {
		// The outbox is empty and nobody is writing: write now.
		n, err := c.sock.tryWrite(frame)
		switch err {
		case nil:
			c.mu.Unlock()
			return true
		case errWouldBlock:
			frame = frame[n:]
		default:
			c.failLocked()
			return true
		}
		c.out = append(c.out, frame)
		c.writing = true
		c.mu.Unlock()
		go c.writer()
		return true
	}
	switch {
	case kind == kindData && len(c.out) >= c.limit:
		c.mu.Unlock()
		return false
	case kind == kindPing && (len(c.out) >= c.limit || endsInPing(c.out)):
		c.mu.Unlock()
		return true
	}
	c.out = append(c.out, frame)
	c.mu.Unlock()
	return true
}

// endsInPing reports whether the last queued frame is the heartbeat.
func endsInPing(out [][]byte) bool {
	if len(out) == 0 {
		return false
	}
	last := out[len(out)-1]
	return len(last) == len(pingFrame) && &last[0] == &pingFrame[0]
}

// failLocked ends the write side after a failed write: nothing more is
// written, and closing the socket makes the reader report the client gone,
// as dropped. The caller holds c.mu, which failLocked releases.
func (c *conn) failLocked() {
	c.dead, c.out, c.spare = true, nil, nil
	c.mu.Unlock()
	c.writeFailed.Store(true)
	c.sock.Close()
	close(c.writerDone)
}

// take hands the writer every queued frame. With none queued, it reports
// more false and the writer must return; hangup true then means the writer
// must wait for the client's goodbye and hang up, since Run has closed c.
func (c *conn) take() (batch [][]byte, more, hangup bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.out) == 0 {
		if c.hangup {
			return nil, false, true
		}
		c.writing = false
		return nil, false, false
	}
	batch = c.out
	c.out, c.spare = c.spare[:0], nil
	return batch, true, false
}

// recycle gives the writer's written batch back for the outbox to reuse, so
// that queueing allocates nothing in the steady state.
func (c *conn) recycle(batch [][]byte) {
	clear(batch)
	c.mu.Lock()
	if c.spare == nil {
		c.spare = batch[:0]
	}
	c.mu.Unlock()
}

// writeBufSize is the most a writer copies into one write: a batch of
// small frames leaves in one system call.
const writeBufSize = 16 << 10

// writeBufs holds the writer goroutines' buffers, taken only while a batch
// is written, so that idle connections hold none.
var writeBufs = sync.Pool{New: func() any { b := make([]byte, 0, writeBufSize); return &b }}

// writeLoop is c's writer goroutine: it writes queued frames with blocking
// writes until the outbox is empty, and gives the write side back. When Run
// has closed c it then waits for the client's close and hangs up. A write
// that cannot finish within wire.WriteWait ends the connection (see
// stalled): the client is too slow, and the reader reports it dropped.
func (c *conn) writeLoop() {
	for {
		batch, more, hangup := c.take()
		if !more {
			if hangup {
				c.hangUp()
			}
			return
		}
		c.writeSince.Store(time.Now().UnixNano())
		err := c.writeBatch(batch)
		c.writeSince.Store(0)
		if err != nil {
			c.mu.Lock()
			c.failLocked()
			return
		}
		c.recycle(batch)
	}
}

// writeBatch writes batch's frames in as few writes as a writeBufSize
// buffer allows.
func (c *conn) writeBatch(batch [][]byte) error {
	if len(batch) == 1 {
		_, err := c.sock.Conn.Write(batch[0])
		return err
	}
	bufp := writeBufs.Get().(*[]byte)
	defer writeBufs.Put(bufp)
	buf := (*bufp)[:0]
	for _, f := range batch {
		if len(buf) > 0 && len(buf)+len(f) > writeBufSize {
			if _, err := c.sock.Conn.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		if len(f) > writeBufSize {
			if _, err := c.sock.Conn.Write(f); err != nil {
				return err
			}
			continue
		}
		buf = append(buf, f...)
	}
	if len(buf) > 0 {
		_, err := c.sock.Conn.Write(buf)
		return err
	}
	return nil
}

// stalled reports whether a write has been under way for longer than
// wire.WriteWait at now, and if so closes the socket under it: the write
// fails, and the writer and reader end c as when a write deadline passed.
// The write then ends between WriteWait and WriteWait plus a ping period
// after it began.
func (c *conn) stalled(now time.Time) bool {
	since := c.writeSince.Load()
	if since == 0 || now.UnixNano()-since <= int64(wire.WriteWait) {
		return false
	}
	c.writeFailed.Store(true)
	c.sock.Close()
	return true
}

// hangUp runs after c's close frame has been written: it waits for the
// client's close (the reader ends on it), then closes the socket.
func (c *conn) hangUp() {
	select {
	case <-c.readerDone:
	case <-time.After(closeGrace):
	}
	c.mu.Lock()
	c.dead, c.out, c.spare = true, nil, nil
	c.mu.Unlock()
	c.sock.Close()
	close(c.writerDone)
}

// closeConn makes c's writer say goodbye with code and text, after any
// frames already queued, and hang up.
func (h *Hub) closeConn(c *conn, code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.hangup = true
	if !c.closeQueued {
		c.closeQueued = true
		c.out = append(c.out, closeFrame(code, text))
	}
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writer()
	}
}
