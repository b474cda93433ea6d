// Package netns builds private test networks out of Linux network namespaces,
// so that tests which advertise, browse or multicast (mDNS) never touch this
// machine's real interfaces.
//
// A Network is one bridge living in a namespace of its own plus N host
// namespaces, each joined to the bridge by a veth pair. Inside a host the
// interface is called eth1 (never eth0, so nothing can be mistaken for the
// machine's own), carries 10.77.X.(10+i)/24 with X random per network, has
// multicast on and a route sending 224.0.0.0/4 out of it. Every veth is created
// directly inside its namespace: not even for a moment does an interface of the
// harness exist in the root namespace.
//
// New registers a cleanup that kills nothing but deletes every namespace it
// made, even when the test fails or panics; processes started with Start are
// killed by their own cleanup, which runs first. Sweep removes namespaces left
// by harness processes that died without cleaning up (a test binary killed on
// timeout, say).
//
// Everything is done by running the ip program from iproute2; nothing here
// calls setns, because in Go a namespace belongs to an OS thread, not to a
// goroutine. Programs run inside a host through "ip netns exec", which execs
// the program in place, so the PID of the returned command is the program's.
//
// A test uses it like this:
//
//	nw := netns.New(t, 3)
//	cmd := nw.Hosts[0].Command(ctx, bin, "--headless", "--room", "lobby")
//	cmd.Env = append(os.Environ(), "HUECAST_DEBUG=1")
//	p := netns.Start(t, cmd)
//	line, err := p.WaitLine(3*time.Second, netns.Contains(`"event":"hosting"`))
//	...
//	err = p.Kill()                 // or p.Term() for a clean quit
//	err = nw.Hosts[1].LinkDown()   // the machine drops off the network
//
// The package needs root. New skips the test with a message when it cannot
// work (not root, no ip, namespaces refused), unless the environment sets
// HUECAST_E2E_REQUIRED=1, in which case it fails the test instead.
package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// Prefix starts the name of every namespace this package creates; Sweep
	// only ever considers names with it. Names are Prefix followed by
	// "<pid>-<start ticks>-<rand>-" and "br" for the bridge or the host's
	// number, e.g. "hc-4121-102752-9f3a-2".
	Prefix = "hc-"

	// EnvRequired, set to "1", turns the skip on an unsuitable machine into a
	// failure; CI sets it so that e2e tests cannot silently stop running.
	EnvRequired = "HUECAST_E2E_REQUIRED"

	// Iface is the name of each host's interface on the test network.
	Iface = "eth1"

	bridgeName = "br0"
	maxHosts   = 200 // host i gets .10+i, which must stay below .255

	// ipTimeout bounds one run of ip; a healthy one takes milliseconds.
	ipTimeout = 10 * time.Second
	// readyTimeout bounds the wait for bridge ports to forward after up. With
	// STP off the kernel forwards at once; only link state events lag a bit.
	readyTimeout = 5 * time.Second
	readyPoll    = 10 * time.Millisecond
)

// netnsDir is where "ip netns add" bind-mounts named namespaces.
const netnsDir = "/var/run/netns"

// Network is a private test network: a bridge in its own namespace and the
// hosts attached to it. Create it with New; its cleanup deletes it.
type Network struct {
	// Bridge is the name of the namespace that holds the bridge br0.
	Bridge string
	// Subnet is the network's IPv4 prefix, e.g. "10.77.42.0/24".
	Subnet string
	// Hosts are the network's hosts, Hosts[i] being host number i+1.
	Hosts []*Host

	ipv6 bool // whether hosts get an IPv6 link-local address
}

// Host is one network namespace attached to a Network's bridge.
type Host struct {
	// Name is the namespace's name, for "ip netns exec" and "ip -n".
	Name string
	// Addr is the host's IPv4 address on the test network, e.g. "10.77.42.11".
	Addr string
	// Addr6 is the host's IPv6 link-local address without zone, e.g.
	// "fe80::77:2a:b", or "" when the kernel has no IPv6. It is added without
	// duplicate address detection so that it is usable at once.
	Addr6 string
	// Iface is the host's interface on the test network: always "eth1".
	Iface string

	port string // the veth end inside the bridge namespace
	net  *Network
}

var (
	availOnce sync.Once
	availErr  error
	ipPath    string

	sweepOnce sync.Once
)

// Available reports why this machine cannot build test networks, or nil when
// it can. It checks once per process: root, an ip program, and that a
// namespace can really be created and deleted.
func Available() error {
	availOnce.Do(func() { availErr = probe() })
	return availErr
}

func probe() error {
	if os.Geteuid() != 0 {
		return errors.New("netns: needs root to create network namespaces")
	}
	p, err := exec.LookPath("ip")
	if err != nil {
		// CI may run with a PATH that lacks the sbin folders.
		for _, c := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"} {
			if _, serr := os.Stat(c); serr == nil {
				p, err = c, nil
				break
			}
		}
	}
	if err != nil {
		return errors.New("netns: the ip program (iproute2) is not installed")
	}
	ipPath = p
	own, err := owner()
	if err != nil {
		return err
	}
	name := Prefix + own + "-probe"
	if _, err := runIP("", "netns", "add", name); err != nil {
		return fmt.Errorf("netns: cannot create a network namespace: %w", err)
	}
	if _, err := runIP("", "netns", "del", name); err != nil {
		return fmt.Errorf("netns: cannot delete probe namespace %s: %w", name, err)
	}
	return nil
}

// Require skips t with a message when Available reports that this machine
// cannot build test networks, or fails t instead when the environment sets
// HUECAST_E2E_REQUIRED=1. New calls it; tests that need namespaces before
// calling New (one that spawns a child test binary, say) call it themselves.
func Require(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv(EnvRequired) == "1" {
			t.Fatalf("%v (%s=1, so this is a failure, not a skip)", err, EnvRequired)
		}
		t.Skipf("skipping: %v; run as root with iproute2 installed", err)
	}
}

// New creates a network of n hosts and registers a cleanup on t that deletes
// it. It skips t (or fails it when HUECAST_E2E_REQUIRED=1) if the machine
// cannot build namespaces, and fails t if building goes wrong. The first New
// in a process also runs Sweep.
func New(t testing.TB, n int) *Network {
	t.Helper()
	Require(t)
	if n < 1 || n > maxHosts {
		t.Fatalf("netns: New(%d): want between 1 and %d hosts", n, maxHosts)
	}
	sweepOnce.Do(func() {
		if gone, err := Sweep(); err != nil {
			t.Logf("netns: sweeping leftovers: %v", err)
		} else if len(gone) > 0 {
			t.Logf("netns: swept leftover namespaces %v", gone)
		}
		if err := roomForNeighbours(); err != nil {
			t.Logf("netns: %v", err)
		}
	})

	_, err := os.Stat("/proc/sys/net/ipv6")
	nw := &Network{ipv6: err == nil}
	own, err := owner()
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("%s%s-%04x", Prefix, own, rand.IntN(1<<16))
	octet := 1 + rand.IntN(250) // 10.77.X.0/24 with X in 1..250
	nw.Bridge = id + "-br"
	nw.Subnet = fmt.Sprintf("10.77.%d.0/24", octet)
	for i := 1; i <= n; i++ {
		h := &Host{
			Name:  fmt.Sprintf("%s-%d", id, i),
			Addr:  fmt.Sprintf("10.77.%d.%d", octet, 10+i),
			Iface: Iface,
			port:  fmt.Sprintf("p%d", i),
			net:   nw,
		}
		if nw.ipv6 {
			h.Addr6 = fmt.Sprintf("fe80::77:%x:%x", octet, 10+i)
		}
		nw.Hosts = append(nw.Hosts, h)
	}
	// Registered before anything exists, so that a half-built network is
	// deleted too.
	t.Cleanup(func() {
		if err := nw.destroy(); err != nil {
			t.Errorf("netns: cleanup: %v", err)
		}
	})
	if err := nw.build(); err != nil {
		t.Fatalf("netns: building network of %d hosts: %v", n, err)
	}
	return nw
}

// build creates the namespaces, the bridge and the veth pairs, then waits
// until every bridge port forwards.
func (nw *Network) build() error {
	// Root namespace: only namespace files and veth pairs created straight
	// into their target namespaces.
	var b strings.Builder
	fmt.Fprintf(&b, "netns add %s\n", nw.Bridge)
	for _, h := range nw.Hosts {
		fmt.Fprintf(&b, "netns add %s\n", h.Name)
	}
	for _, h := range nw.Hosts {
		fmt.Fprintf(&b, "link add %s netns %s type veth peer name %s netns %s\n",
			h.port, nw.Bridge, h.Iface, h.Name)
	}
	if _, err := runIP(b.String(), "-batch", "-"); err != nil {
		return err
	}

	// Bridge namespace. Snooping off so that multicast floods to every port
	// without needing an IGMP querier; STP off so ports forward at once.
	b.Reset()
	b.WriteString("link set lo up\n")
	fmt.Fprintf(&b, "link add %s type bridge stp_state 0 forward_delay 0 mcast_snooping 0\n", bridgeName)
	nw.quietIPv6(&b, bridgeName)
	fmt.Fprintf(&b, "link set %s up\n", bridgeName)
	for _, h := range nw.Hosts {
		nw.quietIPv6(&b, h.port)
		fmt.Fprintf(&b, "link set %s master %s\n", h.port, bridgeName)
		fmt.Fprintf(&b, "link set %s up\n", h.port)
	}
	if _, err := runIP(b.String(), "-n", nw.Bridge, "-batch", "-"); err != nil {
		return err
	}

	for _, h := range nw.Hosts {
		b.Reset()
		b.WriteString("link set lo up\n")
		nw.quietIPv6(&b, h.Iface)
		fmt.Fprintf(&b, "link set %s multicast on\n", h.Iface)
		fmt.Fprintf(&b, "addr add %s/24 dev %s\n", h.Addr, h.Iface)
		fmt.Fprintf(&b, "link set %s up\n", h.Iface)
		h.upRoutes(&b)
		if _, err := runIP(b.String(), "-n", h.Name, "-batch", "-"); err != nil {
			return err
		}
	}
	return nw.waitPorts(nil)
}

// quietIPv6 stops the kernel from making an autoconfigured link-local address
// on dev, which would sit in duplicate address detection for a second or so.
func (nw *Network) quietIPv6(b *strings.Builder, dev string) {
	if nw.ipv6 {
		fmt.Fprintf(b, "link set %s addrgenmode none\n", dev)
	}
}

// upRoutes adds what the kernel drops when the interface goes down: the IPv6
// address and the multicast route. The IPv4 address and its subnet route
// survive a down and come back by themselves.
func (h *Host) upRoutes(b *strings.Builder) {
	if h.Addr6 != "" {
		fmt.Fprintf(b, "addr replace %s/64 dev %s nodad\n", h.Addr6, h.Iface)
	}
	fmt.Fprintf(b, "route replace 224.0.0.0/4 dev %s\n", h.Iface)
}

// waitPorts polls, within readyTimeout, until the bridge ports of all hosts
// (or only of those given) are up and forwarding. A port is only up when the
// host's end is up too, so this covers both ends of each veth.
func (nw *Network) waitPorts(only []*Host) error {
	want := map[string]bool{}
	hosts := only
	if hosts == nil {
		hosts = nw.Hosts
	}
	for _, h := range hosts {
		want[h.port] = true
	}
	deadline := time.Now().Add(readyTimeout)
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	for {
		out, err := runIP("", "-n", nw.Bridge, "-d", "-j", "link", "show", "master", bridgeName)
		if err != nil {
			return err
		}
		var links []struct {
			Name      string `json:"ifname"`
			Operstate string `json:"operstate"`
			Linkinfo  struct {
				Slave struct {
					State string `json:"state"`
				} `json:"info_slave_data"`
			} `json:"linkinfo"`
		}
		if err := json.Unmarshal([]byte(out), &links); err != nil {
			return fmt.Errorf("reading bridge ports: %w", err)
		}
		var notReady []string
		seen := map[string]bool{}
		for _, l := range links {
			if !want[l.Name] {
				continue
			}
			seen[l.Name] = true
			if l.Operstate != "UP" || l.Linkinfo.Slave.State != "forwarding" {
				notReady = append(notReady, fmt.Sprintf("%s %s/%s", l.Name, l.Operstate, l.Linkinfo.Slave.State))
			}
		}
		for p := range want {
			if !seen[p] {
				notReady = append(notReady, p+" missing")
			}
		}
		if len(notReady) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bridge ports not forwarding after %v: %s", readyTimeout, strings.Join(notReady, ", "))
		}
		<-tick.C
	}
}

// destroy deletes every namespace of the network that exists. Deleting the
// bridge namespace also destroys the veth pairs.
func (nw *Network) destroy() error {
	names := []string{}
	for _, h := range nw.Hosts {
		names = append(names, h.Name)
	}
	names = append(names, nw.Bridge)
	var errs []error
	for _, name := range names {
		if _, err := os.Stat(netnsDir + "/" + name); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if _, err := runIP("", "netns", "del", name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Command returns a command that runs name with args inside the host's
// namespace, through "ip netns exec". Since ip execs the program in place,
// cmd.Process.Pid is the program's PID once started. The program gets SIGKILL
// if the test process dies, so that it cannot outlive a killed test run.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, ipPath, append([]string{"netns", "exec", h.Name, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// IP runs "ip -n <host> args..." and returns its standard output, e.g.
// h.IP("-j", "addr", "show", "dev", "eth1").
func (h *Host) IP(args ...string) (string, error) {
	return runIP("", append([]string{"-n", h.Name}, args...)...)
}

// AddDockerAndVPN gives the host what a laptop with Docker and a VPN has
// beside its LAN interface: a bridge docker0 on 172.17.0.1/16 and a tunnel
// tun0 on 10.8.0.2/24, both up. Neither leads anywhere.
func (h *Host) AddDockerAndVPN() error {
	for _, args := range [][]string{
		{"link", "add", "docker0", "type", "bridge"},
		{"addr", "add", "172.17.0.1/16", "dev", "docker0"},
		{"link", "set", "docker0", "up"},
		{"tuntap", "add", "dev", "tun0", "mode", "tun"},
		{"addr", "add", "10.8.0.2/24", "dev", "tun0"},
		{"link", "set", "tun0", "up"},
	} {
		if _, err := h.IP(args...); err != nil {
			return fmt.Errorf("netns: virtual interfaces in %s: %w", h.Name, err)
		}
	}
	return nil
}

// LinkDown takes the host off the network as if its network card were
// switched off: eth1 goes administratively down inside the host, the host's
// own sends fail at once (no route), and its peers' packets to it are dropped
// without any reset, so they notice only by timeouts.
func (h *Host) LinkDown() error {
	if _, err := h.IP("link", "set", h.Iface, "down"); err != nil {
		return fmt.Errorf("netns: link down %s: %w", h.Name, err)
	}
	return nil
}

// LinkUp undoes LinkDown, restoring the routes the kernel dropped, and returns
// once the host's bridge port forwards again.
func (h *Host) LinkUp() error {
	var b strings.Builder
	fmt.Fprintf(&b, "link set %s up\n", h.Iface)
	h.upRoutes(&b)
	if _, err := runIP(b.String(), "-n", h.Name, "-batch", "-"); err != nil {
		return fmt.Errorf("netns: link up %s: %w", h.Name, err)
	}
	return h.net.waitPorts([]*Host{h})
}

// Unplug takes the host off the network as if its cable were pulled at the
// switch: its bridge port goes down, eth1 loses carrier but keeps its
// addresses and routes, so the host's sends vanish silently just as its
// peers' do.
func (h *Host) Unplug() error {
	if _, err := runIP("", "-n", h.net.Bridge, "link", "set", h.port, "down"); err != nil {
		return fmt.Errorf("netns: unplug %s: %w", h.Name, err)
	}
	return nil
}

// Plug undoes Unplug and returns once the host's bridge port forwards again.
func (h *Host) Plug() error {
	if _, err := runIP("", "-n", h.net.Bridge, "link", "set", h.port, "up"); err != nil {
		return fmt.Errorf("netns: plug %s: %w", h.Name, err)
	}
	return h.net.waitPorts([]*Host{h})
}

// runIP runs the ip program with args, feeding it stdin when not empty, and
// returns its standard output. Errors carry ip's standard error.
func runIP(stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ipPath, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Sweep deletes namespaces left behind by harness processes that are gone,
// and returns their names. Each name carries its creator's PID and start time
// (in clock ticks since boot, as /proc shows them), so a namespace is left
// behind exactly when no process with that PID and start time runs any more;
// a name with the prefix but not that form counts as left behind when it is
// older than this process. Namespaces of live harness processes, such as
// other test binaries running in parallel, are kept. Processes still running
// inside a swept namespace are not killed; the namespace lives on, unnamed,
// until they exit.
func Sweep() ([]string, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netns: sweep: %w", err)
	}
	var gone []string
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, Prefix) {
			continue
		}
		fi, err := os.Stat(netnsDir + "/" + name)
		if err != nil {
			continue // deleted meanwhile
		}
		if !stale(name, fi.ModTime()) {
			continue
		}
		if _, err := runIP("", "netns", "del", name); err != nil {
			errs = append(errs, err)
			continue
		}
		gone = append(gone, name)
	}
	return gone, errors.Join(errs...)
}

// processStart is roughly when this process started; only names without an
// owner need it.
var processStart = time.Now()

// stale says whether the namespace name, made at created, was left behind.
func stale(name string, created time.Time) bool {
	parts := strings.SplitN(strings.TrimPrefix(name, Prefix), "-", 3)
	if len(parts) == 3 {
		pid, perr := strconv.Atoi(parts[0])
		ticks, terr := strconv.ParseUint(parts[1], 10, 64)
		if perr == nil && terr == nil && pid > 0 {
			now, err := startTicks(pid)
			return err != nil || now != ticks
		}
	}
	return created.Before(processStart)
}

// owner returns the "<pid>-<start ticks>" that names of this process carry.
func owner() (string, error) {
	pid := os.Getpid()
	ticks, err := startTicks(pid)
	if err != nil {
		return "", fmt.Errorf("netns: %w", err)
	}
	return fmt.Sprintf("%d-%d", pid, ticks), nil
}

// startTicks returns when process pid started, in clock ticks after boot,
// from /proc. The pair (pid, start) names a process for the whole uptime.
func startTicks(pid int) (uint64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces; fields follow the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("odd /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(stat[i+1:]))
	// starttime is field 22 of the file; fields here start at field 3.
	if len(fields) < 20 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ticks, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat starttime: %w", pid, err)
	}
	return ticks, nil
}
