package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPageRunsTheProtocolVectors runs net/wire/testdata/vectors.json and
// net/clock/testdata/clock.json, which packages wire and clock run in Go,
// in Chromium against the page's own scripts as a hub serves them, through
// the runner assets/web's tests also run in goja
// (assets/web/testdata/vectors.js): the app and the page agree on colours,
// names, rooms, the order of stamps, the passphrase's key (by WebCrypto
// and by the page's own JavaScript, which is all goja has), the backoff,
// the page's address, the order in which the page looks for its room, and
// the clock.
func TestPageRunsTheProtocolVectors(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	vectors, clock, runner := read("../net/wire/testdata/vectors.json"), read("../net/clock/testdata/clock.json"),
		read("../assets/web/testdata/vectors.js")
	browser := newBrowser(t)
	h := serveHub(t, "127.0.0.1:0", "vectors")
	p := newPage(t, browser)
	p.open("http://" + h.addr + "/")
	// Loopback is a secure context: WebCrypto's path is the one covered here.
	if !eval[bool](p, `!!(window.crypto && crypto.subtle)`) {
		t.Fatal("the page has no WebCrypto on loopback, so only auth.js's JavaScript would run")
	}
	p.do(chromedp.Evaluate[chromedp.Void](`window.vectorResult = null;
(` + runner + `)(` + vectors + `, ` + clock + `).then((r) => { window.vectorResult = r; }, (e) => { window.vectorResult = 'failed: ' + e; });`))
	p.waitJS("vectors run", `window.vectorResult !== null`, waitFor)
	got := eval[string](p, `window.vectorResult`)
	t.Log(strings.SplitN(got, "\n", 2)[0])
	if strings.Contains(got, "\n") || !strings.HasSuffix(got, " checked") || strings.HasPrefix(got, "0 ") {
		t.Fatalf("the page disagrees with package wire:\n%s", got)
	}
}
