'use strict';
// loop_count's Node shape: a chain of n setImmediate callbacks, one per loop iteration.
// Prints ns per iteration.
const { args, num, result, hrnow } = require('./common');

const a = args();
const n = num(a, 'n', 2e6);
let ticks = 0;
const t0 = hrnow();
function tick() {
  if (++ticks < n) {
    setImmediate(tick);
    return;
  }
  result('loop_count', Number(hrnow() - t0) / n, 'ns/iter', 'lower');
}
setImmediate(tick);
