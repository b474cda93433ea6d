package web_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/huecast/huecast/assets/web"
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
	} {
		b, _ := json.Marshal(want)
		var w any
		_ = json.Unmarshal(b, &w)
		if got[k] != w {
			t.Errorf("wire.js %s = %v, package wire says %v", k, got[k], w)
		}
	}
	if len(got) != len(web.WireConstants()) {
		t.Errorf("wire.js has %d constants, WireConstants %d", len(got), len(web.WireConstants()))
	}

	// No script of the page types a constant of package wire again.
	copies := regexp.MustCompile(`const [A-Z_]+ = [0-9'"][^;]*; // wire\.|huecast/v1/room:|\b100000\b`)
	for _, name := range []string{"app.js", "proto.js", "auth.js"} {
		b, err := os.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if m := copies.Find(b); m != nil {
			t.Errorf("static/%s keeps its own copy of a protocol constant: %q; read it from huecastWire", name, m)
		}
	}
}
