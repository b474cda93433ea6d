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
	port, err := pickFreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveFloor(ctx, addr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("floor server: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("floor server did not listen: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // polling a listener with a bound
	}
	const n, rate, duration = 20, 200.0, 500 * time.Millisecond
	r, _ := runTool(t, "-proto", "huecast", "-addr", addr, "-n", fmt.Sprint(n),
		"-rate", fmt.Sprint(rate), "-duration", duration.String(), "-warmup", "100ms", "-pid", fmt.Sprint(os.Getpid()))
	checkLoad(t, r, n, rate, duration)
	if r.Server.CPUPerDeliveryUS <= 0 || r.ToolCPUPerDeliveryUS <= 0 {
		t.Errorf("CPU per delivery: server %v µs, tool %v µs; want both measured", r.Server.CPUPerDeliveryUS, r.ToolCPUPerDeliveryUS)
	}
}
