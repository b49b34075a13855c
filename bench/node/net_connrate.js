'use strict';
// net_connrate: inflight chains, each connecting to an echo server in a child process,
// sending one byte, waiting for its echo and ending, then starting over once the socket
// has closed; connections/s over secs seconds after warm seconds.
const net = require('net');
const { args, num, result, hrnow } = require('./common');
const { start } = require('./net_server');

const a = args();
const inflight = num(a, 'inflight', 8);
const secs = num(a, 'secs', 3);
const warm = num(a, 'warm', 0.5);
const one = Buffer.from('x');

start((port, child) => {
  let done = 0;
  let done0 = 0;
  let done1 = 0;
  let stopping = false;
  let open = 0;
  let t0;
  let dt;
  function next() {
    open++;
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => s.write(one));
    s.on('data', () => s.end());
    s.on('close', () => {
      done++;
      open--;
      if (!stopping) {
        next();
      } else if (open === 0) {
        child.kill();
        result('net_connrate', (done1 - done0) / dt, 'conns/s', 'higher', ` inflight=${inflight}`);
      }
    });
  }
  for (let i = 0; i < inflight; i++) next();
  setTimeout(() => {
    done0 = done;
    t0 = hrnow();
    setTimeout(() => {
      dt = Number(hrnow() - t0) / 1e9;
      done1 = done;
      stopping = true;
    }, secs * 1000);
  }, warm * 1000);
});
