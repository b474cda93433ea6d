package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// msgLog records, for every colour number, when and by which client it was
// sent. It is shared by every client in the process; each entry is written
// once before the frame is sent and read by every receiver.
//
// An entry packs sentNs<<16 | sender<<1 | warmup; zero means never sent.
type msgLog struct {
	epoch   time.Time // monotonic origin of every timestamp in the run
	entries []atomic.Uint64
	next    atomic.Uint32 // the last number handed out
}

func newMsgLog(size int) *msgLog {
	return &msgLog{epoch: time.Now(), entries: make([]atomic.Uint64, size)}
}

// now returns nanoseconds since the log's epoch (monotonic clock).
func (l *msgLog) now() int64 { return int64(time.Since(l.epoch)) }

func packEntry(sentNs int64, sender int, warmup bool) uint64 {
	e := uint64(sentNs)<<16 | uint64(sender)<<1
	if warmup {
		e |= 1
	}
	return e
}

func unpackEntry(e uint64) (sentNs int64, sender int, warmup bool) {
	return int64(e >> 16), int(e >> 1 & 0x7fff), e&1 == 1
}

// loadClient is one WebSocket client of the server under test.
type loadClient struct {
	idx  int
	conn *websocket.Conn
	wmu  sync.Mutex // guards writes on conn: the sender and (Engine.IO pongs) the reader both write

	hist *histogram // nil in idle mode; owned by the reader until it exits
	err  error      // why the reader stopped early; read only after it exits

	delivered    atomic.Int64 // measured colours from other clients
	echoes       atomic.Int64 // own colours the server sent back (huecast does, Socket.IO does not)
	unknown      atomic.Int64 // colours this run never sent
	lastFrame    atomic.Int64 // msgLog ns of the last frame of any kind
	lastDelivery atomic.Int64 // msgLog ns of the last measured colour
	gone         atomic.Bool  // the reader has stopped
}

// readLoop is the client's only reader. It records each colour's latency
// until the connection ends; stopping tells it an end is expected.
func (c *loadClient) readLoop(p protocol, log *msgLog, stopping *atomic.Bool) {
	defer c.gone.Store(true)
	buf := make([]byte, 0, 256)
	for {
		frame, err := readFrame(c.conn, &buf)
		now := log.now()
		if err != nil {
			if !stopping.Load() {
				c.err = err
			}
			return
		}
		c.lastFrame.Store(now)
		kind, k, reply, err := p.classify(frame)
		switch kind {
		case frameColour:
			if k == 0 || int(k) >= len(log.entries) {
				c.unknown.Add(1)
				continue
			}
			e := log.entries[k].Load()
			if e == 0 {
				c.unknown.Add(1)
				continue
			}
			sentNs, sender, warmup := unpackEntry(e)
			switch {
			case sender == c.idx:
				c.echoes.Add(1)
			case warmup:
			case c.hist != nil:
				c.hist.record(time.Duration(now - sentNs))
				c.delivered.Add(1)
				c.lastDelivery.Store(now)
			}
		case frameReply:
			c.wmu.Lock()
			err := c.conn.WriteMessage(websocket.TextMessage, reply)
			c.wmu.Unlock()
			if err != nil {
				if !stopping.Load() {
					c.err = err
				}
				return
			}
		case frameFatal:
			if !stopping.Load() {
				c.err = err
			}
			c.conn.Close()
			return
		}
	}
}

// sendResult is what one sender did.
type sendResult struct {
	sent, warmupSent int64
	maxLag           time.Duration // how far behind schedule a send went out
	err              error
}

// sendLoop sends colours at one per interval from start until end (msgLog
// ns), the first ones before measureAt marked as warm-up. It is the only
// caller of appendColour for this client.
func (c *loadClient) sendLoop(ctx context.Context, p protocol, log *msgLog, start, interval, measureAt, end int64) (r sendResult) {
	buf := make([]byte, 0, 64)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := int64(0); ; i++ {
		due := start + i*interval
		if due >= end {
			return r
		}
		now := log.now()
		if now < due {
			// Pacing, not synchronisation: the schedule is the experiment.
			timer.Reset(time.Duration(due - now))
			select {
			case <-ctx.Done():
				r.err = ctx.Err()
				return r
			case <-timer.C:
			}
			now = log.now()
		}
		r.maxLag = max(r.maxLag, time.Duration(now-due))
		k := log.next.Add(1)
		if int(k) >= len(log.entries) {
			r.err = errors.New("message log full (rate too high for its bound)")
			return r
		}
		warmup := due < measureAt
		buf = p.appendColour(buf[:0], k)
		c.wmu.Lock()
		log.entries[k].Store(packEntry(log.now(), c.idx, warmup))
		err := c.conn.WriteMessage(websocket.TextMessage, buf)
		c.wmu.Unlock()
		if err != nil {
			r.err = fmt.Errorf("client %d: send: %w", c.idx, err)
			return r
		}
		if warmup {
			r.warmupSent++
		} else {
			r.sent++
		}
	}
}

// newRunID makes the peers of one run distinct from any other run's.
func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// joinAll dials n clients, dialers at a time, and starts each one's reader
// as soon as it has joined, so that nothing the server sends piles up.
// On error it closes every client it made.
func joinAll(ctx context.Context, cfg config, p protocol, log *msgLog, stopping *atomic.Bool, withHist bool, wg *sync.WaitGroup) ([]*loadClient, error) {
	dialer := websocket.Dialer{
		HandshakeTimeout: cfg.joinWait,
		ReadBufferSize:   1024, // frames are ~100 bytes; keep the tool small at 10k clients
		WriteBufferSize:  1024,
	}
	url := p.url(cfg.addr)
	runID := newRunID()
	clients := make([]*loadClient, cfg.n)
	var errMu sync.Mutex // guards firstErr
	var firstErr error
	sem := make(chan struct{}, cfg.dialers)
	var dwg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range cfg.n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		dwg.Add(1)
		go func() {
			defer func() { <-sem; dwg.Done() }()
			c, err := joinOne(ctx, dialer, url, cfg.joinWait, p, i, runID)
			if err != nil {
				errMu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("client %d: %w", i, err)
				}
				errMu.Unlock()
				cancel()
				return
			}
			c.lastFrame.Store(log.now())
			if withHist {
				c.hist = new(histogram)
			}
			clients[i] = c
			wg.Add(1)
			go func() { defer wg.Done(); c.readLoop(p, log, stopping) }()
		}()
	}
	dwg.Wait()
	joined := 0
	for _, c := range clients {
		if c != nil {
			joined++
		}
	}
	if joined == cfg.n {
		return clients, nil
	}
	err := firstErr
	if err == nil {
		err = ctx.Err()
	}
	closeAll(clients, stopping, wg)
	return nil, fmt.Errorf("%d of %d clients joined %s: %w", joined, cfg.n, url, err)
}

func joinOne(ctx context.Context, d websocket.Dialer, url string, wait time.Duration, p protocol, i int, runID string) (*loadClient, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	conn, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(readLimit)
	deadline, _ := ctx.Deadline()
	conn.SetReadDeadline(deadline)
	buf := make([]byte, 0, 512)
	if err := p.join(conn, i, runID, &buf); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetReadDeadline(time.Time{})
	return &loadClient{idx: i, conn: conn}, nil
}

// closeAll says goodbye on every connection, closes it and waits (bounded)
// for the readers to stop.
func closeAll(clients []*loadClient, stopping *atomic.Bool, wg *sync.WaitGroup) {
	stopping.Store(true)
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "load done")
	deadline := time.Now().Add(time.Second)
	for _, c := range clients {
		if c != nil {
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, deadline)
		}
	}
	for _, c := range clients {
		if c != nil {
			c.conn.Close()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// settle waits until no client has received anything for settleQuiet, or
// until limit; it reports whether quiet was reached and fails if a client
// was dropped meanwhile.
func settle(ctx context.Context, clients []*loadClient, log *msgLog, limit time.Duration) (bool, error) {
	end := time.Now().Add(limit)
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		var last int64
		for _, c := range clients {
			if c.gone.Load() {
				return false, fmt.Errorf("client %d lost its connection before the load started", c.idx)
			}
			last = max(last, c.lastFrame.Load())
		}
		if time.Duration(log.now()-last) >= settleQuiet {
			return true, nil
		}
		if time.Now().After(end) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-t.C:
		}
	}
}
