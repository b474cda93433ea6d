package web

import (
	"cmp"
	"encoding/json"
	"slices"
	"unicode"

	"github.com/huecast/huecast/net/clock"
	"github.com/huecast/huecast/net/wire"
)

// WireConstants are the protocol's constants and texts the page uses, by
// the names its JavaScript reads them (window.huecastWire): package wire's,
// and net/clock's for clock.js. TEXTS are wire.Texts, the words a person
// reads that Go says too, with {name}s the page fills as wire.Fill does;
// PALETTE the colour buttons, COLOR_NAMES wire.ColorName's names. They are written from Go when the page is
// served, so the page cannot drift from the hub and the native link.
// Durations are in milliseconds.
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
		"CODE_OPEN_ROOM":    wire.CodeOpenRoom,
		"PROOF_PREFIX":      wire.ProofPrefix,
		"ANSWER_PREFIX":     wire.AnswerPrefix,
		"VERIFIER_LABEL":    wire.VerifierLabel,
		"VERIFIER_LEN":      wire.VerifierLen,
		"CLOSE_REPLACED":    wire.CloseReplaced,
		"WELCOME_WAIT":      wire.WelcomeWait.Milliseconds(),
		"BURST_PINGS":       wire.BurstPings,
		"BURST_GAP":         wire.BurstGap.Milliseconds(),
		"SETTLE_PINGS":      wire.SettlePings,
		"SETTLE_GAP":        wire.SettleGap.Milliseconds(),
		"MAX_WAIT":          wire.MaxWait.Milliseconds(),
		"BACKOFF_FIRST":     wire.BackoffFirst.Milliseconds(),
		"BACKOFF_MOST":      wire.BackoffMost.Milliseconds(),
		"CLOCK_WINDOW":      clock.Window,
		"CLOCK_BEST_SHARE":  clock.BestShare,
		"CLOCK_STEP_SLACK":  clock.StepSlack.Milliseconds(),
		"DROPPED_RANGES":    droppedRanges(),
		"TEXTS":             wire.Texts,
		"PALETTE":           wire.Palette,
		"COLOR_NAMES":       wire.ColorNames(),
	}
}

// droppedRanges are the code points wire.CleanName drops, control and
// format characters (unicode.Cc and unicode.Cf), as sorted [first, last]
// ranges from Go's own Unicode tables: the page drops the same ones,
// whatever Unicode version its browser knows.
func droppedRanges() [][2]rune {
	var all []unicode.Range32
	for _, t := range []*unicode.RangeTable{unicode.Cc, unicode.Cf} {
		for _, r := range t.R16 {
			all = append(all, unicode.Range32{Lo: uint32(r.Lo), Hi: uint32(r.Hi), Stride: uint32(r.Stride)})
		}
		all = append(all, t.R32...)
	}
	slices.SortFunc(all, func(a, b unicode.Range32) int { return cmp.Compare(a.Lo, b.Lo) })
	var out [][2]rune
	add := func(lo, hi rune) {
		if n := len(out); n > 0 && out[n-1][1]+1 >= lo {
			out[n-1][1] = max(out[n-1][1], hi)
			return
		}
		out = append(out, [2]rune{lo, hi})
	}
	for _, r := range all {
		if r.Stride == 1 {
			add(rune(r.Lo), rune(r.Hi))
			continue
		}
		for c := r.Lo; c <= r.Hi; c += r.Stride {
			add(rune(c), rune(c))
		}
	}
	return out
}

// wireJS is the script that hands WireConstants to the page.
func wireJS() []byte {
	b, err := json.MarshalIndent(WireConstants(), "", "  ")
	if err != nil {
		panic("web: " + err.Error()) // numbers and strings always encode
	}
	return []byte("// Written by the hub from package wire (assets/web/wire.go): the protocol's\n" +
		"// constants and texts, so that the page never keeps copies of its own.\n" +
		"'use strict';\nwindow.huecastWire = Object.freeze(" + string(b) + ");\n")
}
