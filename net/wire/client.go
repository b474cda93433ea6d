package wire

import "time"

// What every client does alike, the native link and the page: package link
// uses these, and the page reads them from the wire.js the hub writes.
const (
	// WelcomeWait bounds the wait for the hub's answer to hello.
	WelcomeWait = 5 * time.Second
	// BurstPings are sent BurstGap apart as a session starts, so that the
	// offset to the new hub's clock rests on several round trips within a
	// fraction of a second; SettlePings follow SettleGap apart. A whole room
	// joins a new hub at once after a change of host, and round trips in
	// that storm are long (100 peers on 2 cores: the offset off by up to
	// 76 ms); the samples taken once it has passed have the shortest round
	// trips and so take over the estimate. The hub allows 100 frames a
	// second.
	BurstPings  = 8
	BurstGap    = 25 * time.Millisecond
	SettlePings = 12
	SettleGap   = 250 * time.Millisecond
	// MaxWait bounds how far ahead a colour's moment may be: a hub's lead
	// is at most 250 ms, and a moment further off (a hub's clock misread)
	// must not hold the room's colour back; such a colour shows at once.
	MaxWait = time.Second
	// BackoffFirst and BackoffMost bound the wait before a client dials
	// again, as Socket.IO's reconnection does (see Backoff).
	BackoffFirst = time.Second
	BackoffMost  = 5 * time.Second
)

// CloseReplaced is the close text of a connection that a newer one of the
// same peer id replaced: its client has been taken over by another tab or
// process and must not dial again on its own.
const CloseReplaced = "replaced by a newer connection"

// Backoff is Socket.IO's reconnection delay before attempt (1 for the
// first): BackoffFirst doubling to BackoffMost, scaled by 0.5 + r for r in
// [0, 1) (±50%), never above BackoffMost.
func Backoff(attempt int, r float64) time.Duration {
	d := BackoffFirst
	for i := 1; i < attempt && d < BackoffMost; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (0.5 + r))
	return min(d, BackoffMost)
}
