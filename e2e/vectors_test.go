package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPageRunsTheProtocolVectors runs net/wire/testdata/vectors.json, which
// package wire's Go tests run too, in Chromium against the page's own
// scripts as a hub serves them (huecastProto, huecastAuth, and the
// constants of huecastWire): the app and the page agree on colours, names,
// rooms, the order of stamps, the passphrase's key and the proofs bound
// to their connection.
func TestPageRunsTheProtocolVectors(t *testing.T) {
	vectors, err := os.ReadFile("../net/wire/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	h := serveHub(t, "127.0.0.1:0", "vectors")
	p := newPage(t, browser)
	p.open("http://" + h.addr + "/")
	p.do(chromedp.Evaluate[chromedp.Void](`window.vectorResult = null;
(async (v) => {
  const P = huecast.proto, W = huecast.wire, A = huecast.auth;
  const q = JSON.stringify, bad = [];
  let n = 0;
  const check = (what, got, want) => { n++; if (got !== want) bad.push(what + ' = ' + q(got) + ', want ' + q(want)); };
  for (const c of v.colors) check('parseColor(' + q(c.in) + ')', P.parseColor(c.in), c.out);
  for (const c of v.names) check('cleanName(' + q(c.in) + ', ' + c.max + ')', P.cleanName(c.in, c.max), c.out);
  for (const c of v.rooms) check('cleanRoom(' + q(c.in) + ')', P.cleanRoom(c.in), c.out);
  for (const c of v.stamps) {
    check('compareStamps(' + q(c.a) + ', ' + q(c.b) + ')', P.compareStamps(c.a, c.b), c.cmp);
    check('compareStamps(' + q(c.b) + ', ' + q(c.a) + ')', P.compareStamps(c.b, c.a), c.cmp === 0 ? 0 : -c.cmp);
  }
  for (const c of v.stamp_text) {
    const got = P.parseStamp(c.text);
    if (c.error) check('parseStamp(' + q(c.text) + ') refused', got === null, true);
    else check('parseStamp(' + q(c.text) + ') and back', got && P.compareStamps(got, c.stamp) === 0 ? P.stampText(got) : q(got), c.text);
  }
  for (const c of v.auth) {
    for (const js of [false, true]) {
      const k = await A.deriveKey(c.passphrase, P.cleanRoom(c.room), W.AUTH_SALT, W.AUTH_ITERATIONS, js);
      check('deriveKey(' + q(c.passphrase) + ', ' + q(c.room) + (js ? ', JavaScript' : ', WebCrypto') + ')', k, c.key);
      check('mac(' + q(c.nonce) + (js ? ', JavaScript' : ', WebCrypto') + ')', await A.mac(k, c.nonce, js), c.mac);
    }
  }
  for (const c of v.proofs) {
    const k = await A.deriveKey(c.passphrase, P.cleanRoom(c.room), W.AUTH_SALT, W.AUTH_ITERATIONS);
    check('endpoint(' + q(c.host) + ')', A.endpoint(c.host), c.endpoint);
    for (const js of [false, true]) {
      const how = js ? ', JavaScript' : ', WebCrypto';
      check('answer(' + q(c.endpoint) + how + ')', await A.answer(k, c.hub_nonce, c.client_nonce, c.endpoint, js), c.answer);
      check('proof(' + q(c.endpoint) + how + ')', await A.proof(k, c.hub_nonce, c.client_nonce, c.endpoint, js), c.proof);
    }
    check('validNonce(' + q(c.hub_nonce) + ')', A.validNonce(c.hub_nonce), true);
    check('validNonce(' + q(c.hub_nonce.toUpperCase()) + ')', A.validNonce(c.hub_nonce.toUpperCase()), c.hub_nonce.toUpperCase() === c.hub_nonce);
  }
  check('validNonce(short)', A.validNonce('00ff'), false);
  return n + ' checked' + (bad.length ? '\n' + bad.join('\n') : '');
})(` + string(vectors) + `).then((r) => { window.vectorResult = r; }, (e) => { window.vectorResult = 'failed: ' + e; });`))
	p.waitJS("vectors run", `window.vectorResult !== null`, waitFor)
	got := eval[string](p, `window.vectorResult`)
	t.Log(strings.SplitN(got, "\n", 2)[0])
	if strings.Contains(got, "\n") || !strings.HasSuffix(got, " checked") || strings.HasPrefix(got, "0 ") {
		t.Fatalf("the page disagrees with package wire:\n%s", got)
	}
}
