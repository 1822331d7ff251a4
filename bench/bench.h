/* h2w-bench harness: shared by bench_main.c (arguments, timing, table) and
 * one file per workload family (bench_hpack.c, bench_session*.c).
 *
 * A family lists its workload names and runs the selected ones. A timed
 * workload supplies one "pass" function that processes the whole input
 * `loops` times with one library; the harness calibrates `loops` so that a
 * measurement lasts at least ctx->min_seconds, then alternates h2wire and
 * nghttp2 in every repetition and keeps the median rate of each. */
#ifndef H2W_BENCH_H
#define H2W_BENCH_H

#include <stddef.h>
#include <stdint.h>

/** The two contenders; passes are called with one of these. */
enum { BENCH_H2WIRE = 0, BENCH_NGHTTP2 = 1 };

typedef struct bench_result {
  char name[64];
  char unit[24];
  double h2w, ngh; /* per-library figure: median rate, or a size */
  double ratio;    /* speed-up of h2wire over nghttp2: > 1 = h2wire better */
  unsigned long loops;
  char note[96];
} bench_result;

typedef struct bench_ctx {
  const char *corpus; /* hpack-test-case root */
  int reps;           /* repetitions per measurement (median taken) */
  double min_seconds; /* lower bound of one measurement */
  char **want;        /* selected workload names; nwant == 0 = all */
  size_t nwant;
  bench_result *results;
  size_t nresults;
  /* --profile: BENCH_H2WIRE or BENCH_NGHTTP2 runs alone, one loop per
   * workload, no ratio (for callgrind / perf); -1 otherwise. */
  int profile_lib;
} bench_ctx;

/** Process the workload's whole input `loops` times with library `lib`.
 *  Store the number of units (fields) processed in *units. Returns 0, or
 *  -1 after printing why (the bench then stops: a wrong result must never
 *  be reported as a speed). */
typedef int (*bench_pass_fn)(void *arg, int lib, unsigned long loops,
                             uint64_t *units);

typedef void (*bench_name_cb)(void *user, const char *name);

typedef struct bench_family {
  const char *name;
  /* Every workload name this family can run (for --list and argument
   * checking). */
  void (*list)(const bench_ctx *ctx, bench_name_cb cb, void *user);
  /* Run the selected workloads, recording results. 0 or -1 (fatal). */
  int (*run)(bench_ctx *ctx);
} bench_family;

extern const bench_family bench_hpack_family;
extern const bench_family bench_session_family;
extern const bench_family bench_autotune_family; /* bench_autotune.c */

/** Whether `name` was selected on the command line (or all were). */
int bench_selected(const bench_ctx *ctx, const char *name);

/** --dump DIR (bench_dump.c): NULL, or where validation writes what each
 *  library emitted, for bench/verify_hpack.py. */
extern const char *bench_dump_dir;
/** One encoded block of hpack_encode's validation: 0, or -1 when the
 *  file cannot be written. */
int bench_dump_block(int lib, const char *story, size_t caseno,
                     const uint8_t *blk, size_t len);

/** Seconds on CLOCK_MONOTONIC, or on the process's CPU clock (--clock). */
double bench_now(void);

/** Calibrate, measure both libraries and record a rate result named
 *  `name` in `unit`/s. Returns 0 or -1 if a pass failed. */
int bench_compare_rates(bench_ctx *ctx, const char *name, const char *unit,
                        bench_pass_fn pass, void *arg);

/** Record a result computed by the family itself (sizes, ratios). Returns
 *  0 or -1 (out of memory). */
int bench_record(bench_ctx *ctx, const bench_result *r);

#endif
