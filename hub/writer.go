// writer.go: a connection's write side: fan-out, the outbox, the writer goroutine that drains it, and hanging up.

package hub

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/net/wire"
)

// Who writes a connection's socket. Exactly one goroutine at a time, and
// c.owner (under c.mu) says which:
//
//   - ownedByRun: the outbox is empty and Run writes straight to the
//     socket, without blocking (sock.tryWrite), so a delivery to an idle
//     client costs one write(2) and wakes no goroutine.
//   - ownedByWriter: a write would have blocked, so Run queued the rest in
//     the outbox and started a writer goroutine, which drains it with
//     blocking writes, timed by Run's ticker (see stalled). Run only
//     appends to the outbox. The writer hands the socket back to Run when
//     it finds the outbox empty.
//   - hangingUp: Run has queued the close frame; a writer goroutine writes
//     what is queued, waits for the client's goodbye and hangs up. Nothing
//     more is queued.
//   - ended: the socket is closed, or will be by the writer that ended it.
//
// Only the owner moves c.owner on, with one exception that hands nothing:
// Run moves ownedByWriter to hangingUp. The reader never writes: it posts
// pongs and the closes it wants said to Run (see readLoop), and gorilla
// writes nothing (see muteGorilla). Every function that takes c.mu releases
// it itself.
type owner uint8

const (
	ownedByRun owner = iota
	ownedByWriter
	hangingUp
	ended
)

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

// queue writes frame (a whole WebSocket frame, shared with other
// recipients and never changed) to c, or queues it; Run's only. It reports
// false if the outbox is full: the client is too slow for the room. Frames
// after a failed write or after closeConn are discarded: the reader
// reports the client gone.
func (c *conn) queue(frame []byte) bool { return c.send(frame, false) }

// queuePing sends a heartbeat ping unless one is already waiting or the
// outbox is full: a client that far behind is dropped by the next frame, or
// when its write stalls (see stalled). Once a second, then, an idle
// connection's outbox is trimmed: slots grown for a burst are given back,
// but not while frames stream, when the two slices are reused and queueing
// allocates nothing. Run's only.
func (c *conn) queuePing() {
	c.mu.Lock()
	if c.owner == ownedByRun {
		if cap(c.out) > keptOutbox {
			c.out = nil
		}
		if cap(c.spare) > keptOutbox {
			c.spare = nil
		}
	}
	c.mu.Unlock()
	c.send(pingFrame, true)
}

// send is queue, or queuePing when ping. Run's only: it writes the socket
// itself while it owns it.
func (c *conn) send(frame []byte, ping bool) bool {
	c.mu.Lock()
	own, ok := c.owner, true
	if own == ownedByWriter {
		switch {
		case len(c.out) >= c.limit:
			ok = ping // a ping is skipped, a frame makes the client too slow
		case !ping || !endsInPing(c.out):
			c.out = append(c.out, frame)
		}
	}
	c.mu.Unlock()
	if own != ownedByRun {
		return ok
	}
	n, err := c.sock.tryWrite(frame)
	switch err {
	case nil:
	case errWouldBlock:
		c.handOff(frame[n:], ownedByWriter)
	default:
		c.fail()
	}
	return true
}

// handOff gives the socket, which Run owns, to a new writer goroutine with
// rest to write first; to is ownedByWriter or hangingUp.
func (c *conn) handOff(rest []byte, to owner) {
	c.mu.Lock()
	c.out = append(c.out, rest)
	c.owner = to
	c.mu.Unlock()
	go c.writer()
}

// endsInPing reports whether the last queued frame is the heartbeat.
func endsInPing(out [][]byte) bool {
	if len(out) == 0 {
		return false
	}
	last := out[len(out)-1]
	return len(last) == len(pingFrame) && &last[0] == &pingFrame[0]
}

// fail ends the write side after a failed write; the socket's owner calls
// it. Nothing more is written, and closing the socket makes the reader
// report the client gone, as dropped.
func (c *conn) fail() {
	c.writeFailed.Store(true)
	c.end()
}

// end closes the socket and marks the write side ended; its owner calls it,
// once.
func (c *conn) end() {
	c.mu.Lock()
	c.owner, c.out, c.spare = ended, nil, nil
	c.mu.Unlock()
	c.sock.Close()
	close(c.writerDone)
}

// take hands the writer every queued frame. With none queued, it reports
// more false and the writer must return; hangup true then means the writer
// must wait for the client's goodbye and hang up, since Run has closed c;
// otherwise the socket is Run's again.
func (c *conn) take() (batch [][]byte, more, hangup bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.out) == 0 {
		if c.owner == hangingUp {
			return nil, false, true
		}
		c.owner = ownedByRun
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
// writes until the outbox is empty, and gives the socket back to Run. When
// Run has closed c it then waits for the client's close and hangs up. A
// write that cannot finish within wire.WriteWait ends the connection (see
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
			c.fail()
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
// after it began. Run's; it writes nothing.
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
	c.end()
}

// closeConn makes c's writer say goodbye with code and text, after any
// frames already queued, and hang up. Run's only.
func (h *Hub) closeConn(c *conn, code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	frame := closeFrame(code, text)
	c.mu.Lock()
	own := c.owner
	if own == ownedByWriter {
		c.out = append(c.out, frame)
		c.owner = hangingUp
	}
	c.mu.Unlock()
	if own == ownedByRun {
		c.handOff(frame, hangingUp)
	}
}
