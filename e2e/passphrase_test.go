package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/huecast/huecast/hub"
	"github.com/huecast/huecast/net/wire"
)

// TestPageAsksForTheRoomsPassphrase serves a hub whose room has a
// passphrase: the page asks for it, says so when it is wrong, joins with the
// right one, and keeps the passphrase itself nowhere.
func TestPageAsksForTheRoomsPassphrase(t *testing.T) {
	browser := newBrowser(t)
	served := serveRoom(t, "127.0.0.1:0", hub.Config{Room: "lobby", Host: "hosty", Passphrase: "purple rain"}, nil)
	h := served.hub

	// What the page says beside the field is package wire's text, as the
	// hub and the window say it: first that the room needs a passphrase,
	// then that the one given was wrong.
	p := newPage(t, browser)
	why := func() string { return eval[string](p, `document.getElementById('pass-why').textContent`) }
	p.do(chromedp.Navigate(served.url()))
	p.waitJS("passphrase form shown", `!document.getElementById('pass-form').hidden`, waitFor)
	if s := p.status(); !strings.Contains(s, "passphrase") {
		t.Errorf("status %q", s)
	}
	if got, want := why(), wire.Fill(wire.TextNeedsPassphrase, "room", "lobby"); got != want {
		t.Errorf("beside the passphrase field: %q, want %q", got, want)
	}
	if small := eval[[]string](p, `[...document.querySelectorAll('#pass-form button, #pass-form input')].filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML)`); len(small) > 0 {
		t.Errorf("touch targets under 44 px: %q", small)
	}

	p.do(chromedp.SendKeys(chromedp.ID("passphrase"), "purple reign\n"))
	wrong := wire.Fill(wire.TextWrongPassphrase, "room", "lobby")
	p.waitJS("wrong passphrase said", `document.getElementById('pass-why').textContent === `+jsString(wrong), waitFor)
	if vis := eval[bool](p, `(() => { const e = document.getElementById('pass-why'); const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility === 'visible' && e.innerText.trim() !== ''; })()`); !vis {
		t.Errorf("the wrong-passphrase text %q is not on screen", wrong)
	}
	t.Logf("beside the field after a wrong passphrase: %q", why())
	p.screenshot("page-wrong-passphrase.png")
	if eval[bool](p, `huecast.state.joined`) {
		t.Fatal("joined with a wrong passphrase")
	}

	p.do(chromedp.SendKeys(chromedp.ID("passphrase"), "purple rain\n"))
	p.waitJoined()
	if !eval[bool](p, `document.getElementById('pass-form').hidden`) {
		t.Error("passphrase form still shown after joining")
	}
	p.do(chromedp.Click(chromedp.CSS(`#palette button[data-color="#ff0000"]`)))
	p.waitJS("red accepted", `huecast.state.color === '#ff0000' && huecast.state.stamp.ms > 0`, waitFor)
	if st, err := h.State(t.Context()); err != nil || st.Color != "#ff0000" || len(st.Peers) != 1 {
		t.Fatalf("hub state %+v, %v", st, err)
	}
	stored := eval[string](p, `JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + location.href`)
	if strings.Contains(stored, "purple") {
		t.Fatalf("the passphrase is kept by the page: %s", stored)
	}
	// A reload in the same tab answers with the kept key, without asking.
	p.do(chromedp.Reload())
	p.waitJoined()

	// The page's own JavaScript (used where browsers withhold WebCrypto:
	// plain http on a LAN address) gives net/wire's test vector too.
	p.do(chromedp.Evaluate[chromedp.Void](`window.kat = '';
		huecast.auth.deriveKey('secret', 'lobby', 'huecast/v1/room:', 100000, true)
			.then((k) => huecast.auth.mac(k, '00ff', true).then((m) => { window.kat = k + ' ' + m; }))`))
	p.waitJS("fallback derivation", `window.kat !== ''`, waitFor)
	const want = "a658eb0f256b873c2cf577884428ac6fdf5bc9f577908bd41a74dba383ca351c 180e1c85ce399cd35edad0d0c65f8d803ff1acd35b47885a36391def35ba88a0"
	if got := eval[string](p, `window.kat`); got != want {
		t.Fatalf("JavaScript derivation %q, want %q", got, want)
	}
}
