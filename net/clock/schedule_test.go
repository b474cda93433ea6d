package clock

import (
	"testing"
	"time"
)

// stamp stands in for the room's order of colours.
type stamp struct {
	N     int           `json:"n"`
	Color string        `json:"color"`
	At    time.Duration `json:"-"` // its moment, as the hub gave it; Now: none
}

func newer(a, b stamp) bool { return a.N > b.N }

func before(a, b stamp) bool { return a.At != Now && b.At != Now && a.At < b.At }

// added is v with its moment at, as a Schedule is given it.
func added(v stamp, at time.Duration) stamp { v.At = at; return v }

type step struct {
	now   time.Duration
	add   *stamp // nil: only ask what is due
	at    time.Duration
	shown string // "" nothing shown at this step
	late  bool
}

func TestSchedule(t *testing.T) {
	add := func(n int, c string) *stamp { return &stamp{N: n, Color: c} }
	cases := []struct {
		name     string
		steps    []step
		wantLate int
	}{
		{"shown at its moment, not before", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 99 * ms},
			{now: 100 * ms, shown: "red"},
			{now: 200 * ms},
		}, 0},
		{"late: shown at once and counted", []step{
			{now: 150 * ms, add: add(1, "red"), at: 100 * ms, shown: "red", late: true},
		}, 1},
		{"on arrival: shown at once, not counted", []step{
			{now: 150 * ms, add: add(1, "red"), at: Now, shown: "red"},
		}, 0},
		{"replaced by a newer colour with the same moment: never shown", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 10 * ms, add: add(2, "blue"), at: 100 * ms},
			{now: 100 * ms, shown: "blue"},
			{now: 110 * ms},
		}, 0},
		{"a newer colour with a later moment waits its turn", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 10 * ms, add: add(2, "blue"), at: 110 * ms},
			{now: 100 * ms, shown: "red"},
			{now: 109 * ms},
			{now: 110 * ms, shown: "blue"},
		}, 0},
		{"a burst: every moment shows its newest colour", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 10 * ms, add: add(2, "blue"), at: 100 * ms},
			{now: 50 * ms, add: add(3, "green"), at: 200 * ms},
			{now: 60 * ms, add: add(4, "pink"), at: 200 * ms},
			{now: 100 * ms, shown: "blue"},
			{now: 120 * ms, add: add(5, "grey"), at: 300 * ms},
			{now: 200 * ms, shown: "pink"},
			{now: 300 * ms, shown: "grey"},
		}, 0},
		{"colours before a due one show first, in order", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 10 * ms, add: add(2, "blue"), at: 150 * ms},
			{now: 200 * ms, shown: "red"},
			{now: 200 * ms, shown: "blue"},
			{now: 200 * ms},
		}, 0},
		{"the newer colour wins even when its moment is earlier", []step{
			{now: 0, add: add(1, "red"), at: 200 * ms},
			{now: 10 * ms, add: add(2, "blue"), at: 50 * ms},
			{now: 50 * ms, shown: "blue"},
			{now: 200 * ms},
		}, 0},
		{"an older colour arriving later is ignored", []step{
			{now: 0, add: add(2, "blue"), at: 100 * ms},
			{now: 10 * ms, add: add(1, "red"), at: 50 * ms},
			{now: 50 * ms},
			{now: 100 * ms, shown: "blue"},
			{now: 120 * ms, add: add(1, "red"), at: 130 * ms},
			{now: 130 * ms},
		}, 0},
		{"each colour in turn when their moments pass", []step{
			{now: 0, add: add(1, "red"), at: 100 * ms},
			{now: 100 * ms, shown: "red"},
			{now: 101 * ms, add: add(2, "blue"), at: 200 * ms},
			{now: 200 * ms, shown: "blue"},
		}, 0},
		{"a late colour supersedes a pending one", []step{
			{now: 0, add: add(1, "red"), at: 300 * ms},
			{now: 100 * ms, add: add(2, "blue"), at: 90 * ms, shown: "blue", late: true},
			{now: 300 * ms},
		}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSchedule(newer, before)
			for i, st := range c.steps {
				var f Flip[stamp]
				var ok bool
				if st.add != nil {
					f, ok = s.Add(added(*st.add, st.at), st.at, st.now)
				} else {
					f, ok = s.Due(st.now)
				}
				got := ""
				if ok {
					got = f.V.Color
				}
				if got != st.shown || (ok && f.Late != st.late) {
					t.Fatalf("step %d at %v: shown %q (late %v); want %q (late %v)", i, st.now, got, f.Late, st.shown, st.late)
				}
			}
			if s.Late() != c.wantLate {
				t.Errorf("late %d; want %d", s.Late(), c.wantLate)
			}
		})
	}
}

func TestScheduleShowDropsWhatWaitsAndOlderColours(t *testing.T) {
	// A peer (re)joining is told the room's colour and shows it at once.
	s := NewSchedule(newer, before)
	s.Add(stamp{N: 1, Color: "red", At: 100 * ms}, 100*ms, 0)
	s.Show(stamp{N: 3, Color: "green"})
	if _, ok := s.Next(); ok {
		t.Fatal("a colour still waits after Show")
	}
	if _, ok := s.Add(stamp{N: 2, Color: "blue"}, 0, 10*ms); ok {
		t.Error("a colour older than the one shown was shown")
	}
	if f, ok := s.Add(stamp{N: 4, Color: "pink", At: 50 * ms}, 50*ms, 10*ms); ok {
		t.Errorf("shown %v before its moment", f)
	}
	if at, ok := s.Next(); !ok || at != 50*ms {
		t.Errorf("next %v %v; want 50ms", at, ok)
	}
}
