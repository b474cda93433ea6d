package ui

import (
	"fmt"
	"slices"
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
// waits, and on each tick shows it if the moment, less the time a frame
// takes to draw, falls before the middle of the gap to the next frame. The
// change then reaches the screen within half a frame (8.3 ms) of the
// moment, plus what the compositor and the screen add after the frame is
// handed over, which is the same for every window of one kind.

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
	if now.Add(u.drawing + frameGap/2).Before(c.Due) {
		return // a later frame's picture is nearer the moment
	}
	u.pending = nil
	u.stopWaiting()
	u.showColor(c.Color, c.Name, c.By != "" && c.By == u.selfID, now)
	u.timeDrawing(now)
}

// timeDrawing measures how long the frame that shows a colour takes from
// its tick, at from, until it is drawn and handed to the screen: Fyne draws
// right after ticking its animations, and only then runs the functions
// queued with fyne.Do (u.afterDraw), which queues even on the UI
// goroutine. Software GL takes several milliseconds a frame, as long as
// half the gap between frames, so frame picks the frame whose picture, not
// whose tick, is nearest the moment. The figure is the least of the last
// drawSamples frames: a queued function runs late now and then, never
// early.
func (u *UI) timeDrawing(from time.Time) {
	u.afterDraw(func() {
		u.drawn[u.drawnN%drawSamples] = min(max(u.now().Sub(from), 0), frameGap)
		u.drawnN++
		u.drawing = slices.Min(u.drawn[:min(u.drawnN, drawSamples)])
	})
}

// drawSamples is how many of the last flips' frames timeDrawing weighs.
const drawSamples = 8

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
