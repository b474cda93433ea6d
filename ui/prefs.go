package ui

import (
	"fyne.io/fyne/v2"

	"github.com/huecast/huecast/net/wire"
)

// Preference keys. The window saves the name and room a person picks, and
// the addresses they joined; Startup reads them when a window starts, and
// keeps the install's peer id under PrefID.
const (
	PrefName   = "name"
	PrefRoom   = "room"
	PrefID     = "peer_id"
	PrefRecent = "recent_addresses"
	// PrefFlipNow: show colours on arrival rather than with the room.
	PrefFlipNow = "flip_now"
)

// Start is what a window's peer starts with.
type Start struct {
	Name, Room string
	FlipNow    bool
	// ID is the install's peer id (PeerID); Remembered the hubs joined
	// before, newest first.
	ID         string
	Remembered []string
}

// Startup combines the command line's choices (flags, with given naming
// the flags it set) with the saved preferences: a name or room the person
// chose in the window last time wins over the defaults, but not over a flag
// the command line gave; --flip wins over the window's setting, and becomes
// it. The id stays with the install (see PeerID).
func Startup(prefs fyne.Preferences, flags Start, given map[string]bool, newID func() string) Start {
	s := flags
	if !given["name"] {
		s.Name = prefs.StringWithFallback(PrefName, s.Name)
	}
	if !given["room"] {
		s.Room = prefs.StringWithFallback(PrefRoom, s.Room)
	}
	if given["flip"] {
		prefs.SetBool(PrefFlipNow, s.FlipNow)
	} else {
		s.FlipNow = prefs.Bool(PrefFlipNow)
	}
	s.ID = PeerID(prefs, newID)
	s.Remembered = prefs.StringList(PrefRecent)
	return s
}

// PeerID returns this install's peer id, kept in prefs under PrefID, and
// keeps a new one made by newID the first time (or when the kept one is not
// an id), so that "you", the order of election and reconnects hold across
// restarts of the window.
func PeerID(prefs fyne.Preferences, newID func() string) string {
	id := prefs.String(PrefID)
	if id == "" || wire.CleanName(id, wire.MaxIDLen) != id {
		id = newID()
		prefs.SetString(PrefID, id)
	}
	return id
}
