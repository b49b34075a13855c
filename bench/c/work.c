/* work: n no-op work items through libuv's threadpool with inflight of them queued at a
 * time, each requeued from its after-work callback. Prints ns per item (wall clock).
 * inflight=256 is the throughput shape (work_noop), inflight=1 is libuv's queue_work
 * benchmark (work_chain: the latency of a round trip through the pool). */
#include "common.h"

static long left, done_count, total;

static void work_cb(uv_work_t* req) { (void)req; }

static void after_cb(uv_work_t* req, int status) {
  CHECK(status);
  done_count++;
  if (left > 0) {
    left--;
    CHECK(uv_queue_work(req->loop, req, work_cb, after_cb));
  }
}

int main(int argc, char** argv) {
  total = (long)argnum(argc, argv, "n", 1e6);
  long inflight = (long)argnum(argc, argv, "inflight", 256);
  if (inflight > total) inflight = total;
  uv_loop_t* loop = uv_default_loop();
  uv_work_t* reqs = calloc(inflight, sizeof *reqs);
  /* warm up: start the pool's threads */
  left = 0;
  CHECK(uv_queue_work(loop, &reqs[0], work_cb, after_cb));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  done_count = 0;
  left = total - inflight;
  uint64_t t0 = uv_hrtime();
  for (long i = 0; i < inflight; i++) CHECK(uv_queue_work(loop, &reqs[i], work_cb, after_cb));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t1 = uv_hrtime();
  if (done_count != total) DIE("done %ld of %ld", done_count, total);
  result(inflight == 1 ? "work_chain" : "work_noop", (double)(t1 - t0) / (double)total, "ns/item",
         "lower", "");
  free(reqs);
  return 0;
}
