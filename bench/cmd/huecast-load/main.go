// Command huecast-load measures how fast a colour relay fans colours out: N
// WebSocket clients join a server on loopback, one or more of them send
// distinct colours at a set rate, and every other client records how long
// each colour took to reach it.
//
// It speaks huecast's protocol (PROTOCOL.md) and Socket.IO v5 over Engine.IO
// v4's websocket transport, so the same generator drives huecast's hub and
// the Socket.IO reference in bench/socketio. Socket.IO's broadcast skips the
// sender and huecast echoes to it, so only deliveries to clients other than
// the sender are measured, for both.
//
// Usage:
//
//	huecast-load -proto huecast  -addr 127.0.0.1:7788 -n 100 -rate 100 -duration 5s -pid PID
//	huecast-load -proto socketio -addr 127.0.0.1:3000 -n 100 -rate 100 -duration 5s -pid PID
//	huecast-load -idle -proto huecast -addr 127.0.0.1:7788 -n 1000 -pid PID
//	huecast-load -tcp-floor -rate 100 -duration 5s
//	huecast-load -floor-server 127.0.0.1:7789
//	huecast-load -free-port
//
// Human-readable figures go to stdout, or to stderr when -json or -md asks
// for a machine-readable line on stdout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "huecast-load:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("huecast-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{mode: "load"}
	idle := fs.Bool("idle", false, "connect -n idle clients and report the server's RSS before and after (needs -pid)")
	floor := fs.Bool("tcp-floor", false, "measure a plain TCP round trip on loopback with the tool's own echo listener")
	freePort := fs.Bool("free-port", false, "print a free TCP port on 127.0.0.1 and exit")
	floorServer := fs.String("floor-server", "", "serve the fan-out floor on `ADDR` until interrupted: huecast's protocol with one write(2) per recipient per colour")
	asJSON := fs.Bool("json", false, "print one JSON line on stdout (text goes to stderr)")
	md := fs.String("md", "", "print one Markdown table row on stdout, first cell `LABEL` (text goes to stderr)")
	mdHeader := fs.String("md-header", "", "print the Markdown table header for `MODE` (load, idle or tcp-floor) and exit")
	fs.StringVar(&cfg.proto, "proto", "huecast", "server protocol: huecast or socketio")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:7788", "server address host:port (loopback only)")
	fs.StringVar(&cfg.room, "room", "lobby", "huecast room to join")
	fs.IntVar(&cfg.n, "n", 100, "clients, senders included")
	fs.IntVar(&cfg.senders, "senders", 1, "clients that send colours, sharing -rate")
	fs.Float64Var(&cfg.rate, "rate", 100, "colours per second, all senders together")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "measured sending time")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "sending time before measuring (not counted)")
	fs.DurationVar(&cfg.drain, "drain", 3*time.Second, "longest wait for colours in flight after sending stops")
	fs.DurationVar(&cfg.settle, "settle", 30*time.Second, "longest wait for the server to fall quiet after all clients joined")
	fs.DurationVar(&cfg.joinWait, "join-timeout", 10*time.Second, "longest dial and handshake for one client")
	fs.IntVar(&cfg.dialers, "dialers", 32, "clients joining at once")
	fs.DurationVar(&cfg.idleHold, "idle-hold", 2*time.Second, "idle mode: how long idle clients stay before RSS is read")
	fs.IntVar(&cfg.pid, "pid", 0, "the server's PID, for RSS and CPU from /proc")
	cpuProfile := fs.String("cpuprofile", "", "write the load tool's own CPU profile to `FILE`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if *mdHeader != "" {
		fmt.Fprintln(stdout, markdownHeader(*mdHeader))
		return nil
	}
	if *floorServer != "" {
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer cancel()
		return serveFloor(ctx, *floorServer)
	}
	if *freePort {
		port, err := pickFreePort()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, port)
		return nil
	}
	switch {
	case *idle && *floor:
		return usageError{errors.New("-idle and -tcp-floor exclude each other")}
	case *idle:
		cfg.mode = "idle"
	case *floor:
		cfg.mode = "tcp-floor"
	}
	if err := cfg.validate(); err != nil {
		return usageError{err}
	}

	res, err := measure(cfg, *cpuProfile)
	if err != nil {
		return err
	}
	return report(stdout, stderr, res, *asJSON, *md)
}

// measure runs the measurement cfg asks for, bounded by its hard deadline
// and ended early by a signal, profiling the tool's own CPU to cpuProfile
// if named.
func measure(cfg config, cpuProfile string) (*result, error) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctx, cancelRun := context.WithTimeout(ctx, cfg.hardDeadline())
	defer cancelRun()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	switch cfg.mode {
	case "idle":
		return runIdle(ctx, cfg)
	case "tcp-floor":
		return runTCPFloor(ctx, cfg)
	default:
		return runLoad(ctx, cfg)
	}
}

// report writes res as text, and as one JSON line (asJSON) or one Markdown
// row labelled md on stdout, the text then going to stderr.
func report(stdout, stderr io.Writer, res *result, asJSON bool, md string) error {
	text := stdout
	if asJSON || md != "" {
		text = stderr
	}
	writeText(text, res)
	if asJSON {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if md != "" {
		fmt.Fprintln(stdout, markdownRow(md, res))
	}
	return nil
}

func pickFreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// writeText prints a result for a person.
func writeText(w io.Writer, r *result) {
	switch r.Mode {
	case "tcp-floor":
		fmt.Fprintf(w, "tcp floor: %d round trips on %s at %.0f/s (max send lag %.3f ms)\n", r.Delivered, r.Addr, r.Rate, r.MaxSendLagMS)
		fmt.Fprintf(w, "  round trip p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", r.P50MS, r.P90MS, r.P99MS, r.MaxMS)
	case "idle":
		fmt.Fprintf(w, "idle: %d %s clients on %s\n", r.N, r.Proto, r.Addr)
		if r.Server != nil {
			fmt.Fprintf(w, "  server pid %d: RSS %.1f MiB before, %.1f MiB with them (peak %.1f MiB): %.0f bytes (%.2f KiB) per connection\n",
				r.Server.PID, mib(r.IdleRSSBeforeKiB), mib(r.IdleRSSAfterKiB), mib(r.Server.RSSPeakKiB), r.BytesPerConn, r.BytesPerConn/1024)
			fmt.Fprintf(w, "  of it the process's own memory (RssAnon, no shared file pages): %.0f bytes (%.2f KiB) per connection\n",
				r.AnonBytesPerConn, r.AnonBytesPerConn/1024)
		}
		if r.ClientsLost > 0 {
			fmt.Fprintf(w, "  %d clients lost\n", r.ClientsLost)
		}
	default:
		pct := 0.0
		if r.Expected > 0 {
			pct = 100 * float64(r.Delivered) / float64(r.Expected)
		}
		fmt.Fprintf(w, "load: %s on %s, N=%d, %d sender(s), %.0f colours/s for %gs\n", r.Proto, r.Addr, r.N, r.Senders, r.Rate, r.DurationS)
		fmt.Fprintf(w, "  sent %d (%.1f/s, max send lag %.3f ms); deliveries to others expected %d, delivered %d (%.2f%%), %.0f/s\n",
			r.Sent, r.SentPerS, r.MaxSendLagMS, r.Expected, r.Delivered, pct, r.DeliveredPerS)
		fmt.Fprintf(w, "  latency p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", r.P50MS, r.P90MS, r.P99MS, r.MaxMS)
		if r.Echoes > 0 || r.Unknown > 0 || r.ClientsLost > 0 {
			fmt.Fprintf(w, "  echoes to sender %d (not counted), unknown colours %d, clients lost %d\n", r.Echoes, r.Unknown, r.ClientsLost)
		}
		if s := r.Server; s != nil {
			fmt.Fprintf(w, "  server pid %d: RSS %.1f MiB before, peak %.1f MiB during (VmHWM %.1f MiB; peak RssAnon %.1f MiB); CPU %.2f s (%.1f%% of a core), %.2f µs per delivery\n",
				s.PID, mib(s.RSSBeforeKiB), mib(s.RSSPeakKiB), mib(s.HWMKiB), mib(s.AnonPeakKiB), s.CPUS, s.CPUPct, s.CPUPerDeliveryUS)
		}
		fmt.Fprintf(w, "  load tool CPU %.2f s (%.1f%% of a core), %.2f µs per delivery\n", r.ToolCPUS, r.ToolCPUPct, r.ToolCPUPerDeliveryUS)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// markdownRow formats a result as one row of the tables run.sh prints
// (their headers are markdownHeader's); every row ends with "|" so that
// run.sh can append the exact command as a last cell.
func markdownRow(label string, r *result) string {
	var cells []string
	switch r.Mode {
	case "tcp-floor":
		cells = []string{label, fmt.Sprintf("%.0f", r.Rate), fmt.Sprint(r.Delivered),
			fmt.Sprintf("%.3f", r.P50MS), fmt.Sprintf("%.3f", r.P99MS), fmt.Sprintf("%.3f", r.MaxMS)}
	case "idle":
		cells = []string{label, fmt.Sprint(r.N), fmt.Sprintf("%.1f", mib(r.IdleRSSBeforeKiB)),
			fmt.Sprintf("%.1f", mib(r.IdleRSSAfterKiB)), fmt.Sprintf("%.2f", r.BytesPerConn/1024), fmt.Sprint(r.ClientsLost)}
	default:
		rss, cpu, perDelivery := "–", "–", "–"
		if s := r.Server; s != nil {
			rss = fmt.Sprintf("%.1f", mib(s.RSSPeakKiB))
			cpu = fmt.Sprintf("%.2f", s.CPUS)
			perDelivery = fmt.Sprintf("%.2f", s.CPUPerDeliveryUS)
		}
		cells = []string{label, fmt.Sprint(r.N), fmt.Sprintf("%.0f", r.Rate), fmt.Sprint(r.Sent),
			fmt.Sprint(r.Expected), fmt.Sprint(r.Delivered),
			fmt.Sprintf("%.3f", r.P50MS), fmt.Sprintf("%.3f", r.P99MS), fmt.Sprintf("%.3f", r.MaxMS),
			fmt.Sprintf("%.0f", r.DeliveredPerS), rss, cpu, perDelivery, fmt.Sprintf("%.2f", r.ToolCPUPerDeliveryUS)}
	}
	return "| " + strings.Join(cells, " | ") + " |"
}

// markdownHeader returns the header lines of the table whose rows
// markdownRow makes for mode, with a last column for the command.
func markdownHeader(mode string) string {
	var cols []string
	switch mode {
	case "tcp-floor":
		cols = []string{"floor", "rate/s", "round trips", "p50 ms", "p99 ms", "max ms"}
	case "idle":
		cols = []string{"server", "idle N", "RSS before MiB", "RSS after MiB", "KiB per conn", "lost"}
	default:
		cols = []string{"server", "N", "rate/s", "sent", "expected", "delivered", "p50 ms", "p99 ms", "max ms",
			"delivered/s", "peak RSS MiB", "CPU s", "CPU µs/delivery", "load tool µs/delivery"}
	}
	cols = append(cols, "command")
	return "| " + strings.Join(cols, " | ") + " |\n|" + strings.Repeat(" --- |", len(cols))
}
