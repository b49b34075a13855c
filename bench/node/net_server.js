'use strict';
// The echo server of the net shapes, run as a child process: every connection writes back
// what it reads and ends when the client ends (allowHalfOpen off). It sends its port to the
// parent over the IPC channel and runs until killed.
const net = require('net');
const { fork } = require('child_process');

function serve() {
  const srv = net.createServer({ noDelay: true }, (sock) => {
    sock.on('data', (d) => sock.write(d));
    sock.on('error', () => {}); // a client reset: the close follows
  });
  srv.listen(0, '127.0.0.1', () => {
    process.send({ port: srv.address().port });
    process.disconnect();
  });
}

// start forks this file as a server and calls cb(port, child).
function start(cb) {
  const child = fork(__filename, ['serve']);
  child.once('message', (m) => cb(m.port, child));
}

if (require.main === module) serve();

module.exports = { start };
