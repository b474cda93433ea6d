package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/huecast/huecast/net/wire"
)

// Room is a room heard nearby, as "Rooms nearby" lists it.
type Room struct {
	Room    string
	Host    string // the host's display name
	Members int    // peers in it, the host included
	Locked  bool   // it has a passphrase
	URL     string // its hub
	Here    bool   // the room this window's hub serves
}

// Nearby lists the rooms around; the window asks its hub for them.
type Nearby interface {
	// Rooms returns the rooms the hub at hub (host:port) hears, this
	// window's own room marked Here. It may block on the network: the
	// window calls it from a goroutine of its own, never the UI's.
	Rooms(ctx context.Context, hub string) ([]Room, error)
}

// roomsEvery is how often an open "Rooms nearby" asks again: rooms appear,
// grow and go while a person looks.
const roomsEvery = 3 * time.Second

// SetNearby gives the window where to learn the rooms nearby; without it,
// "Rooms nearby" says it cannot tell. Call it before Run.
func (u *UI) SetNearby(n Nearby) { u.nearby = n }

// picked is a locked room chosen from the list, while the name and room
// dialog asks for its passphrase: saving it there joins that room's hub.
type picked struct{ room, join string }

// showRooms opens "Rooms nearby", which asks the hub again every roomsEvery
// until it is closed.
func (u *UI) showRooms() {
	if u.roomsBox != nil {
		return // already open
	}
	u.roomsBox = container.NewVBox(widget.NewLabel("Looking…"))
	scroll := container.NewVScroll(u.roomsBox)
	scroll.SetMinSize(fyne.NewSize(380, 220))
	d := dialog.NewCustom(wire.TextRoomsNearby, "Close", scroll, u.win)
	ctx, cancel := context.WithCancel(context.Background())
	d.SetOnClosed(func() {
		cancel()
		u.roomsBox, u.roomsDialog = nil, nil
	})
	u.roomsDialog = d
	d.Show()
	if u.nearby == nil {
		u.listRooms(nil, fmt.Errorf("this window was started without discovery"))
		return
	}
	go u.pollRooms(ctx, u.nearby)
}

// pollRooms asks for the rooms until ctx ends, and shows each answer on
// the UI goroutine.
func (u *UI) pollRooms(ctx context.Context, n Nearby) {
	for {
		hub := make(chan string, 1)
		u.do(func() { hub <- u.currentHub() })
		var addr string
		select {
		case addr = <-hub:
		case <-ctx.Done():
			return
		}
		var rooms []Room
		err := fmt.Errorf("this window has no hub yet")
		if addr != "" {
			rctx, cancel := context.WithTimeout(ctx, roomsEvery)
			rooms, err = n.Rooms(rctx, addr)
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		u.do(func() {
			if ctx.Err() == nil {
				u.listRooms(rooms, err)
			}
		})
		select {
		case <-time.After(roomsEvery):
		case <-ctx.Done():
			return
		}
	}
}

// currentHub is the host:port of the hub this window is in; "" while none.
func (u *UI) currentHub() string {
	if u.hubAddr != "" {
		return u.hubAddr
	}
	return u.hosting
}

// listRooms shows rooms in the open list: one button per room, the
// current one marked and not pickable.
func (u *UI) listRooms(rooms []Room, err error) {
	if u.roomsBox == nil {
		return
	}
	var rows []fyne.CanvasObject
	switch {
	case err != nil:
		rows = append(rows, widget.NewLabel("Cannot list the rooms: "+err.Error()))
	case len(rooms) == 0:
		rows = append(rows, widget.NewLabel("No room heard yet."))
	}
	u.roomButtons = map[string]*widget.Button{}
	for _, r := range rooms {
		b := widget.NewButtonWithIcon(roomText(r), roomIcon(r), func() { u.pickRoom(r) })
		b.Alignment = widget.ButtonAlignLeading
		if r.Here {
			b.Importance = widget.HighImportance
			b.Disable()
		}
		u.roomButtons[r.Room+" "+r.Host] = b
		rows = append(rows, b)
	}
	if len(rooms) == 1 && rooms[0].Here {
		rows = append(rows, widget.NewLabel("No other room heard yet."))
	}
	u.roomsBox.Objects = rows
	u.roomsBox.Refresh()
}

// roomText is a room's line in the list: "vault · v1's · 2 here · passphrase",
// as the page words it too.
func roomText(r Room) string {
	s := wire.Fill(wire.TextRoomNearby, "room", r.Room, "host", r.Host, "members", strconv.Itoa(r.Members))
	if r.Locked {
		s = wire.Fill(wire.TextRoomLocked, "line", s)
	}
	if r.Here {
		s += " · you are here"
	}
	return s
}

func roomIcon(r Room) fyne.Resource {
	switch {
	case r.Here:
		return theme.ConfirmIcon()
	case r.Locked:
		return theme.VisibilityOffIcon()
	}
	return theme.LoginIcon()
}

// pickRoom joins r's hub: at once for an open room; for a locked one after
// the name and room dialog has asked for its passphrase.
func (u *UI) pickRoom(r Room) {
	if r.Here {
		return
	}
	addr := r.URL
	if p, err := url.Parse(r.URL); err == nil && p.Host != "" {
		addr = p.Host
	}
	if u.roomsDialog != nil {
		u.roomsDialog.Hide()
	}
	if r.Locked {
		u.picked = picked{room: r.Room, join: addr}
		u.showNameRoom()
		if u.roomEntry != nil {
			u.roomEntry.SetText(r.Room)
			u.passEntry.SetText("")
			u.win.Canvas().Focus(u.passEntry)
		}
		return
	}
	u.app.Preferences().SetString(PrefRoom, r.Room)
	u.remember(addr)
	u.settings.Room, u.settings.Join, u.settings.Passphrase = r.Room, addr, ""
	u.restart()
}
