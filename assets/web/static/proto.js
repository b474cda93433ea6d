// huecastProto holds the protocol's rules as net/wire has them, for the page:
// colours, names and rooms cleaned as wire does, and the stamps that order
// colour changes (wire.Stamp, wire.Clock). The shared vectors in
// net/wire/testdata/vectors.json run against these functions in Chromium
// (e2e/vectors_test.go) and against package wire in Go. Constants come from
// huecastWire, which the hub writes from package wire (wire.js).
'use strict';
window.huecastProto = (function () {
  const W = window.huecastWire;

  // parseColor is wire.ParseColor: #rrggbb in any case, lower case out, or
  // '' when s is not one.
  function parseColor(s) {
    s = String(s == null ? '' : s);
    return /^#[0-9a-fA-F]{6}$/.test(s) ? s.toLowerCase() : '';
  }

  // dropped says whether code point cp is one wire.CleanName drops, a
  // control or format character, by the ranges wire.js carries from Go's
  // own Unicode tables (DROPPED_RANGES, sorted).
  function dropped(cp) {
    const r = W.DROPPED_RANGES;
    let lo = 0, hi = r.length - 1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (cp < r[m][0]) hi = m - 1;
      else if (cp > r[m][1]) lo = m + 1;
      else return true;
    }
    return false;
  }

  // cleanName is wire.CleanName: trimmed, control and format characters
  // removed, at most max characters.
  function cleanName(s, max) {
    const out = Array.from(String(s == null ? '' : s).trim())
      .filter((ch) => !dropped(ch.codePointAt(0)))
      .slice(0, max);
    return out.join('').trim();
  }

  // cleanRoom is wire.CleanRoom.
  function cleanRoom(s) {
    return cleanName(s, W.MAX_ROOM).toLowerCase();
  }

  const ZERO = Object.freeze({ ms: 0, n: 0, id: '' });
  const utf8 = new TextEncoder();

  // compareIDs orders ids as Go compares strings: by their UTF-8 bytes
  // (JavaScript's < compares UTF-16 units, which differs past U+FFFF).
  function compareIDs(a, b) {
    if (a === b) return 0;
    const x = utf8.encode(a), y = utf8.encode(b);
    for (let i = 0; i < x.length && i < y.length; i++) {
      if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
  }

  // stamp returns s as a stamp, or the zero stamp when it is not one.
  function stamp(s) {
    if (!s || typeof s !== 'object') return ZERO;
    const ms = s.ms, n = s.n;
    if (!Number.isSafeInteger(ms) || ms < 0 || !Number.isSafeInteger(n) || n < 0 || typeof s.id !== 'string') return ZERO;
    return { ms, n, id: s.id };
  }

  // compareStamps is wire.Stamp.Compare: -1, 0 or 1 as a is older than,
  // the same as, or newer than b.
  function compareStamps(a, b) {
    a = stamp(a);
    b = stamp(b);
    if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
    if (a.n !== b.n) return a.n < b.n ? -1 : 1;
    return compareIDs(a.id, b.id);
  }

  function after(a, b) { return compareStamps(a, b) > 0; }

  function isZero(s) { return compareStamps(s, ZERO) === 0; }

  // stampText is wire.Stamp.String: "ms.n.id".
  function stampText(s) {
    s = stamp(s);
    return s.ms + '.' + s.n + '.' + s.id;
  }

  // parseStamp is wire.ParseStamp: the stamp, or null when text is not one.
  function parseStamp(text) {
    const m = /^([0-9]+)\.([0-9]+)\.(.*)$/s.exec(String(text == null ? '' : text));
    if (!m) return null;
    const ms = Number(m[1]), n = Number(m[2]), id = m[3];
    if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(n)) return null;
    if (id.length > W.MAX_ID * 4 || cleanName(id, W.MAX_ID) !== id) return null;
    return { ms, n, id };
  }

  // Clock is wire.Clock: a hybrid logical clock for picks made while away.
  function Clock(id) {
    let last = { ms: 0, n: 0 };
    return {
      // stamp returns a stamp later than every one made or observed.
      stamp() {
        const now = Date.now();
        if (now > last.ms) last = { ms: now, n: 0 };
        else if (last.n < W.MAX_SAFE) last = { ms: last.ms, n: last.n + 1 };
        else last = { ms: last.ms + 1, n: 0 };
        return { ms: last.ms, n: last.n, id };
      },
      // observe merges a stamp heard, unless it leads the clock by more
      // than wire.MaxAhead.
      observe(s) {
        s = stamp(s);
        if (s.ms - Date.now() > W.MAX_AHEAD_MS) return false;
        if (s.ms > last.ms || (s.ms === last.ms && s.n > last.n)) last = { ms: s.ms, n: s.n };
        return true;
      },
    };
  }

  // roomName is wire.RoomName: the room a name stands for, cleanRoom's, or
  // the default room when nothing is left.
  function roomName(room) {
    return cleanRoom(room) || W.DEFAULT_ROOM;
  }

  // backoff is wire.Backoff, the wait before a client dials again:
  // BACKOFF_FIRST doubling to BACKOFF_MOST, scaled by 0.5 + r (±50%; r is
  // random in [0, 1) unless given), never above BACKOFF_MOST.
  function backoff(attempt, r = Math.random()) {
    let d = W.BACKOFF_FIRST;
    for (let i = 1; i < attempt && d < W.BACKOFF_MOST; i++) d *= 2;
    return Math.min(d * (0.5 + r), W.BACKOFF_MOST);
  }

  // pageURL is web.PageURL: the page of the hub at addr (ws://h:p/ws,
  // http://h:p or h:p), or '' when addr is not one. Written out rather than
  // by URL, so that it reads as web.PageURL does and runs wherever the
  // shared vectors run.
  function pageURL(addr) {
    let s = String(addr == null ? '' : addr).trim();
    if (!s) return '';
    if (!s.includes('://')) s = 'http://' + s;
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(s);
    if (!m) return '';
    const scheme = { ws: 'http', http: 'http', wss: 'https', https: 'https' }[m[1].toLowerCase()];
    if (!scheme) return '';
    // host, [v6 host] or either with :port; no user info.
    const hp = /^(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=-]+)(?::([0-9]*))?$/.exec(m[2].toLowerCase());
    if (!hp) return '';
    // Browsers drop a scheme's default port; so does web.PageURL.
    const dflt = (scheme === 'http' && hp[2] === '80') || (scheme === 'https' && hp[2] === '443');
    return scheme + '://' + (dflt ? hp[1] : hp[0]) + '/';
  }

  // candidates are the pages a page asks where its room went once its hub
  // has gone, in the order it asks them: own, the lost hub's page, first (a
  // hub that folded into another says where, even when only pages were
  // attached to it and no member told an address); then the pages of the
  // hubs the room's members said they would host (peers' addr), in join
  // order, each once.
  function candidates(own, peers) {
    const seen = new Set([own]);
    const out = [own];
    for (const p of peers || []) {
      const u = pageURL(p && p.addr);
      if (u && !seen.has(u)) {
        seen.add(u);
        out.push(u);
      }
    }
    return out;
  }

  // fill is wire.Fill: text with each {name} replaced by vars[name]; a
  // {name} without a value stays, and a value is never filled in again.
  function fill(s, vars) {
    return String(s).replace(/\{([a-z_]+)\}/g, (m, k) => (vars && Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m));
  }

  // text is the shared text W.TEXTS[name] (wire.Texts), filled from vars.
  function text(name, vars) {
    return fill(W.TEXTS[name], vars);
  }

  // versionText is wire.VersionText: the hub at host speaks protocol hub,
  // this device protocol device, and whose huecast to update.
  function versionText(host, hub, device) {
    return text(hub < device ? 'HUB_OLDER' : 'HUB_NEWER', { host, hub, device });
  }

  // unproven is wire.Unproven: the hub at host in room did why (a WHY_
  // text's name), filled from vars.
  function unproven(host, room, why, vars) {
    return text('UNPROVEN', { host, room, why: text(why, Object.assign({ room }, vars)) });
  }

  // colorName is wire.ColorName: a colour's name for people, or ''.
  function colorName(hex) {
    return W.COLOR_NAMES[hex] || '';
  }

  return { parseColor, cleanName, cleanRoom, roomName, backoff, pageURL, candidates, fill, text, versionText, unproven, colorName, stamp, compareStamps, after, isZero, stampText, parseStamp, Clock, ZERO };
})();
