package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/clock"
	"github.com/huecast/huecast/net/wire"
)

// The page reads the protocol's constants from the wire.js the hub writes;
// this test fails if that script and package wire disagree, or if a script
// of the page keeps a copy of its own.
func TestPageTakesTheProtocolConstantsFromPackageWire(t *testing.T) {
	_, assets := page(t)
	js := asset(t, assets, "/wire.js")
	start, end := strings.Index(js, "Object.freeze("), strings.LastIndex(js, ");")
	if start < 0 || end < start {
		t.Fatalf("wire.js does not freeze an object:\n%s", js)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(js[start+len("Object.freeze("):end]), &got); err != nil {
		t.Fatalf("wire.js: %v\n%s", err, js)
	}
	for k, want := range map[string]any{
		"VERSION": wire.Version, "PING_PERIOD": wire.PingPeriod.Milliseconds(), "PONG_WAIT": wire.PongWait.Milliseconds(),
		"MAX_NAME": wire.MaxNameLen, "MAX_ID": wire.MaxIDLen, "MAX_ROOM": wire.MaxRoomLen, "MAX_SAFE": wire.MaxSafe,
		"MAX_AHEAD_MS": wire.MaxAhead.Milliseconds(), "AUTH_SALT": wire.AuthSalt, "AUTH_ITERATIONS": wire.AuthIterations,
		"DEFAULT_ROOM": wire.DefaultRoom, "START_COLOR": wire.StartColor,
		"CLOSE_REPLACED": wire.CloseReplaced, "WELCOME_WAIT": wire.WelcomeWait.Milliseconds(),
		"BURST_PINGS": wire.BurstPings, "BURST_GAP": wire.BurstGap.Milliseconds(),
		"SETTLE_PINGS": wire.SettlePings, "SETTLE_GAP": wire.SettleGap.Milliseconds(),
		"MAX_WAIT": wire.MaxWait.Milliseconds(), "BACKOFF_FIRST": wire.BackoffFirst.Milliseconds(),
		"BACKOFF_MOST": wire.BackoffMost.Milliseconds(), "PROOF_PREFIX": wire.ProofPrefix,
		"VERIFIER_LABEL": wire.VerifierLabel, "VERIFIER_LEN": wire.VerifierLen,
		"CLOCK_WINDOW": clock.Window, "CLOCK_BEST_SHARE": clock.BestShare,
		"CLOCK_STEP_SLACK": clock.StepSlack.Milliseconds(),
	} {
		b, _ := json.Marshal(want)
		var w any
		_ = json.Unmarshal(b, &w)
		if got[k] != w {
			t.Errorf("wire.js %s = %v, package wire says %v", k, got[k], w)
		}
	}
	for k, want := range map[string]any{"TEXTS": wire.Texts, "PALETTE": wire.Palette, "COLOR_NAMES": wire.ColorNames()} {
		b, _ := json.Marshal(want)
		var w any
		_ = json.Unmarshal(b, &w)
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("wire.js %s = %v, package wire says %v", k, got[k], w)
		}
	}
	if len(got) != len(web.WireConstants()) {
		t.Errorf("wire.js has %d constants, WireConstants %d", len(got), len(web.WireConstants()))
	}

	// No script of the page types a constant or text of package wire
	// again: no const of a wire.js name given a literal, no string of
	// wire.js in quotes (a palette colour's name or #rrggbb among them), no
	// salt, and no run of three words or more of a shared text (wire.Texts)
	// anywhere, in code or comment: a text with {names} is copied piece by
	// piece.
	scripts, err := filepath.Glob("static/*.js")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("static/*.js: %v %v", scripts, err)
	}
	scripts = append(scripts, "static/index.html")
	quoted := func(s string) *regexp.Regexp {
		q := regexp.QuoteMeta(s)
		return regexp.MustCompile(`'` + q + `'|"` + q + `"|` + "`" + q + "`")
	}
	var copies []*regexp.Regexp
	for k, v := range web.WireConstants() {
		copies = append(copies, regexp.MustCompile(`\bconst\s+`+k+`\s*=\s*[-0-9'"]`))
		if s, ok := v.(string); ok && len(s) >= 4 {
			copies = append(copies, quoted(s))
		}
	}
	for _, s := range wire.Palette {
		copies = append(copies, quoted(s.Name), quoted(s.Hex))
	}
	copies = append(copies, regexp.MustCompile(`huecast/v1/room:|\b100000\b`))
	for _, text := range wire.Texts {
		copies = append(copies, textPieces(text)...)
	}
	for _, name := range scripts {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range copies {
			if m := re.Find(b); m != nil {
				t.Errorf("%s keeps its own copy of a protocol constant or text: %q; read it from huecastWire", name, m)
			}
		}
	}
}

// textPieces match the runs of a shared text between its {names} that a
// script copying the text would spell out, in any case and spacing: a run
// of three words or more (and twelve characters) anywhere, in code or
// comment, and a run of two words or more as a string of its own or the
// text of an HTML element.
func textPieces(text string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, piece := range regexp.MustCompile(`\{[a-z_]+\}`).Split(text, -1) {
		piece = strings.Trim(piece, " .,;:'\"()·")
		words := strings.Fields(piece)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		run := strings.Join(words, `\s+`)
		switch {
		case len(words) >= 3 && len(piece) >= 12:
			out = append(out, regexp.MustCompile(`(?i)`+run))
		case len(words) >= 2:
			out = append(out, regexp.MustCompile("(?i)['\"`>][\\s.,;:·]*"+run+"[\\s.,;:·…]*['\"`<]"))
		}
	}
	return out
}

// The test above catches a script that spells out a shared text: here it
// is shown one, in every way a script would.
func TestTextPiecesCatchACopiedText(t *testing.T) {
	for _, script := range []string{
		`st.refusal = 'Room ' + st.room + ' needs a passphrase; ask whoever runs it, then join again with it.';`,
		"drop(ws, `the hub stopped   answering`);",
		`why = "The hub at " + host + " speaks huecast protocol " + v;`,
		`ui.setBy.textContent = 'Set by ' + name;`,
		`<h2 id="who-title">Here now</h2>`,
	} {
		caught := false
		for _, text := range wire.Texts {
			for _, re := range textPieces(text) {
				caught = caught || re.MatchString(script)
			}
		}
		if !caught {
			t.Errorf("a script that copies a text passes: %s", script)
		}
	}
}

// The ranges the page drops from names are exactly the characters
// wire.CleanName drops.
func TestDroppedRangesAreGosControlAndFormatCharacters(t *testing.T) {
	ranges, ok := web.WireConstants()["DROPPED_RANGES"].([][2]rune)
	if !ok || len(ranges) == 0 {
		t.Fatalf("DROPPED_RANGES = %v", web.WireConstants()["DROPPED_RANGES"])
	}
	i := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for i < len(ranges) && ranges[i][1] < r {
			i++
		}
		in := i < len(ranges) && ranges[i][0] <= r
		if want := unicode.IsControl(r) || unicode.Is(unicode.Cf, r); in != want {
			t.Fatalf("U+%04X: in DROPPED_RANGES %v, dropped by wire.CleanName %v", r, in, want)
		}
	}
	for j := 1; j < len(ranges); j++ {
		if ranges[j][0] <= ranges[j-1][1]+1 {
			t.Fatalf("ranges %v and %v overlap or touch: not sorted and merged", ranges[j-1], ranges[j])
		}
	}
}
