package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueWithinOnePointSixPercent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, histMax - 1, histMax}
	for range 100000 {
		values = append(values, uint64(math.Exp(r.Float64()*math.Log(histMax))))
	}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, histBuckets)
		}
		lo, hi := bucketRange(i)
		if v < lo || v > hi {
			t.Fatalf("bucketOf(%d) = %d whose range is [%d, %d]", v, i, lo, hi)
		}
		if width := hi - lo; float64(width) > float64(lo)/histHalf {
			t.Fatalf("bucket %d [%d, %d] is wider than 1/%d of its value", i, lo, hi, histHalf)
		}
	}
	// Adjacent buckets tile the range with no gap and no overlap.
	for i := 1; i < histBuckets; i++ {
		_, prevHi := bucketRange(i - 1)
		lo, _ := bucketRange(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, prevHi)
		}
	}
}

func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func TestPercentilesMatchExactOnes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name string
		gen  func() time.Duration
		n    int
	}{
		{"lognormal around 200µs", func() time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()*0.8 + math.Log(200e3)))
		}, 50000},
		{"uniform below 128ns, exact", func() time.Duration { return time.Duration(r.IntN(128)) }, 1000},
		{"two modes: fast and a slow tail", func() time.Duration {
			if r.IntN(100) == 0 {
				return 40*time.Millisecond + time.Duration(r.IntN(1e6))
			}
			return 300*time.Microsecond + time.Duration(r.IntN(1e5))
		}, 20000},
		{"single value", func() time.Duration { return 1234567 }, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			values := make([]time.Duration, tt.n)
			for i := range values {
				values[i] = tt.gen()
				h.record(values[i])
			}
			slices.Sort(values)
			if h.count() != uint64(tt.n) {
				t.Fatalf("count = %d, want %d", h.count(), tt.n)
			}
			if h.max != values[len(values)-1] || h.min != values[0] {
				t.Fatalf("min/max = %v/%v, want %v/%v", h.min, h.max, values[0], values[len(values)-1])
			}
			for _, p := range []float64{1, 50, 90, 99, 99.9} {
				got, want := h.percentile(p), exactPercentile(values, p)
				if diff := math.Abs(float64(got - want)); diff > float64(want)/histHalf+0.5 {
					t.Errorf("p%v = %v, exact %v: off by more than 1/%d", p, got, want, histHalf)
				}
			}
			if h.percentile(100) != h.max || h.percentile(0) != h.min {
				t.Errorf("p0/p100 = %v/%v, want min/max %v/%v", h.percentile(0), h.percentile(100), h.min, h.max)
			}
		})
	}
}

func TestEmptyHistogramReportsZero(t *testing.T) {
	var h histogram
	if got := h.percentile(50); got != 0 {
		t.Fatalf("p50 of nothing = %v", got)
	}
	var r result
	r.setLatency(&h)
	if r.P50MS != 0 || r.MaxMS != 0 {
		t.Fatalf("latency of nothing = %+v", r)
	}
}

func TestMergeEqualsRecordingEverythingInOne(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var all, a, b, empty histogram
	for i := range 5000 {
		d := time.Duration(r.IntN(5e6))
		all.record(d)
		if i%3 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	var merged histogram
	merged.merge(&empty)
	merged.merge(&a)
	merged.merge(&b)
	merged.merge(&empty)
	if merged != all {
		t.Fatalf("merged histogram differs: n %d vs %d, min %v vs %v, max %v vs %v",
			merged.n, all.n, merged.min, all.min, merged.max, all.max)
	}
}

func TestOutOfRangeValuesAreClampedNotLost(t *testing.T) {
	var h histogram
	h.record(-5)
	h.record(time.Duration(histMax) * 4)
	if h.count() != 2 || h.min != 0 || h.max != time.Duration(histMax)*4 {
		t.Fatalf("count %d min %v max %v", h.count(), h.min, h.max)
	}
	if got := h.percentile(99); got != h.max && got < time.Duration(histMax)/2 {
		t.Fatalf("p99 = %v, want near the top", got)
	}
}
