package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// floorMsgSize is the size of one echoed message: about a colour frame.
const floorMsgSize = 40

// runTCPFloor measures the floor under any relay on this machine: a plain
// TCP round trip on loopback, client → echo server → client. That is the
// same path a colour takes (sender → hub → receiver) without WebSocket
// framing, JSON or fan-out. It paces messages at cfg.rate like the load so
// that each one, like a colour, wakes sleeping threads.
func runTCPFloor(ctx context.Context, cfg config) (*result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tcp floor: listen: %w", err)
	}
	defer ln.Close()
	echoDone := make(chan error, 1)
	go func() { echoDone <- echoOne(ln) }()

	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		return nil, fmt.Errorf("tcp floor: dial: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	var h histogram
	var sent int64
	var maxLag time.Duration
	msg := make([]byte, floorMsgSize)
	echo := make([]byte, floorMsgSize)
	interval := time.Duration(float64(time.Second) / cfg.rate)
	epoch := time.Now()
	start := 10 * time.Millisecond
	measureAt := start + cfg.warmup
	end := measureAt + cfg.duration
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := time.Duration(0); ; i++ {
		due := start + i*interval
		if due >= end {
			break
		}
		if now := time.Since(epoch); now < due {
			timer.Reset(due - now)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-timer.C:
			}
		}
		t0 := time.Since(epoch)
		maxLag = max(maxLag, t0-due)
		msg[0] = byte(i)
		if _, err := conn.Write(msg); err != nil {
			return nil, fmt.Errorf("tcp floor: write: %w", err)
		}
		if _, err := io.ReadFull(conn, echo); err != nil {
			return nil, fmt.Errorf("tcp floor: read: %w", err)
		}
		rtt := time.Since(epoch) - t0
		if echo[0] != msg[0] {
			return nil, errors.New("tcp floor: echo out of order")
		}
		if due >= measureAt {
			h.record(rtt)
			sent++
		}
	}
	conn.Close()
	if err := <-echoDone; err != nil {
		return nil, err
	}
	res := &result{Mode: "tcp-floor", Addr: ln.Addr().String(), N: 1, Rate: cfg.rate, DurationS: cfg.duration.Seconds(),
		Sent: sent, Expected: sent, Delivered: int64(h.count()), MaxSendLagMS: ms(maxLag)}
	res.SentPerS = float64(sent) / cfg.duration.Seconds()
	res.DeliveredPerS = res.SentPerS
	res.setLatency(&h)
	return res, nil
}

// echoOne accepts one connection and echoes it until the client closes.
func echoOne(ln net.Listener) error {
	c, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("tcp floor: accept: %w", err)
	}
	defer c.Close()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return nil // the client has gone
			}
		}
		if err != nil {
			return nil // EOF or reset: the client has gone
		}
	}
}
