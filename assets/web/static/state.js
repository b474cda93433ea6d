// The page's shared state, which the page's other scripts (view.js,
// connection.js, proof.js, schedule.js, follow.js, app.js) extend with
// their functions on window.huecastPage: one object, so that each file
// reaches the others' functions as app.name when it runs, whatever the
// order they were loaded in.
//
// huecast's page joins the room over the same WebSocket protocol as the
// native app (PROTOCOL.md) and behaves as net/link does: hello with the last
// colour and stamp it knew, colours applied in stamp order only, reconnection
// with Socket.IO's backoff (wire.Backoff), and a colour picked while away
// stamped when picked and carried by the next hello, where the hub keeps it
// unless the room changed colour after it. Every constant and text it shares
// with Go comes from huecastWire (wire.js, written by the hub from package
// wire); every rule it shares with Go from huecastProto (proto.js), which
// runs the shared vectors.
'use strict';
window.huecastPage = (function () {
  const W = window.huecastWire; // package wire's constants, written by the hub
  const P = window.huecastProto; // package wire's rules

  // localStorage may be refused (private modes, storage off); the page
  // still works, with a new id each time.
  const store = {
    get(k) {
      try { return localStorage.getItem('huecast.' + k); } catch (e) { return null; }
    },
    set(k, v) {
      try { localStorage.setItem('huecast.' + k, v); } catch (e) { /* not kept */ }
    },
  };
  // The room's key lives as long as the tab: sessionStorage, never localStorage.
  const tabStore = {
    get(k) {
      try { return sessionStorage.getItem('huecast.' + k); } catch (e) { return null; }
    },
    set(k, v) {
      try { if (v) sessionStorage.setItem('huecast.' + k, v); else sessionStorage.removeItem('huecast.' + k); } catch (e) { /* not kept */ }
    },
  };

  const st = {
    id: '',
    name: '',
    room: '', // learnt from /api/state, or handed over by a page that moved here
    // The room's state as last known, changed in stamp order only.
    color: '',
    stamp: P.ZERO,
    by: '',
    byName: '',
    peers: [],
    host: '', // the host's name, for the status line
    hostID: '', // the host's id, which marks it in the list
    self: '', // our id as the hub confirmed it
    pending: '', // picked by the person, not yet sent
    pendingAt: P.ZERO, // when pending was picked
    // The last colour this connection sent and when it was picked, until
    // the hub echoes it; unechoed counts the colours sent on it whose echo
    // has not come. A connection that ends first hands sent back to
    // pending (unechoedBack), as net/link does.
    sent: '',
    sentAt: P.ZERO,
    unechoed: 0,
    hlc: null, // stamps picks made while away; has seen every stamp heard
    ws: null,
    joined: false,
    attempt: 1,
    lastHeard: 0,
    timers: { retry: 0, ping: 0, welcome: 0, probe: 0 },
    movedFrom: '',
    // This tab came to this origin by itself (it followed the room), and no
    // hub here has proved the passphrase to it yet: the page asks for it
    // nowhere here, since whoever answers at this address serves the page too.
    unprovenHere: false,
    refusal: '', // why the hub refused our hello
    stopped: false,
    key: '', // the room's derived key, hex; '' until the person gives the passphrase
    vk: '', // the room's verifier, from key
    needPass: false, // waiting for the person to type the passphrase
    probes: 0, // looks for the room's new host made, for tests
    // What the circle shows: the room's colour once its moment has come.
    shown: { color: '', stamp: P.ZERO, by: '', byName: '' },
    clock: huecastClock.Estimator(),
    // A newer colour replaces the waiting ones whose moment on the hub's
    // clock is not before its own (the hub decides which: PROTOCOL.md).
    sched: huecastClock.Schedule((a, b) => P.after(a.stamp, b.stamp), (a, b) => a.at > 0 && b.at > 0 && a.at < b.at),
    flipNow: false,
    frame: 0, // requestAnimationFrame id; 0: none asked
    backstop: 0, // setTimeout id
    frameGap: 1000 / 60, // ms between animation frames, as last seen
    lastFrame: 0,
    lead: 0, // ms, as the hub last said
    flips: [], // {color, stamp, at, offset, shown, shownHub, late}, newest last
  };

  // randomHex returns n random bytes in hex.
  function randomHex(n) {
    const b = new Uint8Array(n);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // ownPage is the page of the hub that served this one.
  function ownPage() {
    return new URL('/', location.href).href;
  }

  function capital(s) {
    return s ? s[0].toUpperCase() + s.slice(1) : s;
  }

  return { W, P, st, store, tabStore, randomHex, ownPage, capital };
})();
