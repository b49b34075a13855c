/* tcp_pingpong: a 4-byte "PING" goes to an echo server in another process and the next is
 * sent when the echo is back; counts round trips over secs seconds after warm seconds.
 * Prints round trips per second. */
#include "server.h"

static uv_tcp_t client;
static uv_connect_t conn_req;
static uv_write_t wreqs[2];
static int wbusy[2], turn;
static uv_timer_t clock_timer;
static char rbuf[SRV_BUF];
static int got; /* bytes of the current echo */
static long pongs, pongs0;
static uint64_t t0, t1;
static int phase; /* 0 warm-up, 1 measuring, 2 done */
static double secs;

static void written(uv_write_t* req, int status) {
  CHECK(status);
  wbusy[req == &wreqs[1]] = 0;
}

static void ping(void) {
  int i = turn;
  turn ^= 1;
  if (wbusy[i]) DIE("write %d still in flight", i);
  wbusy[i] = 1;
  uv_buf_t b = uv_buf_init("PING", 4);
  CHECK(uv_write(&wreqs[i], (uv_stream_t*)&client, &b, 1, written));
}

static void on_clock(uv_timer_t* t) {
  if (phase == 0) {
    phase = 1;
    pongs0 = pongs;
    t0 = uv_hrtime();
    CHECK(uv_timer_start(t, on_clock, (uint64_t)(secs * 1000), 0));
  } else {
    phase = 2;
  }
}

static void alloc(uv_handle_t* h, size_t s, uv_buf_t* buf) {
  (void)h;
  (void)s;
  *buf = uv_buf_init(rbuf, sizeof rbuf);
}

static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) DIE("read: %s", uv_strerror((int)nread));
  for (ssize_t i = 0; i < nread; i++) {
    if (buf->base[i] != "PING"[got]) DIE("bad echo byte");
    if (++got < 4) continue;
    got = 0;
    pongs++;
    if (phase == 2) {
      t1 = uv_hrtime();
      uv_close((uv_handle_t*)s, NULL);
      uv_close((uv_handle_t*)&clock_timer, NULL);
      return;
    }
    ping();
  }
}

static void on_connect(uv_connect_t* req, int status) {
  CHECK(status);
  CHECK(uv_read_start(req->handle, alloc, on_read));
  ping();
}

int main(int argc, char** argv) {
  secs = argnum(argc, argv, "secs", 3);
  double warm = argnum(argc, argv, "warm", 0.5);
  pid_t pid;
  int port = srv_fork(1, &pid);
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
  CHECK(uv_tcp_init(loop, &client));
  CHECK(uv_timer_init(loop, &clock_timer));
  CHECK(uv_timer_start(&clock_timer, on_clock, (uint64_t)(warm * 1000), 0));
  CHECK(uv_tcp_connect(&conn_req, &client, (const struct sockaddr*)&addr, on_connect));
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  srv_wait(pid);
  result("tcp_pingpong", (pongs - pongs0) / ((t1 - t0) / 1e9), "roundtrips/s", "higher", "");
  return 0;
}
