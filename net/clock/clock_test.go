package clock

import (
	"math/rand/v2"
	"testing"
	"time"
)

const ms = time.Millisecond

// path simulates round trips to a hub whose clock is ours plus offset: up
// and down give each leg's delay for round trip i.
type path struct {
	offset   time.Duration
	up, down func(i int) time.Duration
}

func (p path) sample(i int, sent time.Duration) Sample {
	up, down := p.up(i), p.down(i)
	return Sample{Sent: sent, Hub: sent + up + p.offset, Recv: sent + up + down}
}

func fixed(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// jittery is base plus up to spread of queueing, from a seeded source so
// that the test is the same every run; one round trip in four meets none
// on either leg.
func jittery(seed uint64, base, spread time.Duration) func(int) time.Duration {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(i int) time.Duration {
		if i%4 == 0 {
			return base
		}
		return base + time.Duration(r.Int64N(int64(spread)))
	}
}

func feed(e *Estimator, p path, from, n int) {
	for i := from; i < from+n; i++ {
		e.Add(p.sample(i, time.Duration(i)*2*time.Second))
	}
}

func TestEstimatorFindsTheOffset(t *testing.T) {
	const offset = 123456 * ms
	cases := []struct {
		name     string
		up, down func(int) time.Duration
		n        int
		within   time.Duration
	}{
		{"one symmetric round trip", fixed(5 * ms), fixed(5 * ms), 1, 0},
		{"symmetric delay", fixed(40 * ms), fixed(40 * ms), Window, 0},
		{"jitter on both legs", jittery(1, 2*ms, 60*ms), jittery(2, 2*ms, 60*ms), Window, 1 * ms},
		{"queueing on the way down only (busy Wi-Fi)", fixed(3 * ms), jittery(3, 3*ms, 100*ms), Window, 1 * ms},
		{"queueing on the way up only", jittery(5, 3*ms, 100*ms), fixed(3 * ms), Window, 1 * ms},
		{"a burst at join before the window fills", jittery(6, 1*ms, 30*ms), jittery(7, 1*ms, 30*ms), 8, 1 * ms},
		// A fixed asymmetry cannot be seen from round trips: the error is
		// half the difference of the legs, and never more than RTT/2.
		{"fixed asymmetry 20 ms up, 4 ms down", fixed(20 * ms), fixed(4 * ms), Window, 8 * ms},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e Estimator
			feed(&e, path{offset, c.up, c.down}, 0, c.n)
			got, ok := e.Offset()
			if !ok {
				t.Fatal("no estimate")
			}
			if err := (got - offset).Abs(); err > c.within {
				t.Errorf("offset %v, off by %v; want within %v", got, err, c.within)
			}
		})
	}
}

func TestEstimatorHasNoOffsetBeforeASample(t *testing.T) {
	var e Estimator
	if _, ok := e.Offset(); ok {
		t.Error("an estimate from no samples")
	}
	if e.RTT() != 0 {
		t.Errorf("RTT %v from no samples", e.RTT())
	}
}

func TestEstimatorFollowsTheHubsClockWhenItSteps(t *testing.T) {
	// Another hub, or the same one restarted, has a clock of its own; the
	// first sample that cannot agree with the estimate replaces it.
	var e Estimator
	p := path{offset: 5 * time.Second, up: jittery(1, 2*ms, 20*ms), down: jittery(2, 2*ms, 20*ms)}
	feed(&e, p, 0, Window)
	p.offset = -7 * time.Second
	feed(&e, p, Window, 1)
	got, _ := e.Offset()
	if err := (got - p.offset).Abs(); err > 20*ms {
		t.Fatalf("offset %v after the step to %v", got, p.offset)
	}
	if e.Steps() != 1 || e.Len() != 1 {
		t.Errorf("steps %d, samples %d; want 1 and 1", e.Steps(), e.Len())
	}
	feed(&e, p, Window+1, Window)
	got, _ = e.Offset()
	if err := (got - p.offset).Abs(); err > 1*ms {
		t.Errorf("offset %v once the window refilled, off by %v", got, err)
	}
}

func TestEstimatorIgnoresASlowSampleThatAgrees(t *testing.T) {
	// A round trip of 200 ms queued on one leg moves its own offset by
	// 100 ms, but its bounds hold the estimate: no step.
	var e Estimator
	feed(&e, path{offset: 0, up: fixed(2 * ms), down: fixed(2 * ms)}, 0, 4)
	e.Add(path{up: fixed(2 * ms), down: fixed(200 * ms)}.sample(4, 10*time.Second))
	if e.Steps() != 0 {
		t.Errorf("a slow sample taken for a step")
	}
	if got, _ := e.Offset(); got.Abs() > 0 {
		t.Errorf("offset %v; want 0", got)
	}
}

func TestEstimatorResetForgetsTheOldHub(t *testing.T) {
	var e Estimator
	feed(&e, path{offset: time.Hour, up: fixed(2 * ms), down: fixed(2 * ms)}, 0, Window)
	e.Reset()
	if _, ok := e.Offset(); ok {
		t.Fatal("an estimate survived Reset")
	}
	// The new hub's clock is close to the old one's: without the reset,
	// the old samples, with shorter round trips, would win.
	p := path{offset: time.Hour + 3*ms, up: fixed(10 * ms), down: fixed(10 * ms)}
	feed(&e, p, 100, 3)
	if got, _ := e.Offset(); got != p.offset {
		t.Errorf("offset %v after the reset; want %v", got, p.offset)
	}
}

func TestEstimatorRTTIsTheWindowsMedian(t *testing.T) {
	var e Estimator
	for i, rtt := range []time.Duration{10 * ms, 90 * ms, 20 * ms, 30 * ms, 500 * ms} {
		e.Add(Sample{Sent: time.Duration(i) * time.Second, Recv: time.Duration(i)*time.Second + rtt, Hub: time.Duration(i) * time.Second})
	}
	if e.RTT() != 30*ms {
		t.Errorf("RTT %v; want 30ms", e.RTT())
	}
}

func TestEstimatorDropsImpossibleSamples(t *testing.T) {
	var e Estimator
	e.Add(Sample{Sent: 10 * ms, Recv: 5 * ms, Hub: 0})
	if e.Len() != 0 {
		t.Error("a sample answered before it was sent was kept")
	}
}
