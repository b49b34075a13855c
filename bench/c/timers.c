/* timers: n timers, 1000 per millisecond of timeout (so 1000 distinct due times for a
 * million), started in ascending order of timeout (mode=asc) or in a shuffled order
 * (mode=shuf); run until all fired, then all closed. Prints the total in seconds.
 * With late=1 the timers are started when the loop's cached time is 1.1 s old, so every
 * one is already due when the loop runs: the total is then the timers' own cost, without
 * the second the last one otherwise waits for. One more timer, an hour away and unreferenced,
 * stays in the heap, so that the due ones leave it one by one as in any other run. */
#include "common.h"
#include <unistd.h>

static long fired, closed;

static void on_timer(uv_timer_t* t) { (void)t; fired++; }
static void on_close(uv_handle_t* h) { (void)h; closed++; }

int main(int argc, char** argv) {
  long n = (long)argnum(argc, argv, "n", 1e6);
  const char* mode = arg(argc, argv, "mode", "asc");
  int shuf = strcmp(mode, "shuf") == 0;
  int late = argnum(argc, argv, "late", 0) != 0;
  uint64_t* timeouts = malloc(n * sizeof *timeouts);
  uv_timer_t* ts = malloc(n * sizeof *ts);
  if (!timeouts || !ts) DIE("out of memory");
  for (long i = 0; i < n; i++) timeouts[i] = (uint64_t)(i / 1000 + 1);
  if (shuf)
    for (long i = n - 1; i > 0; i--) {
      long j = (long)(xorshift32() % (uint32_t)(i + 1));
      uint64_t x = timeouts[i];
      timeouts[i] = timeouts[j];
      timeouts[j] = x;
    }
  uv_loop_t* loop = uv_default_loop();
  uv_timer_t far;
  if (late) {
    usleep(1100000); /* the loop's cached time stays where it was */
    CHECK(uv_timer_init(loop, &far));
    CHECK(uv_timer_start(&far, on_timer, 3600000, 0));
    uv_unref((uv_handle_t*)&far);
  }
  uint64_t t0 = uv_hrtime();
  for (long i = 0; i < n; i++) {
    CHECK(uv_timer_init(loop, &ts[i]));
    CHECK(uv_timer_start(&ts[i], on_timer, timeouts[i], 0));
  }
  uint64_t t1 = uv_hrtime();
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t2 = uv_hrtime();
  for (long i = 0; i < n; i++) uv_close((uv_handle_t*)&ts[i], on_close);
  if (late) uv_close((uv_handle_t*)&far, NULL);
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t3 = uv_hrtime();
  if (fired != n || closed != n) DIE("fired %ld closed %ld of %ld", fired, closed, n);
  char extra[128];
  snprintf(extra, sizeof extra, " init=%.3f dispatch=%.3f cleanup=%.3f", (t1 - t0) / 1e9,
           (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  const char* shape = shuf ? (late ? "timers_shuf_late" : "timers_shuf")
                          : (late ? "timers_asc_late" : "timers_asc");
  result(shape, (t3 - t0) / 1e9, "s", "lower", extra);
  free(ts);
  free(timeouts);
  return 0;
}
