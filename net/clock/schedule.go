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
// is the room's stamp order (newer), never the moment: a value superseded
// before its moment is never shown, and one older than what is shown is
// ignored. The zero value is not ready; use NewSchedule. It is not safe
// for concurrent use.
type Schedule[T any] struct {
	newer   func(a, b T) bool
	shown   *T
	pending *Flip[T]
	late    int
}

// NewSchedule returns an empty schedule that orders values by newer(a, b):
// a comes after b in the room's order.
func NewSchedule[T any](newer func(a, b T) bool) *Schedule[T] {
	return &Schedule[T]{newer: newer}
}

// Add takes a value to show at at (Now: on arrival), at time now. It
// replaces a pending value it is newer than; it returns the flip to show at
// once, if there is one (ok), otherwise the value waits for Due.
func (s *Schedule[T]) Add(v T, at, now time.Duration) (f Flip[T], ok bool) {
	if s.shown != nil && !s.newer(v, *s.shown) {
		return Flip[T]{}, false
	}
	if s.pending != nil && !s.newer(v, s.pending.V) {
		return Flip[T]{}, false
	}
	s.pending = &Flip[T]{V: v, At: at}
	if at != Now && at <= now {
		s.pending.Late = true
		s.late++
	}
	return s.Due(now)
}

// Show makes v the value shown, at once and whatever is pending, as when a
// peer joins and is told the room's colour. Values older than v are then
// ignored.
func (s *Schedule[T]) Show(v T) {
	s.shown, s.pending = &v, nil
}

// Due returns the pending flip if its moment has come by now.
func (s *Schedule[T]) Due(now time.Duration) (f Flip[T], ok bool) {
	if s.pending == nil || (s.pending.At != Now && s.pending.At > now) {
		return Flip[T]{}, false
	}
	f = *s.pending
	s.shown, s.pending = &f.V, nil
	return f, true
}

// Next is the moment of the pending flip; ok is false when nothing waits.
func (s *Schedule[T]) Next() (at time.Duration, ok bool) {
	if s.pending == nil {
		return 0, false
	}
	return s.pending.At, true
}

// Late counts the values that arrived after their moment.
func (s *Schedule[T]) Late() int { return s.late }
