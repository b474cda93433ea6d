package main

import (
	"math/bits"
	"time"
)

// histogram records durations in fixed memory, in the manner of an HDR
// histogram: values below 2^histSubBits ns are kept exactly, larger ones in
// log-linear buckets whose width is at most 1/histHalf (1.6%) of their value.
// Values above histMax are counted in the last bucket; max stays exact.
//
// A histogram is not safe for concurrent use: each receiver owns one and the
// results are merged once the receivers have stopped.
type histogram struct {
	counts [histBuckets]uint32
	n      uint64
	min    time.Duration
	max    time.Duration
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // values below this are exact
	histHalf    = histSub / 2      // sub-buckets per power of two above histSub
	histMaxBits = 40               // 2^40 ns is about 18 minutes, far past any run's bound
	histMax     = 1<<histMaxBits - 1
	histBuckets = (histMaxBits-histSubBits)*histHalf + histSub
)

// bucketOf returns the index of the bucket that holds v ns.
func bucketOf(v uint64) int {
	if v > histMax {
		v = histMax
	}
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits // >= 1
	return shift*histHalf + int(v>>shift)
}

// bucketRange returns the smallest and largest value that fall in bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < histSub {
		return uint64(i), uint64(i)
	}
	shift := i/histHalf - 1
	sub := uint64(i - shift*histHalf)
	lo = sub << shift
	return lo, lo + 1<<shift - 1
}

// record adds one duration; negative durations count as zero.
func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
}

// merge adds every value recorded in o to h.
func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// count returns how many values were recorded.
func (h *histogram) count() uint64 { return h.n }

// percentile returns the value below or at which p percent (0..100) of the
// recorded values lie: the midpoint of the bucket holding the value of rank
// ceil(p/100 * n), clamped to [min, max]. It returns 0 for an empty histogram.
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if p <= 0 {
		return h.min
	}
	if p >= 100 {
		return h.max
	}
	rank := uint64(p / 100 * float64(h.n))
	if float64(rank) < p/100*float64(h.n) {
		rank++ // ceil
	}
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			lo, hi := bucketRange(i)
			v := time.Duration(lo + (hi-lo)/2)
			return max(h.min, min(v, h.max))
		}
	}
	return h.max
}
