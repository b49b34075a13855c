/* async_pingpong: two loops on two threads wake each other with uv_async_send, n round
 * trips; prints microseconds per round trip. */
#include "common.h"

static uv_loop_t peer_loop;
static uv_async_t to_main, to_peer;
static long rounds, seen;
static int stopping;

static void on_peer(uv_async_t* a) {
  if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
    uv_close((uv_handle_t*)a, NULL);
    return;
  }
  CHECK(uv_async_send(&to_main));
}

static void on_main(uv_async_t* a) {
  if (++seen == rounds) {
    __atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
    uv_close((uv_handle_t*)a, NULL);
  }
  CHECK(uv_async_send(&to_peer));
}

static void peer_main(void* arg) {
  (void)arg;
  CHECK(uv_run(&peer_loop, UV_RUN_DEFAULT));
}

int main(int argc, char** argv) {
  rounds = (long)argnum(argc, argv, "n", 1e5);
  uv_loop_t* loop = uv_default_loop();
  CHECK(uv_loop_init(&peer_loop));
  CHECK(uv_async_init(loop, &to_main, on_main));
  CHECK(uv_async_init(&peer_loop, &to_peer, on_peer));
  uv_thread_t th;
  CHECK(uv_thread_create(&th, peer_main, NULL));
  uint64_t t0 = uv_hrtime();
  CHECK(uv_async_send(&to_peer));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  uint64_t t1 = uv_hrtime();
  CHECK(uv_thread_join(&th));
  CHECK(uv_loop_close(&peer_loop));
  if (seen != rounds) DIE("seen %ld of %ld", seen, rounds);
  result("async_pingpong", (t1 - t0) / 1e3 / (double)rounds, "us/roundtrip", "lower", "");
  return 0;
}
