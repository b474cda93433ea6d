// Showing colours together: like net/link, the page estimates its offset
// to the hub's clock from its pings (clock.js) and shows each colour at the
// moment the hub stamped it with, on the animation frame nearest that
// moment; late ones at once. "?flip=now" in the address shows colours on
// arrival instead.
'use strict';
(function (app) {
  const { st, W, P } = app;
  // FLIP_BACKSTOP: a hidden or busy tab gets few animation frames or none;
  // a timer shows the colour this long after its moment instead, two frames.
  const FLIP_BACKSTOP = 34;
  const MAX_FLIPS = 200; // flips kept in st.flips, for tests and the curious

  // schedule queues the colour frame m for its moment on the hub's clock,
  // or shows it at once: when late, without a moment, before the page
  // knows the hub's clock, or with ?flip=now. A moment further ahead than
  // MAX_WAIT (a hub's clock misread) shows at once rather than hold the
  // room's colour back.
  function schedule(m) {
    const v = { color: m.color, stamp: P.stamp(m.stamp), by: m.by, byName: m.name, at: Number(m.at) || 0 };
    if (Number(m.lead) > 0) st.lead = Number(m.lead);
    const off = st.clock.offset();
    v.offset = off;
    let at = null;
    if (v.at > 0 && off !== null && !st.flipNow) at = v.at - off;
    if (at !== null && at - performance.now() > W.MAX_WAIT) at = null;
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
    app.render();
  }

  Object.assign(app, { schedule });
})(window.huecastPage);
