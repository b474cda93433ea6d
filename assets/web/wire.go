package web

import (
	"encoding/json"

	"github.com/huecast/huecast/net/wire"
)

// WireConstants are the protocol constants the page uses, by the names its
// JavaScript reads them (window.huecastWire). They are written from package
// wire when the page is served, so the page cannot drift from the hub.
func WireConstants() map[string]any {
	return map[string]any{
		"VERSION":           wire.Version,
		"PING_PERIOD":       wire.PingPeriod.Milliseconds(),
		"PONG_WAIT":         wire.PongWait.Milliseconds(),
		"MAX_NAME":          wire.MaxNameLen,
		"MAX_ROOM":          wire.MaxRoomLen,
		"MAX_ID":            wire.MaxIDLen,
		"MAX_SAFE":          wire.MaxSafe,
		"MAX_AHEAD_MS":      wire.MaxAhead.Milliseconds(),
		"DEFAULT_ROOM":      wire.DefaultRoom,
		"START_COLOR":       wire.StartColor,
		"AUTH_SALT":         wire.AuthSalt,
		"AUTH_ITERATIONS":   wire.AuthIterations,
		"CODE_UNAUTHORIZED": wire.CodeUnauthorized,
		"CODE_BAD_VERSION":  wire.CodeBadVersion,
		"CODE_BAD_STAMP":    wire.CodeBadStamp,
	}
}

// wireJS is the script that hands WireConstants to the page.
func wireJS() []byte {
	b, err := json.MarshalIndent(WireConstants(), "", "  ")
	if err != nil {
		panic("web: " + err.Error()) // numbers and strings always encode
	}
	return []byte("// Written by the hub from package wire (assets/web/wire.go): the protocol's\n" +
		"// constants, so that the page never keeps copies of its own.\n" +
		"'use strict';\nwindow.huecastWire = Object.freeze(" + string(b) + ");\n")
}
