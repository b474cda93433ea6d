// The connection to the hub: open, hello, the frames the hub sends, the
// heartbeat, and reconnection with backoff when the connection is lost.
// Heartbeats as in net/wire: the hub's WebSocket pings are invisible to a
// page, so it sends protocol pings and treats a hub silent for PONG_WAIT as
// gone.
'use strict';
(function (app) {
  const { st, W, P } = app;

  // carryPending makes a colour picked while away the one the page
  // carries to its next hub (in its hello, or handed to the page it moves
  // to): the hub keeps it unless the room changed colour after it was
  // picked.
  function carryPending() {
    if (st.pending && P.after(st.pendingAt, st.stamp)) {
      st.color = st.pending;
      st.stamp = st.pendingAt;
      st.by = st.id;
      st.byName = st.name;
      st.pending = '';
    }
  }

  // unechoedBack ends a connection's count of colours sent: the last one
  // sent, if the hub never echoed it (it shut down as the frame arrived,
  // or the network stopped carrying frames), is picked again as of when it
  // was picked, unless a newer pick waits or a newer colour came meanwhile.
  function unechoedBack() {
    if (st.sent && !st.pending) {
      let at = st.sentAt;
      if (st.by && st.by === st.self && !P.after(at, st.stamp)) {
        // The newest colour known is an earlier pick of ours, stamped by
        // the hub when it arrived, after this one was picked: this one
        // still comes after it.
        at = { ms: st.stamp.ms, n: st.stamp.n + 1, id: st.id };
      }
      if (P.after(at, st.stamp)) {
        st.pending = st.sent;
        st.pendingAt = at;
      }
    }
    st.sent = '';
    st.sentAt = P.ZERO;
    st.unechoed = 0;
  }

  function hello() {
    carryPending();
    send({ type: 'hello', v: W.VERSION, id: st.id, name: st.name, room: st.room, color: st.color, stamp: st.stamp, by_name: st.byName });
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

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
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
      }, () => retry(P.text('CANNOT_REACH', { host: location.host })));
  }

  function open() {
    app.loadKey();
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
    st.theirs = ''; // the hub's nonce: answered once per connection
    st.proved = false;
    ws.onopen = () => {
      opened = true;
      // In a room with a passphrase, nothing about us goes to a hub before
      // it proves it knows it: our own challenge first, the hello after
      // its proof.
      if (!app.challenge()) hello();
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
      if (ev.code === 1008 && ev.reason === W.CLOSE_REPLACED) {
        elsewhere();
        return;
      }
      let why = P.text('CONN_LOST');
      if (!opened) why = P.text('CANNOT_REACH', { host: location.host });
      else if (ev.reason) why = P.text('HUB_CLOSED_WHY', { why: ev.reason });
      lost(why);
    };
    st.timers.welcome = setTimeout(() => {
      if (st.ws === ws && !st.joined) drop(ws, P.text('HUB_SILENT'));
    }, W.WELCOME_WAIT);
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
    unechoedBack();
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
    const wait = P.backoff(st.attempt);
    const secs = Math.max(1, Math.round(wait / 1000));
    app.setStatus('reconnecting', app.capital(why) + ' — trying again in ' + secs + ' s…');
    st.timers.retry = setTimeout(() => {
      st.attempt++;
      connect();
    }, wait);
    app.followRoom(why, secs);
  }

  // elsewhere stops for good: another tab or window of this browser took
  // over our id, until the person asks for this page again.
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
      app.setStatus('connecting', 'Connecting…');
      connect();
    });
    app.setStatus('elsewhere', 'This page is open in another tab or window, which has taken over.', again);
  }

  // leave closes the connection on purpose (why goes in the close frame),
  // so that its close is not taken for a loss.
  function leave(why) {
    const ws = st.ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    st.ws = null;
    st.joined = false;
    unechoedBack();
    try { ws.close(1000, why); } catch (e) { /* already closed */ }
  }

  function frame(m) {
    // Until a hub proves it knows the room's passphrase, the page takes
    // nothing from it but the steps of the proof: a welcome, a colour or a
    // member list from it would make the page join, or show, a room that is
    // not ours (PROTOCOL.md, "The hub proves itself too").
    if (st.mine && !st.proved && m.type !== 'challenge' && m.type !== 'auth' && m.type !== 'error') {
      app.unproven('WHY_ANSWERED_WITH', { type: JSON.stringify(String(m.type).slice(0, 32)) });
      return;
    }
    switch (m.type) {
      case 'welcome':
        welcome(m);
        break;
      case 'color':
        // The hub answers our colours in the order sent: once the last is
        // echoed, every one was taken.
        if (m.by && m.by === st.self && st.unechoed > 0 && --st.unechoed === 0) st.sent = '';
        if (P.after(m.stamp, st.stamp)) {
          st.color = m.color;
          st.stamp = P.stamp(m.stamp);
          st.hlc.observe(st.stamp);
          st.by = m.by;
          st.byName = m.name;
          app.schedule(m);
        }
        break;
      case 'pong':
        if (typeof m.t === 'number' && typeof m.ht === 'number' && m.ht > 0) {
          st.clock.add({ sent: m.t / 1000, hub: m.ht, recv: performance.now() });
        }
        break;
      case 'join':
        st.peers = st.peers.filter((p) => p.id !== m.peer.id).concat([m.peer]);
        app.renderPeers();
        break;
      case 'leave':
        st.peers = st.peers.filter((p) => p.id !== m.peer.id);
        app.renderPeers();
        break;
      case 'challenge':
        app.challenged(m);
        break;
      case 'auth':
        app.proof(m.mac);
        break;
      case 'error':
        refused(m);
        break;
      default: // anything newer: proof of life only
    }
  }

  function welcome(m) {
    // The members' addresses count as the room's only if the hub
    // that listed them proved it knows the passphrase.
    st.peersProved = st.proved;
    clearTimeout(st.timers.welcome);
    if (m.v !== W.VERSION) {
      // A hub of another version took our hello as its own: leave.
      st.refusal = P.versionText(location.host, Number(m.v) || 1, W.VERSION);
      drop(st.ws, 'wrong protocol version');
      return;
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
    st.host = P.cleanName(m.host, W.MAX_NAME);
    st.hostID = String(m.host_id || '');
    st.lead = Number(m.lead) || 0;
    // The room's colour is shown at once; whatever waited is not.
    st.shown = { color: st.color, stamp: st.stamp, by: st.by, byName: st.byName };
    st.sched.show(st.shown);
    st.clock.reset(); // perhaps another hub, with a clock of its own
    app.render();
    app.connected();
    heartbeat();
    flush(); // a colour picked while away goes out now
  }

  // refused handles the hub's error frame.
  function refused(m) {
    if (m.code === W.CODE_OPEN_ROOM) {
      app.unproven('WHY_OPEN_ROOM');
      return;
    }
    if (m.code === W.CODE_UNAUTHORIZED) {
      app.askPassphrase(m.message || P.text('NEEDS_PASSPHRASE', { room: st.room }));
      return;
    }
    if (st.joined) app.addNote(m.message || 'The hub refused that.');
    else st.refusal = m.message || ''; // said again when the hub hangs up
  }

  function heartbeat() {
    const ws = st.ws;
    st.lastHeard = Date.now();
    st.timers.ping = setInterval(() => {
      if (Date.now() - st.lastHeard > W.PONG_WAIT) {
        drop(ws, P.text('HUB_SILENT'));
        return;
      }
      ping();
    }, W.PING_PERIOD);
    // BURST_PINGS BURST_GAP apart after each welcome, so that the offset to
    // the hub's clock rests on several round trips at once, then
    // SETTLE_PINGS SETTLE_GAP apart, which replace round trips slowed by a
    // room joining all at once (as net/link does).
    for (let i = 0; i < W.BURST_PINGS + W.SETTLE_PINGS; i++) {
      const at = i < W.BURST_PINGS ? i * W.BURST_GAP : (W.BURST_PINGS - 1) * W.BURST_GAP + (i - W.BURST_PINGS + 1) * W.SETTLE_GAP;
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

  function pick(hex) {
    const c = P.parseColor(hex);
    if (!c) return;
    st.pending = c;
    st.pendingAt = st.hlc.stamp();
    if (!flush()) app.addNote(app.colourName(c) + ' ' + c + ' will be sent once connected.');
  }

  // flush sends the pending colour if connected, and says whether it did.
  function flush() {
    if (!st.pending || !st.joined) return false;
    if (!send({ type: 'color', color: st.pending })) return false;
    st.sent = st.pending; // kept until the hub echoes it
    st.sentAt = st.pendingAt;
    st.unechoed++;
    st.pending = '';
    return true;
  }

  Object.assign(app, { hello, carryPending, send, clearTimers, connect, drop, leave, pick });
})(window.huecastPage);
