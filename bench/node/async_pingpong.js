'use strict';
// async_pingpong's Node shape: the main thread and a worker thread ping-pong a message
// with postMessage, n round trips. Prints microseconds per round trip.
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { args, num, result, hrnow } = require('./common');

if (isMainThread) {
  const n = num(args(), 'n', 1e5);
  const w = new Worker(__filename);
  let seen = 0;
  let t0;
  w.on('message', () => {
    if (++seen === n) {
      const dt = Number(hrnow() - t0);
      w.postMessage(1);
      result('async_pingpong', dt / 1e3 / n, 'us/roundtrip', 'lower');
      return;
    }
    w.postMessage(0);
  });
  w.on('online', () => {
    t0 = hrnow();
    w.postMessage(0);
  });
} else {
  parentPort.on('message', (m) => {
    if (m === 1) {
      parentPort.close();
      return;
    }
    parentPort.postMessage(0);
  });
}
