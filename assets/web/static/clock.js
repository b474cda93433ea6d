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
  // order newer(a, b), as net/clock's Schedule does: one older than what is
  // shown or waits is ignored; a newer colour replaces the waiting ones
  // whose moment is not before its own (before(a, b): a's moment on the
  // hub's clock comes before b's), and those before it show first, each at
  // its moment. add returns the first flip to show at once ({v, late}) or
  // null, and due(now) the next whose moment (or a later one's) came: call
  // it until null. at null shows on arrival, not counted late.
  function Schedule(newer, before) {
    let shown = null;
    let pending = []; // {v, at, late}, oldest first
    let late = 0;
    const self = {
      add(v, at, now) {
        const last = pending.length ? pending[pending.length - 1].v : shown;
        if (last !== null && !newer(v, last)) return null;
        pending = pending.filter((p) => before(p.v, v));
        const f = { v, at, late: false };
        if (at !== null && at <= now) {
          f.late = true;
          late++;
        }
        pending.push(f);
        return self.due(now);
      },
      show(v) { shown = v; pending = []; },
      due(now) {
        if (!pending.some((p) => p.at === null || p.at <= now)) return null;
        const f = pending.shift();
        shown = f.v;
        return f;
      },
      next() {
        const ats = pending.filter((p) => p.at !== null).map((p) => p.at);
        return ats.length ? Math.min(...ats) : null;
      },
      late() { return late; },
    };
    return self;
  }

  return { Estimator, Schedule, WINDOW };
})();
