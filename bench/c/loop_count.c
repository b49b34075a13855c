/* loop_count: one idle handle, n loop iterations; prints ns per iteration. */
#include "common.h"

static uint64_t ticks, target;

static void on_idle(uv_idle_t* h) {
  if (++ticks == target) uv_idle_stop(h);
}

int main(int argc, char** argv) {
  target = (uint64_t)argnum(argc, argv, "n", 2e6);
  uv_loop_t* loop = uv_default_loop();
  uv_idle_t idle;
  CHECK(uv_idle_init(loop, &idle));
  CHECK(uv_idle_start(&idle, on_idle));
  uint64_t t0 = uv_hrtime();
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t1 = uv_hrtime();
  if (ticks != target) DIE("ticks %llu, want %llu", (unsigned long long)ticks, (unsigned long long)target);
  uv_close((uv_handle_t*)&idle, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  result("loop_count", (double)(t1 - t0) / (double)target, "ns/iter", "lower", "");
  return 0;
}
