/* tcp_pump: one connection keeps one 8 KiB write in flight to a sink server in another
 * process (libuv's tcp_pump1 shape); counts bytes written over secs seconds after warm
 * seconds. Prints Gbit/s (10^9 bits). */
#include "server.h"

#define CHUNK 8192

static uv_tcp_t client;
static uv_connect_t conn_req;
static uv_write_t wreq;
static uv_timer_t clock_timer;
static char chunk[CHUNK];
static uint64_t bytes, bytes0, t0, t1;
static int phase;
static double secs;

static void write_next(void);

static void written(uv_write_t* req, int status) {
  CHECK(status);
  bytes += CHUNK;
  if (phase == 2) {
    t1 = uv_hrtime();
    uv_close((uv_handle_t*)req->handle, NULL);
    uv_close((uv_handle_t*)&clock_timer, NULL);
    return;
  }
  write_next();
}

static void write_next(void) {
  uv_buf_t b = uv_buf_init(chunk, CHUNK);
  CHECK(uv_write(&wreq, (uv_stream_t*)&client, &b, 1, written));
}

static void on_clock(uv_timer_t* t) {
  if (phase == 0) {
    phase = 1;
    bytes0 = bytes;
    t0 = uv_hrtime();
    CHECK(uv_timer_start(t, on_clock, (uint64_t)(secs * 1000), 0));
  } else {
    phase = 2;
  }
}

static void on_connect(uv_connect_t* req, int status) {
  (void)req;
  CHECK(status);
  write_next();
}

int main(int argc, char** argv) {
  secs = argnum(argc, argv, "secs", 3);
  double warm = argnum(argc, argv, "warm", 0.5);
  pid_t pid;
  int port = srv_fork(0, &pid);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
  CHECK(uv_tcp_init(loop, &client));
  CHECK(uv_timer_init(loop, &clock_timer));
  CHECK(uv_timer_start(&clock_timer, on_clock, (uint64_t)(warm * 1000), 0));
  CHECK(uv_tcp_connect(&conn_req, &client, (const struct sockaddr*)&addr, on_connect));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  srv_wait(pid);
  result("tcp_pump", (double)(bytes - bytes0) * 8 / 1e9 / ((t1 - t0) / 1e9), "Gbit/s", "higher", "");
  return 0;
}
