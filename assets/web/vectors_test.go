package web_test

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/huecast/huecast/assets/web"
	"github.com/huecast/huecast/net/wire"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The page's rules that live in this package's Go: web.PageURL, and the
// order in which the page asks the room's members where the room went
// (proto.js's candidates, which rests on it).
func TestPageURLAndCandidateVectors(t *testing.T) {
	var v struct {
		PageURLs []struct{ In, Out string } `json:"page_urls"`
		Cands    []struct {
			Own   string   `json:"own"`
			Addrs []string `json:"addrs"`
			Out   []string `json:"out"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(readFile(t, "../../net/wire/testdata/vectors.json")), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.PageURLs) == 0 || len(v.Cands) == 0 {
		t.Fatal("vectors.json lacks page_urls or candidates")
	}
	for _, c := range v.PageURLs {
		got, err := web.PageURL(c.In)
		if (err != nil) != (c.Out == "") || got != c.Out {
			t.Errorf("PageURL(%q) = %q, %v; want %q", c.In, got, err, c.Out)
		}
	}
	for _, c := range v.Cands {
		got := []string{c.Own}
		for _, a := range c.Addrs {
			if u, err := web.PageURL(a); err == nil && !slices.Contains(got, u) {
				got = append(got, u)
			}
		}
		if !slices.Equal(got, c.Out) {
			t.Errorf("candidates(%q, %q) = %q, want %q", c.Own, c.Addrs, got, c.Out)
		}
	}
}

// TestPageRunsTheVectorsInGoja runs the page's scripts, as the hub serves
// them, against the shared vectors in an embedded JavaScript engine, so a
// plain go test checks that the page and Go agree. goja has no WebCrypto,
// so the passphrase's key comes from auth.js's own JavaScript here (the
// fallback for pages on plain http), at gojaIterations; e2e/vectors_test.go
// runs the same vectors in Chromium, by WebCrypto and by auth.js, at the
// protocol's count.
func TestPageRunsTheVectorsInGoja(t *testing.T) {
	_, assets := page(t)
	vm := goja.New()
	if err := vm.Set("window", vm.GlobalObject()); err != nil {
		t.Fatal(err)
	}
	// TextEncoder is the browser's, not the language's: Go's UTF-8 stands
	// in (goja turns a lone surrogate into U+FFFD, as TextEncoder does).
	if err := vm.Set("utf8Bytes", func(s string) goja.ArrayBuffer { return vm.NewArrayBuffer([]byte(s)) }); err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunString(`globalThis.TextEncoder = class { encode(s) { return new Uint8Array(utf8Bytes(String(s))); } };`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"wire.js", "proto.js", "auth.js", "clock.js"} {
		if _, err := vm.RunScript(name, asset(t, assets, "/"+name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var got string
	if err := vm.Set("done", func(s string) { got = s }); err != nil {
		t.Fatal(err)
	}
	run := "(" + readFile(t, "testdata/vectors.js") + ")(" + gojaVectors(t) + ", " +
		readFile(t, "../../net/clock/testdata/clock.json") + ").then(done, (e) => done('failed: ' + e));"
	if _, err := vm.RunScript("vectors.js", run); err != nil {
		t.Fatal(err)
	}
	t.Log(strings.SplitN(got, "\n", 2)[0])
	if strings.Contains(got, "\n") || !strings.HasSuffix(got, " checked") || strings.HasPrefix(got, "0 ") {
		t.Fatalf("the page disagrees with Go:\n%s", got)
	}
}

// gojaIterations stands in for wire.AuthIterations in goja, which under the
// race detector takes minutes over the protocol's count: the page's own
// PBKDF2 is checked at this count against Go's, and at the protocol's in
// Chromium.
const gojaIterations = 1000

// gojaVectors is vectors.json with each passphrase's key derived by Go at
// gojaIterations.
func gojaVectors(t *testing.T) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(readFile(t, "../../net/wire/testdata/vectors.json")), &v); err != nil {
		t.Fatal(err)
	}
	auth, _ := v["auth"].([]any)
	if len(auth) == 0 {
		t.Fatal("vectors.json has no auth vectors")
	}
	for _, a := range auth {
		c := a.(map[string]any)
		pass, room, nonce := c["passphrase"].(string), c["room"].(string), c["nonce"].(string)
		k, err := pbkdf2.Key(sha256.New, pass, []byte(wire.AuthSalt+wire.RoomName(room)), gojaIterations, sha256.Size)
		if err != nil {
			t.Fatal(err)
		}
		c["iterations"], c["key"], c["mac"] = gojaIterations, hex.EncodeToString(k), wire.AuthMAC(k, nonce)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
