// What the person sees: the status line, the circle, the colour's name and
// setter, the room, and who is here. Nothing here talks to the hub.
'use strict';
(function (app) {
  const { st, W, P } = app;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'),
    room: $('room'),
    circle: $('circle'),
    name: $('colour-name'),
    hex: $('colour-hex'),
    setBy: $('set-by'),
    palette: $('palette'),
    custom: $('custom'),
    peers: $('peers'),
    nameForm: $('name-form'),
    nameInput: $('name'),
    passForm: $('pass-form'),
    passInput: $('passphrase'),
    passWhy: $('pass-why'),
    theme: document.querySelector('meta[name="theme-color"]'),
  };
  // The colour buttons are wire.Palette, as the window's are.
  ui.buttons = W.PALETTE.map((s) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.color = s.hex;
    b.textContent = s.name;
    return b;
  });
  ui.palette.replaceChildren(...ui.buttons);
  ui.custom.value = W.START_COLOR;
  // The lists' headings, as the window words them.
  $('who-title').textContent = W.TEXTS.HERE_NOW;
  $('nearby-title').textContent = W.TEXTS.ROOMS_NEARBY;

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

  // colourName is the colour's name as the window gives it (wire.ColorName),
  // or the page's word for a colour without one.
  function colourName(hex) {
    return P.colorName(hex) || 'Custom colour';
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
    else if (st.shown.by && st.shown.by === st.self) ui.setBy.textContent = app.capital(P.text('SET_BY_YOU'));
    else if (st.shown.byName) ui.setBy.textContent = app.capital(P.text('SET_BY', { name: st.shown.byName }));
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

  // connected says where the page joined, in the window's words
  // (TEXTS.JOINED), and where the room moved from.
  function connected() {
    const joined = st.host ? P.text('JOINED', { host: st.host, addr: location.host }) :
      P.text('JOINED_HUB', { addr: location.host });
    if (st.movedFrom) {
      setStatus('moved', 'The room moved here from ', link(st.movedFrom), '; ' + joined);
      st.movedFrom = '';
    } else {
      setStatus('connected', app.capital(joined));
    }
  }

  Object.assign(app, { ui, setStatus, addNote, link, colourName, render, renderPeers, connected });
})(window.huecastPage);
