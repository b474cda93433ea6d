package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huecast/huecast/net/wire"
)

const waitFor = 15 * time.Second

type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan map[string]any
}

// buildBinary returns huecast as `go build` makes it.
func buildBinary(t *testing.T) string {
	t.Helper()
	return goBuild(t, "huecast", nil)
}

// binaries are the huecast binaries this run of the tests has built, one per
// way of building it, so that the tests asking for the same one share it:
// linking the windowed binary costs seconds, with the race detector more.
var binaries = struct {
	sync.Mutex
	dir  string            // a temporary directory TestMain removes
	bins map[string]string // path by name, environment and flags
}{bins: map[string]string{}}

// goBuild builds package main (the repository's root) into a binary called
// name, with the go build flags given and env added to the environment, once
// per run of the tests.
func goBuild(t *testing.T, name string, env []string, flags ...string) string {
	t.Helper()
	binaries.Lock()
	defer binaries.Unlock()
	key := strings.Join(slices.Concat([]string{name}, env, flags), " ")
	if bin, ok := binaries.bins[key]; ok {
		return bin
	}
	if binaries.dir == "" {
		dir, err := os.MkdirTemp("", "huecast-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		binaries.dir = dir
	}
	// A directory per binary keeps each one's name as given.
	dir := filepath.Join(binaries.dir, strconv.Itoa(len(binaries.bins)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	args := slices.Concat([]string{"build"}, flags, []string{"-o", bin, ".."})
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	binaries.bins[key] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

func start(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	if !slices.Contains(args, "--state") { // each its own id, and nothing in the user's config
		args = append([]string{"--state", filepath.Join(t.TempDir(), "headless.json")}, args...)
	}
	cmd := exec.Command(bin, args...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stdin: stdin, lines: make(chan map[string]any, 1024)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				p.lines <- m
			}
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return p
}

func (p *proc) await(what string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	return p.awaitWithin(waitFor, what, match)
}

func event(name string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["event"] == name }
}

func TestBinaryHostAndTwoJoinedPeersShareAColour(t *testing.T) {
	bin := buildBinary(t)
	host := start(t, bin, "--headless", "--no-mdns", "--host", "--listen", "127.0.0.1:0", "--name", "hosty")
	url := host.await("hosting", event("hosting"))["url"].(string)
	host.await("host joined", event("joined"))

	a := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "alice")
	b := start(t, bin, "--headless", "--no-mdns", "--join", url, "--name", "bob")
	a.await("alice joined", event("joined"))
	b.await("bob joined", event("joined"))

	io.WriteString(a.stdin, "orange\n")
	for _, p := range []*proc{host, a, b} {
		m := p.await("orange", event("color"))
		if m["color"] != "#ffa500" || m["by"] != "alice" || stampOf(m).IsZero() {
			t.Fatalf("color event = %v", m)
		}
	}

	io.WriteString(b.stdin, "not-a-colour\n")
	if m := b.await("error", event("error")); m["code"] != "bad_color" {
		t.Fatalf("error event = %v", m)
	}

	io.WriteString(b.stdin, "quit\n")
	if m := a.await("bob leaving", event("peer_left")); m["name"] != "bob" || m["reason"] != "closed" {
		t.Fatalf("peer_left = %v", m)
	}
}

// stampOf reads the stamp of a headless colour or joined event.
func stampOf(m map[string]any) wire.Stamp {
	var st wire.Stamp
	b, _ := json.Marshal(m["stamp"])
	_ = json.Unmarshal(b, &st)
	return st
}
