// huecastAuth computes the answer to a hub's challenge and checks the hub's
// proof as net/wire's auth.go does: key = PBKDF2-HMAC-SHA256(passphrase,
// salt, iterations, 32 bytes), then HMAC-SHA256 under it of both nonces and
// the address dialled. Browsers offer WebCrypto only to secure
// contexts (https, localhost), and a hub's page is plain http on a LAN
// address, so the same functions are also written out here in JavaScript
// (FIPS 180-4, RFC 2104, RFC 8018) and used when crypto.subtle is missing.
'use strict';
window.huecastAuth = (function () {
  const enc = new TextEncoder();

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w = new Uint32Array(64);

  // compress runs SHA-256's compression on the 64-byte block at b[off:].
  function compress(h, b, off) {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = (b[j] << 24) | (b[j + 1] << 16) | (b[j + 2] << 8) | b[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15], y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, bb, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + bb) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }

  // finish hashes msg after the prefix blocks already in state h (done
  // bytes of them) and returns the digest's 32 bytes.
  function finish(h, done, msg) {
    const total = done + msg.length;
    const n = (msg.length + 9 + 63) & ~63;
    const b = new Uint8Array(n);
    b.set(msg);
    b[msg.length] = 0x80;
    const bits = total * 8;
    b[n - 4] = bits >>> 24; b[n - 3] = bits >>> 16; b[n - 2] = bits >>> 8; b[n - 1] = bits;
    b[n - 8] = Math.floor(bits / 0x100000000);
    for (let off = 0; off < n; off += 64) compress(h, b, off);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) {
      out[i * 4] = h[i] >>> 24; out[i * 4 + 1] = h[i] >>> 16; out[i * 4 + 2] = h[i] >>> 8; out[i * 4 + 3] = h[i];
    }
    return out;
  }

  function sha256(msg) { return finish(IV.slice(), 0, msg); }

  // hmacPads returns the states after the key's inner and outer pads, so
  // that PBKDF2's many HMACs cost two compressions each.
  function hmacPads(key) {
    if (key.length > 64) key = sha256(key);
    const ipad = new Uint8Array(64).fill(0x36), opad = new Uint8Array(64).fill(0x5c);
    for (let i = 0; i < key.length; i++) { ipad[i] ^= key[i]; opad[i] ^= key[i]; }
    const inner = IV.slice(), outer = IV.slice();
    compress(inner, ipad, 0);
    compress(outer, opad, 0);
    return { inner, outer };
  }

  function hmac(p, msg) {
    return finish(p.outer.slice(), 64, finish(p.inner.slice(), 64, msg));
  }

  function hex(b) {
    return Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  }

  function unhex(s) {
    const b = new Uint8Array(s.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16);
    return b;
  }

  // pbkdf2JS is PBKDF2-HMAC-SHA256 for one 32-byte block.
  function pbkdf2JS(pass, salt, iterations) {
    const p = hmacPads(pass);
    const s1 = new Uint8Array(salt.length + 4);
    s1.set(salt);
    s1[salt.length + 3] = 1;
    let u = hmac(p, s1);
    const t = u.slice();
    for (let i = 1; i < iterations; i++) {
      u = hmac(p, u);
      for (let j = 0; j < 32; j++) t[j] ^= u[j];
    }
    return t;
  }

  const subtle = window.crypto && window.crypto.subtle;

  // deriveKey resolves to the room's key, hex.
  async function deriveKey(passphrase, room, saltPrefix, iterations, forceJS) {
    const pass = enc.encode(passphrase), salt = enc.encode(saltPrefix + room);
    if (subtle && !forceJS) {
      const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveBits']);
      return hex(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256));
    }
    return hex(pbkdf2JS(pass, salt, iterations));
  }

  // mac resolves to the answer to nonce under keyHex, hex.
  async function mac(keyHex, nonce, forceJS) {
    const key = unhex(keyHex), msg = enc.encode(nonce);
    if (subtle && !forceJS) {
      const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      return hex(await subtle.sign('HMAC', k, msg));
    }
    return hex(hmac(hmacPads(key), msg));
  }

  // The proofs of one connection, as net/wire's auth.go: both nonces and
  // the address the page dialled (the Host its WebSocket request carries,
  // lower case), so that a relay in the middle gets nothing it can use.
  function endpoint(host) { return String(host).trim().toLowerCase(); }
  function bound(hubNonce, clientNonce, ep) { return hubNonce + '|' + clientNonce + '|' + ep; }
  // The prefixes are wire.AnswerPrefix and wire.ProofPrefix (wire.js).
  function answer(keyHex, hubNonce, clientNonce, ep, forceJS) {
    return mac(keyHex, window.huecastWire.ANSWER_PREFIX + bound(hubNonce, clientNonce, ep), forceJS);
  }
  function proof(keyHex, hubNonce, clientNonce, ep, forceJS) {
    return mac(keyHex, window.huecastWire.PROOF_PREFIX + bound(hubNonce, clientNonce, ep), forceJS);
  }
  // validNonce: 32 bytes in lower-case hex (wire.ValidNonce).
  function validNonce(s) { return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s); }

  return { deriveKey, mac, endpoint, answer, proof, validNonce, sha256: (s) => hex(sha256(enc.encode(s))) };
})();
