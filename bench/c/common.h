/* Shared helpers for uv-go's libuv peer benchmarks: argument parsing, error checks and the
 * one result line every benchmark prints. Written for uv-go's bench harness; it uses only
 * libuv's public API. */
#ifndef UVGO_BENCH_COMMON_H
#define UVGO_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* CHECK exits with a message when a libuv call returns an error code. */
#define CHECK(expr)                                                            \
  do {                                                                         \
    int rc_ = (expr);                                                          \
    if (rc_ < 0) {                                                             \
      fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr,            \
              uv_strerror(rc_));                                               \
      exit(2);                                                                 \
    }                                                                          \
  } while (0)

#define DIE(...)                                                               \
  do {                                                                         \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    exit(2);                                                                   \
  } while (0)

/* arg returns the value of key=value among the arguments, or def. */
static inline const char* arg(int argc, char** argv, const char* key,
                              const char* def) {
  size_t k = strlen(key);
  for (int i = 1; i < argc; i++)
    if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=') return argv[i] + k + 1;
  return def;
}

static inline double argnum(int argc, char** argv, const char* key, double def) {
  const char* v = arg(argc, argv, key, NULL);
  return v ? atof(v) : def;
}

/* result prints the one machine-readable line of a run. extra is "" or " k=v ...". */
static inline void result(const char* shape, double value, const char* unit,
                          const char* better, const char* extra) {
  printf("BENCH shape=%s impl=libuv value=%.6g unit=%s better=%s ver=%s%s\n",
         shape, value, unit, better, uv_version_string(), extra);
  fflush(stdout);
}

/* xorshift32, the same generator the Go and Node versions use for shuffles. */
static uint32_t bench_rng = 2463534242u;
static inline uint32_t xorshift32(void) {
  bench_rng ^= bench_rng << 13;
  bench_rng ^= bench_rng >> 17;
  bench_rng ^= bench_rng << 5;
  return bench_rng;
}

#endif
