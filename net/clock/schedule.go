package clock

import "time"

// Flip is a value shown at a moment: At on the client's own clock, Now
// when it is to be shown on arrival.
type Flip[T any] struct {
	V  T
	At time.Duration
	// Late is set when the value arrived after its moment and was shown
	// at once.
	Late bool
}

// Now as a Flip's At shows the value on arrival, without counting it late.
const Now time.Duration = -1 << 63

// Schedule holds the values waiting for their moment. Which value is newer
// is the room's stamp order (newer), and values are shown in it: one older
// than what is shown or waits is ignored. A newer value replaces the
// waiting ones whose moment is not before its own (before), which are then
// never shown; those whose moment is before its own are shown first, each
// at its moment. The hub gives a value that replaces one the same moment
// or an earlier one (see wire.Moment), so every screen shows the same
// values in the same order. The zero value is not ready; use NewSchedule.
// It is not safe for concurrent use.
type Schedule[T any] struct {
	newer   func(a, b T) bool
	before  func(a, b T) bool
	shown   *T
	pending []Flip[T] // oldest first
	late    int
}

// NewSchedule returns an empty schedule that orders values by newer(a, b):
// a comes after b in the room's order, and compares their moments on the
// hub's clock by before(a, b): a is shown before b's moment. A value
// without a moment is before none, and none is before it.
func NewSchedule[T any](newer, before func(a, b T) bool) *Schedule[T] {
	return &Schedule[T]{newer: newer, before: before}
}

// Add takes a value to show at at (Now: on arrival), at time now. It
// returns the first flip to show at once, if there is one (ok); the caller
// then asks Due for more until it says none, and later values wait for Due.
func (s *Schedule[T]) Add(v T, at, now time.Duration) (f Flip[T], ok bool) {
	last := s.shown
	if n := len(s.pending); n > 0 {
		last = &s.pending[n-1].V
	}
	if last != nil && !s.newer(v, *last) {
		return Flip[T]{}, false
	}
	keep := s.pending[:0]
	for _, p := range s.pending {
		if s.before(p.V, v) {
			keep = append(keep, p)
		}
	}
	clear(s.pending[len(keep):])
	flip := Flip[T]{V: v, At: at}
	if at != Now && at <= now {
		flip.Late = true
		s.late++
	}
	s.pending = append(keep, flip)
	return s.Due(now)
}

// Show makes v the value shown, at once and whatever is pending, as when a
// peer joins and is told the room's colour. Values older than v are then
// ignored.
func (s *Schedule[T]) Show(v T) {
	s.shown, s.pending = &v, nil
}

// Due returns the oldest pending flip if its moment, or a later value's,
// has come by now: values are shown in the room's order, each at its
// moment or just before a later one that is due.
func (s *Schedule[T]) Due(now time.Duration) (f Flip[T], ok bool) {
	if at, ok := s.Next(); !ok || (at != Now && at > now) {
		return Flip[T]{}, false
	}
	f = s.pending[0]
	s.pending = s.pending[1:]
	if len(s.pending) == 0 {
		s.pending = nil
	}
	s.shown = &f.V
	return f, true
}

// Next is the earliest moment among the pending flips; ok is false when
// nothing waits.
func (s *Schedule[T]) Next() (at time.Duration, ok bool) {
	for i, p := range s.pending {
		if i == 0 || p.At < at {
			at = p.At
		}
	}
	return at, len(s.pending) > 0
}

// Late counts the values that arrived after their moment.
func (s *Schedule[T]) Late() int { return s.late }
