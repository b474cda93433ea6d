package netns_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// The test binary doubles as the program run inside namespaces: with
// helperEnv set, TestMain runs the helper named by its first argument
// instead of the tests. A child process is the only way to be in another
// namespace in Go, where namespaces belong to threads.
const helperEnv = "NETNS_TEST_HELPER"

// childEnv makes TestCleanupAfterFailure act as the failing child it spawns.
const childEnv = "NETNS_TEST_CHILD"

const (
	waitFor     = 5 * time.Second        // any single expected event
	dialTimeout = 300 * time.Millisecond // a dial that must fail, fails by then
	testPort    = "7077"
	mdnsPort    = 5353
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(runHelper(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runHelper runs one helper mode and returns the exit status.
func runHelper(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "helper: no mode")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "tcp-echo":
		err = tcpEcho(ctx, args[1])
	case "tcp-dial":
		err = tcpDial(args[1], args[2])
	case "mcast-recv":
		err = mcastRecv(ctx, args[1], args[2])
	case "mcast-send":
		err = mcastSend(ctx, args[1], args[2], args[3])
	case "idle":
		fmt.Println("ready")
		select {
		case <-ctx.Done():
		case <-time.After(time.Minute): // bounded, in case nobody kills it
		}
	default:
		err = fmt.Errorf("unknown mode %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

// tcpEcho answers each connection's first line with "echo from <peer>: line"
// until SIGTERM, then prints "terminated".
func tcpEcho(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening", ln.Addr())
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				fmt.Println("terminated")
				return nil
			}
			return err
		}
		c.SetDeadline(time.Now().Add(waitFor))
		line, _ := bufio.NewReader(c).ReadString('\n')
		host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
		fmt.Fprintf(c, "echo from %s: %s", host, line)
		c.Close()
	}
}

// tcpDial sends msg to addr and prints the answer.
func tcpDial(addr, timeout string) error {
	d, err := time.ParseDuration(timeout)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp4", addr, d)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitFor))
	if _, err := fmt.Fprintln(c, "hello"); err != nil {
		return err
	}
	answer, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	fmt.Print(answer)
	return nil
}

// mcastRecv joins group on eth1 and prints "got <payload> from <ip>" for each
// datagram until SIGTERM, then "count N".
func mcastRecv(ctx context.Context, network, group string) error {
	ifi, err := net.InterfaceByName(netns.Iface)
	if err != nil {
		return err
	}
	gaddr := &net.UDPAddr{IP: net.ParseIP(group), Port: mdnsPort}
	c, err := net.ListenMulticastUDP(network, ifi, gaddr)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		c.Close()
	}()
	fmt.Println("ready")
	count := 0
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Println("count", count)
				return nil
			}
			return err
		}
		count++
		fmt.Printf("got %s from %s\n", buf[:n], from.IP)
	}
}

// mcastSend sends payload to group every 50 ms, 100 times at most, until
// SIGTERM. Repeating covers a receiver that joins a moment late; nothing is
// lost on a veth, so one usually suffices.
func mcastSend(ctx context.Context, network, group, payload string) error {
	dst := &net.UDPAddr{IP: net.ParseIP(group), Port: mdnsPort}
	if dst.IP.To4() == nil {
		dst.Zone = netns.Iface // IPv6 link-local multicast needs the interface
	}
	// No interface given: IPv4 must find its way by the 224.0.0.0/4 route.
	c, err := net.DialUDP(network, nil, dst)
	if err != nil {
		return err
	}
	defer c.Close()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range 100 {
		if _, err := c.Write([]byte(payload)); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// helperCmd returns a command running this test binary's helper mode in h.
func helperCmd(t *testing.T, ctx context.Context, h *netns.Host, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := h.Command(ctx, self, args...)
	cmd.Env = append(childEnviron(), helperEnv+"=1")
	return cmd
}

// childEnviron is the environment for copies of this test binary. Under -race
// a Go program sleeps a second before exiting, to catch late reports; the
// copies are short-lived, so they skip that.
func childEnviron() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// startHelper starts a helper in h and waits for its first line to contain ready.
func startHelper(t *testing.T, h *netns.Host, ready string, args ...string) *netns.Proc {
	t.Helper()
	p := netns.Start(t, helperCmd(t, context.Background(), h, args...))
	if _, err := p.WaitLine(waitFor, netns.Contains(ready)); err != nil {
		t.Fatal(err)
	}
	return p
}

// dial runs tcp-dial from h to addr and returns the answer, or an error with
// the helper's stderr.
func dial(t *testing.T, h *netns.Host, addr string, timeout time.Duration) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cmd := helperCmd(t, ctx, h, "tcp-dial", addr, timeout.String())
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return strings.TrimSpace(string(out)), err
}

// ipProgram finds ip like the harness does, for a PATH without sbin folders.
func ipProgram() string {
	if p, err := exec.LookPath("ip"); err == nil {
		return p
	}
	return "/usr/sbin/ip"
}

// namespaces lists the names "ip netns list" shows.
func namespaces(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command(ipProgram(), "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	var names []string
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

func allNames(nw *netns.Network) []string {
	names := []string{nw.Bridge}
	for _, h := range nw.Hosts {
		names = append(names, h.Name)
	}
	return names
}

func TestHostsAreSetUp(t *testing.T) {
	nw := netns.New(t, 3)
	if len(nw.Hosts) != 3 {
		t.Fatalf("got %d hosts, want 3", len(nw.Hosts))
	}
	_, subnet, err := net.ParseCIDR(nw.Subnet)
	if err != nil {
		t.Fatalf("Subnet %q: %v", nw.Subnet, err)
	}
	seen := map[string]bool{}
	for i, h := range nw.Hosts {
		if h.Iface != "eth1" {
			t.Errorf("host %d: Iface = %q, want eth1", i, h.Iface)
		}
		if ip := net.ParseIP(h.Addr); ip == nil || !subnet.Contains(ip) || !strings.HasPrefix(h.Addr, "10.77.") {
			t.Errorf("host %d: Addr %q not in %s", i, h.Addr, nw.Subnet)
		}
		if seen[h.Addr] || seen[h.Name] {
			t.Errorf("host %d: Addr %q or Name %q repeated", i, h.Addr, h.Name)
		}
		seen[h.Addr], seen[h.Name] = true, true
		if !slices.Contains(namespaces(t), h.Name) {
			t.Errorf("host %d: namespace %s not in ip netns list", i, h.Name)
		}

		out, err := h.IP("route", "get", "224.0.0.251")
		if err != nil || !strings.Contains(out, "dev eth1") {
			t.Errorf("host %d: multicast route: %q, %v; want dev eth1", i, out, err)
		}
		out, err = h.IP("-o", "link", "show")
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(out) {
			f := strings.Fields(line)
			name, flags := strings.TrimSuffix(strings.Split(f[1], "@")[0], ":"), f[2]
			switch name {
			case "lo":
				if !strings.Contains(flags, ",UP") {
					t.Errorf("host %d: lo not up: %s", i, flags)
				}
			case "eth1":
				if !strings.Contains(flags, "MULTICAST") || !strings.Contains(flags, "LOWER_UP") {
					t.Errorf("host %d: eth1 flags %s, want MULTICAST and LOWER_UP", i, flags)
				}
			default:
				t.Errorf("host %d: unexpected interface %s (only lo and eth1 belong here)", i, name)
			}
		}
		if h.Addr6 != "" {
			out, err := h.IP("-6", "addr", "show", "dev", "eth1")
			if err != nil || !strings.Contains(out, h.Addr6+"/64") || strings.Contains(out, "tentative") {
				t.Errorf("host %d: IPv6 %q, %v; want %s usable at once", i, out, err, h.Addr6)
			}
		}
	}
}

func TestHostsReachEachOtherOverTCP(t *testing.T) {
	nw := netns.New(t, 2)
	a, b := nw.Hosts[0], nw.Hosts[1]
	startHelper(t, a, "listening", "tcp-echo", net.JoinHostPort(a.Addr, testPort))

	got, err := dial(t, b, net.JoinHostPort(a.Addr, testPort), waitFor)
	if err != nil {
		t.Fatalf("dial from %s: %v", b.Name, err)
	}
	// The listener sees b's address: the packet crossed eth1 and the bridge.
	if want := "echo from " + b.Addr + ": hello"; got != want {
		t.Fatalf("answer %q, want %q", got, want)
	}
}

func TestMulticastStaysInsideItsNetwork(t *testing.T) {
	netns.Require(t)
	before, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	nwA := netns.New(t, 3)
	nwB := netns.New(t, 1) // a second, separate network
	after, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	// Nothing of the harness appears among this machine's own interfaces.
	if !slices.Equal(ifaceNames(before), ifaceNames(after)) {
		t.Fatalf("root namespace interfaces changed: %v -> %v", ifaceNames(before), ifaceNames(after))
	}

	sender := nwA.Hosts[0]
	for _, tc := range []struct {
		network, group, from string
	}{
		{"udp4", "224.0.0.251", sender.Addr},
		{"udp6", "ff02::fb", sender.Addr6},
	} {
		t.Run(tc.network, func(t *testing.T) {
			if tc.from == "" {
				t.Skip("kernel without IPv6")
			}
			payload := fmt.Sprintf("huecast-netns-%x", rand.Uint64())
			inA := []*netns.Proc{
				startHelper(t, nwA.Hosts[1], "ready", "mcast-recv", tc.network, tc.group),
				startHelper(t, nwA.Hosts[2], "ready", "mcast-recv", tc.network, tc.group),
			}
			inB := startHelper(t, nwB.Hosts[0], "ready", "mcast-recv", tc.network, tc.group)
			send := netns.Start(t, helperCmd(t, context.Background(), sender, "mcast-send", tc.network, tc.group, payload))

			want := fmt.Sprintf("got %s from %s", payload, tc.from)
			for _, p := range inA {
				if _, err := p.WaitLine(waitFor, netns.Contains(want)); err != nil {
					t.Fatal(err)
				}
			}
			if err := send.Term(); err != nil {
				t.Fatal(err)
			}
			if err := send.Wait(waitFor); err != nil {
				t.Fatalf("sender: %v", err)
			}
			// The other network's receiver was listening all along and got
			// nothing of what both receivers here got.
			if err := inB.Term(); err != nil {
				t.Fatal(err)
			}
			if _, err := inB.WaitLine(waitFor, netns.Contains("count")); err != nil {
				t.Fatal(err)
			}
			for _, line := range inB.Output() {
				if strings.Contains(line, payload) || strings.HasPrefix(line, "got ") {
					t.Fatalf("host of another network received %q", line)
				}
			}
		})
	}
}

func ifaceNames(ifs []net.Interface) []string {
	var names []string
	for _, ifi := range ifs {
		names = append(names, ifi.Name)
	}
	slices.Sort(names)
	return names
}

func TestTakingAHostOffTheNetwork(t *testing.T) {
	netns.Require(t)
	for _, tc := range []struct {
		name     string
		off, on  func(*netns.Host) error
		fromSelf string // how the host's own dials fail while off
	}{
		{"LinkDown", (*netns.Host).LinkDown, (*netns.Host).LinkUp, "network is unreachable"},
		{"Unplug", (*netns.Host).Unplug, (*netns.Host).Plug, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nw := netns.New(t, 2)
			a, b := nw.Hosts[0], nw.Hosts[1]
			startHelper(t, a, "listening", "tcp-echo", net.JoinHostPort(a.Addr, testPort))
			startHelper(t, b, "listening", "tcp-echo", net.JoinHostPort(b.Addr, testPort))
			toA, toB := net.JoinHostPort(a.Addr, testPort), net.JoinHostPort(b.Addr, testPort)
			if _, err := dial(t, b, toA, waitFor); err != nil {
				t.Fatalf("before: %v", err)
			}

			if err := tc.off(a); err != nil {
				t.Fatal(err)
			}
			// Its peers' packets vanish silently: no refusal, a timeout.
			if got, err := dial(t, b, toA, dialTimeout); err == nil || !strings.Contains(err.Error(), "timeout") {
				t.Fatalf("dial to host taken off: %q, %v; want a timeout", got, err)
			}
			if got, err := dial(t, a, toB, dialTimeout); err == nil || !strings.Contains(err.Error(), tc.fromSelf) {
				t.Fatalf("dial from host taken off: %q, %v; want %q", got, err, tc.fromSelf)
			}

			if err := tc.on(a); err != nil {
				t.Fatal(err)
			}
			if got, err := dial(t, b, toA, waitFor); err != nil || got != "echo from "+b.Addr+": hello" {
				t.Fatalf("after: %q, %v", got, err)
			}
			if got, err := dial(t, a, toB, waitFor); err != nil || got != "echo from "+a.Addr+": hello" {
				t.Fatalf("after, from the host: %q, %v", got, err)
			}
			// What the kernel drops on down is back, so mDNS works again.
			if out, err := a.IP("route", "get", "224.0.0.251"); err != nil || !strings.Contains(out, "dev eth1") {
				t.Errorf("multicast route after: %q, %v", out, err)
			}
			if a.Addr6 != "" {
				if out, err := a.IP("-6", "addr", "show", "dev", "eth1"); err != nil || !strings.Contains(out, a.Addr6) {
					t.Errorf("IPv6 address after: %q, %v", out, err)
				}
			}
		})
	}
}

func TestProcSignals(t *testing.T) {
	nw := netns.New(t, 1)
	h := nw.Hosts[0]
	for _, tc := range []struct {
		name   string
		signal func(*netns.Proc) error
		check  func(t *testing.T, p *netns.Proc, err error)
	}{
		{"Term quits cleanly", (*netns.Proc).Term, func(t *testing.T, p *netns.Proc, err error) {
			if err != nil {
				t.Fatalf("exit after SIGTERM: %v, want status 0", err)
			}
			if !slices.Contains(p.Output(), "terminated") {
				t.Fatalf("output %q lacks the clean-quit line", p.Output())
			}
		}},
		{"Kill kills", (*netns.Proc).Kill, func(t *testing.T, p *netns.Proc, err error) {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("exit after SIGKILL: %v, want an ExitError", err)
			}
			ws := ee.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("wait status %v, want killed by SIGKILL", ws)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startHelper(t, h, "listening", "tcp-echo", net.JoinHostPort(h.Addr, testPort))
			// ip netns exec execs in place: the PID is the helper's own.
			self, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			if exe, err := os.Readlink("/proc/" + strconv.Itoa(p.PID()) + "/exe"); err != nil || exe != self {
				t.Fatalf("pid %d runs %q (%v), want %s", p.PID(), exe, err, self)
			}
			if err := tc.signal(p); err != nil {
				t.Fatal(err)
			}
			err = p.Wait(waitFor)
			tc.check(t, p, err)
			select {
			case <-p.Done():
			default:
				t.Fatal("Done not closed after Wait returned")
			}
		})
	}
}

func TestWaitLine(t *testing.T) {
	nw := netns.New(t, 1)
	p := startHelper(t, nw.Hosts[0], "listening", "tcp-echo", net.JoinHostPort(nw.Hosts[0].Addr, testPort))
	start := time.Now()
	if line, err := p.WaitLine(100*time.Millisecond, netns.Contains("never printed")); err == nil {
		t.Fatalf("WaitLine matched %q, want a timeout", line)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("WaitLine took %v for a 100ms timeout", d)
	}
	if err := p.Term(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitLine(waitFor, netns.Contains("terminated")); err != nil {
		t.Fatal(err)
	}
	// The output ended: WaitLine says so rather than waiting out its timeout.
	start = time.Now()
	if _, err := p.WaitLine(waitFor, netns.Contains("never printed")); err == nil || !strings.Contains(err.Error(), "output ended") {
		t.Fatalf("WaitLine after exit: %v, want output ended", err)
	}
	if d := time.Since(start); d > waitFor/2 {
		t.Fatalf("WaitLine after exit took %v", d)
	}
	if _, ok := <-p.Lines(); ok {
		t.Fatal("Lines still open after the output ended")
	}
}

func TestCleanupRemovesEverything(t *testing.T) {
	netns.Require(t)
	var names []string
	var pid int
	t.Run("network", func(t *testing.T) {
		nw := netns.New(t, 3)
		names = allNames(nw)
		pid = startHelper(t, nw.Hosts[0], "ready", "idle").PID()
	})
	assertGone(t, names, pid)
}

// assertGone checks that no namespace in names exists and that pid is dead.
func assertGone(t *testing.T, names []string, pid int) {
	t.Helper()
	if len(names) == 0 || pid == 0 {
		t.Fatal("nothing was created")
	}
	left := namespaces(t)
	for _, name := range names {
		if slices.Contains(left, name) {
			t.Errorf("namespace %s left behind", name)
		}
	}
	// A killed process of ours is reaped at cleanup, so its PID is free.
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after cleanup (kill 0: %v)", pid, err)
	}
}

func TestCleanupAfterFailure(t *testing.T) {
	if mode := os.Getenv(childEnv); mode != "" {
		// The child: build, report, fail.
		nw := netns.New(t, 2)
		p := startHelper(t, nw.Hosts[1], "ready", "idle")
		fmt.Printf("NAMES %s\nPID %d\n", strings.Join(allNames(nw), " "), p.PID())
		switch mode {
		case "panic":
			panic("deliberate panic to test cleanup")
		case "fatal":
			t.Fatal("deliberate failure to test cleanup")
		}
		return
	}
	netns.Require(t) // else the child would skip, not fail
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"panic", "fatal"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, self, "-test.run=^TestCleanupAfterFailure$", "-test.count=1")
			cmd.Env = append(childEnviron(), childEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("child: %v, want it to fail\n%s", err, out)
			}
			var names []string
			var pid int
			for line := range strings.Lines(string(out)) {
				if v, ok := strings.CutPrefix(line, "NAMES "); ok {
					names = strings.Fields(v)
				}
				if v, ok := strings.CutPrefix(line, "PID "); ok {
					pid, _ = strconv.Atoi(strings.TrimSpace(v))
				}
			}
			if !strings.Contains(string(out), "deliberate") {
				t.Fatalf("child did not fail as asked:\n%s", out)
			}
			assertGone(t, names, pid)
		})
	}
}

func TestSweep(t *testing.T) {
	live := netns.New(t, 1)
	pidMax, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	dead, err := strconv.Atoi(strings.TrimSpace(string(pidMax)))
	if err != nil {
		t.Fatal(err)
	}
	dead++ // a PID no process can have
	tag := fmt.Sprintf("%04x", rand.IntN(1<<16))
	cases := []struct {
		name string
		gone bool
	}{
		{fmt.Sprintf("%s%d-12345-%s-br", netns.Prefix, dead, tag), true},   // creator gone
		{fmt.Sprintf("%s%d-1-%s-1", netns.Prefix, os.Getpid(), tag), true}, // PID reused since
		{fmt.Sprintf("%snoowner-%s", netns.Prefix, tag), false},            // newer than this process
		{fmt.Sprintf("x%s%d-12345-%s-1", netns.Prefix, dead, tag), false},  // not the harness's
	}
	for _, c := range cases {
		if out, err := exec.Command(ipProgram(), "netns", "add", c.name).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v: %s", c.name, err, out)
		}
		t.Cleanup(func() {
			if slices.Contains(namespaces(t), c.name) {
				exec.Command(ipProgram(), "netns", "del", c.name).Run()
			}
		})
	}

	gone, err := netns.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	left := namespaces(t)
	for _, c := range cases {
		if slices.Contains(gone, c.name) != c.gone || slices.Contains(left, c.name) == c.gone {
			t.Errorf("%s: swept %v, still listed %v; want swept %v", c.name,
				slices.Contains(gone, c.name), slices.Contains(left, c.name), c.gone)
		}
	}
	for _, name := range allNames(live) {
		if !slices.Contains(left, name) {
			t.Errorf("Sweep removed %s of a live network", name)
		}
	}
}
