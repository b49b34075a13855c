'use strict';
// timers: n setTimeout calls, 1000 per millisecond of timeout, started in ascending order
// (mode=asc) or shuffled (mode=shuf); total time until the last has fired. Node keeps one
// list per distinct duration, so the order should not matter to it.
const { args, num, result, rng, hrnow } = require('./common');

const a = args();
const n = num(a, 'n', 1e6);
const shuf = a.mode === 'shuf';
const timeouts = new Uint32Array(n);
for (let i = 0; i < n; i++) timeouts[i] = Math.floor(i / 1000) + 1;
if (shuf) {
  const r = rng();
  for (let i = n - 1; i > 0; i--) {
    const j = r() % (i + 1);
    const x = timeouts[i];
    timeouts[i] = timeouts[j];
    timeouts[j] = x;
  }
}
let fired = 0;
let t1;
const t0 = hrnow();
function onTimer() {
  if (++fired === n) {
    const t2 = hrnow();
    const init = Number(t1 - t0) / 1e9;
    const dispatch = Number(t2 - t1) / 1e9;
    result(shuf ? 'timers_shuf' : 'timers_asc', Number(t2 - t0) / 1e9, 's', 'lower',
      ` init=${init.toFixed(3)} dispatch=${dispatch.toFixed(3)} cleanup=0`);
  }
}
for (let i = 0; i < n; i++) setTimeout(onTimer, timeouts[i]);
t1 = hrnow();
