package wire

import (
	"strings"
	"testing"
)

func TestParseColor(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"#1E90FF", "#1e90ff"}, {"#008000", "#008000"}, {"#aBcDeF", "#abcdef"},
		{"#fff", ""}, {"1e90ff", ""}, {"#1e90fg", ""}, {"#1e90ff ", ""}, {"", ""}, {"blue", ""},
	} {
		got, err := ParseColor(tc.in)
		if tc.want == "" {
			if err == nil || err.(*ProtocolError).Code != CodeBadColor {
				t.Errorf("ParseColor(%q) = %q, %v; want bad_color", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseColor(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestResolveColorAndName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"blue", "#1e90ff"}, {"Blue", "#1e90ff"}, {"dark orange", "#ff8c00"}, {"#FF0000", "#ff0000"},
		{"rebeccapurple", "#663399"}, {"grey", "#808080"},
	} {
		if got, err := ResolveColor(tc.in); err != nil || got != tc.want {
			t.Errorf("ResolveColor(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := ResolveColor("blurple"); err == nil {
		t.Error("ResolveColor accepted blurple")
	}
	for hex, name := range map[string]string{"#1e90ff": "Blue", "#008000": "Green", "#ff8c00": "Darkorange", "#123456": ""} {
		if got := ColorName(hex); got != name {
			t.Errorf("ColorName(%s) = %q, want %q", hex, got, name)
		}
	}
}

func TestCleanNameAndRoom(t *testing.T) {
	if got := CleanName("  bo\x00b\u200e\t ", 64); got != "bob" {
		t.Errorf("CleanName stripped to %q, want bob", got)
	}
	if got := CleanName(strings.Repeat("é", 100), 64); len([]rune(got)) != 64 {
		t.Errorf("CleanName kept %d runes, want 64", len([]rune(got)))
	}
	if got := CleanName("a\xffb", 64); got != "a\uFFFDb" {
		t.Errorf("CleanName(invalid UTF-8) = %q", got)
	}
	if got := CleanRoom(" Lobby "); got != "lobby" {
		t.Errorf("CleanRoom = %q", got)
	}
}

func TestDecodeIn(t *testing.T) {
	for _, tc := range []struct{ in, code string }{
		{`{"type":"color","color":"#ffffff"}`, ""},
		{`{"type":"hello","v":2,"stamp":{"ms":3,"n":0,"id":"a"}}`, ""},
		{`{"type":`, CodeBadJSON},
		{`{"type":"hello","stamp":{"ms":"x"}}`, CodeBadJSON},
		{`"hi"`, CodeBadJSON},
		{`{}`, CodeBadType},
		{`{"type":"welcome"}`, CodeBadType},
	} {
		_, err := DecodeIn([]byte(tc.in))
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("DecodeIn(%s): %v", tc.in, err)
		case tc.code != "" && (err == nil || err.(*ProtocolError).Code != tc.code):
			t.Errorf("DecodeIn(%s) = %v, want %s", tc.in, err, tc.code)
		}
	}
}
