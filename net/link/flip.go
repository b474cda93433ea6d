package link

import (
	"context"
	"time"

	"github.com/huecast/huecast/net/clock"
	"github.com/huecast/huecast/net/wire"
)

// flip is a colour for the flipper: to show at at on the link's clock
// (clock.Now: on arrival), or, with reset, to show at once in place of
// whatever waits, as a welcome's colour is.
type flip struct {
	c     ColorChanged
	at    time.Duration
	reset bool
}

// newer is the room's order of colours, the one the reader applies too:
// the flipper shows colours in it, whatever their moments.
func newer(a, b ColorChanged) bool { return a.Stamp.After(b.Stamp) }

// before says that a's moment on the hub's clock comes before b's, so that
// b, newer, does not replace a (see wire.Moment); a colour without a
// moment replaces every one waiting.
func before(a, b ColorChanged) bool { return a.At > 0 && b.At > 0 && a.At < b.At }

// toFlipper hands f to the flipper; it gives up when ctx ends.
func (l *Link) toFlipper(ctx context.Context, f flip) {
	select {
	case l.flips <- f:
	case <-ctx.Done():
	}
}

// flipper is the one goroutine that delivers colours: each at its moment,
// in the room's order, a colour replaced before its moment never (see
// clock.Schedule). It returns when ctx ends. A welcome's colour, being
// delivered as Joined, only resets what is shown.
func (l *Link) flipper(ctx context.Context) {
	sched := clock.NewSchedule(newer, before)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var f clock.Flip[ColorChanged]
		var ok bool
		select {
		case <-ctx.Done():
			return
		case in := <-l.flips:
			if in.reset {
				sched.Show(in.c)
			} else {
				f, ok = sched.Add(in.c, in.at, l.clock())
			}
		case <-timer.C:
			f, ok = sched.Due(l.clock())
		}
		for ; ok; f, ok = sched.Due(l.clock()) {
			l.show(ctx, f, sched.Late())
		}
		if at, ok := sched.Next(); ok {
			timer.Reset(at - l.clock())
		} else {
			timer.Stop()
		}
	}
}

// show delivers f, which the flipper's schedule says is due; late is the
// schedule's count of late colours.
func (l *Link) show(ctx context.Context, f clock.Flip[ColorChanged], late int) {
	c := f.V
	c.Late, c.LateCount = f.Late, late
	if f.At != clock.Now && !f.Late {
		c.Due = l.epoch.Add(f.At + l.cfg.Early)
	}
	c.Shown = time.Now()
	if c.Synced {
		c.ShownHub = wire.Millis(l.clock() + c.Offset)
	}
	l.emit(ctx, c)
}
