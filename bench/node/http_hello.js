'use strict';
// The Node peer of the HTTP hello benchmark: "Hello, World!" to every request, keep-alive.
// keepalive=MS sets server.keepAliveTimeout (the idle-memory measurement keeps connections
// open while it opens 10,000 of them). SIGUSR2 prints the heap after a collection when
// node runs with --expose-gc: "MEM heap=<heapUsed> rss=<rss>".
const http = require('http');
const { args, num } = require('./common');

const a = args();
const port = num(a, 'port', 8080);
const body = 'Hello, World!';
const srv = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
if (a.keepalive !== undefined) srv.keepAliveTimeout = num(a, 'keepalive', 5000);
srv.listen(port, '127.0.0.1', () => {
  process.stdout.write(`LISTENING port=${port} ver=${process.version}/libuv-${process.versions.uv}\n`);
});
process.on('SIGUSR2', () => {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  const m = process.memoryUsage();
  process.stdout.write(`MEM heap=${m.heapUsed} rss=${m.rss} external=${m.external}\n`);
});
