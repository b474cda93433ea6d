// Package clock is how a huecast client agrees with its hub on the time:
// an offset to the hub's clock estimated NTP-style from timed round trips
// (Estimator), and the colours waiting for their moment (Schedule). Both are
// pure: callers pass the times in, so tests use fake clocks.
//
// All times here are monotonic durations since some origin of each side's
// own choosing (a process's start): a wall clock that steps moves neither
// an estimate nor a scheduled flip.
package clock

import (
	"cmp"
	"slices"
	"time"
)

const (
	// Window is how many recent round trips an estimate is drawn from: at
	// one every couple of seconds, the last half minute, long enough to hold
	// some with no queueing delay, short enough to follow drift.
	Window = 16
	// BestShare of the window, the samples with the smallest round trips,
	// give the offset: queueing only ever lengthens a round trip, and the
	// shortest ones bound the offset most tightly.
	BestShare = 4
	// StepSlack is how far outside a sample's own bounds the estimate may
	// lie before the hub's clock is taken to have changed (another hub,
	// the hub restarted): more than any drift over Window samples.
	StepSlack = 2 * time.Millisecond
)

// Sample is one timed round trip: the client sent a ping at Sent and had
// the answer at Recv, both on its own clock; the hub read its clock, Hub,
// in between.
type Sample struct {
	Sent, Recv, Hub time.Duration
}

// RTT is the sample's round trip.
func (s Sample) RTT() time.Duration { return s.Recv - s.Sent }

// offset is the hub's clock minus ours, assuming the two legs took equally
// long. Whatever the legs took, the true offset lies within RTT/2 of it.
func (s Sample) offset() time.Duration { return s.Hub - (s.Sent+s.Recv)/2 }

// Estimator turns round trips into an offset to the hub's clock. The zero
// value is ready; it is not safe for concurrent use.
type Estimator struct {
	samples []Sample // the last Window, oldest first
	steps   int
}

// Add takes one round trip. Each sample puts the true offset within RTT/2
// of its own; a sample whose bounds miss those of the window's best one
// means the hub's clock is another one now, and the older samples are
// forgotten.
func (e *Estimator) Add(s Sample) {
	if s.RTT() < 0 {
		return
	}
	if len(e.samples) > 0 {
		best := e.best()[0]
		if (s.offset() - best.offset()).Abs() > s.RTT()/2+best.RTT()/2+StepSlack {
			e.samples = e.samples[:0]
			e.steps++
		}
	}
	if len(e.samples) == Window {
		e.samples = append(e.samples[:0], e.samples[1:]...)
	}
	e.samples = append(e.samples, s)
}

// Reset forgets every sample, as after a change of hub.
func (e *Estimator) Reset() { e.samples = e.samples[:0] }

// Steps is how many times Add saw the hub's clock change under it.
func (e *Estimator) Steps() int { return e.steps }

// Len is how many samples the estimate rests on.
func (e *Estimator) Len() int { return len(e.samples) }

// Offset is the hub's clock minus ours: the median offset of the samples
// with the smallest round trips. ok is false until there is a sample.
func (e *Estimator) Offset() (off time.Duration, ok bool) {
	if len(e.samples) == 0 {
		return 0, false
	}
	best := e.best()
	offs := make([]time.Duration, len(best))
	for i, s := range best {
		offs[i] = s.offset()
	}
	return median(offs), true
}

// RTT is the median round trip of the window, the figure a client reports
// to its hub so that the room's lead covers it; 0 with no sample.
func (e *Estimator) RTT() time.Duration {
	if len(e.samples) == 0 {
		return 0
	}
	rtts := make([]time.Duration, len(e.samples))
	for i, s := range e.samples {
		rtts[i] = s.RTT()
	}
	return median(rtts)
}

// best returns the quarter of the window (at least one, at most all) with
// the smallest round trips.
func (e *Estimator) best() []Sample {
	byRTT := slices.Clone(e.samples)
	slices.SortStableFunc(byRTT, func(a, b Sample) int { return cmp.Compare(a.RTT(), b.RTT()) })
	n := max(1, (len(byRTT)+BestShare-1)/BestShare)
	return byRTT[:n]
}

// median of ds, which it sorts; the lower middle of an even count, so the
// result is always one of the samples' own values.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[(len(ds)-1)/2]
}
