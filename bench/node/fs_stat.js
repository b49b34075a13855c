'use strict';
// fs_stat: n asynchronous fs.stat(".") calls with inflight of them in flight, each
// restarted from its callback. Prints stats per second.
const fs = require('fs');
const { args, num, result, hrnow } = require('./common');

const a = args();
const total = num(a, 'n', 3e5);
const inflight = Math.min(num(a, 'inflight', 64), total);
const path = a.path || '.';

function run(count, cb) {
  let left = count - inflight;
  let done = 0;
  function onStat(err) {
    if (err) throw err;
    done++;
    if (left > 0) {
      left--;
      fs.stat(path, onStat);
    } else if (done === count) {
      cb();
    }
  }
  for (let i = 0; i < inflight; i++) fs.stat(path, onStat);
}

run(4 * inflight, () => {
  const t0 = hrnow();
  run(total, () => {
    const dt = Number(hrnow() - t0) / 1e9;
    result(`fs_stat${inflight}`, total / dt, 'stats/s', 'higher');
  });
});
