/* A TCP server for the client benchmarks, run in a forked child process with its own loop
 * (libuv's own ping-pong and pump benchmarks also keep the server in another process).
 * echo=1 writes back what it reads, echo=0 discards it. The child exits when its
 * connections have closed; the parent learns the port through a pipe. */
#ifndef UVGO_BENCH_SERVER_H
#define UVGO_BENCH_SERVER_H

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define SRV_BUF 65536

typedef struct srv_write {
  uv_write_t req;
  struct srv_write* next;
  char buf[SRV_BUF];
} srv_write;

typedef struct {
  uv_tcp_t tcp;
  srv_write* pending; /* the echo buffer handed out by the last alloc */
} srv_conn;

static uv_tcp_t srv_listener;
static int srv_echo;
static srv_write* srv_free;
static char srv_sink[SRV_BUF];

static void srv_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)suggested;
  srv_conn* c = h->data;
  if (!srv_echo) {
    *buf = uv_buf_init(srv_sink, SRV_BUF);
    return;
  }
  if (c->pending == NULL) {
    if (srv_free != NULL) {
      c->pending = srv_free;
      srv_free = srv_free->next;
    } else {
      c->pending = malloc(sizeof *c->pending);
      if (!c->pending) DIE("out of memory");
    }
  }
  *buf = uv_buf_init(c->pending->buf, SRV_BUF);
}

static void srv_written(uv_write_t* req, int status) {
  (void)status;
  srv_write* w = (srv_write*)req;
  w->next = srv_free;
  srv_free = w;
}

static void srv_closed(uv_handle_t* h) {
  srv_conn* c = h->data;
  if (c->pending) free(c->pending);
  free(c);
}

static void srv_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void)buf;
  srv_conn* c = s->data;
  if (nread < 0) {
    uv_close((uv_handle_t*)s, srv_closed);
    if (!uv_is_closing((uv_handle_t*)&srv_listener))
      uv_close((uv_handle_t*)&srv_listener, NULL);
    return;
  }
  if (nread == 0 || !srv_echo) return;
  srv_write* w = c->pending;
  c->pending = NULL;
  uv_buf_t out = uv_buf_init(w->buf, (unsigned)nread);
  CHECK(uv_write(&w->req, s, &out, 1, srv_written));
}

static void srv_connection(uv_stream_t* server, int status) {
  CHECK(status);
  srv_conn* c = calloc(1, sizeof *c);
  if (!c) DIE("out of memory");
  CHECK(uv_tcp_init(server->loop, &c->tcp));
  c->tcp.data = c;
  CHECK(uv_accept(server, (uv_stream_t*)&c->tcp));
  CHECK(uv_read_start((uv_stream_t*)&c->tcp, srv_alloc, srv_read));
}

/* srv_fork starts the server in a child and returns its port; *pid receives the child. */
static int srv_fork(int echo, pid_t* pid) {
  int fds[2];
  if (pipe(fds) != 0) DIE("pipe failed");
  *pid = fork();
  if (*pid < 0) DIE("fork failed");
  if (*pid > 0) {
    close(fds[1]);
    int port = 0;
    if (read(fds[0], &port, sizeof port) != sizeof port) DIE("server did not start");
    close(fds[0]);
    return port;
  }
  close(fds[0]);
  srv_echo = echo;
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in addr;
  CHECK(uv_ip4_addr("127.0.0.1", 0, &addr));
  CHECK(uv_tcp_init(loop, &srv_listener));
  CHECK(uv_tcp_bind(&srv_listener, (const struct sockaddr*)&addr, 0));
  CHECK(uv_listen((uv_stream_t*)&srv_listener, 511, srv_connection));
  struct sockaddr_storage name;
  int len = sizeof name;
  CHECK(uv_tcp_getsockname(&srv_listener, (struct sockaddr*)&name, &len));
  int port = ntohs(((struct sockaddr_in*)&name)->sin_port);
  if (write(fds[1], &port, sizeof port) != sizeof port) DIE("write port failed");
  close(fds[1]);
  CHECK(uv_run(loop, UV_RUN_DEFAULT));
  _exit(0);
}

static void srv_wait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    DIE("server process failed (status %d)", status);
}

#endif
