package e2e

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// TestMeasureWindowAtRest gives BENCHMARKS.md what a window costs while
// nothing happens: a windowed peer joined to a headless host on 127.0.0.1,
// showing one colour, beside bench/cmd/fyne-baseline (a Fyne window with
// the same circle and nothing else), on one Xvfb, measured side by side
// over the same seconds: the CPU each used (utime + stime from
// /proc/PID/stat) as a share of one core. HUECAST_WINDOW_BEFORE names
// another huecast binary to measure beside them (an earlier build). It runs
// only with HUECAST_MEASURE=1; run it alone on the machine:
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureWindowAtRest -v -count=1
func TestMeasureWindowAtRest(t *testing.T) {
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	requireX(t)
	const (
		settle = 10 * time.Second // past the link's join burst of pings
		rounds = 3
		round  = 20 * time.Second
	)
	dir := t.TempDir()
	for _, pkg := range []string{"..", "../bench/cmd/fyne-baseline"} {
		if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", dir, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	before := os.Getenv("HUECAST_WINDOW_BEFORE")
	n := 2
	if before != "" {
		n = 3
	}
	x := startX(t, n*(640+gap), screenH) // side by side, none covering another
	host, url := hostFor(t, filepath.Join(dir, "huecast"))

	type subject struct {
		what string
		proc *netns.Proc
	}
	var subjects []subject
	window := func(what, bin, name string) {
		cmd := exec.Command(bin, "--no-mdns", "--join", url, "--name", name)
		cmd.Env = x.env(filepath.Join(t.TempDir(), name))
		p := netns.Start(t, cmd)
		if _, err := host.WaitLine(waitFor, netns.Contains(`"name":"`+name+`"`)); err != nil {
			t.Fatalf("%s did not join: %v", name, err)
		}
		subjects = append(subjects, subject{what, p})
	}
	window("huecast window, joined", filepath.Join(dir, "huecast"), "now")
	if before != "" {
		window("huecast window before, joined", before, "before")
	}
	base := exec.Command(filepath.Join(dir, "fyne-baseline"))
	base.Env = x.env(filepath.Join(t.TempDir(), "baseline"))
	subjects = append(subjects, subject{"fyne-baseline", netns.Start(t, base)})

	green := hexRGBA(startGreen)
	for i, s := range subjects {
		win := x.window(s.proc.PID())
		if err := x.move(win, i*(640+gap), 0); err != nil {
			t.Fatal(err)
		}
		waitShot(t, x, win, fmt.Sprintf("rest-%d.png", i), windowWait, func(img image.Image) bool {
			_, ok := circleCentre(img, green, minDiameter)
			return ok
		})
	}
	img, err := x.shot("root")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the windows measured: %s", save(t, "rest.png", img))
	time.Sleep(settle) // letting the windows come to rest, not synchronising

	shares := make([][]float64, len(subjects))
	for range rounds {
		start := make([]int, len(subjects))
		for i, s := range subjects {
			start[i] = cpuTicks(t, s.proc.PID())
		}
		began := time.Now()
		time.Sleep(round) // the measurement's interval
		took := time.Since(began)
		for i, s := range subjects {
			used := time.Duration(cpuTicks(t, s.proc.PID())-start[i]) * time.Second / clockTicks
			shares[i] = append(shares[i], 100*used.Seconds()/took.Seconds())
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("CPU at rest, %% of one core, %d × %v side by side (load average: %s):", rounds, round, strings.TrimSpace(string(load)))
	for i, s := range subjects {
		var sum float64
		for _, v := range shares[i] {
			sum += v
		}
		t.Logf("  %-32s %.2f%% (rounds: %s)", s.what, sum/float64(len(shares[i])), percents(shares[i]))
	}
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on Linux.
const clockTicks = 100

// cpuTicks is the CPU time pid has used (utime + stime), in clock ticks.
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command's name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	utime, err1 := strconv.Atoi(f[11])
	stime, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		t.Fatalf("/proc/%d/stat: %q", pid, data)
	}
	return utime + stime
}

func percents(vs []float64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprintf("%.2f%%", v)
	}
	return strings.Join(s, ", ")
}
