package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fakeWall is a wall clock a test sets by hand.
type fakeWall struct{ t time.Time }

func (f *fakeWall) now() time.Time { return f.t }

var t0 = time.UnixMilli(1764120000000)

func TestClockStamps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []string // "+d": the wall clock moves by d; "s": stamp; "o ms n": observe
		want  []Stamp  // one per "s"
	}{
		{"the wall clock moving on gives its time, counter 0",
			[]string{"s", "+5ms", "s"}, []Stamp{{t0.UnixMilli(), 0, "p"}, {t0.UnixMilli() + 5, 0, "p"}}},
		{"two stamps in one millisecond are told apart by the counter",
			[]string{"s", "s", "s"}, []Stamp{{t0.UnixMilli(), 0, "p"}, {t0.UnixMilli(), 1, "p"}, {t0.UnixMilli(), 2, "p"}}},
		{"a wall clock that goes back does not make an older stamp",
			[]string{"+10ms", "s", "-3s", "s"}, []Stamp{{t0.UnixMilli() + 10, 0, "p"}, {t0.UnixMilli() + 10, 1, "p"}}},
		{"a stamp seen from a clock ahead is overtaken",
			[]string{"o 1764120000400 7", "s", "+1s", "s"}, []Stamp{{t0.UnixMilli() + 400, 8, "p"}, {t0.UnixMilli() + 1000, 0, "p"}}},
		{"an older stamp seen changes nothing",
			[]string{"s", "o 1764119000000 99", "s"}, []Stamp{{t0.UnixMilli(), 0, "p"}, {t0.UnixMilli(), 1, "p"}}},
		{"a stamp further ahead than MaxAhead is not merged",
			[]string{"o 1764120090000 0 refused", "s"}, []Stamp{{t0.UnixMilli(), 0, "p"}}},
		{"a stamp just within MaxAhead is merged",
			[]string{"o 1764120060000 0", "s"}, []Stamp{{t0.UnixMilli() + 60000, 1, "p"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wall := &fakeWall{t0}
			c := Clock{ID: "p", Wall: wall.now}
			var got []Stamp
			for _, s := range tc.steps {
				f := strings.Fields(s)
				switch {
				case s == "s":
					got = append(got, c.Stamp())
				case f[0] == "o":
					var o Stamp
					if err := json.Unmarshal([]byte(`{"ms":`+f[1]+`,"n":`+f[2]+`,"id":"q"}`), &o); err != nil {
						t.Fatal(err)
					}
					err := c.Observe(o)
					if refused := len(f) > 3; refused != (err != nil) {
						t.Fatalf("Observe(%v) = %v, want refused %v", o, err, refused)
					}
				default:
					d, err := time.ParseDuration(s)
					if err != nil {
						t.Fatal(err)
					}
					wall.t = wall.t.Add(d)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("stamp %d = %v, want %v", i, got[i], tc.want[i])
				}
				if i > 0 && !got[i].After(got[i-1]) {
					t.Errorf("stamp %d (%v) is not after %v", i, got[i], got[i-1])
				}
			}
		})
	}
}

func TestStampCheck(t *testing.T) {
	now := t0
	for _, tc := range []struct {
		name string
		s    Stamp
		ok   bool
	}{
		{"zero", Stamp{}, true},
		{"now", Stamp{now.UnixMilli(), 3, "p1"}, true},
		{"an hour old", Stamp{now.Add(-time.Hour).UnixMilli(), 0, "p1"}, true},
		{"a minute ahead", Stamp{now.Add(MaxAhead).UnixMilli(), 0, "p1"}, true},
		{"past the bound", Stamp{now.Add(MaxAhead).UnixMilli() + 1, 0, "p1"}, false},
		{"a year ahead", Stamp{now.AddDate(1, 0, 0).UnixMilli(), 0, "p1"}, false},
		{"negative ms", Stamp{-1, 0, "p1"}, false},
		{"negative n", Stamp{1, -1, "p1"}, false},
		{"n beyond JavaScript", Stamp{1, MaxSafe + 1, "p1"}, false},
		{"ms beyond JavaScript", Stamp{MaxSafe + 1, 0, "p1"}, false},
		{"unclean id", Stamp{1, 0, " p1\x00"}, false},
		{"long id", Stamp{1, 0, strings.Repeat("x", MaxIDLen+1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Check(now)
			if (err == nil) != tc.ok {
				t.Fatalf("Check(%v) = %v, want ok %v", tc.s, err, tc.ok)
			}
			if err != nil && err.(*ProtocolError).Code != CodeBadStamp {
				t.Fatalf("Check(%v) = %v, want bad_stamp", tc.s, err)
			}
		})
	}
}

func TestStampOnTheWireStaysWithinJavaScript(t *testing.T) {
	c := Clock{ID: "p1"}
	b, err := json.Marshal(Color{Type: TypeColor, Color: "#ffffff", Stamp: c.Stamp()})
	if err != nil {
		t.Fatal(err)
	}
	var back Out
	if err := json.Unmarshal(b, &back); err != nil || back.Stamp.MS > MaxSafe || back.Stamp.ID != "p1" {
		t.Fatalf("%s decoded to %+v, %v", b, back.Stamp, err)
	}
	if _, err := DecodeIn([]byte(`{"type":"hello","stamp":{"ms":1e300}}`)); err == nil {
		t.Fatal("a stamp beyond int64 decoded")
	}
}
