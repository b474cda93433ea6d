package wire

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<target>; scripts/test.sh runs each
// target for a few seconds: go test -run '^$' -fuzz '^FuzzDecodeIn$' -fuzztime 10s ./net/wire

// FuzzDecodeIn: no frame a client can send makes decoding panic; what is
// accepted has a known type, what is refused is refused with bad_json or
// bad_type and a message; names and rooms in it clean to something safe.
func FuzzDecodeIn(f *testing.F) {
	f.Add([]byte(`{"type":"hello","id":"a","name":"alice","room":"lobby","color":"#008000","v":2,"stamp":{"ms":3,"n":0,"id":"a"}}`))
	f.Add([]byte(`{"type":"auth","mac":"00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeIn(data)
		if err != nil {
			perr, ok := err.(*ProtocolError)
			if !ok || (perr.Code != CodeBadJSON && perr.Code != CodeBadType) || perr.Message == "" {
				t.Fatalf("DecodeIn(%q) error %#v", data, err)
			}
			if utf8.RuneCountInString(perr.Message) > 200 {
				t.Fatalf("error message of %d characters quotes too much back", utf8.RuneCountInString(perr.Message))
			}
			return
		}
		switch in.Type {
		case TypeHello, TypeColor, TypePing, TypeAuth:
		default:
			t.Fatalf("DecodeIn(%q) accepted type %q", data, in.Type)
		}
		for _, s := range []string{CleanName(in.Name, MaxNameLen), CleanName(in.ID, MaxIDLen), CleanRoom(in.Room)} {
			checkClean(t, s, 64)
		}
	})
}

func checkClean(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max || s != strings.TrimSpace(s) {
		t.Fatalf("cleaned to %q", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			t.Fatalf("cleaned %q keeps %U", s, r)
		}
	}
}

var hexColor = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// FuzzParseColor: ParseColor accepts exactly #rrggbb in any case and
// returns it in lower case; ResolveColor returns only such colours;
// CleanName leaves no control characters, whatever it is given.
func FuzzParseColor(f *testing.F) {
	for _, s := range []string{"#1E90FF", "#fff", "blue", "Dark Orange", "#1e90fg", "\x00#000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseColor(s)
		valid := len(s) == 7 && hexColor.MatchString(strings.ToLower(s))
		switch {
		case err == nil && (!valid || c != strings.ToLower(s)):
			t.Fatalf("ParseColor(%q) = %q", s, c)
		case err != nil && (valid || err.(*ProtocolError).Code != CodeBadColor):
			t.Fatalf("ParseColor(%q): %v", s, err)
		}
		if c, err := ResolveColor(s); err == nil && !hexColor.MatchString(c) {
			t.Fatalf("ResolveColor(%q) = %q", s, c)
		}
		checkClean(t, CleanName(s, MaxNameLen), MaxNameLen)
	})
}
