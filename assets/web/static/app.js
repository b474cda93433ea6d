// huecast's page starts here: it takes over what a page that moved here
// handed over, finds its id and name, wires the buttons and forms, and
// connects. The page's parts are state.js (what it knows), view.js (what
// the person sees), connection.js (the hub), proof.js (the passphrase),
// schedule.js (showing colours together) and follow.js (finding the room
// after its hub has gone).
'use strict';
(function (app) {
  const { st, W, P, store, ui } = app;

  function randomID() {
    return app.randomHex(8);
  }

  app.takeHandoff();
  st.unprovenHere = app.tabStore.get('unproven') === '1';
  st.shown = { color: st.color, stamp: st.stamp, by: st.by, byName: st.byName };
  st.flipNow = new URLSearchParams(location.search).get('flip') === 'now';
  st.id = store.get('id') || '';
  if (!st.id) {
    st.id = randomID();
    store.set('id', st.id);
  }
  st.hlc = P.Clock(st.id);
  st.hlc.observe(st.stamp);
  st.name = P.cleanName(store.get('name'), W.MAX_NAME);
  ui.nameInput.value = st.name;

  for (const b of ui.buttons) b.addEventListener('click', () => app.pick(b.dataset.color));
  ui.custom.addEventListener('change', () => app.pick(ui.custom.value));
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) return;
    const n = Number(ev.key);
    if (n >= 1 && n <= ui.buttons.length) app.pick(ui.buttons[n - 1].dataset.color);
  });
  ui.passForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pass = ui.passInput.value;
    if (!pass) return;
    ui.passInput.value = '';
    app.usePassphrase(pass);
  });
  ui.nameForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = P.cleanName(ui.nameInput.value, W.MAX_NAME);
    ui.nameInput.value = name;
    if (name === st.name) return;
    st.name = name;
    store.set('name', name);
    // The protocol has no rename: join again under the new name.
    app.leave('renaming');
    if (!st.stopped) {
      st.attempt = 1;
      app.connect();
    }
  });
  // A phone that wakes the page or gets its network back should not wait
  // out a backoff meant for a hub that is down.
  const wake = () => {
    if (st.timers.retry && !st.stopped && document.visibilityState === 'visible') {
      st.attempt = 1;
      app.connect();
    }
  };
  document.addEventListener('visibilitychange', wake);
  window.addEventListener('online', wake);

  // For tests and the curious: the state as this page sees it.
  window.huecast = { state: st, pageURL: P.pageURL, backoff: P.backoff, auth: huecastAuth, clock: huecastClock, proto: P, wire: W };

  app.render();
  app.connect();
})(window.huecastPage);
