'use strict';
// Shared helpers for uv-go's Node peer benchmarks: key=value arguments and the one result
// line every benchmark prints (the same format as the libuv and uv-go programs).

function args(argv = process.argv.slice(2)) {
  const out = {};
  for (const a of argv) {
    const i = a.indexOf('=');
    if (i > 0) out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

function num(a, key, def) {
  return a[key] === undefined ? def : Number(a[key]);
}

function result(shape, value, unit, better, extra = '') {
  const ver = `${process.version}/libuv-${process.versions.uv}`;
  process.stdout.write(
    `BENCH shape=${shape} impl=node value=${Number(value.toPrecision(6))} unit=${unit} better=${better} ver=${ver}${extra}\n`);
}

// xorshift32, the same generator the C and Go versions use for shuffles.
function rng(seed = 2463534242) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function hrnow() {
  return process.hrtime.bigint();
}

function secsSince(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

module.exports = { args, num, result, rng, hrnow, secsSince };
