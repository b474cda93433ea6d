package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"
)

func TestLoadAgainstTheFloorServer(t *testing.T) {
	// Listening before the server starts: the tool dials a port that answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveFloorOn(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("floor server: %v", err)
		}
	})
	const n, rate, duration = 20, 200.0, 500 * time.Millisecond
	r, _ := runTool(t, "-proto", "huecast", "-addr", addr, "-n", fmt.Sprint(n),
		"-rate", fmt.Sprint(rate), "-duration", duration.String(), "-warmup", "100ms", "-pid", fmt.Sprint(os.Getpid()))
	checkLoad(t, r, n, rate, duration)
	if r.Server.CPUPerDeliveryUS <= 0 || r.ToolCPUPerDeliveryUS <= 0 {
		t.Errorf("CPU per delivery: server %v µs, tool %v µs; want both measured", r.Server.CPUPerDeliveryUS, r.ToolCPUPerDeliveryUS)
	}
}
