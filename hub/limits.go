package hub

import (
	"fmt"
	"time"

	"github.com/huecast/huecast/net/wire"
)

const (
	// DefaultMaxPeers bounds a room's joined peers: above the 1000 clients
	// BENCHMARKS.md shows a hub serving well, far above any LAN gathering,
	// low enough that a script cannot grow the room's state and every
	// broadcast without end.
	DefaultMaxPeers = 1024
	// DefaultColorRate and DefaultColorBurst are each client's token bucket
	// for colour changes: a person tapping as fast as they can stays under
	// it, a script does not. frameRateFactor times as much is allowed for
	// frames of every type (pings, junk), which also cost the room's goroutine.
	DefaultColorRate  = 20.0
	DefaultColorBurst = 40
	frameRateFactor   = 5
	// floodDrops dropped frames within floodWindow mark a flood that goes on:
	// the client is disconnected. Ten seconds at twice the rate is 200.
	floodDrops  = 200
	floodWindow = 10 * time.Second
	// limitNotice spaces the rate_limited errors a client is sent, so that
	// answering a flood cannot itself flood the client's queue.
	noticeGap = 1 * time.Second
	// authFailRate and authFailBurst bound wrong answers to the passphrase
	// challenge from one address, so that guessing it online takes hours
	// per thousand guesses; a person who mistypes it a few times is not
	// held up. authFailAddrs bounds the addresses remembered.
	authFailRate  = 1.0 / 6 // one guess every 6 s
	authFailBurst = 10
	authFailAddrs = 4096
)

// bucket is a token bucket: rate tokens a second, at most burst at once.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (b *bucket) take(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limiter is one connection's limits. It belongs to the connection's
// reader, so frames over the limit are dropped before they cost the room's
// goroutine anything.
type limiter struct {
	off            bool
	colors, frames bucket
	dropped        int       // frames dropped since windowStart
	windowStart    time.Time // of the flood window
	noticed        time.Time // when the client was last told
}

type limitVerdict int

const (
	limitQuiet  limitVerdict = iota // drop it and say nothing
	limitNotice                     // drop it and tell the client
	limitFlood                      // drop it and disconnect the client
)

func (h *Hub) newLimiter(now time.Time) *limiter {
	rate, burst := h.cfg.ColorRate, float64(h.cfg.ColorBurst)
	return &limiter{
		off:    rate < 0,
		colors: bucket{rate: rate, burst: burst, tokens: burst, last: now},
		frames: bucket{rate: rate * frameRateFactor, burst: burst * frameRateFactor, tokens: burst * frameRateFactor, last: now},
	}
}

// allow says whether a frame (a colour when color) may go to the room.
func (l *limiter) allow(now time.Time, color bool) bool {
	if l.off {
		return true
	}
	if !l.frames.take(now) {
		return false
	}
	return !color || l.colors.take(now)
}

// drop counts a dropped frame and says what to do about it.
func (l *limiter) drop(now time.Time) limitVerdict {
	if now.Sub(l.windowStart) > floodWindow {
		l.windowStart, l.dropped = now, 0
	}
	l.dropped++
	if l.dropped >= floodDrops {
		return limitFlood
	}
	if now.Sub(l.noticed) >= noticeGap {
		l.noticed = now
		return limitNotice
	}
	return limitQuiet
}

func (h *Hub) rateLimited() *wire.ProtocolError {
	return &wire.ProtocolError{Code: wire.CodeRateLimited, Message: fmt.Sprintf(
		"Slow down: a client may change the colour %g times a second (%d at once); the extra ones were dropped.",
		h.cfg.ColorRate, h.cfg.ColorBurst)}
}
