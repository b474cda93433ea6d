// writer.go: a connection's write side: its outbox, the writer goroutine that drains it, and hanging up.

package hub

import (
	"time"

	"github.com/gorilla/websocket"
	"github.com/huecast/huecast/hub/wire"
)

// queue adds msg to c's outbox and starts a writer if none is running. It
// reports false if the outbox is full: the client is too slow for the room.
// Frames queued after a failed write or after closeConn are discarded: the
// reader reports the client gone.
func (c *conn) queue(msg []byte) bool {
	c.mu.Lock()
	if c.dead || c.hangup {
		c.mu.Unlock()
		return true
	}
	if len(c.out) >= c.limit {
		c.mu.Unlock()
		return false
	}
	c.appendAndUnlock(msg)
	return true
}

// appendAndUnlock adds msg (nil for a ping) to the outbox, releases c.mu,
// which the caller holds, and starts a writer if none is running.
func (c *conn) appendAndUnlock(msg []byte) {
	c.out = append(c.out, msg)
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writer()
	}
}

// queuePing queues a heartbeat ping unless one is already waiting or the
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
	if c.dead || c.hangup || len(c.out) >= c.limit || (len(c.out) > 0 && c.out[len(c.out)-1] == nil) {
		c.mu.Unlock()
		return
	}
	c.appendAndUnlock(nil)
}

// take hands the writer every queued frame. With none queued, it reports
// more false and the writer must return; hangup true then means the writer
// must say goodbye first, since Run has closed c.
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

// writeLoop is c's writer: it writes queued frames and pings until the outbox is
// empty. When Run has closed c it then says goodbye with a close frame and
// hangs up. A write that cannot finish within wire.WriteWait ends the
// connection (see stalled): the client is too slow, and the reader reports
// it dropped.
func (c *conn) writeLoop() {
	for {
		batch, more, hangup := c.take()
		if !more {
			if hangup {
				c.hangUp()
				close(c.writerDone)
			}
			return
		}
		for _, msg := range batch {
			typ := websocket.TextMessage
			if msg == nil {
				typ = websocket.PingMessage
			}
			c.writeSince.Store(time.Now().UnixNano())
			if err := c.ws.WriteMessage(typ, msg); err != nil {
				c.writeSince.Store(0)
				c.mu.Lock()
				c.dead, c.out, c.spare = true, nil, nil
				c.mu.Unlock()
				c.writeFailed.Store(true)
				c.ws.Close() // the reader notices and reports the client gone
				close(c.writerDone)
				return
			}
		}
		c.writeSince.Store(0)
		c.recycle(batch)
	}
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
	c.ws.NetConn().Close()
	return true
}

func (c *conn) hangUp() {
	_ = c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(c.closeCode, c.closeText),
		time.Now().Add(wire.WriteWait))
	select {
	case <-c.readerDone:
	case <-time.After(closeGrace):
	}
	c.ws.Close()
}

// closeConn makes c's writer say goodbye with code and text, after any
// frames already queued.
func (h *Hub) closeConn(c *conn, code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	c.mu.Lock()
	c.closeCode, c.closeText, c.hangup = code, text, true
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writer()
	}
}
