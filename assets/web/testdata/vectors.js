// The page's side of the shared vectors: an async function of the protocol
// vectors (net/wire/testdata/vectors.json) and the clock vectors
// (net/clock/testdata/clock.json) that checks them against the page's own
// scripts as a hub serves them (huecastWire, huecastProto, huecastAuth,
// huecastClock) and resolves with "N checked", then a line per
// disagreement. It runs in Chromium (e2e/vectors_test.go), where the
// passphrase's key is derived both by WebCrypto and by auth.js's own
// JavaScript, and in goja (assets/web/vectors_test.go), which has no
// WebCrypto, so there auth.js's JavaScript runs alone.
(async function (v, clock) {
  const P = huecastProto, W = huecastWire, A = huecastAuth, C = huecastClock;
  const q = JSON.stringify, bad = [];
  let n = 0;
  const check = (what, got, want) => { n++; if (q(got) !== q(want)) bad.push(what + ' = ' + q(got) + ', want ' + q(want)); };
  const near = (what, got, want) => {
    n++;
    if (got === want || (typeof got === 'number' && typeof want === 'number' && Math.abs(got - want) <= 1e-6)) return;
    bad.push(what + ' = ' + q(got) + ', want ' + q(want));
  };
  for (const c of v.colors) check('parseColor(' + q(c.in) + ')', P.parseColor(c.in), c.out);
  for (const c of v.names) check('cleanName(' + q(c.in) + ', ' + c.max + ')', P.cleanName(c.in, c.max), c.out);
  for (const c of v.rooms) {
    check('cleanRoom(' + q(c.in) + ')', P.cleanRoom(c.in), c.out);
    check('roomName(' + q(c.in) + ')', P.roomName(c.in), c.name);
  }
  for (const c of v.stamps) {
    check('compareStamps(' + q(c.a) + ', ' + q(c.b) + ')', P.compareStamps(c.a, c.b), c.cmp);
    check('compareStamps(' + q(c.b) + ', ' + q(c.a) + ')', P.compareStamps(c.b, c.a), c.cmp === 0 ? 0 : -c.cmp);
  }
  for (const c of v.stamp_text) {
    const got = P.parseStamp(c.text);
    if (c.error) check('parseStamp(' + q(c.text) + ') refused', got === null, true);
    else check('parseStamp(' + q(c.text) + ') and back', got && P.compareStamps(got, c.stamp) === 0 ? P.stampText(got) : q(got), c.text);
  }
  for (const c of v.backoff) check('backoff(' + c.attempt + ', ' + c.r + ')', P.backoff(c.attempt, c.r), c.ms);
  for (const c of v.fill) check('fill(' + q(c.text) + ', ' + q(c.vars) + ')', P.fill(c.text, c.vars), c.out);
  for (const c of v.versions) {
    const vars = { host: c.host, hub: c.hub, device: c.device };
    check('versionText(' + q(vars) + ')', P.versionText(c.host, c.hub, c.device), P.fill(W.TEXTS[c.text], vars));
  }
  for (const c of v.page_urls) check('pageURL(' + q(c.in) + ')', P.pageURL(c.in), c.out);
  for (const c of v.candidates) {
    check('candidates(' + q(c.own) + ', ' + q(c.addrs) + ')', P.candidates(c.own, c.addrs.map((addr) => ({ addr }))), c.out);
  }
  const webCrypto = typeof crypto !== 'undefined' && !!crypto.subtle;
  for (const c of v.auth) {
    for (const js of webCrypto ? [false, true] : [true]) {
      const how = js ? ', JavaScript' : ', WebCrypto';
      // iterations: fewer than the protocol's, for an engine too slow for
      // AUTH_ITERATIONS (the vector's key then is Go's for that many).
      const k = await A.deriveKey(c.passphrase, P.roomName(c.room), W.AUTH_SALT, c.iterations || W.AUTH_ITERATIONS, js);
      check('deriveKey(' + q(c.passphrase) + ', ' + q(c.room) + how + ')', k, c.key);
      check('mac(' + q(c.nonce) + how + ')', await A.mac(k, c.nonce, js), c.mac);
    }
  }
  for (const c of v.proofs) {
    check('endpoint(' + q(c.host) + ')', A.endpoint(c.host), c.endpoint);
    for (const js of webCrypto ? [false, true] : [true]) {
      const how = js ? ', JavaScript' : ', WebCrypto';
      check('answer(' + q(c.endpoint) + how + ')', await A.answer(c.key, c.hub_nonce, c.client_nonce, c.endpoint, js), c.answer);
      check('proof(' + q(c.endpoint) + how + ')', await A.proof(c.key, c.hub_nonce, c.client_nonce, c.endpoint, js), c.proof);
    }
    check('validNonce(' + q(c.hub_nonce) + ')', A.validNonce(c.hub_nonce), true);
    check('validNonce(upper case)', A.validNonce(c.hub_nonce.toUpperCase()), c.hub_nonce.toUpperCase() === c.hub_nonce);
  }
  check('validNonce(short)', A.validNonce('00ff'), false);
  for (const c of clock.estimator) {
    const e = C.Estimator();
    for (const [sent, hub, recv] of c.samples) e.add({ sent, hub, recv });
    near(c.name + ': offset', e.offset(), c.offset);
    near(c.name + ': rtt', e.rtt(), c.rtt);
    check(c.name + ': steps', e.steps(), c.steps);
  }
  for (const c of clock.schedule) {
    const s = C.Schedule((a, b) => a.n > b.n, (a, b) => a.at !== null && b.at !== null && a.at < b.at);
    c.steps.forEach((st, i) => {
      const f = st.add ? s.add({ ...st.add, at: st.at }, st.at, st.now) : s.due(st.now);
      check(c.name + ': step ' + i, f ? [f.v.color, f.late] : '', st.shown ? [st.shown, st.late] : '');
    });
    check(c.name + ': late', s.late(), c.late);
  }
  return n + ' checked' + (bad.length ? '\n' + bad.join('\n') : '');
})
