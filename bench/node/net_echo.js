'use strict';
// net_echo: conns connections to an echo server in a child process, each with one
// size-byte message in flight, the next sent when the whole echo is back; messages/s over
// secs seconds after warm seconds.
const net = require('net');
const { args, num, result, hrnow } = require('./common');
const { start } = require('./net_server');

const a = args();
const conns = num(a, 'conns', 64);
const size = num(a, 'size', 128);
const secs = num(a, 'secs', 3);
const warm = num(a, 'warm', 0.5);
const msg = Buffer.alloc(size);
for (let i = 0; i < size; i++) msg[i] = 97 + (i % 26);

start((port, child) => {
  let msgs = 0;
  let msgs0 = 0;
  let msgs1 = 0;
  let stopping = false;
  let open = conns;
  let t0;
  let dt;
  for (let i = 0; i < conns; i++) {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => s.write(msg));
    let got = 0;
    s.on('data', (d) => {
      got += d.length;
      if (got < size) return;
      got -= size;
      msgs++;
      if (stopping) {
        s.end();
        return;
      }
      s.write(msg);
    });
    s.on('close', () => {
      if (--open === 0) {
        child.kill();
        const rate = (msgs1 - msgs0) / dt;
        result('net_echo', rate, 'msgs/s', 'higher', ` conns=${conns} size=${size} mb_per_s=${(rate * size / 1e6).toFixed(1)}`);
      }
    });
  }
  setTimeout(() => {
    msgs0 = msgs;
    t0 = hrnow();
    setTimeout(() => {
      dt = Number(hrnow() - t0) / 1e9;
      msgs1 = msgs;
      stopping = true;
    }, secs * 1000);
  }, warm * 1000);
});
