// Rooms nearby: the other rooms this hub's peer hears (GET /api/rooms),
// each a link to its own page, where a locked room asks for its
// passphrase. The page asks its hub every 5 s while it is visible; the hub
// does the looking, once for everyone in the room.
(function () {
  'use strict';
  var every = 5000;
  var section = document.getElementById('nearby');
  var list = document.getElementById('nearby-list');
  var P = window.huecastProto, W = window.huecastWire;
  if (!section || !list || !window.fetch) return;

  // A listing is a claim: only a plain http://host:port/ page is linked.
  var pageRE = /^http:\/\/(\[[0-9a-fA-F:.%]+\]|[0-9A-Za-z.-]+):[0-9]{1,5}\/$/;

  function show(rooms) {
    var others = rooms.filter(function (r) {
      return r && !r.here && typeof r.room === 'string' && pageRE.test(r.page || '');
    });
    list.textContent = '';
    others.forEach(function (r) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = r.page;
      a.textContent = r.room;
      // The window's words (TEXTS.ROOM_NEARBY), the room's name a link.
      var n = Math.max(1, Number(r.members) || 1);
      var line = P.fill(W.TEXTS.ROOM_NEARBY, { host: String(r.host || ''), members: n });
      if (r.locked) line = P.fill(W.TEXTS.ROOM_LOCKED, { line: line });
      var at = line.indexOf('{room}');
      li.textContent = line.slice(0, at);
      li.appendChild(a);
      li.appendChild(document.createTextNode(line.slice(at + '{room}'.length)));
      li.setAttribute('data-room', r.room);
      list.appendChild(li);
    });
    section.hidden = others.length === 0;
  }

  function ask() {
    if (document.visibilityState === 'hidden') return;
    fetch('/api/rooms', { cache: 'no-store' })
      .then(function (res) { return res.ok ? res.json() : { rooms: [] }; })
      .then(function (j) { show(j && Array.isArray(j.rooms) ? j.rooms : []); }, function () {});
  }

  ask();
  setInterval(ask, every);
  document.addEventListener('visibilitychange', ask);
})();
