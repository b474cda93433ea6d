package e2e

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/huecast/huecast/e2e/netns"
)

// TestMeasureWindow gives BENCHMARKS.md its window figures: the time from
// launching a windowed peer to its first frame (the window mapped and its
// circle drawn, as seen through screenshots), and its resident memory once
// joined. It runs only with HUECAST_MEASURE=1:
//
//	HUECAST_MEASURE=1 go test ./e2e -run TestMeasureWindow -v -count=1
func TestMeasureWindow(t *testing.T) {
	if os.Getenv("HUECAST_MEASURE") != "1" {
		t.Skip("a measurement, not a test: set HUECAST_MEASURE=1")
	}
	requireX(t)
	const runs = 7
	// As packaged: no race detector, and the fyne.Do migration declared.
	dir := t.TempDir()
	for _, pkg := range []string{"..", "../bench/cmd/fyne-baseline"} {
		if out, err := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", dir, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	x := startX(t, screenW, screenH)
	host, url := hostFor(t, filepath.Join(dir, "huecast"))

	for _, m := range []struct {
		what string
		args func(i int) []string
		// joined waits until the peer has joined the host; nil for the baseline
		joined func(i int) error
	}{
		{"huecast, windowed peer joined to a headless host",
			func(i int) []string {
				return []string{filepath.Join(dir, "huecast"), "--no-mdns", "--join", url, "--name", fmt.Sprint("peer", i)}
			},
			func(i int) error {
				_, err := host.WaitLine(waitFor, netns.Contains(fmt.Sprintf(`"name":"peer%d"`, i)))
				return err
			}},
		{"fyne-baseline, a Fyne window with a circle and nothing else",
			func(int) []string { return []string{filepath.Join(dir, "fyne-baseline")} }, nil},
	} {
		mapped, drawn, rss, hwm := measureRuns(t, x, runs, m.args, m.joined)
		t.Logf("%s (%d runs):", m.what, runs)
		t.Logf("  launch → window mapped:        %s", summary(mapped))
		t.Logf("  launch → first frame (circle): %s", summary(drawn))
		t.Logf("  resident memory 3 s after:     VmRSS %s KiB; peak (VmHWM) %s KiB", summaryInt(rss), summaryInt(hwm))
	}
	t.Logf("the headless host, for comparison: VmRSS %d KiB", statusKiB(t, host.PID(), "VmRSS"))
}

// measureRuns launches a window runs times, one after the other, and
// returns the times to its window and to its first frame with the green
// circle, and its memory once joined (when joined is not nil) and idle.
func measureRuns(t *testing.T, x *xserver, runs int, args func(i int) []string, joined func(i int) error) (mapped, drawn []time.Duration, rss, hwm []int) {
	t.Helper()
	green := hexRGBA(startGreen)
	for i := range runs {
		a := args(i)
		cmd := exec.Command(a[0], a[1:]...)
		cmd.Env = x.env(filepath.Join(t.TempDir(), fmt.Sprint(i)))
		start := time.Now()
		p := netns.Start(t, cmd)
		win := x.window(p.PID())
		mapped = append(mapped, time.Since(start))
		var at time.Duration
		waitShot(t, x, win, fmt.Sprintf("measure-%d.png", i), windowWait, func(img image.Image) bool {
			at = time.Since(start)
			_, ok := circleCentre(img, green, minDiameter)
			return ok
		})
		drawn = append(drawn, at)
		if joined != nil {
			if err := joined(i); err != nil {
				t.Fatal(err)
			}
		}
		// Sample for 3 s (the link pings every 2 s); keep the last reading.
		var last int
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
			last = statusKiB(t, p.PID(), "VmRSS")
			time.Sleep(100 * time.Millisecond) // sampling, not synchronising
		}
		rss = append(rss, last)
		hwm = append(hwm, statusKiB(t, p.PID(), "VmHWM"))
		if err := p.Term(); err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(waitFor); err != nil {
			select {
			case <-p.Done():
				t.Fatalf("run %d: %v", i, err) // it exited, but not cleanly
			default:
			}
			// A window that does not close is worth saying, but its
			// figures are taken already.
			t.Logf("run %d: %s did not exit within %v of SIGTERM; killed", i, filepath.Base(a[0]), waitFor)
			_ = p.Signal(syscall.SIGKILL)
			<-p.Done()
		}
	}
	return mapped, drawn, rss, hwm
}

// statusKiB reads one "kB" field of /proc/pid/status.
func statusKiB(t *testing.T, pid int, field string) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	return fmt.Sprintf("median %v, min %v, max %v (runs: %v)", s[len(s)/2].Round(time.Millisecond),
		s[0].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond), roundAll(ds))
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func summaryInt(ns []int) string {
	s := slices.Clone(ns)
	slices.Sort(s)
	return fmt.Sprintf("median %d (min %d, max %d)", s[len(s)/2], s[0], s[len(s)-1])
}
