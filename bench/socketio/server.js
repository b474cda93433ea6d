// server.js is the reference huecast is measured against: the Socket.IO
// tutorial's colour broadcast server, unchanged in behaviour. On 'color' it
// relays the payload to every other client with socket.broadcast.emit, which
// (unlike huecast's hub) does not echo to the sender.
//
// Usage: node server.js [PORT]   (or PORT=... node server.js)
// It listens on 127.0.0.1 only and prints one line when ready:
//   {"event":"ready","pid":1234,"url":"http://127.0.0.1:PORT"}
// SIGINT/SIGTERM close it cleanly.
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || process.env.PORT || 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.js: bad port ${JSON.stringify(process.argv[2] || process.env.PORT)}`);
  process.exit(2);
}

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false });

io.on('connection', (socket) => {
  socket.on('color', (data) => {
    socket.broadcast.emit('color', data);
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const addr = httpServer.address();
  console.log(JSON.stringify({ event: 'ready', pid: process.pid, url: `http://127.0.0.1:${addr.port}` }));
});

function stop() {
  io.close(() => process.exit(0));
  // io.close waits for every client; do not hang on a stuck one.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
