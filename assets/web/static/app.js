// huecast's page joins the room over the same WebSocket protocol as the
// native app (PROTOCOL.md) and behaves as net/link does: hello with the last
// colour and stamp it knew, colours applied in stamp order only, reconnection
// with Socket.IO's backoff (1 s doubling to 5 s, ±50%), and a colour picked
// while away stamped when picked and carried by the next hello, where the
// hub keeps it unless the room changed colour after it. When its hub has gone and another member of the
// room says, at the address it told the room, that it now hosts the room (or
// where the room's hub is), the page moves there, carrying its id, name and
// colour in the new address's fragment.
//
// In a room with a passphrase the hub's first frame is a challenge; the page
// asks the person for the passphrase, derives the room's key as
// wire.AuthKey does (PBKDF2-HMAC-SHA256, salt AUTH_SALT + room) and answers
// with HMAC-SHA256 of the nonce (see auth.js). The passphrase itself is
// never sent, and never stored: only the derived key is kept, for this tab.
//
// Like net/link, the page estimates its offset to the hub's clock from its
// pings (clock.js) and shows each colour at the moment the hub stamped it
// with, on the animation frame nearest that moment; late ones at once.
// "?flip=now" in the address shows colours on arrival instead.
'use strict';
(function () {
  // Heartbeats as in net/wire: the hub's WebSocket pings are invisible to a
  // page, so it sends protocol pings and treats a hub silent for PONG_WAIT
  // as gone.
  const W = window.huecastWire; // package wire's constants, written by the hub
  const P = window.huecastProto; // package wire's rules
  const PING_PERIOD = W.PING_PERIOD;
  const PONG_WAIT = W.PONG_WAIT;
  const WELCOME_WAIT = 5000; // link's welcomeWait
  // PROBE_WAIT bounds the look for the room's new host: on a LAN a live hub
  // answers in milliseconds.
  const PROBE_WAIT = 2000;
  // REPROBE is how soon a failed look for the room's new host is made once
  // more: native peers elect and start the new hub within about 200 ms of
  // losing the old one, often just after the page's first look.
  const REPROBE = 400;
  const MAX_NAME = W.MAX_NAME;
  const MAX_ID = W.MAX_ID;
  const REPLACED = 'replaced by a newer connection'; // the hub's close text
  // BURST_PINGS are sent BURST_GAP ms apart after each welcome, so that the
  // offset to the hub's clock rests on several round trips at once, then
  // SETTLE_PINGS SETTLE_GAP ms apart, which replace round trips slowed by a
  // room joining all at once (link's burstPings, burstGap, settlePings,
  // settleGap).
  const BURST_PINGS = 8;
  const BURST_GAP = 25;
  const SETTLE_PINGS = 12;
  const SETTLE_GAP = 250;
  // FLIP_BACKSTOP: a hidden or busy tab gets few animation frames or none;
  // a timer shows the colour this long after its moment instead, two frames.
  const FLIP_BACKSTOP = 34;
  const MAX_FLIPS = 200; // flips kept in st.flips, for tests and the curious
  // MAX_WAIT: a moment further ahead than this (a hub's clock misread) shows
  // at once rather than hold the room's colour back (link's maxWait).
  const MAX_WAIT = 1000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'),
    room: $('room'),
    circle: $('circle'),
    name: $('colour-name'),
    hex: $('colour-hex'),
    setBy: $('set-by'),
    buttons: Array.from(document.querySelectorAll('#palette button')),
    custom: $('custom'),
    peers: $('peers'),
    nameForm: $('name-form'),
    nameInput: $('name'),
    passForm: $('pass-form'),
    passInput: $('passphrase'),
    passWhy: $('pass-why'),
    theme: document.querySelector('meta[name="theme-color"]'),
  };
  const palette = new Map(ui.buttons.map((b) => [b.dataset.color, b.textContent.trim()]));

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
    hlc: null, // stamps picks made while away; has seen every stamp heard
    ws: null,
    joined: false,
    attempt: 1,
    lastHeard: 0,
    timers: { retry: 0, ping: 0, welcome: 0, probe: 0 },
    movedFrom: '',
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

  function randomID() {
    const b = new Uint8Array(8);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // wire.CleanName's and wire.ParseColor's rules, so the name shown is the
  // name sent.
  const cleanName = P.cleanName;
  const parseColor = P.parseColor;

  // backoff is link.SocketIOBackoff: 1 s doubling to 5 s, ±50%, never
  // above 5 s.
  function backoff(attempt) {
    let d = 1000;
    for (let i = 1; i < attempt && d < 5000; i++) d *= 2;
    return Math.min(d * (0.5 + Math.random()), 5000);
  }

  // pageURL is web.PageURL: the page of the hub at addr (ws://h:p/ws,
  // http://h:p or h:p), or '' when addr is not one.
  function pageURL(addr) {
    let s = String(addr || '').trim();
    if (!s) return '';
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = 'http://' + s;
    let u;
    try { u = new URL(s); } catch (e) { return ''; }
    const scheme = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[u.protocol];
    if (!scheme || !u.host || u.username || u.password) return '';
    return new URL(scheme + '//' + u.host + '/').href;
  }

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  }

  // ---- What the person sees ----

  let shown = { state: 'connecting', parts: ['Connecting…'] };

  // setStatus shows the status line; note, if given, follows it until the
  // next status.
  function setStatus(state, ...parts) {
    shown = { state, parts };
    ui.status.dataset.state = state;
    ui.status.replaceChildren(...parts);
  }

  function addNote(note) {
    ui.status.replaceChildren(...shown.parts, ' ' + note);
  }

  function link(href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = href;
    return a;
  }

  function colourName(hex) {
    return palette.get(hex) || 'Custom colour';
  }

  function render() {
    const c = st.shown.color;
    if (c) {
      ui.circle.style.backgroundColor = c;
      ui.circle.setAttribute('aria-label', "The room's colour: " + colourName(c) + ', ' + c);
      ui.name.textContent = colourName(c);
      ui.hex.textContent = c;
      ui.custom.value = c;
      ui.theme.setAttribute('content', c);
      document.title = colourName(c) + ' · huecast';
    }
    for (const b of ui.buttons) b.setAttribute('aria-pressed', String(b.dataset.color === c));
    if (!c) ui.setBy.textContent = '';
    else if (P.isZero(st.shown.stamp)) ui.setBy.textContent = "The room's starting colour";
    else if (st.shown.by && st.shown.by === st.self) ui.setBy.textContent = 'Set by you';
    else if (st.shown.byName) ui.setBy.textContent = 'Set by ' + st.shown.byName;
    else ui.setBy.textContent = '';
    ui.room.textContent = st.room ? 'Room ' + st.room : '';
    renderPeers();
  }

  function renderPeers() {
    const items = st.peers.map((p) => {
      const li = document.createElement('li');
      li.textContent = p.name;
      const badges = [];
      // The host is marked by id: names are anyone's to share.
      if (st.hostID && p.id === st.hostID) badges.push('host');
      if (p.id === st.self) badges.push('you');
      for (const text of badges) {
        const b = document.createElement('span');
        b.className = 'badge';
        b.textContent = text;
        li.append(b);
      }
      return li;
    });
    ui.peers.replaceChildren(...items);
  }

  // ---- The connection ----

  function hello() {
    if (st.pending && P.after(st.pendingAt, st.stamp)) {
      // Picked while away: the hub keeps it unless the room changed
      // colour after it was picked.
      st.color = st.pending;
      st.stamp = st.pendingAt;
      st.by = st.id;
      st.byName = st.name;
      st.pending = '';
    }
    send({ type: 'hello', v: W.VERSION, id: st.id, name: st.name, room: st.room, color: st.color, stamp: st.stamp, by_name: st.byName });
  }

  // randomHex returns n random bytes in hex.
  function randomHex(n) {
    const b = new Uint8Array(n);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // proof checks the hub's answer to our own challenge: HMAC(key,
  // "hub:" + our nonce), wire.HubProof. Only then does the page say hello.
  function proof(mac) {
    const ws = st.ws, mine = st.mine;
    if (!mine || st.proved) return;
    huecastAuth.mac(st.key, 'hub:' + mine).then((want) => {
      if (st.ws !== ws) return;
      if (typeof mac === 'string' && mac === want) {
        st.proved = true;
        hello();
        return;
      }
      unproven('could not prove it knows room ' + st.room + '\'s passphrase');
    });
  }

  // unproven gives up on a hub that is not the room's: it heard nothing
  // about us, and the key goes nowhere.
  function unproven(why) {
    const ws = st.ws;
    st.refusal = 'The hub at ' + location.host + ' ' + why + '; this page told it nothing.';
    if (ws) drop(ws, st.refusal);
  }

  function send(msg) {
    const ws = st.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  function clearTimers() {
    clearTimeout(st.timers.retry);
    clearTimeout(st.timers.welcome);
    clearInterval(st.timers.ping);
    clearTimeout(st.timers.probe);
    st.timers = { retry: 0, ping: 0, welcome: 0, probe: 0 };
  }

  function connect() {
    clearTimers();
    if (st.stopped) return;
    if (st.room) {
      open();
      return;
    }
    // The hub that served this page names the room to join.
    fetch('/api/state', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((s) => {
        st.room = String(s.room || '');
        open();
      }, () => retry('cannot reach the hub at ' + location.host));
  }

  function open() {
    if (!st.key) st.key = tabStore.get('key.' + st.room) || '';
    if (!st.key) st.vk = '';
    else if (!st.vk) {
      // The room's verifier (wire.Verifier: HMAC(key, wire.VerifierLabel),
      // 8 hex digits), to tell rooms of one name apart at /api/peer.
      huecastAuth.mac(st.key, 'huecast/v1/verifier').then((m) => { st.vk = m.slice(0, 8); });
    }
    let ws;
    try {
      ws = new WebSocket(wsURL());
    } catch (e) {
      retry('cannot open a connection: ' + e.message);
      return;
    }
    st.ws = ws;
    let opened = false;
    st.mine = '';
    st.proved = false;
    ws.onopen = () => {
      opened = true;
      if (st.key) {
        // Nothing about us goes to a hub before it proves it knows the
        // room's passphrase: our own challenge first, the hello after
        // its proof.
        st.mine = randomHex(32);
        send({ type: 'challenge', nonce: st.mine });
        return;
      }
      hello();
    };
    ws.onmessage = (ev) => {
      if (st.ws !== ws) return;
      st.lastHeard = Date.now(); // every frame proves the hub alive
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      frame(m);
    };
    ws.onclose = (ev) => {
      if (st.ws !== ws) return;
      if (ev.code === 1008 && ev.reason === REPLACED) {
        elsewhere();
        return;
      }
      let why = 'the connection was lost';
      if (!opened) why = 'cannot reach the hub at ' + location.host;
      else if (ev.reason) why = 'the hub closed the connection: ' + ev.reason;
      lost(why);
    };
    st.timers.welcome = setTimeout(() => {
      if (st.ws === ws && !st.joined) drop(ws, 'the hub did not answer');
    }, WELCOME_WAIT);
  }

  // drop gives up on ws at once: a dead connection's close could take long.
  function drop(ws, why) {
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(); } catch (e) { /* already closed */ }
    if (st.ws === ws) lost(why);
  }

  function lost(why) {
    const wasJoined = st.joined;
    clearTimers();
    st.ws = null;
    st.joined = false;
    if (wasJoined) st.attempt = 1;
    retry(why);
  }

  function retry(why) {
    clearTimers();
    if (st.stopped || st.needPass) return;
    if (st.refusal) {
      why = st.refusal.replace(/\.$/, '');
      st.refusal = '';
    }
    const wait = backoff(st.attempt);
    const secs = Math.max(1, Math.round(wait / 1000));
    setStatus('reconnecting', capital(why) + ' — trying again in ' + secs + ' s…');
    st.timers.retry = setTimeout(() => {
      st.attempt++;
      connect();
    }, wait);
    followRoom(why, secs);
  }

  function elsewhere() {
    clearTimers();
    st.ws = null;
    st.joined = false;
    st.stopped = true;
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Use this page';
    again.addEventListener('click', () => {
      st.stopped = false;
      st.attempt = 1;
      setStatus('connecting', 'Connecting…');
      connect();
    });
    setStatus('elsewhere', 'This page is open in another tab or window, which has taken over.', again);
  }

  function frame(m) {
    // Until a hub proves it knows the room's passphrase, the page takes
    // nothing from it but the steps of the proof: a welcome, a colour or a
    // member list from it would make the page join, or show, a room that is
    // not ours (PROTOCOL.md, "The hub proves itself too").
    if (st.mine && !st.proved && m.type !== 'challenge' && m.type !== 'auth' && m.type !== 'error') {
      unproven('answered with "' + String(m.type).slice(0, 32) + '" instead of its proof');
      return;
    }
    switch (m.type) {
      case 'welcome':
        // The members' addresses count as the room's only if the hub
        // that listed them proved it knows the passphrase.
        st.peersProved = st.proved;
        clearTimeout(st.timers.welcome);
        if (m.v !== W.VERSION) {
          // A hub of another version took our hello as its own: leave.
          st.refusal = 'The hub at ' + location.host + ' speaks huecast protocol ' + (m.v || 1) +
            ' and this page protocol ' + W.VERSION + ': update huecast on the hub\'s machine.';
          drop(st.ws, 'wrong protocol version');
          break;
        }
        st.joined = true;
        st.self = m.id;
        st.room = m.room;
        // A hub that took the colour from a hello (after a restart or a
        // move) does not know who set it, only their name; when it is the
        // colour we knew, so is the setter.
        if (m.by || m.color !== st.color || P.compareStamps(m.stamp, st.stamp) !== 0) st.by = m.by;
        st.color = m.color;
        st.stamp = P.stamp(m.stamp);
        st.hlc.observe(st.stamp);
        st.byName = m.by_name;
        st.peers = Array.isArray(m.peers) ? m.peers : [];
        st.host = cleanName(m.host, MAX_NAME);
        st.hostID = String(m.host_id || '');
        st.lead = Number(m.lead) || 0;
        // The room's colour is shown at once; whatever waited is not.
        st.shown = { color: st.color, stamp: st.stamp, by: st.by, byName: st.byName };
        st.sched.show(st.shown);
        st.clock.reset(); // perhaps another hub, with a clock of its own
        render();
        connected();
        heartbeat();
        flush(); // a colour picked while away goes out now
        break;
      case 'color':
        if (P.after(m.stamp, st.stamp)) {
          st.color = m.color;
          st.stamp = P.stamp(m.stamp);
          st.hlc.observe(st.stamp);
          st.by = m.by;
          st.byName = m.name;
          schedule(m);
        }
        break;
      case 'pong':
        if (typeof m.t === 'number' && typeof m.ht === 'number' && m.ht > 0) {
          st.clock.add({ sent: m.t / 1000, hub: m.ht, recv: performance.now() });
        }
        break;
      case 'join':
        st.peers = st.peers.filter((p) => p.id !== m.peer.id).concat([m.peer]);
        renderPeers();
        break;
      case 'leave':
        st.peers = st.peers.filter((p) => p.id !== m.peer.id);
        renderPeers();
        break;
      case 'challenge':
        if (st.mine && m.nonce === st.mine) {
          unproven('sent our own challenge back');
          break;
        }
        answer(m.nonce);
        break;
      case 'auth':
        proof(m.mac);
        break;
      case 'error':
        if (m.code === 'open_room') {
          unproven('serves room ' + st.room + ' without a passphrase, so it is another room');
          break;
        }
        if (m.code === 'unauthorized') {
          askPassphrase(m.message || 'This room needs a passphrase.');
          break;
        }
        if (st.joined) addNote(m.message || 'The hub refused that.');
        else st.refusal = m.message || ''; // said again when the hub hangs up
        break;
      default: // pong and anything newer: proof of life only
    }
  }

  function connected() {
    const where = st.host ? ' hosted by ' + st.host : '';
    if (st.movedFrom) {
      setStatus('moved', 'Connected. The room moved here from ', link(st.movedFrom), where ? ',' + where + '.' : '.');
      st.movedFrom = '';
    } else {
      setStatus('connected', 'Connected' + (where ? ',' + where : '') + '.');
    }
  }

  function heartbeat() {
    const ws = st.ws;
    st.lastHeard = Date.now();
    st.timers.ping = setInterval(() => {
      if (Date.now() - st.lastHeard > PONG_WAIT) {
        drop(ws, 'the hub stopped answering');
        return;
      }
      ping();
    }, PING_PERIOD);
    for (let i = 0; i < BURST_PINGS + SETTLE_PINGS; i++) {
      const at = i < BURST_PINGS ? i * BURST_GAP : (BURST_PINGS - 1) * BURST_GAP + (i - BURST_PINGS + 1) * SETTLE_GAP;
      setTimeout(() => { if (st.ws === ws) ping(); }, at);
    }
  }

  // ping times a round trip on the page's monotonic clock, in whole
  // microseconds (t is an integer on the wire), and tells the hub the round
  // trip the page measures, so that the room's lead covers it.
  function ping() {
    const rtt = st.clock.rtt();
    send({ type: 'ping', t: Math.round(performance.now() * 1000), rtt: Math.round(rtt * 1000) / 1000 });
  }

  // ---- Showing colours together ----

  // schedule queues the colour frame m for its moment on the hub's clock,
  // or shows it at once: when late, without a moment, before the page
  // knows the hub's clock, or with #flip=now.
  function schedule(m) {
    const v = { color: m.color, stamp: P.stamp(m.stamp), by: m.by, byName: m.name, at: Number(m.at) || 0 };
    if (Number(m.lead) > 0) st.lead = Number(m.lead);
    const off = st.clock.offset();
    v.offset = off;
    let at = null;
    if (v.at > 0 && off !== null && !st.flipNow) at = v.at - off;
    if (at !== null && at - performance.now() > MAX_WAIT) at = null;
    for (let f = st.sched.add(v, at, performance.now()); f; f = st.sched.due(performance.now())) show(f);
    arm();
  }

  // arm asks for animation frames while a colour waits, and a timer in
  // case none come (a hidden tab).
  function arm() {
    cancelAnimationFrame(st.frame);
    clearTimeout(st.backstop);
    st.frame = st.backstop = 0;
    const at = st.sched.next();
    if (at === null) return;
    st.frame = requestAnimationFrame(onFrame);
    st.backstop = setTimeout(() => {
      for (let f = st.sched.due(Infinity); f; f = st.sched.due(Infinity)) show(f);
      arm();
    }, Math.max(0, at - performance.now()) + FLIP_BACKSTOP);
  }

  // onFrame shows the waiting colour on the frame nearest its moment: this
  // one, if the moment falls before the middle of the gap to the next, so
  // that the change is on screen within half a frame of it.
  function onFrame(ts) {
    st.frame = 0;
    if (st.lastFrame) st.frameGap = Math.min(50, Math.max(4, ts - st.lastFrame));
    st.lastFrame = ts;
    const by = performance.now() + st.frameGap / 2;
    for (let f = st.sched.due(by); f; f = st.sched.due(by)) show(f);
    arm();
  }

  function show(f) {
    const now = performance.now();
    st.shown = { color: f.v.color, stamp: f.v.stamp, by: f.v.by, byName: f.v.byName };
    st.flips.push({ color: f.v.color, stamp: f.v.stamp, at: f.v.at, offset: f.v.offset, shown: now,
      shownHub: f.v.offset === null ? null : now + f.v.offset, wall: performance.timeOrigin + now, late: f.late });
    if (st.flips.length > MAX_FLIPS) st.flips.shift();
    render();
  }

  function pick(hex) {
    const c = parseColor(hex);
    if (!c) return;
    st.pending = c;
    st.pendingAt = st.hlc.stamp();
    if (!flush()) addNote(colourName(c) + ' ' + c + ' will be sent once connected.');
  }

  // flush sends the pending colour if connected, and says whether it did.
  function flush() {
    if (!st.pending || !st.joined) return false;
    if (!send({ type: 'color', color: st.pending })) return false;
    st.pending = '';
    return true;
  }

  // ---- The room's passphrase ----

  // answer proves to the hub that we know the room's passphrase, or asks
  // the person for it.
  function answer(nonce) {
    const ws = st.ws;
    if (!st.key) {
      askPassphrase('Room ' + st.room + ' needs a passphrase.');
      return;
    }
    huecastAuth.mac(st.key, String(nonce || '')).then((mac) => {
      if (st.ws === ws) send({ type: 'auth', mac });
    });
  }

  // askPassphrase stops reconnecting and shows the passphrase form; the
  // page connects again once the person submits it.
  function askPassphrase(why) {
    st.key = '';
    st.vk = '';
    tabStore.set('key.' + st.room, '');
    st.needPass = true;
    const ws = st.ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      st.ws = null;
      st.joined = false;
      try { ws.close(1000, 'passphrase needed'); } catch (e) { /* already closed */ }
    }
    clearTimers();
    ui.passWhy.textContent = why;
    ui.passForm.hidden = false;
    setStatus('passphrase', 'Waiting for the room\'s passphrase.');
    ui.passInput.focus();
  }

  // roomKey is wire.CleanRoom for the salt: the hub's room is clean already.
  function roomKey(room) {
    return P.cleanRoom(room) || W.DEFAULT_ROOM;
  }

  // ---- Finding the room after its hub has gone ----

  // candidates are the pages of the hubs the room's other members said they
  // would host, in join order.
  //
  // The lost hub's own address comes first: a hub that folded into
  // another says where (its peer still answers), even when only pages
  // were attached to it and no member told an address.
  function candidates() {
    const own = new URL('/', location.href).href;
    const seen = new Set([own]);
    const out = [own];
    for (const p of st.peers) {
      const u = pageURL(p.addr);
      if (u && !seen.has(u)) {
        seen.add(u);
        out.push(u);
      }
    }
    return out;
  }

  // ask asks the member at page u (GET /api/peer, which every peer answers
  // to any page) whether it hosts our room now, or knows which hub does, and
  // resolves with the page to move to. A member listens from the start on
  // the address it would host on, so that it answers at all proves nothing.
  function ask(u, signal) {
    const own = new URL('/', location.href).href;
    return fetch(new URL('api/peer', u), { cache: 'no-store', signal })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((info) => {
        if (!info || info.room !== st.room) throw new Error(u + ' is not in room ' + st.room);
        // A room is its name and its passphrase: the verifier tells.
        if (String(info.vk || '') !== st.vk) throw new Error(u + ' is a room of another passphrase');
        if (info.hosting && u === own) throw new Error('the hub here is back; reconnecting');
        if (info.hosting) return u;
        const there = pageURL(info.hub);
        if (there && there !== own) return there;
        throw new Error(u + ' does not host the room yet');
      });
  }

  let probing = false;

  function followRoom(why, secs, again) {
    const urls = candidates();
    if (urls.length === 0 || probing) return;
    probing = true;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), PROBE_WAIT);
    Promise.any(urls.map((u) => ask(u, ctl.signal))).then((u) => {
      ctl.abort();
      moveTo(u);
    }, () => {
      if (st.joined || st.stopped) return;
      const parts = [capital(why) + ' — trying again in ' + secs + ' s.'];
      const own = new URL('/', location.href).href;
      const others = urls.filter((u) => u !== own);
      if (others.length > 0) {
        // No member known but this hub: there is nowhere else to point to.
        parts.push(' The room may have moved to ');
        others.forEach((u, i) => parts.push(i ? ' or ' : '', link(u)));
        parts.push('.');
      }
      setStatus('reconnecting', ...parts);
      if (!again) st.timers.probe = setTimeout(() => followRoom(why, secs, true), REPROBE);
    }).finally(() => {
      clearTimeout(timer);
      probing = false;
      st.probes++;
    });
  }

  // moveTo opens the page of the room's new host, handing over who we are
  // and the colour we knew: the new origin has its own storage.
  function moveTo(url) {
    if (st.joined || st.stopped) return;
    clearTimers();
    st.stopped = true;
    setStatus('moved', 'The room moved to ', link(url), '; following it…');
    const p = new URLSearchParams({
      from: new URL('/', location.href).href,
      id: st.id,
      name: st.name,
      room: st.room,
      color: st.color,
      stamp: P.stampText(st.stamp),
      by_name: st.byName,
      by: st.by,
    });
    // The room's key (never the passphrase) goes along, so the new host's
    // challenge is answered without asking again: but only to the page of
    // a member of the room, as a hub that proved it knows the passphrase
    // listed them. A pointer from an /api/peer answer (a folded hub) gets
    // no key: the person gives the passphrase again there.
    if (st.key && st.peersProved && memberPage(url)) p.set('key', st.key);
    location.assign(url + '#' + p.toString());
  }

  // memberPage says whether url is the page of a member of the room as the
  // last welcome listed them.
  function memberPage(url) {
    return st.peers.some((p) => pageURL(p.addr) === url);
  }

  // takeHandoff reads what a page that moved here handed over, keeps it,
  // and clears it from the address bar.
  function takeHandoff() {
    if (location.hash.length < 2) return;
    const p = new URLSearchParams(location.hash.slice(1));
    if (!p.has('room')) return;
    const id = cleanName(p.get('id'), MAX_ID);
    if (id) store.set('id', id);
    if (p.has('name')) store.set('name', cleanName(p.get('name'), MAX_NAME));
    st.room = String(p.get('room') || '');
    const c = parseColor(p.get('color'));
    const stamp = P.parseStamp(p.get('stamp'));
    if (c && stamp) {
      st.color = c;
      st.stamp = stamp;
      st.byName = cleanName(p.get('by_name'), MAX_NAME);
      st.by = cleanName(p.get('by'), MAX_ID);
    }
    st.movedFrom = pageURL(p.get('from'));
    const key = String(p.get('key') || '');
    if (/^[0-9a-f]{64}$/.test(key)) tabStore.set('key.' + st.room, key);
    history.replaceState(null, '', location.pathname + location.search);
  }

  function capital(s) {
    return s ? s[0].toUpperCase() + s.slice(1) : s;
  }

  // ---- Start ----

  takeHandoff();
  st.shown = { color: st.color, stamp: st.stamp, by: st.by, byName: st.byName };
  st.flipNow = new URLSearchParams(location.search).get('flip') === 'now';
  st.id = store.get('id') || '';
  if (!st.id) {
    st.id = randomID();
    store.set('id', st.id);
  }
  st.hlc = P.Clock(st.id);
  st.hlc.observe(st.stamp);
  st.name = cleanName(store.get('name'), MAX_NAME);
  ui.nameInput.value = st.name;

  for (const b of ui.buttons) b.addEventListener('click', () => pick(b.dataset.color));
  ui.custom.addEventListener('change', () => pick(ui.custom.value));
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) return;
    const n = Number(ev.key);
    if (n >= 1 && n <= ui.buttons.length) pick(ui.buttons[n - 1].dataset.color);
  });
  ui.passForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const pass = ui.passInput.value;
    if (!pass) return;
    ui.passInput.value = '';
    setStatus('connecting', 'Checking the passphrase…');
    huecastAuth.deriveKey(pass, roomKey(st.room), W.AUTH_SALT, W.AUTH_ITERATIONS).then((key) => {
      st.key = key;
      st.vk = '';
      tabStore.set('key.' + st.room, key);
      st.needPass = false;
      ui.passForm.hidden = true;
      st.attempt = 1;
      connect();
    }, (e) => askPassphrase('Cannot use that passphrase: ' + e.message));
  });
  ui.nameForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = cleanName(ui.nameInput.value, MAX_NAME);
    ui.nameInput.value = name;
    if (name === st.name) return;
    st.name = name;
    store.set('name', name);
    // The protocol has no rename: join again under the new name.
    if (st.ws) {
      const ws = st.ws;
      ws.onopen = ws.onmessage = ws.onclose = null;
      st.ws = null;
      st.joined = false;
      ws.close(1000, 'renaming');
    }
    if (!st.stopped) {
      st.attempt = 1;
      connect();
    }
  });
  // A phone that wakes the page or gets its network back should not wait
  // out a backoff meant for a hub that is down.
  const wake = () => {
    if (st.timers.retry && !st.stopped && document.visibilityState === 'visible') {
      st.attempt = 1;
      connect();
    }
  };
  document.addEventListener('visibilitychange', wake);
  window.addEventListener('online', wake);

  // For tests and the curious: the state as this page sees it.
  window.huecast = { state: st, pageURL, backoff, auth: huecastAuth, clock: huecastClock, proto: P, wire: W };

  render();
  connect();
})();
