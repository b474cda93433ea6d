package netns

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// maxLine bounds one line of a process's standard output; JSON events
	// are far shorter.
	maxLine = 1 << 20
	// reapTimeout bounds the wait for a killed process to be reaped at
	// cleanup; SIGKILL takes effect at once, so this only guards against a
	// stuck kernel.
	reapTimeout = 10 * time.Second
	// pipeDrain bounds how long Wait keeps copying standard error after the
	// process exited, should a child of it still hold the pipe.
	pipeDrain = time.Second
	// tailLines is how many recent lines an error message quotes.
	tailLines = 10
)

// Proc is a running process whose standard output is read line by line, for
// programs that print JSON events. Create it with Start or Host.Start.
//
// Lines are delivered once, in order, either through Lines or through
// WaitLine; reading is never blocked by a test that does not consume them.
// All lines, consumed or not, are kept for Output, and are logged together
// with standard error if the test has failed by cleanup.
type Proc struct {
	// Cmd is the started command. Do not call its Wait; use Wait or Done.
	Cmd *exec.Cmd

	lines chan string   // delivery, closed after the last line or at stop
	done  chan struct{} // closed once the process has been reaped
	stop  chan struct{} // closed at cleanup, ends the reading goroutines
	wait  error         // Cmd.Wait's result; read only after done is closed

	mu     sync.Mutex // guards output and stderr
	output []string
	stderr bytes.Buffer
}

// Start starts name with args inside the host and reads its output, as the
// function Start does; use the function for a command that needs Env or Dir.
func (h *Host) Start(t testing.TB, name string, args ...string) *Proc {
	t.Helper()
	return Start(t, h.Command(context.Background(), name, args...))
}

// Start starts cmd (from Host.Command, or any command whose Stdout and
// Stderr are unset) and reads its standard output. It fails t if the command
// cannot start. At cleanup the process and its process group are killed with
// SIGKILL, by PID, and reaped; since t's cleanups run last-registered first,
// this happens before the network the process runs in is deleted.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	if cmd.Stdout != nil || cmd.Stderr != nil {
		t.Fatalf("netns: Start: %s already has Stdout or Stderr set", cmd.Path)
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	// Its own group, so that cleanup also reaches anything it forks.
	cmd.SysProcAttr.Setpgid = true

	// An *os.File as Stdout is handed to the child directly, so reading it
	// does not race with Cmd.Wait, which only closes pipes it made itself.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("netns: Start: %v", err)
	}
	p := &Proc{
		Cmd:   cmd,
		lines: make(chan string),
		done:  make(chan struct{}),
		stop:  make(chan struct{}),
	}
	cmd.Stdout = w
	cmd.Stderr = lockedWriter{p}
	cmd.WaitDelay = pipeDrain
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		t.Fatalf("netns: starting %s: %v", strings.Join(cmd.Args, " "), err)
	}
	w.Close() // the child has its own copy; EOF comes when it (and its children) close theirs

	in := make(chan string)
	go p.read(r, in)
	go p.deliver(in)
	go func() {
		p.wait = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.cleanup(t) })
	return p
}

// read sends each line of r to in, and closes both at EOF or at stop.
func (p *Proc) read(r *os.File, in chan<- string) {
	defer r.Close()
	defer close(in)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.output = append(p.output, line)
		p.mu.Unlock()
		select {
		case in <- line:
		case <-p.stop:
			return
		}
	}
	if sc.Err() != nil {
		// An overlong line: keep draining so the process never blocks on a
		// full pipe, but deliver nothing more.
		p.mu.Lock()
		p.output = append(p.output, fmt.Sprintf("netns: reading stdout: %v", sc.Err()))
		p.mu.Unlock()
		io.Copy(io.Discard, r)
	}
}

// deliver queues lines from in, without bound, and hands them to p.lines.
func (p *Proc) deliver(in <-chan string) {
	defer close(p.lines)
	var queue []string
	for in != nil || len(queue) > 0 {
		var out chan<- string
		var next string
		if len(queue) > 0 {
			out, next = p.lines, queue[0]
		}
		select {
		case line, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			queue = append(queue, line)
		case out <- next:
			queue = queue[1:]
		case <-p.stop:
			return
		}
	}
}

// PID returns the process's PID.
func (p *Proc) PID() int { return p.Cmd.Process.Pid }

// Lines returns the channel of standard output lines not yet consumed; it is
// closed after the last line once the process has closed its output.
func (p *Proc) Lines() <-chan string { return p.lines }

// WaitLine consumes lines until one satisfies match and returns it. Lines that
// do not match are consumed too. It fails when timeout passes first, or when
// the output ends first; the error then quotes the last lines and stderr.
func (p *Proc) WaitLine(timeout time.Duration, match func(line string) bool) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return "", fmt.Errorf("netns: pid %d: output ended with no matching line%s", p.PID(), p.context())
			}
			if match(line) {
				return line, nil
			}
		case <-timer.C:
			return "", fmt.Errorf("netns: pid %d: no matching line within %v%s", p.PID(), timeout, p.context())
		}
	}
}

// Contains returns a WaitLine predicate matching lines that contain s.
func Contains(s string) func(string) bool {
	return func(line string) bool { return strings.Contains(line, s) }
}

// Signal sends sig to the process (not to its group), by PID.
func (p *Proc) Signal(sig syscall.Signal) error {
	if err := p.Cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("netns: signal %v to pid %d: %w", sig, p.PID(), err)
	}
	return nil
}

// Kill sends SIGKILL to the process: it dies at once, without cleaning up.
func (p *Proc) Kill() error { return p.Signal(syscall.SIGKILL) }

// Term sends SIGTERM to the process, asking it to quit cleanly.
func (p *Proc) Term() error { return p.Signal(syscall.SIGTERM) }

// Done returns a channel closed once the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Wait waits up to timeout for the process to exit and returns how it ended:
// nil for exit status 0, else an *exec.ExitError or similar. It fails with
// a timeout error if the process is still running after timeout.
func (p *Proc) Wait(timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.wait
	case <-timer.C:
		return fmt.Errorf("netns: pid %d still running after %v%s", p.PID(), timeout, p.context())
	}
}

// Output returns every line the process has printed so far, consumed or not.
func (p *Proc) Output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.output...)
}

// Stderr returns what the process has written to standard error so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// context formats the last lines and stderr for an error message.
func (p *Proc) context() string {
	out := p.Output()
	if len(out) > tailLines {
		out = out[len(out)-tailLines:]
	}
	return fmt.Sprintf("\nlast stdout lines:\n%s\nstderr:\n%s", strings.Join(out, "\n"), tailString(p.Stderr(), 4096))
}

func tailString(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// cleanup kills the process group by its PID, reaps the process, stops the
// goroutines, and logs the transcript if the test failed.
func (p *Proc) cleanup(t testing.TB) {
	select {
	case <-p.done:
	default:
		// Negative PID: the group led by our child, which Setpgid made. Only
		// while the child is unreaped, so the number is surely still ours.
		if err := syscall.Kill(-p.PID(), syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("netns: killing process group %d: %v", p.PID(), err)
		}
	}
	select {
	case <-p.done:
	case <-time.After(reapTimeout):
		t.Errorf("netns: pid %d not reaped %v after SIGKILL", p.PID(), reapTimeout)
	}
	close(p.stop)
	if t.Failed() {
		t.Logf("netns: %s (pid %d) printed:\n%s\nstderr:\n%s", strings.Join(p.Cmd.Args, " "), p.PID(),
			strings.Join(p.Output(), "\n"), tailString(p.Stderr(), 16384))
	}
}

// lockedWriter appends to the Proc's stderr buffer under its lock.
type lockedWriter struct{ p *Proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.stderr.Write(b)
}
