// Package wire is huecast's wire protocol: the JSON frames that the hub and its
// clients exchange over a WebSocket, and the rules for colours and names.
// PROTOCOL.md at the top of the repository is the reference; this package is
// its one implementation, shared by the hub and the client link; the page
// reads its constants and the texts a person reads (texts.go) from the
// wire.js the hub writes from this package, and runs the vectors in testdata
// as this package's tests do.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Frame types.
const (
	TypeHello   = "hello"
	TypeColor   = "color"
	TypePing    = "ping"
	TypePong    = "pong"
	TypeWelcome = "welcome"
	TypeJoin    = "join"
	TypeLeave   = "leave"
	TypeError   = "error"
	// TypeChallenge and TypeAuth exist only in rooms with a passphrase:
	// the hub's first frame, and the client's answer; a client that holds
	// a passphrase sends a challenge of its own first, which the hub
	// answers with an auth frame of its own (see auth.go).
	TypeChallenge = "challenge"
	TypeAuth      = "auth"
)

// Error codes carried by an error frame.
const (
	CodeBadJSON       = "bad_json"
	CodeBadType       = "bad_type"
	CodeBadColor      = "bad_color"
	CodeHelloRequired = "hello_required"
	CodeWrongRoom     = "wrong_room"
	CodeTooLarge      = "too_large"
	CodeUnauthorized  = "unauthorized"
	CodeRateLimited   = "rate_limited"
	CodeRoomFull      = "room_full"
	// CodeOpenRoom answers a client's challenge on a hub whose room has no
	// passphrase: a peer that holds one is in another room.
	CodeOpenRoom = "open_room"
	// CodeUnprovenHub is the status a client gives itself, never sent by a
	// hub: the hub could not prove it knows the room's passphrase, so the
	// client told it nothing and went elsewhere.
	CodeUnprovenHub = "unproven_hub"
	// CodeBadVersion answers a hello of another protocol version (or none:
	// version 1 sent none); the connection is closed.
	CodeBadVersion = "bad_version"
	// CodeBadStamp says a hello's stamp was not adopted (see Stamp.Check);
	// the hello is handled all the same.
	CodeBadStamp = "bad_stamp"
)

// Leave reasons carried by a leave frame.
const (
	ReasonClosed  = "closed"
	ReasonTimeout = "timeout"
	ReasonDropped = "dropped"
)

const (
	// DefaultRoom is the room a peer joins when it is not told another.
	DefaultRoom = "lobby"
	// StartColor is every new room's colour.
	StartColor = "#008000"
	// MaxNameLen caps display names, counted in characters, after trimming.
	MaxNameLen = 64
	// MaxRoomLen caps room names the same way.
	MaxRoomLen = 64
	// MaxIDLen caps peer ids; ids are opaque and short (16 random bytes in hex is 32).
	MaxIDLen = 64
	// MaxFrame is the largest frame either side reads. The largest legitimate
	// frame is a welcome listing many peers; everything a client sends fits
	// in a few hundred bytes.
	MaxFrame = 4096
)

// Peer is one member of a room as the protocol shows it. Addr is the hub
// address this peer would host on if it became the host ("" if it cannot).
type Peer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Addr string `json:"addr,omitempty"`
}

// In is any frame a client sends to the hub, decoded. Fields that a type
// does not use stay zero.
type In struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Room   string `json:"room"`
	Color  string `json:"color"`
	ByName string `json:"by_name"`
	Addr   string `json:"addr"`
	V      int    `json:"v"`     // hello only
	Stamp  Stamp  `json:"stamp"` // hello only
	T      int64  `json:"t"`
	// RTT is the client's round trip to the hub in ms as it measures it
	// (ping only; 0: not known), so that the room's lead covers it.
	RTT   float64 `json:"rtt"`
	MAC   string  `json:"mac"`   // auth only
	Nonce string  `json:"nonce"` // challenge only: the client's own
}

// Hello is the first frame a client sends.
type Hello struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Room  string `json:"room"`
	Color string `json:"color"`
	// ByName names whoever set Color, so "set by bob" survives a change of host.
	ByName string `json:"by_name,omitempty"`
	Addr   string `json:"addr,omitempty"`
	V      int    `json:"v"` // Version
	// Stamp is Color's: zero for a fresh peer, which knows no colour.
	Stamp Stamp `json:"stamp"`
}

// SetColor asks the hub to change the room's colour.
type SetColor struct {
	Type  string `json:"type"`
	Color string `json:"color"`
}

// Ping carries an opaque time stamp of the client's for application-level
// round trips, and the client's round trip as it last measured it.
type Ping struct {
	Type string  `json:"type"`
	T    int64   `json:"t"`
	RTT  float64 `json:"rtt,omitempty"` // ms
}

// Pong answers a ping: T as the ping had it, and HT the hub's clock when it
// answered, from which clients estimate their offset to the hub's clock.
type Pong struct {
	Type string  `json:"type"`
	T    int64   `json:"t"`
	HT   float64 `json:"ht"`
}

// Welcome answers a hello with the room's state.
type Welcome struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Room   string `json:"room"`
	Color  string `json:"color"`
	By     string `json:"by"`
	ByName string `json:"by_name"`
	Peers  []Peer `json:"peers"`
	Host   string `json:"host"`
	// HostID is the hosting peer's id, so that screens mark the host by
	// id, not by a name anyone may share; absent when no peer hosts.
	HostID string `json:"host_id,omitempty"`
	V      int    `json:"v"`     // Version
	Stamp  Stamp  `json:"stamp"` // Color's
	// Lead is how far ahead of the hub's clock colours are shown now, ms.
	Lead float64 `json:"lead"`
}

// Color announces an accepted colour to every client of the room.
type Color struct {
	Type  string `json:"type"`
	Color string `json:"color"`
	By    string `json:"by"`
	Name  string `json:"name"`
	Stamp Stamp  `json:"stamp"`
	// At is the moment, on the hub's clock (HubTime), the room shows the
	// colour; 0 (omitted): on arrival. Lead is how far ahead of the hub's
	// accepting it that is, ms.
	At   float64 `json:"at,omitempty"`
	Lead float64 `json:"lead,omitempty"`
}

// Presence announces a peer joining (Reason empty) or leaving.
type Presence struct {
	Type   string `json:"type"`
	Peer   Peer   `json:"peer"`
	Reason string `json:"reason,omitempty"`
}

// Error tells a client what was wrong with what it sent, in a sentence a
// person understands.
type Error struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Out is any frame the hub sends, decoded on the client side.
type Out struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Room    string `json:"room"`
	Color   string `json:"color"`
	By      string `json:"by"`
	ByName  string `json:"by_name"`
	Name    string `json:"name"`
	Peers   []Peer `json:"peers"`
	Host    string `json:"host"`
	HostID  string `json:"host_id"`
	Peer    Peer   `json:"peer"`
	Reason  string `json:"reason"`
	Code    string `json:"code"`
	Message string `json:"message"`
	T       int64  `json:"t"`
	Nonce   string `json:"nonce"` // challenge only
	MAC     string `json:"mac"`   // auth only: the hub's proof
	V       int    `json:"v"`     // welcome and the hub's challenge
	Stamp   Stamp  `json:"stamp"` // welcome and color
	// The clock: HT in pong, At and Lead in color, Lead in welcome.
	HT   float64 `json:"ht"`
	At   float64 `json:"at"`
	Lead float64 `json:"lead"`
}

// ProtocolError is a client mistake the hub answers with an error frame.
type ProtocolError struct {
	Code    string
	Message string
}

func (e *ProtocolError) Error() string { return e.Code + ": " + e.Message }

// Frame returns the error frame that reports e.
func (e *ProtocolError) Frame() Error {
	return Error{Type: TypeError, Code: e.Code, Message: e.Message}
}

// DecodeIn decodes one client frame. It checks the JSON and the type, not
// the fields: the hub checks those where it has the state to do so.
func DecodeIn(data []byte) (In, error) {
	var in In
	if err := json.Unmarshal(data, &in); err != nil {
		return In{}, &ProtocolError{CodeBadJSON, "That frame is not a JSON object: " + shortJSONError(err) + "."}
	}
	switch in.Type {
	case TypeHello, TypeColor, TypePing, TypeAuth, TypeChallenge:
		return in, nil
	case "":
		return In{}, &ProtocolError{CodeBadType, `That frame has no "type"; expected hello, color, ping, challenge or auth.`}
	default:
		return In{}, &ProtocolError{CodeBadType, fmt.Sprintf("Unknown frame type %q; expected hello, color, ping, challenge or auth.", clip(in.Type, 32))}
	}
}

func shortJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q should be a %s", typ.Field, typ.Type)
		}
		return "it should be an object"
	default:
		return "it could not be parsed"
	}
}

// ParseColor accepts #rrggbb in any case and returns it in lower case.
func ParseColor(s string) (string, error) {
	if len(s) != 7 || s[0] != '#' {
		return "", &ProtocolError{CodeBadColor, fmt.Sprintf("%q is not a colour; send #rrggbb, for example #1e90ff.", clip(s, 32))}
	}
	var b [7]byte
	b[0] = '#'
	for i := 1; i < 7; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", &ProtocolError{CodeBadColor, fmt.Sprintf("%q is not a colour; send #rrggbb, for example #1e90ff.", clip(s, 32))}
		}
		b[i] = c
	}
	return string(b[:]), nil
}

// CleanName trims a display name, removes control and format characters,
// and caps it at max characters. Invalid UTF-8 is replaced.
func CleanName(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// clip shortens s for quoting it back in an error message.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// Heartbeats. Both ends send WebSocket pings every PingPeriod and treat a
// connection that has sent nothing, not even a pong, for PongWait as dead.
// On a LAN a round trip takes a few milliseconds, so three pings in a row may
// go unanswered (a Wi-Fi hiccup) before a peer is given up, and a peer or hub
// that died is noticed within 3 to 4 s.
const (
	PingPeriod = 1 * time.Second // must be less than PongWait
	PongWait   = 4 * time.Second
	// WriteWait bounds one frame's write: a peer that cannot take a small
	// frame in this long cannot keep up with the room.
	WriteWait = 2 * time.Second
)

// Millis is d in milliseconds to the microsecond, as the clock's fields
// carry times on the wire.
func Millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// Duration is the inverse of Millis; it saturates rather than overflow.
func Duration(ms float64) time.Duration {
	const most = float64(1<<63-1) / float64(time.Millisecond)
	switch {
	case ms != ms: // NaN
		return 0
	case ms >= most:
		return 1<<63 - 1
	case ms <= -most:
		return -1 << 63
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// CleanRoom normalises a room name: cleaned like a display name and lower
// case, so "Lobby " and "lobby" are one room.
func CleanRoom(s string) string {
	return strings.ToLower(CleanName(s, MaxRoomLen))
}

// RoomName is the room s stands for: CleanRoom(s), or DefaultRoom when
// nothing is left of s (a peer told no room joins the default one).
func RoomName(s string) string {
	if r := CleanRoom(s); r != "" {
		return r
	}
	return DefaultRoom
}
