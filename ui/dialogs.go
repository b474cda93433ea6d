package ui

import (
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/huecast/huecast/net/wire"
)

// showCustom opens a colour picker for colours outside the palette.
func (u *UI) showCustom() {
	d := dialog.NewColorPicker("Custom colour", "Pick any colour for the room",
		func(c color.Color) { u.pick(colorHex(c)) }, u.win)
	d.Advanced = true
	d.SetColor(hexColor(u.color))
	d.Show()
}

// showJoin asks for a hub's address, for networks where discovery cannot
// find it, offering the addresses joined before.
func (u *UI) showJoin() {
	recent := u.app.Preferences().StringList(PrefRecent)
	e := widget.NewSelectEntry(recent)
	e.PlaceHolder = "192.168.1.20:7788"
	if len(recent) > 0 {
		e.SetText(recent[0])
	}
	e.Validator = func(s string) error {
		_, err := wire.HubURL(s)
		return err
	}
	item := widget.NewFormItem("Hub address", e)
	item.HintText = "host:port; the host's window shows it in its status line"
	d := dialog.NewForm("Join by address", "Join", "Cancel", []*widget.FormItem{item}, func(ok bool) {
		u.joinEntry, u.joinDialog = nil, nil
		if ok {
			u.join(e.Text)
		}
	}, u.win)
	e.OnSubmitted = func(string) { d.Submit() } // Enter joins
	u.joinEntry, u.joinDialog = e, d
	d.Show()
}

// join restarts the peer on the hub at addr and remembers addr.
func (u *UI) join(addr string) {
	addr = strings.TrimSpace(addr)
	if _, err := wire.HubURL(addr); err != nil {
		dialog.ShowError(fmt.Errorf("cannot join %q: %w", addr, err), u.win)
		return
	}
	u.remember(addr)
	u.settings.Join = addr
	u.restart()
}

// remember puts addr first among the hubs joined before: the join dialog
// offers them, and a peer asks them first when it starts.
func (u *UI) remember(addr string) {
	recent := u.app.Preferences().StringList(PrefRecent)
	if len(recent) > 0 && recent[0] == addr {
		return
	}
	recent = slices.DeleteFunc(recent, func(s string) bool { return s == addr })
	recent = append([]string{addr}, recent...)
	u.app.Preferences().SetStringList(PrefRecent, recent[:min(len(recent), maxRecent)])
}

// copyAddress puts the hub's address on the clipboard, for another machine's
// Join by address.
func (u *UI) copyAddress() {
	addr := u.hosting
	if addr == "" {
		addr = u.hubAddr
	}
	if addr == "" {
		dialog.ShowInformation("Nothing to copy yet",
			"This window has no hub yet. Once it hosts or joins one, the status line shows its address.", u.win)
		return
	}
	u.app.Clipboard().SetContent(addr)
	dialog.ShowInformation("Join address copied",
		addr+"\n\nOn another machine choose Room → Join by address… and paste it.", u.win)
}

// showNameRoom lets a person change the name others see, the room, and the
// room's passphrase.
func (u *UI) showNameRoom() {
	if u.nameDialog != nil {
		return // already open
	}
	name, room, pass := widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry()
	name.SetText(u.settings.Name)
	room.SetText(u.settings.Room)
	pass.SetText(u.settings.Passphrase)
	name.Validator = func(s string) error {
		if wire.CleanName(s, wire.MaxNameLen) == "" {
			return errors.New("type the name others will see")
		}
		return nil
	}
	room.Validator = func(s string) error {
		if wire.CleanRoom(s) == "" {
			return errors.New("type a room, for example lobby")
		}
		return nil
	}
	roomItem := widget.NewFormItem("Room", room)
	roomItem.HintText = "everyone in the same room shares one colour"
	passItem := widget.NewFormItem("Passphrase", pass)
	passItem.HintText = "only if the room has one; never sent, only proved"
	d := dialog.NewForm("Name and room", "Save", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Name", name), roomItem, passItem}, func(ok bool) {
			u.nameEntry, u.roomEntry, u.passEntry, u.nameDialog = nil, nil, nil, nil
			if ok {
				u.rename(name.Text, room.Text, pass.Text)
			}
			u.picked = picked{}
		}, u.win)
	name.OnSubmitted = func(string) { d.Submit() } // Enter saves
	room.OnSubmitted = name.OnSubmitted
	pass.OnSubmitted = name.OnSubmitted
	u.nameEntry, u.roomEntry, u.passEntry, u.nameDialog = name, room, pass, d
	d.Show()
}

// rename saves name and room and, if either or the passphrase changed,
// restarts the peer. A
// hub serves one room, so a new room leaves the hub joined by address. An
// empty name or room keeps the old one: Fyne's forms let an empty field
// through while it has the focus.
func (u *UI) rename(name, room, passphrase string) {
	name, room = wire.CleanName(name, wire.MaxNameLen), wire.CleanRoom(room)
	if name == "" {
		name = u.settings.Name
	}
	if room == "" {
		room = u.settings.Room
	}
	u.app.Preferences().SetString(PrefName, name)
	u.app.Preferences().SetString(PrefRoom, room)
	join := u.settings.Join
	if room != u.settings.Room {
		join = ""
	}
	if u.picked.join != "" && room == u.picked.room { // a room picked from Rooms nearby
		join = u.picked.join
		u.remember(join)
	}
	if name == u.settings.Name && room == u.settings.Room && passphrase == u.settings.Passphrase && join == u.settings.Join {
		return
	}
	u.settings.Join = join
	u.settings.Name, u.settings.Room, u.settings.Passphrase = name, room, passphrase
	u.restart()
}

// restart forgets the room being left and has the peer start again.
func (u *UI) restart() {
	u.hosting, u.hubAddr, u.online, u.peers, u.moved = "", "", false, nil, ""
	u.clearRTT()
	u.showStarting()
	u.showPeers()
	u.showPageLink()
	u.showTitle()
	u.peer.Restart(u.settings.Name, u.settings.Room, u.settings.Join, u.settings.Passphrase)
}
