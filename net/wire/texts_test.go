package wire

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every text of texts.go reaches the page: Texts lists each Text and Why
// constant once, and each text's {names} are lower-case words Fill fills.
func TestTextsListsEveryText(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "texts.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			for _, name := range v.Names {
				if name.Name != "Texts" && (strings.HasPrefix(name.Name, "Text") || strings.HasPrefix(name.Name, "Why")) {
					consts = append(consts, name.Name)
				}
			}
		}
		return true
	})
	if len(consts) != len(Texts) {
		t.Errorf("texts.go has %d texts, Texts lists %d", len(consts), len(Texts))
	}
	var listed []string
	for _, text := range Texts {
		if slices.Contains(listed, text) {
			t.Errorf("Texts lists %q twice", text)
		}
		listed = append(listed, text)
		for _, m := range regexp.MustCompile(`\{[^}]*\}`).FindAllString(text, -1) {
			if !regexp.MustCompile(`^\{[a-z_]+\}$`).MatchString(m) {
				t.Errorf("%q has %s, which Fill does not fill", text, m)
			}
		}
	}
}

func TestUnprovenAndCapital(t *testing.T) {
	got := Unproven("10.0.0.5:7788", "lobby", Fill(WhyAnsweredWith, "type", strconv.Quote("welcome")))
	want := `The hub at 10.0.0.5:7788 answered with "welcome" before proving it knows the room's passphrase; ` +
		`this device told it nothing and looks for room 'lobby' elsewhere.`
	if got != want {
		t.Errorf("Unproven = %q, want %q", got, want)
	}
	if got := Unproven("h:1", "{host}", WhyNoProof); !strings.Contains(got, "room '{host}'") || !strings.HasPrefix(got, "The hub at h:1 ") {
		t.Errorf("a room named {host} is filled in again: %q", got)
	}
	for in, want := range map[string]string{"": "", "joined": "Joined", "élan": "Élan", "Set": "Set"} {
		if got := Capital(in); got != want {
			t.Errorf("Capital(%q) = %q, want %q", in, got, want)
		}
	}
}
