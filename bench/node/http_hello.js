'use strict';
// The Node peer of the HTTP hello benchmark: "Hello, World!" to every request, keep-alive.
const http = require('http');
const { args, num } = require('./common');

const a = args();
const port = num(a, 'port', 8080);
const body = 'Hello, World!';
http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
}).listen(port, '127.0.0.1', () => {
  process.stdout.write(`LISTENING port=${port}\n`);
});
