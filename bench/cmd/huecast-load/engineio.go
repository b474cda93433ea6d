package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Engine.IO v4 packet types, the first byte of every text frame on the
// websocket transport (engine.io-protocol v4).
const (
	eioOpen    = '0'
	eioClose   = '1'
	eioPing    = '2'
	eioPong    = '3'
	eioMessage = '4'
	eioUpgrade = '5'
	eioNoop    = '6'
)

// Socket.IO v5 packet types, the first byte of an Engine.IO message's data
// (socket.io-protocol v5).
const (
	sioConnect      = '0'
	sioDisconnect   = '1'
	sioEvent        = '2'
	sioAck          = '3'
	sioConnectError = '4'
	sioBinaryEvent  = '5'
	sioBinaryAck    = '6'
)

// eioOpenData is the JSON carried by the Engine.IO open packet.
type eioOpenData struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int      `json:"pingInterval"` // ms
	PingTimeout  int      `json:"pingTimeout"`  // ms
	MaxPayload   int      `json:"maxPayload"`
}

// parseEIO splits an Engine.IO text frame into its packet type and data.
func parseEIO(frame []byte) (typ byte, data []byte, err error) {
	if len(frame) == 0 {
		return 0, nil, errors.New("engine.io: empty frame")
	}
	typ = frame[0]
	if typ < eioOpen || typ > eioNoop {
		return 0, nil, fmt.Errorf("engine.io: unknown packet type %q", typ)
	}
	return typ, frame[1:], nil
}

// sioPacket is one decoded Socket.IO packet.
type sioPacket struct {
	typ     byte
	nsp     string // "/" when the frame names none
	ackID   int    // -1 when absent
	payload []byte // JSON, possibly empty
}

// parseSIO decodes the data of an Engine.IO message as a Socket.IO packet:
// <type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>].
func parseSIO(data []byte) (sioPacket, error) {
	p := sioPacket{nsp: "/", ackID: -1}
	if len(data) == 0 {
		return p, errors.New("socket.io: empty packet")
	}
	p.typ = data[0]
	if p.typ < sioConnect || p.typ > sioBinaryAck {
		return p, fmt.Errorf("socket.io: unknown packet type %q", p.typ)
	}
	rest := data[1:]
	if p.typ == sioBinaryEvent || p.typ == sioBinaryAck {
		return p, errors.New("socket.io: binary packets are not supported")
	}
	if len(rest) > 0 && rest[0] == '/' {
		end := bytes.IndexByte(rest, ',')
		if end < 0 {
			// A namespace with no payload ends the frame: "40/admin".
			end = len(rest)
		}
		p.nsp = string(rest[:end])
		rest = rest[min(end+1, len(rest)):]
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i > 0 {
		if i > 9 {
			return p, errors.New("socket.io: ack id too long")
		}
		p.ackID = 0
		for _, c := range rest[:i] {
			p.ackID = p.ackID*10 + int(c-'0')
		}
		rest = rest[i:]
	}
	if len(rest) > 0 && rest[0] != '[' && rest[0] != '{' && rest[0] != '"' {
		return p, fmt.Errorf("socket.io: payload starts with %q", rest[0])
	}
	p.payload = rest
	return p, nil
}

// sioEventColor returns the colour carried by the payload of an event packet
// whose name is "color" and whose single argument is a "#rrggbb" string.
// The common compact form is matched without allocating; anything else is
// decoded as JSON.
func sioEventColor(payload []byte) (colour uint32, ok bool) {
	const prefix = `["color","#`
	if len(payload) == len(prefix)+8 && string(payload[:len(prefix)]) == prefix &&
		payload[len(prefix)+6] == '"' && payload[len(prefix)+7] == ']' {
		return parseHex6(payload[len(prefix) : len(prefix)+6])
	}
	var args []json.RawMessage
	if json.Unmarshal(payload, &args) != nil || len(args) < 2 {
		return 0, false
	}
	var name, arg string
	if json.Unmarshal(args[0], &name) != nil || name != "color" || json.Unmarshal(args[1], &arg) != nil {
		return 0, false
	}
	return parseColour(arg)
}

// appendSIOColor appends the Engine.IO frame of a "color" event on the
// default namespace: 42["color","#rrggbb"].
func appendSIOColor(dst []byte, colour uint32) []byte {
	dst = append(dst, `42["color","`...)
	dst = appendColour(dst, colour)
	return append(dst, `"]`...)
}
