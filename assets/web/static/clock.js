// huecastClock is net/clock for the page: the offset to the hub's clock
// estimated from timed round trips, and the colours waiting for the moment
// the room shows them. Times are milliseconds on the page's monotonic clock,
// performance.now(), which a change of the computer's time does not move.
// net/clock/testdata/clock.json holds vectors both run; the constants are
// net/clock's, from wire.js.
'use strict';
window.huecastClock = (function () {
  const W = window.huecastWire;
  const WINDOW = W.CLOCK_WINDOW; // clock.Window
  const BEST_SHARE = W.CLOCK_BEST_SHARE; // clock.BestShare
  const STEP_SLACK = W.CLOCK_STEP_SLACK; // clock.StepSlack, ms

  // median of xs, which it sorts; the lower middle of an even count.
  function median(xs) {
    xs.sort((a, b) => a - b);
    return xs[Math.floor((xs.length - 1) / 2)];
  }

  const rtt = (s) => s.recv - s.sent;
  const offset = (s) => s.hub - (s.sent + s.recv) / 2;

  // Estimator: add({sent, hub, recv}) for each round trip; offset() is the
  // hub's clock minus ours (null before a sample), rtt() the window's median
  // round trip (0 before one).
  function Estimator() {
    let samples = [];
    let steps = 0;
    function best() {
      const byRTT = samples.slice().sort((a, b) => rtt(a) - rtt(b));
      return byRTT.slice(0, Math.max(1, Math.ceil(byRTT.length / BEST_SHARE)));
    }
    return {
      add(s) {
        if (!(rtt(s) >= 0)) return;
        if (samples.length > 0) {
          const b = best()[0];
          if (Math.abs(offset(s) - offset(b)) > rtt(s) / 2 + rtt(b) / 2 + STEP_SLACK) {
            samples = []; // the hub's clock is another one now
            steps++;
          }
        }
        if (samples.length === WINDOW) samples.shift();
        samples.push(s);
      },
      reset() { samples = []; },
      offset() { return samples.length ? median(best().map(offset)) : null; },
      rtt() { return samples.length ? median(samples.map(rtt)) : 0; },
      steps() { return steps; },
      size() { return samples.length; },
    };
  }

  // Schedule holds the colours waiting for their moment, in the room's
  // order newer(a, b): a colour superseded before its moment is never
  // shown, one older than what is shown is ignored. add returns the flip to
  // show at once ({v, late}) or null; due(now) the one whose moment came.
  // at null shows on arrival, not counted late.
  function Schedule(newer) {
    let shown = null;
    let pending = null; // {v, at, late}
    let late = 0;
    const self = {
      add(v, at, now) {
        if (shown !== null && !newer(v, shown)) return null;
        if (pending !== null && !newer(v, pending.v)) return null;
        pending = { v, at, late: false };
        if (at !== null && at <= now) {
          pending.late = true;
          late++;
        }
        return self.due(now);
      },
      show(v) { shown = v; pending = null; },
      due(now) {
        if (pending === null || (pending.at !== null && pending.at > now)) return null;
        const f = pending;
        shown = f.v;
        pending = null;
        return f;
      },
      next() { return pending === null ? null : pending.at; },
      late() { return late; },
    };
    return self;
  }

  return { Estimator, Schedule, WINDOW };
})();
