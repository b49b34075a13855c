'use strict';
// The TCP server of the client benchmarks, run as a child process (role=server): mode=echo
// writes back what it reads, mode=sink discards it. It sends its port to the parent over
// the IPC channel and exits when its connection closes.
const net = require('net');
const { fork } = require('child_process');

function serve(mode) {
  const srv = net.createServer((sock) => {
    if (mode === 'echo') sock.on('data', (d) => sock.write(d));
    else sock.on('data', () => {});
    sock.on('error', () => {});
    sock.on('close', () => srv.close());
  });
  srv.listen(0, '127.0.0.1', () => {
    process.send({ port: srv.address().port });
    process.disconnect();
  });
}

// start forks this file as a server and calls cb(port, child).
function start(mode, cb) {
  const child = fork(__filename, [`mode=${mode}`]);
  child.once('message', (m) => cb(m.port, child));
}

if (require.main === module) {
  const mode = (process.argv.find((a) => a.startsWith('mode=')) || 'mode=echo').slice(5);
  serve(mode);
}

module.exports = { start };
