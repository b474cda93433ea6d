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

  // cleanName is wire.CleanName: trimmed, control and format characters
  // removed, at most max characters.
  function cleanName(s, max) {
    const out = Array.from(String(s == null ? '' : s).trim())
      .filter((ch) => !/[\p{Cc}\p{Cf}]/u.test(ch))
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

  return { parseColor, cleanName, cleanRoom, stamp, compareStamps, after, isZero, stampText, parseStamp, Clock, ZERO };
})();
