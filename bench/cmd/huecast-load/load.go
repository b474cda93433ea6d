package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Bounds on what one run may ask for, so that no invocation can turn into an
// unbounded load (CONTEXT.md: bound every loop in count and time).
const (
	maxClients  = 20000 // also fits the 15 bits msgLog keeps for a sender
	maxRate     = 100000
	maxDuration = 10 * time.Minute
	maxMessages = 1 << 22 // 32 MiB of msgLog; far above 100/s for 10 min
	maxDrain    = time.Minute
	maxSettle   = 2 * time.Minute
	readLimit   = 64 << 10 // no frame the tool expects comes near this

	// settleQuiet is how long every client must have received nothing before
	// the load starts: joining N clients makes a huecast hub announce N²/2
	// presence frames, which must not be measured as queueing delay.
	settleQuiet = 300 * time.Millisecond
	// pollEvery bounds how late a wait for the settle or drain condition
	// notices it; it is not part of any measured latency.
	pollEvery = 10 * time.Millisecond
)

// config is one invocation of the tool.
type config struct {
	mode     string // "load", "idle" or "tcp-floor"
	proto    string // "huecast" or "socketio"
	addr     string // host:port, loopback only
	room     string
	n        int
	senders  int
	rate     float64 // colours per second, all senders together
	duration time.Duration
	warmup   time.Duration // colours sent but not measured, so the server's caches and JIT are warm
	drain    time.Duration // how long to wait for colours still in flight once sending stops
	settle   time.Duration // upper bound on waiting for quiet after joining
	pid      int           // the server's PID for /proc figures; 0 for none
	joinWait time.Duration // upper bound on one client's dial and handshake
	dialers  int           // clients joining at once
	idleHold time.Duration // idle mode: how long the idle clients stay before RSS is read
}

func (c config) validate() error {
	if c.mode == "tcp-floor" {
		if c.rate <= 0 || c.rate > maxRate {
			return fmt.Errorf("-rate must be in (0, %d]", maxRate)
		}
		if c.duration <= 0 || c.duration > maxDuration || c.warmup < 0 || c.warmup > maxDuration {
			return fmt.Errorf("-duration must be in (0, %v] and -warmup in [0, %v]", maxDuration, maxDuration)
		}
		if c.rate*(c.warmup+c.duration).Seconds() > maxMessages {
			return fmt.Errorf("-rate × (-warmup + -duration) exceeds %d round trips", maxMessages)
		}
		return nil
	}
	if err := checkLoopback(c.addr); err != nil {
		return err
	}
	if _, err := protocolByName(c.proto, c.room); err != nil {
		return err
	}
	if c.n < 1 || c.n > maxClients {
		return fmt.Errorf("-n must be in [1, %d]", maxClients)
	}
	if c.joinWait <= 0 || c.joinWait > time.Minute || c.dialers < 1 || c.dialers > 1024 {
		return errors.New("-join-timeout must be in (0, 1m] and -dialers in [1, 1024]")
	}
	if c.settle < 0 || c.settle > maxSettle {
		return fmt.Errorf("-settle must be in [0, %v]", maxSettle)
	}
	if c.mode == "idle" {
		if c.idleHold < 0 || c.idleHold > maxDuration {
			return fmt.Errorf("-idle-hold must be in [0, %v]", maxDuration)
		}
		return nil
	}
	if c.n < 2 {
		return errors.New("-n must be at least 2: a sender and someone to receive")
	}
	if c.senders < 1 || c.senders > c.n || c.senders > 256 {
		return errors.New("-senders must be in [1, min(n, 256)]")
	}
	if c.rate <= 0 || c.rate > maxRate {
		return fmt.Errorf("-rate must be in (0, %d]", maxRate)
	}
	if c.duration <= 0 || c.duration > maxDuration || c.warmup < 0 || c.warmup > maxDuration {
		return fmt.Errorf("-duration must be in (0, %v] and -warmup in [0, %v]", maxDuration, maxDuration)
	}
	if c.drain < 0 || c.drain > maxDrain {
		return fmt.Errorf("-drain must be in [0, %v]", maxDrain)
	}
	if c.rate*(c.warmup+c.duration).Seconds()+float64(c.senders) >= maxMessages {
		return fmt.Errorf("-rate × (-warmup + -duration) exceeds %d messages", maxMessages)
	}
	return nil
}

// hardDeadline bounds a whole run, whatever the server does.
func (c config) hardDeadline() time.Duration {
	join := time.Duration(c.n/max(c.dialers, 1)+1) * c.joinWait
	return join + c.settle + c.warmup + c.duration + c.drain + c.idleHold + 30*time.Second
}

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

// result is what the tool prints, as text and as one JSON line.
type result struct {
	Mode  string  `json:"mode"`
	Proto string  `json:"proto,omitempty"`
	Addr  string  `json:"addr,omitempty"`
	N     int     `json:"n"`
	Rate  float64 `json:"rate,omitempty"`

	Senders       int     `json:"senders,omitempty"`
	DurationS     float64 `json:"duration_s,omitempty"`
	Sent          int64   `json:"sent,omitempty"`
	SentPerS      float64 `json:"sent_per_s,omitempty"`
	MaxSendLagMS  float64 `json:"max_send_lag_ms,omitempty"`
	Expected      int64   `json:"expected,omitempty"`
	Delivered     int64   `json:"delivered,omitempty"`
	DeliveredPerS float64 `json:"delivered_per_s,omitempty"`
	Echoes        int64   `json:"echoes,omitempty"`
	Unknown       int64   `json:"unknown,omitempty"`
	ClientsLost   int     `json:"clients_lost"`

	P50MS float64 `json:"p50_ms"`
	P90MS float64 `json:"p90_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	MinMS float64 `json:"min_ms"`

	// Idle mode: RSS with no load clients, and with N idle ones.
	IdleRSSBeforeKiB int64   `json:"idle_rss_before_kib,omitempty"`
	IdleRSSAfterKiB  int64   `json:"idle_rss_after_kib,omitempty"`
	BytesPerConn     float64 `json:"bytes_per_conn,omitempty"`
	AnonBytesPerConn float64 `json:"anon_bytes_per_conn,omitempty"` // the same from RssAnon

	// The load tool's own CPU over the measured phase: it shares the
	// machine's cores with the server, so a busy tool slows the server.
	ToolCPUS             float64 `json:"tool_cpu_s,omitempty"`
	ToolCPUPct           float64 `json:"tool_cpu_pct,omitempty"`
	ToolCPUPerDeliveryUS float64 `json:"tool_cpu_us_per_delivery,omitempty"`

	Server *serverStats `json:"server,omitempty"`
	Notes  []string     `json:"notes,omitempty"`
}

// serverStats is the server process as /proc saw it during the run.
type serverStats struct {
	PID          int     `json:"pid"`
	RSSBeforeKiB int64   `json:"rss_before_kib"`    // when measuring started
	RSSPeakKiB   int64   `json:"rss_peak_kib"`      // highest VmRSS sampled during the run
	AnonPeakKiB  int64   `json:"rss_anon_peak_kib"` // highest RssAnon sampled: VmRSS less shared file pages
	RSSAfterKiB  int64   `json:"rss_after_kib"`
	HWMKiB       int64   `json:"hwm_kib"` // VmHWM: peak over the process's whole life
	CPUS         float64 `json:"cpu_s"`   // utime+stime spent during the measured phase
	CPUPct       float64 `json:"cpu_pct"` // of one core over that phase
	// CPUPerDeliveryUS is CPUS over the deliveries measured in that phase
	// (to clients other than the sender), in microseconds.
	CPUPerDeliveryUS float64 `json:"cpu_us_per_delivery"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *result) setLatency(h *histogram) {
	if h.count() == 0 {
		return
	}
	r.P50MS = ms(h.percentile(50))
	r.P90MS = ms(h.percentile(90))
	r.P99MS = ms(h.percentile(99))
	r.MaxMS = ms(h.max)
	r.MinMS = ms(h.min)
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

// runLoad joins cfg.n clients, sends colours from the first cfg.senders of
// them and measures every delivery to a client other than the sender.
func runLoad(ctx context.Context, cfg config) (*result, error) {
	p, err := protocolByName(cfg.proto, cfg.room)
	if err != nil {
		return nil, err
	}
	if err := raiseFileLimit(uint64(cfg.n) + 64); err != nil {
		return nil, err
	}
	size := int(math.Ceil(cfg.rate*(cfg.warmup+cfg.duration).Seconds())) + cfg.senders + 2
	log := newMsgLog(size)
	var stopping atomic.Bool
	var readers sync.WaitGroup
	clients, err := joinAll(ctx, cfg, p, log, &stopping, true, &readers)
	if err != nil {
		return nil, err
	}
	defer closeAll(clients, &stopping, &readers)

	res := &result{Mode: "load", Proto: cfg.proto, Addr: cfg.addr, N: cfg.n, Senders: cfg.senders,
		Rate: cfg.rate, DurationS: cfg.duration.Seconds()}
	quiet, err := settle(ctx, clients, log, cfg.settle)
	if err != nil {
		return nil, err
	}
	if !quiet {
		res.Notes = append(res.Notes, fmt.Sprintf("server still sending %v after the last join; load started anyway", cfg.settle))
	}

	var sampler *rssSampler
	var before procSample
	if cfg.pid > 0 {
		if before, err = readProc(cfg.pid); err != nil {
			return nil, err
		}
		sampler = startRSSSampler(cfg.pid)
	}

	// Senders share one schedule: message j of the whole run is due at
	// start + j/rate, sender s sending every senders-th message.
	globalInterval := float64(time.Second) / cfg.rate
	interval := int64(globalInterval * float64(cfg.senders))
	start := log.now() + int64(10*time.Millisecond)
	measureAt := start + int64(cfg.warmup)
	end := measureAt + int64(cfg.duration)
	results := make([]sendResult, cfg.senders)
	var swg sync.WaitGroup
	for s := range cfg.senders {
		swg.Add(1)
		go func() {
			defer swg.Done()
			results[s] = clients[s].sendLoop(ctx, p, log, start+int64(float64(s)*globalInterval), interval, measureAt, end)
		}()
	}

	// CPU is counted from the first measured send to the end of the drain,
	// the server's and the tool's own (they share the machine's cores):
	// warm-up is excluded like its latencies.
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(measureAt - log.now())):
	}
	toolStart := ownCPU()
	var cpuStart procSample
	if cfg.pid > 0 {
		if cpuStart, err = readProc(cfg.pid); err != nil {
			return nil, err
		}
	}
	swg.Wait()
	sendEnd := log.now()
	var sendErr error
	for _, r := range results {
		res.Sent += r.sent
		res.MaxSendLagMS = max(res.MaxSendLagMS, ms(r.maxLag))
		if r.err != nil && sendErr == nil {
			sendErr = r.err
		}
	}
	if sendErr != nil {
		return nil, sendErr
	}
	res.Expected = res.Sent * int64(cfg.n-1)
	res.SentPerS = float64(res.Sent) / (float64(sendEnd-measureAt) / float64(time.Second))

	// Drain: wait for what is still in flight, bounded.
	drainEnd := time.Now().Add(cfg.drain)
	for {
		var got int64
		for _, c := range clients {
			got += c.delivered.Load()
		}
		if got >= res.Expected || time.Now().After(drainEnd) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
	measureEnd := log.now()
	measured := float64(measureEnd-measureAt) / float64(time.Second)
	res.ToolCPUS = (ownCPU() - toolStart).Seconds()
	res.ToolCPUPct = 100 * res.ToolCPUS / measured
	if cfg.pid > 0 {
		after, err := readProc(cfg.pid)
		if err != nil {
			return nil, err
		}
		peak, err := sampler.finish()
		if err != nil {
			return nil, err
		}
		cpu := after.CPU - cpuStart.CPU
		res.Server = &serverStats{
			PID: cfg.pid, RSSBeforeKiB: before.RSSKiB, RSSPeakKiB: max(peak, after.RSSKiB),
			AnonPeakKiB: max(sampler.anonPeak(), after.AnonKiB),
			RSSAfterKiB: after.RSSKiB, HWMKiB: after.HWMKiB, CPUS: cpu.Seconds(),
			CPUPct: 100 * cpu.Seconds() / measured,
		}
	}

	closeAll(clients, &stopping, &readers)
	var h histogram
	var lastDelivery int64
	for _, c := range clients {
		h.merge(c.hist)
		res.Delivered += c.delivered.Load()
		res.Echoes += c.echoes.Load()
		res.Unknown += c.unknown.Load()
		lastDelivery = max(lastDelivery, c.lastDelivery.Load())
		if c.err != nil {
			res.ClientsLost++
			if res.ClientsLost == 1 {
				res.Notes = append(res.Notes, fmt.Sprintf("client %d lost: %v", c.idx, c.err))
			}
		}
	}
	res.setLatency(&h)
	if res.Delivered > 0 {
		res.ToolCPUPerDeliveryUS = res.ToolCPUS * 1e6 / float64(res.Delivered)
		if res.Server != nil {
			res.Server.CPUPerDeliveryUS = res.Server.CPUS * 1e6 / float64(res.Delivered)
		}
	}
	if lastDelivery > measureAt {
		res.DeliveredPerS = float64(res.Delivered) / (float64(lastDelivery-measureAt) / float64(time.Second))
	}
	if res.Delivered < res.Expected {
		res.Notes = append(res.Notes, fmt.Sprintf("%d deliveries missing after a %v drain", res.Expected-res.Delivered, cfg.drain))
	}
	return res, nil
}

// runIdle joins cfg.n clients that send nothing and reports how much the
// server's RSS grew: memory per idle connection.
func runIdle(ctx context.Context, cfg config) (*result, error) {
	p, err := protocolByName(cfg.proto, cfg.room)
	if err != nil {
		return nil, err
	}
	if err := raiseFileLimit(uint64(cfg.n) + 64); err != nil {
		return nil, err
	}
	res := &result{Mode: "idle", Proto: cfg.proto, Addr: cfg.addr, N: cfg.n}
	var before procSample
	if cfg.pid > 0 {
		if before, err = readProc(cfg.pid); err != nil {
			return nil, err
		}
	}
	log := newMsgLog(1)
	var stopping atomic.Bool
	var readers sync.WaitGroup
	clients, err := joinAll(ctx, cfg, p, log, &stopping, false, &readers)
	if err != nil {
		return nil, err
	}
	defer closeAll(clients, &stopping, &readers)
	quiet, err := settle(ctx, clients, log, cfg.settle)
	if err != nil {
		return nil, err
	}
	if !quiet {
		res.Notes = append(res.Notes, fmt.Sprintf("server still sending %v after the last join", cfg.settle))
	}
	if cfg.pid == 0 {
		res.Notes = append(res.Notes, "no -pid: server memory not measured")
		return res, nil
	}
	sampler := startRSSSampler(cfg.pid)
	select {
	case <-ctx.Done():
	case <-time.After(cfg.idleHold):
	}
	peak, err := sampler.finish()
	if err != nil {
		return nil, err
	}
	after, err := readProc(cfg.pid)
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		if c.gone.Load() {
			res.ClientsLost++
		}
	}
	res.IdleRSSBeforeKiB = before.RSSKiB
	res.IdleRSSAfterKiB = after.RSSKiB
	res.BytesPerConn = float64(after.RSSKiB-before.RSSKiB) * 1024 / float64(cfg.n)
	res.AnonBytesPerConn = float64(after.AnonKiB-before.AnonKiB) * 1024 / float64(cfg.n)
	res.Server = &serverStats{PID: cfg.pid, RSSBeforeKiB: before.RSSKiB, RSSPeakKiB: peak, AnonPeakKiB: sampler.anonPeak(),
		RSSAfterKiB: after.RSSKiB, HWMKiB: after.HWMKiB, CPUS: (after.CPU - before.CPU).Seconds()}
	return res, nil
}
