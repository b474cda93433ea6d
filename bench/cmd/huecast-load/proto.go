package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/gorilla/websocket"
)

// Every message the load tool sends is a distinct colour: message number k
// (1 ≤ k < 2^24) is sent as the colour "#%06x" of k. A receiver turns the
// colour back into k and finds when and by whom it was sent (see msgLog), so
// no timestamp needs to travel in the frame and both servers relay the same
// payload.
const maxColour = 1<<24 - 1

const hexDigits = "0123456789abcdef"

// appendColour appends "#rrggbb" for k.
func appendColour(dst []byte, k uint32) []byte {
	return append(dst, '#',
		hexDigits[k>>20&0xf], hexDigits[k>>16&0xf], hexDigits[k>>12&0xf],
		hexDigits[k>>8&0xf], hexDigits[k>>4&0xf], hexDigits[k&0xf])
}

// parseHex6 decodes six hexadecimal digits of either case.
func parseHex6(b []byte) (uint32, bool) {
	if len(b) != 6 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// parseColour decodes "#rrggbb".
func parseColour(s string) (uint32, bool) {
	if len(s) != 7 || s[0] != '#' {
		return 0, false
	}
	return parseHex6([]byte(s[1:]))
}

// frameKind says what a received frame means to the load tool.
type frameKind int

const (
	frameOther  frameKind = iota // presence, welcome, noop: ignored
	frameColour                  // a colour broadcast
	frameReply                   // needs the reply returned with it (Engine.IO ping)
	frameFatal                   // the server closed the session or reported an error
)

// protocol is one server's wire protocol as seen by a load client.
type protocol interface {
	// url is the WebSocket URL for a server at addr (host:port).
	url(addr string) string
	// join completes the session's handshake on a freshly dialled
	// connection; client i names the peer. It must read until joined.
	join(c *websocket.Conn, i int, runID string, buf *[]byte) error
	// appendColour appends the frame that sends colour k.
	appendColour(dst []byte, k uint32) []byte
	// classify decodes a received frame.
	classify(frame []byte) (kind frameKind, colour uint32, reply []byte, err error)
}

func protocolByName(name, room string) (protocol, error) {
	switch name {
	case "huecast":
		return huecastProto{room: room}, nil
	case "socketio":
		return socketioProto{}, nil
	}
	return nil, fmt.Errorf("unknown protocol %q (want huecast or socketio)", name)
}

// huecastProto speaks huecast's protocol (PROTOCOL.md): hello then colours.
type huecastProto struct{ room string }

func (huecastProto) url(addr string) string { return "ws://" + addr + "/ws" }

type huecastHello struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Room  string `json:"room"`
	Color string `json:"color"`
	V     int    `json:"v"` // protocol version, wire.Version
}

// protocolVersion is the huecast protocol the tool speaks (wire.Version),
// written out: the tool talks to a hub from outside, as any client would.
const protocolVersion = 3

// huecastFrame holds the fields of a hub frame that the load tool reads.
type huecastFrame struct {
	Type    string `json:"type"`
	Color   string `json:"color"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p huecastProto) join(c *websocket.Conn, i int, runID string, buf *[]byte) error {
	hello, err := json.Marshal(huecastHello{
		Type: "hello", ID: fmt.Sprintf("load-%s-%d", runID, i), Name: fmt.Sprintf("load%d", i), Room: p.room, V: protocolVersion,
	})
	if err != nil {
		return err
	}
	if err := c.WriteMessage(websocket.TextMessage, hello); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	for {
		frame, err := readFrame(c, buf)
		if err != nil {
			return fmt.Errorf("wait for welcome: %w", err)
		}
		var f huecastFrame
		if err := json.Unmarshal(frame, &f); err != nil {
			return fmt.Errorf("wait for welcome: %w", err)
		}
		switch f.Type {
		case "welcome":
			return nil
		case "error":
			return fmt.Errorf("hub refused hello: %s: %s", f.Code, f.Message)
		}
	}
}

func (huecastProto) appendColour(dst []byte, k uint32) []byte {
	dst = append(dst, `{"type":"color","color":"`...)
	dst = appendColour(dst, k)
	return append(dst, `"}`...)
}

var (
	typeColourTok = []byte(`"type":"color"`)
	colourKeyTok  = []byte(`"color"`)
	typeErrorTok  = []byte(`"error"`)
)

func (huecastProto) classify(frame []byte) (frameKind, uint32, []byte, error) {
	// Fast path for the hub's compact encoding; anything unusual falls
	// through to a full decode so the tool does not depend on field order.
	if bytes.Contains(frame, typeColourTok) {
		if k, ok := scanColourKey(frame); ok {
			return frameColour, k, nil, nil
		}
	} else if !bytes.Contains(frame, colourKeyTok) && !bytes.Contains(frame, typeErrorTok) {
		return frameOther, 0, nil, nil // presence and pong frames
	}
	var f huecastFrame
	if err := json.Unmarshal(frame, &f); err != nil {
		return frameFatal, 0, nil, fmt.Errorf("huecast: bad frame %.80q: %w", frame, err)
	}
	switch f.Type {
	case "color":
		k, ok := parseColour(f.Color)
		if !ok {
			return frameFatal, 0, nil, fmt.Errorf("huecast: colour frame with bad colour %q", f.Color)
		}
		return frameColour, k, nil, nil
	case "error":
		return frameFatal, 0, nil, fmt.Errorf("huecast: hub error %s: %s", f.Code, f.Message)
	}
	return frameOther, 0, nil, nil
}

// scanColourKey finds the value of the "color" key (not the "color" value of
// "type") when it is a "#rrggbb" string.
func scanColourKey(frame []byte) (uint32, bool) {
	rest := frame
	for {
		i := bytes.Index(rest, colourKeyTok)
		if i < 0 {
			return 0, false
		}
		rest = rest[i+len(colourKeyTok):]
		j := skipSpace(rest, 0)
		if j >= len(rest) || rest[j] != ':' {
			continue // "color" was a value, e.g. of "type"
		}
		j = skipSpace(rest, j+1)
		if len(rest) < j+9 || rest[j] != '"' || rest[j+1] != '#' || rest[j+8] != '"' {
			return 0, false
		}
		return parseHex6(rest[j+2 : j+8])
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// socketioProto speaks Socket.IO v5 over Engine.IO v4's websocket transport,
// with no HTTP long-polling first, as a socket.io-client does with
// transports: ["websocket"].
type socketioProto struct{}

func (socketioProto) url(addr string) string {
	return "ws://" + addr + "/socket.io/?EIO=4&transport=websocket"
}

var (
	sioConnectFrame = []byte{eioMessage, sioConnect} // "40": join the default namespace
	eioPongFrame    = []byte{eioPong}
)

func (socketioProto) join(c *websocket.Conn, _ int, _ string, buf *[]byte) error {
	frame, err := readFrame(c, buf)
	if err != nil {
		return fmt.Errorf("wait for engine.io open: %w", err)
	}
	typ, data, err := parseEIO(frame)
	if err != nil {
		return err
	}
	if typ != eioOpen {
		return fmt.Errorf("engine.io: first packet is %q, want open", typ)
	}
	var open eioOpenData
	if err := json.Unmarshal(data, &open); err != nil || open.SID == "" {
		return fmt.Errorf("engine.io: bad open packet %.80q", data)
	}
	if err := c.WriteMessage(websocket.TextMessage, sioConnectFrame); err != nil {
		return fmt.Errorf("send socket.io connect: %w", err)
	}
	for {
		frame, err := readFrame(c, buf)
		if err != nil {
			return fmt.Errorf("wait for socket.io connect: %w", err)
		}
		typ, data, err := parseEIO(frame)
		if err != nil {
			return err
		}
		switch typ {
		case eioPing:
			if err := c.WriteMessage(websocket.TextMessage, append([]byte{eioPong}, data...)); err != nil {
				return err
			}
			continue
		case eioClose:
			return errors.New("engine.io: server closed the session while connecting")
		case eioMessage:
		default:
			continue
		}
		p, err := parseSIO(data)
		if err != nil {
			return err
		}
		switch p.typ {
		case sioConnect:
			return nil
		case sioConnectError:
			return fmt.Errorf("socket.io: connect refused: %s", p.payload)
		}
	}
}

func (socketioProto) appendColour(dst []byte, k uint32) []byte { return appendSIOColor(dst, k) }

func (socketioProto) classify(frame []byte) (frameKind, uint32, []byte, error) {
	typ, data, err := parseEIO(frame)
	if err != nil {
		return frameFatal, 0, nil, err
	}
	switch typ {
	case eioPing:
		if len(data) == 0 {
			return frameReply, 0, eioPongFrame, nil
		}
		return frameReply, 0, append([]byte{eioPong}, data...), nil
	case eioClose:
		return frameFatal, 0, nil, errors.New("engine.io: server closed the session")
	case eioMessage:
	default:
		return frameOther, 0, nil, nil
	}
	p, err := parseSIO(data)
	if err != nil {
		return frameFatal, 0, nil, err
	}
	switch p.typ {
	case sioEvent:
		if k, ok := sioEventColor(p.payload); ok {
			return frameColour, k, nil, nil
		}
		return frameOther, 0, nil, nil
	case sioDisconnect:
		return frameFatal, 0, nil, errors.New("socket.io: server disconnected the socket")
	}
	return frameOther, 0, nil, nil
}

// readFrame reads one data frame into buf's storage, growing it as needed.
// The result is valid until the next call with the same buf.
func readFrame(c *websocket.Conn, buf *[]byte) ([]byte, error) {
	_, r, err := c.NextReader()
	if err != nil {
		return nil, err
	}
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			*buf = b
			if errors.Is(err, io.EOF) {
				return b, nil
			}
			return nil, err
		}
	}
}

// checkLoopback refuses any target that is not on this machine's loopback:
// the tool is a load generator and must never point at another host.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("address %q has no port", addr)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing %q: the load tool only targets loopback addresses (127.0.0.0/8, ::1, localhost)", addr)
	}
	return nil
}
