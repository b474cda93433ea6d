package ui

import (
	"fyne.io/fyne/v2"

	"github.com/huecast/huecast/net/wire"
)

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
