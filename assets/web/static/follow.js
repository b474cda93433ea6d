// Finding the room after its hub has gone. When another member of the room
// says, at the address it told the room, that it now hosts the room (or
// where the room's hub is), the page moves there, carrying its id, name and
// colour in the new address's fragment; the page it moves to takes them
// over (takeHandoff).
'use strict';
(function (app) {
  const { st, W, P, store, tabStore } = app;
  // PROBE_WAIT bounds the look for the room's new host: on a LAN a live hub
  // answers in milliseconds.
  const PROBE_WAIT = 2000;
  // REPROBE is how soon a failed look for the room's new host is made once
  // more: native peers elect and start the new hub within about 200 ms of
  // losing the old one, often just after the page's first look.
  const REPROBE = 400;

  // ask asks the member at page u (GET /api/peer, which every peer answers
  // to any page) whether it hosts our room now, or knows which hub does, and
  // resolves with the page to move to. A member listens from the start on
  // the address it would host on, so that it answers at all proves nothing.
  function ask(u, signal) {
    const own = app.ownPage();
    return fetch(new URL('api/peer', u), { cache: 'no-store', signal })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status))))
      .then((info) => {
        if (!info || info.room !== st.room) throw new Error(u + ' is not in room ' + st.room);
        // A room is its name and its passphrase: the verifier tells.
        if (String(info.vk || '') !== st.vk) throw new Error(u + ' is a room of another passphrase');
        if (info.hosting && u === own) throw new Error('the hub here is back; reconnecting');
        if (info.hosting) return u;
        const there = P.pageURL(info.hub);
        if (there && there !== own) return there;
        throw new Error(u + ' does not host the room yet');
      });
  }

  let probing = false;

  // followRoom asks every candidate (P.candidates) at once and moves to the
  // first page that says where the room is; else it says where the room may
  // have gone, and looks once more after REPROBE.
  function followRoom(why, secs, again) {
    const own = app.ownPage();
    const urls = P.candidates(own, st.peers);
    if (urls.length === 0 || probing) return;
    probing = true;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), PROBE_WAIT);
    Promise.any(urls.map((u) => ask(u, ctl.signal))).then((u) => {
      ctl.abort();
      moveTo(u);
    }, () => {
      if (st.joined || st.stopped) return;
      const parts = [app.capital(why) + ' — trying again in ' + secs + ' s.'];
      const others = urls.filter((u) => u !== own);
      if (others.length > 0) {
        // No member known but this hub: there is nowhere else to point to.
        parts.push(' The room may have moved to ');
        others.forEach((u, i) => parts.push(i ? ' or ' : '', app.link(u)));
        parts.push('.');
      }
      app.setStatus('reconnecting', ...parts);
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
    app.clearTimers();
    st.stopped = true;
    app.setStatus('moved', 'The room moved to ', app.link(url), '; following it…');
    app.carryPending(); // a colour picked while away goes along
    const p = new URLSearchParams({
      from: app.ownPage(),
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
    return st.peers.some((p) => P.pageURL(p.addr) === url);
  }

  // takeHandoff reads what a page that moved here handed over, keeps it,
  // and clears it from the address bar.
  function takeHandoff() {
    if (location.hash.length < 2) return;
    const p = new URLSearchParams(location.hash.slice(1));
    if (!p.has('room')) return;
    const id = P.cleanName(p.get('id'), W.MAX_ID);
    if (id) store.set('id', id);
    if (p.has('name')) store.set('name', P.cleanName(p.get('name'), W.MAX_NAME));
    st.room = String(p.get('room') || '');
    const c = P.parseColor(p.get('color'));
    const stamp = P.parseStamp(p.get('stamp'));
    if (c && stamp) {
      st.color = c;
      st.stamp = stamp;
      st.byName = P.cleanName(p.get('by_name'), W.MAX_NAME);
      st.by = P.cleanName(p.get('by'), W.MAX_ID);
    }
    st.movedFrom = P.pageURL(p.get('from'));
    tabStore.set('unproven', '1');
    const key = String(p.get('key') || '');
    if (/^[0-9a-f]{64}$/.test(key)) tabStore.set('key.' + st.room, key);
    history.replaceState(null, '', location.pathname + location.search);
  }

  Object.assign(app, { followRoom, takeHandoff });
})(window.huecastPage);
