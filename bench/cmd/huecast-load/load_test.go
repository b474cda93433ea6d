package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runTool runs the command line as main would and decodes its -json line.
func runTool(t *testing.T, args ...string) (*result, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(append(args, "-json"), &stdout, &stderr); err != nil {
		t.Fatalf("huecast-load %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var r result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("stdout is not one JSON line: %v\n%s", err, stdout.String())
	}
	t.Logf("huecast-load %s\n%s", strings.Join(args, " "), stderr.String())
	return &r, stderr.String()
}

// checkLoad asserts what any complete, lossless load run must show.
func checkLoad(t *testing.T, r *result, n int, rate float64, duration time.Duration) {
	t.Helper()
	want := rate * duration.Seconds()
	if float64(r.Sent) < want*0.9 || float64(r.Sent) > want*1.1 {
		t.Errorf("sent %d colours, want about %.0f", r.Sent, want)
	}
	if r.Expected != r.Sent*int64(n-1) {
		t.Errorf("expected %d deliveries, want sent × (n-1) = %d", r.Expected, r.Sent*int64(n-1))
	}
	if r.Delivered != r.Expected || r.ClientsLost != 0 || r.Unknown != 0 {
		t.Errorf("delivered %d of %d, %d clients lost, %d unknown colours; notes %q",
			r.Delivered, r.Expected, r.ClientsLost, r.Unknown, r.Notes)
	}
	if !(0 < r.MinMS && r.MinMS <= r.P50MS && r.P50MS <= r.P99MS && r.P99MS <= r.MaxMS) {
		t.Errorf("latencies out of order: min %v p50 %v p99 %v max %v", r.MinMS, r.P50MS, r.P99MS, r.MaxMS)
	}
	if r.DeliveredPerS <= 0 {
		t.Errorf("delivered/s = %v", r.DeliveredPerS)
	}
	if r.Server == nil || r.Server.RSSPeakKiB <= 0 || r.Server.HWMKiB < r.Server.RSSBeforeKiB || r.Server.CPUS < 0 {
		t.Errorf("server stats %+v", r.Server)
	}
}

func TestLoadAgainstStandInHub(t *testing.T) {
	hub := newStandInHub()
	addr := startStandInHub(t, hub)
	const n, rate, duration = 20, 200.0, 500 * time.Millisecond
	// The stand-in runs in this process, so this process is the server.
	r, _ := runTool(t, "-proto", "huecast", "-addr", addr, "-n", fmt.Sprint(n), "-senders", "2",
		"-rate", fmt.Sprint(rate), "-duration", duration.String(), "-warmup", "100ms", "-pid", fmt.Sprint(os.Getpid()))
	checkLoad(t, r, n, rate, duration)
	// huecast echoes to the sender: every colour, warm-up ones included,
	// came back once to the client that sent it, and was not counted.
	if r.Echoes < r.Sent {
		t.Errorf("echoes %d, want at least the %d measured colours", r.Echoes, r.Sent)
	}
	if r.Proto != "huecast" || r.N != n || r.Senders != 2 {
		t.Errorf("result describes %s n=%d senders=%d", r.Proto, r.N, r.Senders)
	}
}

func TestLoadReportsMissingDeliveries(t *testing.T) {
	hub := newStandInHub()
	// The last client (never the sender, client 0) misses every fifth colour.
	hub.lossyEvery, hub.lossyName = 5, "load4"
	addr := startStandInHub(t, hub)
	r, text := runTool(t, "-proto", "huecast", "-addr", addr, "-n", "5", "-rate", "100",
		"-duration", "500ms", "-warmup", "0s", "-drain", "300ms")
	missing := r.Expected - r.Delivered
	if missing < r.Sent/5-1 || missing > r.Sent/5+1 {
		t.Fatalf("%d of %d deliveries missing, want about a fifth of %d sent", missing, r.Expected, r.Sent)
	}
	if !strings.Contains(text, "deliveries missing") {
		t.Fatalf("text does not say deliveries are missing:\n%s", text)
	}
}

func TestIdleAgainstStandInHub(t *testing.T) {
	hub := newStandInHub()
	addr := startStandInHub(t, hub)
	var stdout, stderr bytes.Buffer
	err := run([]string{"-idle", "-proto", "huecast", "-addr", addr, "-n", "50", "-idle-hold", "100ms",
		"-pid", fmt.Sprint(os.Getpid()), "-json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var r result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Mode != "idle" || r.N != 50 || r.ClientsLost != 0 || r.IdleRSSBeforeKiB <= 0 || r.IdleRSSAfterKiB <= 0 || r.Server == nil {
		t.Fatalf("idle result %+v", r)
	}
	if want := float64(r.IdleRSSAfterKiB-r.IdleRSSBeforeKiB) * 1024 / 50; r.BytesPerConn != want {
		t.Fatalf("bytes per connection %v, want %v", r.BytesPerConn, want)
	}
	if !strings.Contains(stderr.String(), "per connection") {
		t.Fatalf("text lacks the per-connection figure:\n%s", stderr.String())
	}
	// The run is over and its clients have gone: the hub holds none.
	deadline := time.After(5 * time.Second)
	poll := time.NewTicker(10 * time.Millisecond) // polling with a bound
	defer poll.Stop()
	for hub.clients(t) != 0 {
		select {
		case <-deadline:
			t.Fatalf("hub still holds %d clients after the run", hub.clients(t))
		case <-poll.C:
		}
	}
}

func TestTCPFloor(t *testing.T) {
	r, text := runTool(t, "-tcp-floor", "-rate", "2000", "-duration", "200ms", "-warmup", "20ms")
	if r.Mode != "tcp-floor" || r.Delivered < 300 || r.Delivered > 500 {
		t.Fatalf("round trips %d, want about 400", r.Delivered)
	}
	if !(0 < r.MinMS && r.MinMS <= r.P50MS && r.P50MS <= r.P99MS && r.P99MS <= r.MaxMS) {
		t.Fatalf("round trips out of order: %+v", r)
	}
	if !strings.Contains(text, "round trip p50") {
		t.Fatalf("text:\n%s", text)
	}
}

func TestRefusesBadTargetsAndBounds(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"private address", []string{"-addr", "10.77.0.2:7788"}, "loopback"},
		{"host name", []string{"-addr", "example.com:80"}, "loopback"},
		{"unknown protocol", []string{"-addr", "127.0.0.1:1", "-proto", "mqtt"}, "unknown protocol"},
		{"too many clients", []string{"-addr", "127.0.0.1:1", "-n", "20001"}, "-n"},
		{"rate too high", []string{"-addr", "127.0.0.1:1", "-rate", "1e6"}, "-rate"},
		{"too many messages", []string{"-addr", "127.0.0.1:1", "-rate", "90000", "-duration", "9m"}, "exceeds"},
		{"duration unbounded", []string{"-addr", "127.0.0.1:1", "-duration", "1h"}, "-duration"},
		{"idle and floor", []string{"-idle", "-tcp-floor"}, "exclude"},
		{"stray argument", []string{"now"}, "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, &stdout, &stderr)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Fatalf("printed %q on a refused run", stdout.String())
			}
		})
	}
}

func TestJoinFailureSaysHowManyJoined(t *testing.T) {
	port, err := pickFreePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = run([]string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-n", "3", "-join-timeout", "2s"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "of 3 clients joined") {
		t.Fatalf("err = %v", err)
	}
}

// startSocketIO starts bench/socketio's server on a free loopback port and
// returns its address and PID, or skips when Node or its modules are absent.
func startSocketIO(t *testing.T) (string, int) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: skipping the Socket.IO comparison")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "socketio"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io")); err != nil {
		t.Skipf("%s/node_modules lacks socket.io (run npm ci there): skipping the Socket.IO comparison", dir)
	}
	cmd := exec.Command(node, "server.js", "0")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-waited
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			ready <- sc.Text()
		}
		close(ready)
		for sc.Scan() {
		}
		waited <- cmd.Wait()
	}()
	var line string
	select {
	case line = <-ready:
	case <-time.After(15 * time.Second):
		t.Fatal("socket.io server printed no ready line in 15 s")
	}
	var msg struct {
		Event string
		PID   int
		URL   string
	}
	if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.Event != "ready" || msg.PID != cmd.Process.Pid {
		t.Fatalf("ready line %q (pid %d): %v", line, cmd.Process.Pid, err)
	}
	return strings.TrimPrefix(msg.URL, "http://"), msg.PID
}

func TestLoadAgainstSocketIOServer(t *testing.T) {
	addr, pid := startSocketIO(t)
	const n, rate, duration = 20, 200.0, 500 * time.Millisecond
	r, _ := runTool(t, "-proto", "socketio", "-addr", addr, "-n", fmt.Sprint(n), "-senders", "2",
		"-rate", fmt.Sprint(rate), "-duration", duration.String(), "-warmup", "200ms", "-pid", fmt.Sprint(pid))
	checkLoad(t, r, n, rate, duration)
	// socket.broadcast.emit skips the sender: nothing came back to it.
	if r.Echoes != 0 {
		t.Errorf("socket.io echoed %d colours to their sender", r.Echoes)
	}
	if r.Server.PID != pid || r.Server.RSSPeakKiB < 10*1024 {
		t.Errorf("node's stats %+v: a Node process has more than 10 MiB resident", r.Server)
	}
}

func TestIdleAgainstSocketIOServer(t *testing.T) {
	addr, pid := startSocketIO(t)
	r, _ := runTool(t, "-idle", "-proto", "socketio", "-addr", addr, "-n", "200", "-idle-hold", "200ms", "-pid", fmt.Sprint(pid))
	if r.ClientsLost != 0 || r.IdleRSSAfterKiB <= r.IdleRSSBeforeKiB || r.BytesPerConn <= 0 {
		t.Fatalf("200 idle Socket.IO clients cost nothing? %+v", r)
	}
}
