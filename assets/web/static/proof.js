// The room's passphrase, as net/link's prove.go handles it. In a room with
// a passphrase the hub's first frame is a challenge; the page asks the
// person for the passphrase, derives the room's key as wire.AuthKey does
// (PBKDF2-HMAC-SHA256, salt AUTH_SALT + room) and answers with HMAC-SHA256
// of both nonces and the address it dialled (see auth.js). The passphrase
// itself is never sent, and never stored: only the derived key is kept, for
// this tab. A page that holds the key challenges the hub first, and tells it
// nothing before its proof. A page that came to this origin by itself never
// asks for the passphrase here before a hub here has proved itself.
'use strict';
(function (app) {
  const { st, W, P, tabStore } = app;

  // loadKey takes the room's key this tab keeps, and the room's verifier
  // (wire.Verifier), which tells rooms of one name apart at /api/peer.
  function loadKey() {
    if (!st.key) st.key = tabStore.get('key.' + st.room) || '';
    if (!st.key) st.vk = '';
    else if (!st.vk) {
      huecastAuth.mac(st.key, W.VERIFIER_LABEL).then((m) => { st.vk = m.slice(0, W.VERIFIER_LEN); });
    }
  }

  // challenge sends our own challenge to a hub just connected, if the page
  // holds the room's key, and says whether it did.
  function challenge() {
    if (!st.key) return false;
    st.mine = app.randomHex(32);
    app.send({ type: 'challenge', nonce: st.mine });
    return true;
  }

  // challenged answers the hub's challenge m: only a well-formed nonce,
  // not our own, once per connection, from a hub of our version.
  function challenged(m) {
    if (st.theirs || !huecastAuth.validNonce(m.nonce) || m.nonce === st.mine) {
      // A second challenge is not one either.
      unproven(m.nonce === st.mine && !st.theirs ? 'WHY_OWN_CHALLENGE' : 'WHY_NOT_CHALLENGE');
      return;
    }
    if (m.v !== W.VERSION) {
      // A challenge without a version is protocol 2's.
      st.refusal = P.versionText(location.host, Number(m.v) || 2, W.VERSION);
      app.drop(st.ws, 'wrong protocol version');
      return;
    }
    st.theirs = m.nonce;
    answer(m.nonce);
  }

  // proof checks the hub's answer to our own challenge, bound to both
  // nonces and the address we dialled (wire.HubProof). Only then does the
  // page say hello.
  function proof(mac) {
    const ws = st.ws, mine = st.mine, theirs = st.theirs;
    if (!mine || !theirs || st.proved) return;
    huecastAuth.proof(st.key, theirs, mine, huecastAuth.endpoint(location.host)).then((want) => {
      if (st.ws !== ws) return;
      if (typeof mac === 'string' && mac === want) {
        st.proved = true;
        st.unprovenHere = false;
        tabStore.set('unproven', '');
        app.hello();
        return;
      }
      unproven('WHY_NO_PROOF');
    });
  }

  // unproven gives up on a hub that is not the room's: it heard nothing
  // about us, and the key goes nowhere. why names a WHY_ text, filled from
  // vars.
  function unproven(why, vars) {
    const ws = st.ws;
    st.refusal = P.unproven(location.host, st.room, why, vars);
    if (ws) app.drop(ws, st.refusal);
  }

  // answer proves to the hub that we know the room's passphrase, or asks
  // the person for it.
  function answer(nonce) {
    const ws = st.ws;
    if (!st.key) {
      askPassphrase(P.text('NEEDS_PASSPHRASE', { room: st.room }));
      return;
    }
    huecastAuth.answer(st.key, nonce, st.mine, huecastAuth.endpoint(location.host)).then((mac) => {
      if (st.ws === ws) app.send({ type: 'auth', mac });
    });
  }

  // askPassphrase stops reconnecting and shows the passphrase form; the
  // page connects again once the person submits it.
  function askPassphrase(why) {
    if (st.unprovenHere) {
      refuseHere();
      return;
    }
    st.key = '';
    st.vk = '';
    tabStore.set('key.' + st.room, '');
    st.needPass = true;
    app.leave('passphrase needed');
    app.clearTimers();
    app.ui.passWhy.textContent = why;
    app.ui.passForm.hidden = false;
    app.setStatus('passphrase', 'Waiting for the room\'s passphrase.');
    app.ui.passInput.focus();
  }

  // refuseHere stops on an origin this tab reached by itself whose hub
  // wants the passphrase but has not proved it knows it: asking here would
  // hand the passphrase to whoever answers at this address.
  function refuseHere() {
    st.key = '';
    tabStore.set('key.' + st.room, '');
    st.stopped = true;
    app.leave('unproven');
    app.clearTimers();
    app.setStatus('unproven', 'This page followed room ' + st.room + ' to ' + location.host +
      ', whose hub has not proved it knows the room\'s passphrase, so the page does not ask for it here. ' +
      'If this is the room\'s hub, open its address in a new tab yourself.');
  }

  // usePassphrase derives the room's key from what the person typed, keeps
  // it for this tab, and connects again.
  function usePassphrase(pass) {
    app.setStatus('connecting', 'Checking the passphrase…');
    huecastAuth.deriveKey(pass, P.roomName(st.room), W.AUTH_SALT, W.AUTH_ITERATIONS).then((key) => {
      st.key = key;
      st.vk = '';
      tabStore.set('key.' + st.room, key);
      st.needPass = false;
      app.ui.passForm.hidden = true;
      st.attempt = 1;
      app.connect();
    }, (e) => askPassphrase('Cannot use that passphrase: ' + e.message));
  }

  Object.assign(app, { loadKey, challenge, challenged, proof, unproven, askPassphrase, usePassphrase });
})(window.huecastPage);
