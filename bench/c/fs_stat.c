/* fs_stat: n asynchronous stat(".") requests with inflight of them in flight, each
 * restarted from its callback. Prints stats per second. */
#include "common.h"

static long left, done_count;
static const char* path;

static void on_stat(uv_fs_t* req) {
  CHECK((int)req->result);
  uv_fs_req_cleanup(req);
  done_count++;
  if (left > 0) {
    left--;
    CHECK(uv_fs_stat(req->loop, req, path, on_stat));
  }
}

int main(int argc, char** argv) {
  long total = (long)argnum(argc, argv, "n", 3e5);
  long inflight = (long)argnum(argc, argv, "inflight", 64);
  path = arg(argc, argv, "path", ".");
  if (inflight > total) inflight = total;
  uv_loop_t* loop = uv_default_loop();
  uv_fs_t* reqs = calloc(inflight, sizeof *reqs);
  /* warm up the pool and the dentry cache */
  left = 4 * inflight;
  for (long i = 0; i < inflight; i++) CHECK(uv_fs_stat(loop, &reqs[i], path, on_stat));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  done_count = 0;
  left = total - inflight;
  uint64_t t0 = uv_hrtime();
  for (long i = 0; i < inflight; i++) CHECK(uv_fs_stat(loop, &reqs[i], path, on_stat));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t1 = uv_hrtime();
  if (done_count != total) DIE("done %ld of %ld", done_count, total);
  char shape[32];
  snprintf(shape, sizeof shape, "fs_stat%ld", inflight);
  result(shape, (double)total / ((t1 - t0) / 1e9), "stats/s", "higher", "");
  free(reqs);
  return 0;
}
