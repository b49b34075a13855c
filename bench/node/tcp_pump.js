'use strict';
// tcp_pump: one connection keeps one 8 KiB write in flight (the next is written from the
// previous one's callback) to a sink server in a child process; Gbit/s over secs seconds.
const net = require('net');
const { args, num, result, hrnow } = require('./common');
const { start } = require('./server');

const a = args();
const secs = num(a, 'secs', 3);
const warm = num(a, 'warm', 0.5);
const CHUNK = Buffer.alloc(8192, 'x');

start('sink', (port, child) => {
  let bytes = 0;
  let bytes0 = 0;
  let t0;
  let phase = 0;
  const sock = net.connect(port, '127.0.0.1', next);
  setTimeout(() => {
    phase = 1;
    bytes0 = bytes;
    t0 = hrnow();
    setTimeout(() => { phase = 2; }, secs * 1000);
  }, warm * 1000);
  function written(err) {
    if (err) throw err;
    bytes += CHUNK.length;
    if (phase === 2) {
      const dt = Number(hrnow() - t0) / 1e9;
      sock.end();
      child.on('exit', () => result('tcp_pump', (bytes - bytes0) * 8 / 1e9 / dt, 'Gbit/s', 'higher'));
      return;
    }
    next();
  }
  function next() {
    sock.write(CHUNK, written);
  }
});
