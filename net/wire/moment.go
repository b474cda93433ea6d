// moment.go: when the room shows a colour the hub accepts.

package wire

import "time"

// Moment is the moment, on the hub's clock, at which the room shows a colour
// the hub accepts at now. lead is the room's lead; reach is the longest the
// colour may take to reach every member (half the slowest round trip, plus
// a margin); waiting is the moment of the last colour sent, which the room
// has yet to show if it is after now.
//
//   - Nothing waits: now + lead.
//   - The colour reaches every member before the waiting colour's moment:
//     that moment, no later. Every screen shows it in the waiting one's
//     place, and none shows the waiting one.
//   - Otherwise now + lead, after the waiting moment: every screen shows
//     the waiting colour at its moment, then this one.
//
// A screen never waits longer than lead for the next colour while colours
// keep coming, and every screen shows the same colours in the same order:
// the hub decides which colour replaces which, not each screen.
func Moment(now, lead, reach, waiting time.Duration) time.Duration {
	if waiting > now && now+reach <= waiting {
		return waiting
	}
	return max(now+lead, waiting)
}
