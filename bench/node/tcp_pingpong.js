'use strict';
// tcp_pingpong: a 4-byte "PING" to an echo server in a child process, the next sent when
// the echo is back; round trips over secs seconds after warm seconds.
const net = require('net');
const { args, num, result, hrnow } = require('./common');
const { start } = require('./server');

const a = args();
const secs = num(a, 'secs', 3);
const warm = num(a, 'warm', 0.5);
const PING = Buffer.from('PING');

start('echo', (port, child) => {
  let got = 0;
  let pongs = 0;
  let pongs0 = 0;
  let t0;
  let phase = 0;
  const sock = net.connect(port, '127.0.0.1', () => sock.write(PING));
  setTimeout(() => {
    phase = 1;
    pongs0 = pongs;
    t0 = hrnow();
    setTimeout(() => { phase = 2; }, secs * 1000);
  }, warm * 1000);
  sock.on('data', (d) => {
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== PING[got]) throw new Error('bad echo byte');
      if (++got < 4) continue;
      got = 0;
      pongs++;
      if (phase === 2) {
        const dt = Number(hrnow() - t0) / 1e9;
        sock.end();
        child.on('exit', () => result('tcp_pingpong', (pongs - pongs0) / dt, 'roundtrips/s', 'higher'));
        return;
      }
      sock.write(PING);
    }
  });
});
