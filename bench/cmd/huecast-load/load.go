package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

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
	sch := newSendSchedule(cfg, log.now())
	sends := startSenders(ctx, clients[:cfg.senders], p, log, sch)

	// CPU is counted from the first measured send to the end of the drain,
	// the server's and the tool's own (they share the machine's cores):
	// warm-up is excluded like its latencies.
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(sch.measureAt - log.now())):
	}
	toolStart := ownCPU()
	var cpuStart procSample
	if cfg.pid > 0 {
		if cpuStart, err = readProc(cfg.pid); err != nil {
			return nil, err
		}
	}
	if err := res.addSends(sends(), cfg.n, log.now(), sch.measureAt); err != nil {
		return nil, err
	}
	drain(ctx, clients, res.Expected, cfg.drain)
	measured := float64(log.now()-sch.measureAt) / float64(time.Second)
	res.ToolCPUS = (ownCPU() - toolStart).Seconds()
	res.ToolCPUPct = 100 * res.ToolCPUS / measured
	if cfg.pid > 0 {
		if res.Server, err = serverAfter(cfg.pid, before, cpuStart, sampler, measured); err != nil {
			return nil, err
		}
	}
	closeAll(clients, &stopping, &readers)
	res.tally(clients, sch.measureAt, cfg.drain)
	return res, nil
}

// sendSchedule is when a load run's senders send: message j of the whole
// run is due at start + j/rate, sender s sending every senders-th message,
// the first at start + s*global. Times are the msgLog's.
type sendSchedule struct {
	global                          float64 // ns between two messages of the run
	interval, start, measureAt, end int64
}

func newSendSchedule(cfg config, now int64) sendSchedule {
	global := float64(time.Second) / cfg.rate
	start := now + int64(10*time.Millisecond)
	measureAt := start + int64(cfg.warmup)
	return sendSchedule{global: global, interval: int64(global * float64(cfg.senders)), start: start,
		measureAt: measureAt, end: measureAt + int64(cfg.duration)}
}

// startSenders starts a sender on each of senders and returns a function
// that waits for them all and returns what each did.
func startSenders(ctx context.Context, senders []*loadClient, p protocol, log *msgLog, sch sendSchedule) func() []sendResult {
	results := make([]sendResult, len(senders))
	var wg sync.WaitGroup
	for s, c := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = c.sendLoop(ctx, p, log, sch.start+int64(float64(s)*sch.global), sch.interval, sch.measureAt, sch.end)
		}()
	}
	return func() []sendResult {
		wg.Wait()
		return results
	}
}

// addSends counts what the senders sent, ending at sendEnd, for a room of
// n clients; the first sender's error, if any.
func (res *result) addSends(results []sendResult, n int, sendEnd, measureAt int64) error {
	for _, r := range results {
		res.Sent += r.sent
		res.MaxSendLagMS = max(res.MaxSendLagMS, ms(r.maxLag))
		if r.err != nil {
			return r.err
		}
	}
	res.Expected = res.Sent * int64(n-1)
	res.SentPerS = float64(res.Sent) / (float64(sendEnd-measureAt) / float64(time.Second))
	return nil
}

// drain waits, at most limit, for the deliveries still in flight: until
// the clients got expected.
func drain(ctx context.Context, clients []*loadClient, expected int64, limit time.Duration) {
	end := time.Now().Add(limit)
	for {
		var got int64
		for _, c := range clients {
			got += c.delivered.Load()
		}
		if got >= expected || time.Now().After(end) || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollEvery):
		}
	}
}

// serverAfter is the server process pid over a measured phase of measured
// seconds, from before (when measuring started) and cpuStart (when the
// phase did) to now.
func serverAfter(pid int, before, cpuStart procSample, sampler *rssSampler, measured float64) (*serverStats, error) {
	after, err := readProc(pid)
	if err != nil {
		return nil, err
	}
	peak, err := sampler.finish()
	if err != nil {
		return nil, err
	}
	cpu := after.CPU - cpuStart.CPU
	return &serverStats{
		PID: pid, RSSBeforeKiB: before.RSSKiB, RSSPeakKiB: max(peak, after.RSSKiB),
		AnonPeakKiB: max(sampler.anonPeak(), after.AnonKiB),
		RSSAfterKiB: after.RSSKiB, HWMKiB: after.HWMKiB, CPUS: cpu.Seconds(),
		CPUPct: 100 * cpu.Seconds() / measured,
	}, nil
}

// tally adds up what the clients, all closed, received.
func (res *result) tally(clients []*loadClient, measureAt int64, drained time.Duration) {
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
		res.Notes = append(res.Notes, fmt.Sprintf("%d deliveries missing after a %v drain", res.Expected-res.Delivered, drained))
	}
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
