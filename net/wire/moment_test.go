package wire

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func TestMomentVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Moments struct {
			Cases []struct {
				Now, Lead, Reach, Waiting, At float64
				Why                           string
			}
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Moments.Cases) == 0 {
		t.Fatal("testdata/vectors.json has no moments")
	}
	for _, c := range v.Moments.Cases {
		if at := Moment(Duration(c.Now), Duration(c.Lead), Duration(c.Reach), Duration(c.Waiting)); at != Duration(c.At) {
			t.Errorf("%s: Moment(%v, %v, %v, %v) = %v; want %v", c.Why, c.Now, c.Lead, c.Reach, c.Waiting, Millis(at), c.At)
		}
	}
}

// However fast colours come, the room shows one at least every lead (or,
// when they come further apart than the lead, lead plus the time to the
// next), and a moment is never before the one waiting.
func TestMomentsNeverFreezeTheRoom(t *testing.T) {
	const lead, reach = 250 * time.Millisecond, 140 * time.Millisecond
	for _, every := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 80 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		var waiting time.Duration
		var moments []time.Duration
		for now := time.Duration(0); now < 4*time.Second; now += every {
			at := Moment(now, lead, reach, waiting)
			if at < waiting && waiting > now {
				t.Fatalf("every %v: moment %v before the waiting %v", every, at, waiting)
			}
			if at != waiting {
				moments = append(moments, at)
			}
			waiting = at
		}
		for i := 1; i < len(moments); i++ {
			if gap := moments[i] - moments[i-1]; gap > lead+max(0, every-reach) {
				t.Errorf("every %v: %v between moments %v and %v", every, gap, moments[i-1], moments[i])
			}
		}
	}
}
