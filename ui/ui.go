// Package ui is huecast's window: the room's circle, the colour buttons, who
// is here, and a menu to join a hub by address or change name and room. It
// reaches the network only through Peer, so tests drive it with a fake, and
// it changes widgets only on Fyne's UI goroutine (see follow).
package ui

import (
	"context"
	"image/color"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/huecast/huecast/assets"
	"github.com/huecast/huecast/net/event"
	"github.com/huecast/huecast/net/wire"
)

// Peer is the peer the window shows and drives; net/peer's Restarter is one.
type Peer interface {
	// Events delivers what happens to the peer; closed when it stops for good.
	Events() <-chan event.Event
	// SetColor sends #rrggbb to the room. It must not block: it is called
	// from button callbacks on the UI goroutine.
	SetColor(hex string) error
	// Restart leaves the room and takes part again as name in room, with
	// the room's passphrase ("" for none), joining the hub at join, or
	// without one (hosting) when join is empty. It must not block; what
	// follows arrives on Events.
	Restart(name, room, join, passphrase string)
	// SetFlipNow shows colours on arrival (true) or at the moment the
	// room shows them. It must not block.
	SetFlipNow(now bool)
}

// Settings say as whom, where and through which hub the peer takes part.
type Settings struct {
	Name, Room string
	Join       string // the hub's address; empty: this peer hosts
	// Passphrase is the room's, if it has one. The window keeps it in
	// memory only: it is a secret, and preferences are a plain file.
	Passphrase string
}

// maxRecent is how many joined addresses the window remembers.
const maxRecent = 5

// FlipEarly is how long before its moment the window wants a colour from
// the peer (peer.Config.Early): long enough to cross to Fyne's UI goroutine
// and wait there for the frame nearest the moment (see frame).
const FlipEarly = 25 * time.Millisecond

// frameGap is the time between Fyne's frames: its driver draws at most 60
// a second, on a ticker.
const frameGap = time.Second / 60

const (
	// rttStill is how far the hub's round trip may move from the figure
	// shown before it is rewritten (or a fifth of it, if more): a ping's
	// jitter on a LAN, which no person acts on.
	rttStill = time.Millisecond
	// startSize fits the circle, the six buttons and the list of peers.
	startWidth, startHeight = 640, 480
	// sideWidth fits "Hub round trip: 123 ms" and most names.
	sideWidth = 180
)

// UI is one huecast window. Create it with New; Run shows it.
type UI struct {
	app  fyne.App
	win  fyne.Window
	peer Peer
	// do runs f on Fyne's UI goroutine. It is fyne.Do; tests replace it to
	// run f on the test's goroutine instead.
	do  func(f func())
	now func() time.Time
	// frames calls tick on the UI goroutine just before each frame is
	// drawn, until stop is called: a Fyne animation. Tests replace it.
	frames func(tick func()) (stop func())
	// afterDraw runs f once the frame being drawn is on screen; it is
	// fyne.Do, which on the UI goroutine queues f behind the frame. Tests
	// replace it.
	afterDraw func(f func())
	// ageIn asks for one tick, d from now, to age "set by bob, 3 s ago";
	// d = 0 asks for none. Run points it at a timer; tests replace it.
	// It is called on the UI goroutine.
	ageIn func(d time.Duration)

	circle    *canvas.Circle
	colorText *widget.Label
	lastSet   *widget.Label
	status    *widget.Label
	rtt       *widget.Label
	lead      *widget.Label // the room's lead, or that colours show on arrival
	heading   *widget.Label
	peerBox   *fyne.Container
	sideFoot  *fyne.Container          // phoneRow and rtt, under who is here
	phoneRow  *fyne.Container          // "Phones join at <the page's address>", hidden while unknown
	pageLink  *widget.Hyperlink        // opens the phone dialog
	buttons   map[string]fyne.Tappable // "green" … "yellow", and "custom"

	// The dialogs' widgets while a dialog is open, for tests to fill in.
	joinEntry  *widget.SelectEntry
	nameEntry  *widget.Entry
	roomEntry  *widget.Entry
	passEntry  *widget.Entry
	joinDialog interface{ Submit() }
	nameDialog interface{ Submit() }
	phoneQR    *canvas.Image  // the QR code while the phone dialog is open
	phoneCopy  *widget.Button // and its Copy address
	// "Rooms nearby" while it is open: its rows, and a button per room by
	// "room host".
	roomsBox    *fyne.Container
	roomsDialog interface{ Hide() }
	roomButtons map[string]*widget.Button
	nearby      Nearby // where the list comes from; nil: none
	picked      picked // a locked room picked from the list, awaiting its passphrase

	// The rest belongs to the UI goroutine.
	settings Settings
	color    string
	byName   string
	byYou    bool
	setAt    time.Time // zero when not known
	hosting  string    // host:port of the hub this peer hosts; "" if it does not
	hubAddr  string    // host:port of the hub this peer is joined to
	selfID   string
	hostName string
	hostID   string // marks the host in the list; "" when the hub names none
	peers    []wire.Peer
	online   bool
	// moved opens the status once the room has moved host, until the next
	// loss: "The host left; joined carol's hub at …".
	moved string
	// pending is a colour waiting for its frame; stopFrames ends the
	// frame ticks while one waits (nil: none run).
	pending    *event.ColorChanged
	stopFrames func()
	leadNow    time.Duration
	drawing    time.Duration // how long a frame takes to reach the screen; see timeDrawing
	drawn      [drawSamples]time.Duration
	drawnN     int // frames timed so far; the last drawSamples are in drawn
	late       int
	flipNow    bool
	rttShown   time.Duration // the round trip the window shows; 0: none
	rewrites   int           // labels rewritten so far: none while nothing changes
}

// New builds the window for the peer p, which takes part as s says. Call Run
// to show it.
func New(a fyne.App, p Peer, s Settings) *UI {
	u := &UI{
		app: a, peer: p, settings: s, do: fyne.Do, afterDraw: fyne.Do, now: time.Now, frames: fyneFrames, ageIn: func(time.Duration) {},
		// GLFW takes the X11 WM_CLASS from the title at creation, and the
		// .desktop file expects "huecast"; the room goes in after start.
		win:       a.NewWindow("huecast"),
		circle:    canvas.NewCircle(hexColor(wire.StartColor)),
		colorText: widget.NewLabel(""),
		lastSet:   widget.NewLabel(""),
		status:    widget.NewLabel("Starting…"),
		rtt:       widget.NewLabel("Hub round trip: —"),
		lead:      widget.NewLabel(""),
		heading:   widget.NewLabel(wire.TextHereNow),
		peerBox:   container.NewVBox(),
		pageLink:  widget.NewHyperlink("", nil),
		buttons:   map[string]fyne.Tappable{},
		color:     wire.StartColor,
	}
	u.colorText.Alignment, u.colorText.TextStyle = fyne.TextAlignCenter, fyne.TextStyle{Bold: true}
	u.colorText.SizeName = theme.SizeNameSubHeadingText
	u.lastSet.Alignment = fyne.TextAlignCenter
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.heading.TextStyle = fyne.TextStyle{Bold: true}
	u.pageLink.OnTapped = u.showPhone // the QR code, not this computer's browser
	phones := widget.NewLabel("Phones join at")
	phones.TextStyle = fyne.TextStyle{Bold: true}
	u.phoneRow = container.NewVBox(phones, u.pageLink)
	u.win.SetIcon(assets.Icon())
	u.win.SetMaster()
	u.win.SetContent(u.layout())
	u.win.SetMainMenu(u.menu())
	u.win.Canvas().SetOnTypedRune(u.typed)
	u.win.Resize(fyne.NewSize(startWidth, startHeight))
	u.showColor(wire.StartColor, "", false, time.Time{})
	u.showStarting()
	u.showPeers()
	u.showPageLink()
	u.flipNow = a.Preferences().Bool(PrefFlipNow)
	u.showLead()
	return u
}

// Window is the window New built.
func (u *UI) Window() fyne.Window { return u.win }

// Run shows the window and follows the peer until the window is closed or
// ctx ends. It must be called on the program's main goroutine, and blocks.
//
// Once the window closes, nothing from the network reaches the widgets: Fyne
// stops its queue when it shuts down and runs what fyne.Do is given from then
// on right away, on the caller's goroutine, where it would race with the
// window's teardown. So the window is marked closed, on the UI goroutine,
// before the app quits, and what u.do brings after that is dropped.
func (u *UI) Run(ctx context.Context) {
	var closed atomic.Bool
	do := u.do
	u.do = func(f func()) {
		do(func() {
			if !closed.Load() {
				f()
			}
		})
	}
	quit := func() {
		closed.Store(true)
		u.app.Quit()
	}
	u.win.SetCloseIntercept(quit)
	u.app.Lifecycle().SetOnStarted(u.showTitle)
	stopQuit := context.AfterFunc(ctx, func() { fyne.Do(quit) })
	defer stopQuit()
	stop := make(chan struct{})
	followed := make(chan struct{})
	age := time.NewTimer(time.Hour)
	age.Stop()
	u.ageIn = func(d time.Duration) {
		if d <= 0 {
			age.Stop()
			return
		}
		age.Reset(d)
	}
	defer age.Stop()
	go func() {
		defer close(followed)
		u.follow(u.peer.Events(), age.C, stop)
	}()
	u.win.ShowAndRun()
	close(stop)
	<-followed
}

// follow is the one place where the network reaches the widgets: each event
// of the peer, and each tick that ages "3 s ago" (see ageIn), crosses to
// the UI goroutine through u.do. It returns when events is closed or stop is.
func (u *UI) follow(events <-chan event.Event, tick <-chan time.Time, stop <-chan struct{}) {
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				u.do(u.peerEnded)
				return
			}
			u.do(func() { u.apply(ev) })
		case <-tick:
			u.do(u.showLastSet)
		case <-stop:
			return
		}
	}
}

func (u *UI) layout() fyne.CanvasObject {
	row := container.NewGridWithColumns(len(wire.Palette) + 1)
	for _, s := range wire.Palette {
		b := newSwatch(s.Name, hexColor(s.Hex), func() { u.pick(s.Hex) }, u.typed)
		u.buttons[strings.ToLower(s.Name)] = b
		row.Add(b)
	}
	custom := newKeyButton("Custom…", u.showCustom, u.typed)
	u.buttons["custom"] = custom
	row.Add(custom)

	bottom := container.NewVBox(u.colorText, u.lastSet, row)
	width := canvas.NewRectangle(color.Transparent) // keeps names and the round trip readable
	width.SetMinSize(fyne.NewSize(sideWidth, 0))
	u.sideFoot = container.NewVBox(u.phoneRow, u.rtt, u.lead)
	side := container.NewBorder(u.heading, u.sideFoot, nil, nil, container.NewStack(width, container.NewVScroll(u.peerBox)))
	return container.NewBorder(u.status, bottom, nil, side, container.NewPadded(u.circle))
}

func (u *UI) menu() *fyne.MainMenu {
	return fyne.NewMainMenu(fyne.NewMenu("Room",
		fyne.NewMenuItem(wire.TextRoomsNearby+"…", u.showRooms),
		fyne.NewMenuItem("Join by address…", u.showJoin),
		fyne.NewMenuItem("Copy join address", u.copyAddress),
		fyne.NewMenuItem("Join from a phone…", u.showPhone),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Name and room…", u.showNameRoom),
		u.flipItem(),
	))
}

// typed picks palette colour n for key n.
func (u *UI) typed(r rune) {
	if i := int(r - '1'); i >= 0 && i < len(wire.Palette) {
		u.pick(wire.Palette[i].Hex)
	}
}

// pick hands hex to the peer. The circle changes when the room does, with
// every other screen, as the hub's echo says.
func (u *UI) pick(hex string) {
	if err := u.peer.SetColor(hex); err != nil {
		u.setText(u.status, "Could not send the colour: "+err.Error())
	}
}

func (u *UI) showTitle() { u.win.SetTitle("huecast — " + u.settings.Room) }
