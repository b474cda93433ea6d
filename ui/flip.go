package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"github.com/huecast/huecast/net/event"
)

// Showing a colour on the frame nearest its moment.
//
// Fyne draws on a 60 Hz ticker of its own and offers no callback per frame
// but its animations, which it ticks on the UI goroutine just before it
// draws. The peer hands the window each colour FlipEarly before its moment
// (event.ColorChanged.Due); the window keeps it, runs an animation while it
// waits, and on each tick shows it if the moment falls before the middle of
// the gap to the next frame. The change is then drawn within half a frame
// (8.3 ms) of the moment, plus what the driver, the compositor and the
// screen add, which is the same for every window of one kind.

// fyneFrames calls tick before each frame Fyne draws until stop is called.
func fyneFrames(tick func()) (stop func()) {
	a := fyne.NewAnimation(time.Hour, func(float32) { tick() })
	a.Start()
	return a.Stop
}

// colorArrived shows c now, or keeps it for the frame nearest c.Due.
func (u *UI) colorArrived(c event.ColorChanged) {
	if c.Lead > 0 {
		u.leadNow = c.Lead
	}
	u.late = c.LateCount
	u.showLead()
	if c.Due.IsZero() || !c.Due.After(u.now()) {
		u.pending = nil
		u.stopWaiting()
		u.showColor(c.Color, c.Name, c.By != "" && c.By == u.selfID, u.now())
		return
	}
	u.pending = &c // newer than any that waits: the peer delivers in the room's order
	if u.stopFrames == nil {
		u.stopFrames = u.frames(u.frame)
	}
}

// frame runs before each frame is drawn while a colour waits.
func (u *UI) frame() {
	c := u.pending
	if c == nil {
		u.stopWaiting()
		return
	}
	now := u.now()
	if now.Add(frameGap / 2).Before(c.Due) {
		return // a later frame is nearer the moment
	}
	u.pending = nil
	u.stopWaiting()
	u.showColor(c.Color, c.Name, c.By != "" && c.By == u.selfID, now)
}

func (u *UI) stopWaiting() {
	if u.stopFrames != nil {
		u.stopFrames()
		u.stopFrames = nil
	}
}

// dropPending forgets a waiting colour, as when the peer joins a hub whose
// welcome says what the room shows.
func (u *UI) dropPending() {
	u.pending = nil
	u.stopWaiting()
}

// showLead writes "Room's lead: 190 ms", how long after a click the room
// flips (and how many colours came too late here to show with it), or that
// colours show on arrival.
func (u *UI) showLead() {
	switch {
	case u.flipNow:
		u.setText(u.lead, "Colours show on arrival")
	case u.leadNow <= 0:
		u.setText(u.lead, "Room's lead: —")
	case u.late > 0:
		u.setText(u.lead, fmt.Sprintf("Room's lead: %s (%d late)", millis(u.leadNow), u.late))
	default:
		u.setText(u.lead, "Room's lead: "+millis(u.leadNow))
	}
}

// flipItem is the Room menu's "Show colours on arrival", a setting kept in
// the preferences.
func (u *UI) flipItem() *fyne.MenuItem {
	item := fyne.NewMenuItem("Show colours on arrival", nil)
	item.Checked = u.app.Preferences().Bool(PrefFlipNow)
	item.Action = func() {
		u.setFlipNow(!u.flipNow)
		item.Checked = u.flipNow
		if m := u.win.MainMenu(); m != nil {
			m.Refresh()
		}
	}
	return item
}

// setFlipNow switches between colours on arrival and with the room.
func (u *UI) setFlipNow(now bool) {
	u.flipNow = now
	u.app.Preferences().SetBool(PrefFlipNow, now)
	u.peer.SetFlipNow(now)
	u.showLead()
}
