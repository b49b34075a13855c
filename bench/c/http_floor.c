/* http_floor: the HTTP hello with nothing but the system calls, the floor under every
 * server of the HTTP table. One thread, level-triggered epoll, one recv per ready socket and
 * one send of as many fixed responses as the bytes read hold ends of request heads (blank
 * lines), the bytes uv-go's http server sends (its Date line fixed, of the same length). It
 * does not parse HTTP and uses no libuv: what a server spends above this is its own code.
 * Usage: c_http_floor port=N. Written for uv-go's bench harness. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char resp[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
    "Date: Thu, 26 Nov 2026 14:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n"
    "Content-Length: 13\r\n\r\nHello, World!";
#define RESP_LEN (sizeof(resp) - 1)
#define MAX_FD 65536
#define MAX_RESP 64

static unsigned char seen[MAX_FD]; /* bytes of a blank line the last read ended with */
static char in[64 * 1024];
static char out[MAX_RESP * RESP_LEN];

/* heads counts the ends of request heads in b, carrying a blank line split across reads. */
static int heads(int fd, const char* b, int n) {
  static const char blank[] = "\r\n\r\n";
  int count = 0, s = seen[fd];
  for (int i = 0; i < n; i++) {
    if (s == 0) { /* skip to the next CR at memchr's speed */
      const char* p = memchr(b + i, '\r', n - i);
      if (!p) break;
      i = p - b;
    }
    s = b[i] == blank[s] ? s + 1 : (b[i] == '\r');
    if (s == 4) {
      count++;
      s = 0;
    }
  }
  seen[fd] = s;
  return count;
}

int main(int argc, char** argv) {
  int port = 8080, one = 1;
  for (int i = 1; i < argc; i++)
    if (!strncmp(argv[i], "port=", 5)) port = atoi(argv[i] + 5);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr*)&addr, sizeof addr) || listen(ls, 511)) {
    perror("http_floor: listen");
    return 2;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  printf("LISTENING port=%d ver=epoll\n", port);
  fflush(stdout);
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          if (c >= MAX_FD) {
            close(c);
            continue;
          }
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          seen[c] = 0;
          ev.events = EPOLLIN;
          ev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
        continue;
      }
      ssize_t r = recv(fd, in, sizeof in, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        close(fd);
        continue;
      }
      int k = heads(fd, in, (int)r);
      if (k > MAX_RESP) k = MAX_RESP; /* more pipelined heads than wrk sends */
      for (int j = 0; j < k; j++) memcpy(out + j * RESP_LEN, resp, RESP_LEN);
      if (k > 0 && send(fd, out, k * RESP_LEN, MSG_NOSIGNAL) < 0) close(fd);
    }
  }
}
