package wire

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The texts a person reads that more than one side says: the hub in its
// error frames, the native link, and the page, which reads them from the
// wire.js the hub writes (assets/web) and fills them as Fill does. Each
// lives here once; a {name} in a text is filled in where it is said.
const (
	// TextNeedsPassphrase: the room has a passphrase and the client gave
	// none (the hub's refusal; the page's words beside its passphrase field).
	TextNeedsPassphrase = "Room '{room}' needs a passphrase; ask whoever runs it, then join again with it."
	// TextWrongPassphrase: the client's answer to the challenge is wrong,
	// or was made for another address (a relay's).
	TextWrongPassphrase = "Wrong passphrase for room '{room}' (or an answer passed on from another address); " +
		"check it with whoever runs the room, and join at the hub's own address."
	// TextTooManyWrong: the hub does not even check an answer from an
	// address that gave too many wrong ones.
	TextTooManyWrong = "Too many wrong passphrases from this address; wait a minute before trying again."
	// TextOpenRoom: a client that holds a passphrase challenged a hub whose
	// room has none.
	TextOpenRoom = "Room '{room}' has no passphrase on this hub, so it is not the room of a peer that holds one."
	// TextRoomFull: the room has as many members as the hub allows.
	TextRoomFull = "Room '{room}' is full: it has the {max} peers this hub allows."
	// TextWrongRoom: a hello named another room than the hub's.
	TextWrongRoom = "This hub serves room '{room}', not '{asked}'."

	// TextHubOlder and TextHubNewer: the hub at {host} speaks protocol
	// {hub}, the device (a window, a headless peer, a page) {device}; see
	// VersionText.
	TextHubOlder = "The hub at {host} speaks huecast protocol {hub}, older than this device's {device}: " +
		"update huecast on the hub's machine."
	TextHubNewer = "The hub at {host} speaks huecast protocol {hub}, newer than this device's {device}: " +
		"update huecast on this device (or reload the page) to join."

	// TextUnproven: a hub could not prove it knows the room's passphrase;
	// {why} is one of the Why texts.
	TextUnproven = "The hub at {host} {why}; this device told it nothing and looks for room '{room}' elsewhere."
	// The Why texts say what such a hub did.
	WhyOpenRoom      = "serves room '{room}' without a passphrase, so it is another room"
	WhyAnsweredWith  = "answered with {type} before proving it knows the room's passphrase" // {type} quoted
	WhyNotAChallenge = "sent a challenge that is not one"
	WhyOwnChallenge  = "sent our own challenge back"
	WhyNoProof       = "could not prove it knows the passphrase of room '{room}'"

	// Why the connection to the hub ended, as the status line says it
	// while the client tries again.
	TextConnLost     = "the connection was lost"
	TextHubClosed    = "the hub closed the connection"
	TextHubClosedWhy = "the hub closed the connection: {why}"
	TextHubSilent    = "the hub stopped answering"
	TextCannotReach  = "cannot reach the hub at {host}"

	// TextJoined and TextJoinedHub: where the device joined the room, as
	// the status line says it, capitalised at its start (Capital), or
	// after what went before ("The host left; joined …"); TextJoinedHub
	// when the host has no name.
	TextJoined    = "joined {host}'s hub at {addr}"
	TextJoinedHub = "joined the hub at {addr}"

	// TextSetBy and TextSetByYou say who set the room's colour, after its
	// name ("Blue, set by bob") or on a line of their own (Capital).
	TextSetBy    = "set by {name}"
	TextSetByYou = "set by you"

	// TextHereNow heads the list of who is in the room; TextRoomsNearby
	// the list of the other rooms heard.
	TextHereNow     = "Here now"
	TextRoomsNearby = "Rooms nearby"

	// TextRoomNearby is a room's line in "Rooms nearby"; TextRoomLocked
	// adds to a {line} that the room has a passphrase.
	TextRoomNearby = "{room} · {host}'s · {members} here"
	TextRoomLocked = "{line} · passphrase"
)

// Texts are the texts above by the names the page reads them under
// (huecastWire.TEXTS).
var Texts = map[string]string{
	"NEEDS_PASSPHRASE":  TextNeedsPassphrase,
	"WRONG_PASSPHRASE":  TextWrongPassphrase,
	"TOO_MANY_WRONG":    TextTooManyWrong,
	"OPEN_ROOM":         TextOpenRoom,
	"ROOM_FULL":         TextRoomFull,
	"WRONG_ROOM":        TextWrongRoom,
	"HUB_OLDER":         TextHubOlder,
	"HUB_NEWER":         TextHubNewer,
	"UNPROVEN":          TextUnproven,
	"WHY_OPEN_ROOM":     WhyOpenRoom,
	"WHY_ANSWERED_WITH": WhyAnsweredWith,
	"WHY_NOT_CHALLENGE": WhyNotAChallenge,
	"WHY_OWN_CHALLENGE": WhyOwnChallenge,
	"WHY_NO_PROOF":      WhyNoProof,
	"CONN_LOST":         TextConnLost,
	"HUB_CLOSED":        TextHubClosed,
	"HUB_CLOSED_WHY":    TextHubClosedWhy,
	"HUB_SILENT":        TextHubSilent,
	"CANNOT_REACH":      TextCannotReach,
	"JOINED":            TextJoined,
	"JOINED_HUB":        TextJoinedHub,
	"SET_BY":            TextSetBy,
	"SET_BY_YOU":        TextSetByYou,
	"HERE_NOW":          TextHereNow,
	"ROOMS_NEARBY":      TextRoomsNearby,
	"ROOM_NEARBY":       TextRoomNearby,
	"ROOM_LOCKED":       TextRoomLocked,
}

// Fill returns text with each {name} replaced by the value after name in
// pairs ("room", "lobby", "max", "8"); a {name} without a value stays as
// it is, and a value is never filled in again. The page's fill (proto.js)
// does the same: testdata/vectors.json holds cases for both.
func Fill(text string, pairs ...string) string {
	vars := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		vars[pairs[i]] = pairs[i+1]
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := open + 1
		for end < len(text) && (text[end] >= 'a' && text[end] <= 'z' || text[end] == '_') {
			end++
		}
		if v, ok := vars[text[open+1:end]]; ok && end > open+1 && end < len(text) && text[end] == '}' {
			b.WriteString(text[:open])
			b.WriteString(v)
			text = text[end+1:]
			continue
		}
		b.WriteString(text[:open+1])
		text = text[open+1:]
	}
	b.WriteString(text)
	return b.String()
}

// Capital is s with its first letter in upper case, for a text that
// starts a line.
func Capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// VersionText tells a person that the hub at host speaks protocol hub and
// their device protocol device, and whose huecast to update.
func VersionText(host string, hub, device int) string {
	text := TextHubNewer
	if hub < device {
		text = TextHubOlder
	}
	return Fill(text, "host", host, "hub", strconv.Itoa(hub), "device", strconv.Itoa(device))
}

// Unproven is TextUnproven for the hub at host in room, with why (a Why
// text) filled in first.
func Unproven(host, room, why string) string {
	return Fill(TextUnproven, "host", host, "why", Fill(why, "room", room), "room", room)
}
