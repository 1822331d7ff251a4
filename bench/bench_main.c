/* h2w-bench: h2wire against nghttp2, same process, same input.
 * Usage: h2w-bench [--reps N] [--min-ms MS] [--corpus DIR] [--list]
 *                  [workload...]
 * See bench/README.md for what each workload measures. */
#define _POSIX_C_SOURCE 200809L

#include "bench.h"

#include <nghttp2/nghttp2.h>

#ifndef H2W_BENCH_FLAGS
#define H2W_BENCH_FLAGS "unknown flags"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const bench_family *const families[] = {
    &bench_hpack_family, &bench_session_family, &bench_autotune_family};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

/* --clock cpu: the process's CPU time instead of wall time. On a machine
 * shared with other work, a pass that is preempted is charged the time
 * it waited with wall time, not with CPU time (caches disturbed by the
 * other work still cost what they cost). Both libraries are timed the
 * same way. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

double bench_now(void) {
  struct timespec ts;
  clock_gettime(bench_clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bench_selected(const bench_ctx *ctx, const char *name) {
  size_t i;
  if (ctx->nwant == 0) {
    return 1;
  }
  for (i = 0; i < ctx->nwant; i++) {
    if (strcmp(ctx->want[i], name) == 0) {
      return 1;
    }
  }
  return 0;
}

int bench_record(bench_ctx *ctx, const bench_result *r) {
  bench_result *n =
      realloc(ctx->results, (ctx->nresults + 1) * sizeof(*ctx->results));
  if (n == NULL) {
    fprintf(stderr, "h2w-bench: out of memory\n");
    return -1;
  }
  ctx->results = n;
  ctx->results[ctx->nresults++] = *r;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof(*v), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One timed pass; returns the rate in units per second, or -1. */
static double timed_pass(bench_pass_fn pass, void *arg, int lib,
                         unsigned long loops, uint64_t *units) {
  double t0, t1;
  t0 = bench_now();
  if (pass(arg, lib, loops, units) != 0) {
    return -1;
  }
  t1 = bench_now();
  return t1 > t0 ? (double)*units / (t1 - t0) : 0;
}

/* Loops per measurement: enough for the faster library to take at least
 * min_seconds, so neither library is timed on a sliver of work. The same
 * count is used for both, so both process identical input. */
static int calibrate(const bench_ctx *ctx, bench_pass_fn pass, void *arg,
                     unsigned long *loops) {
  unsigned long n = 1;
  for (;;) {
    double fastest = 0;
    int lib;
    for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
      uint64_t units;
      double t0 = bench_now(), dt;
      if (pass(arg, lib, n, &units) != 0) {
        return -1;
      }
      dt = bench_now() - t0;
      if (lib == BENCH_H2WIRE || dt < fastest) {
        fastest = dt;
      }
    }
    if (fastest >= ctx->min_seconds / 4 || n > (1ul << 30)) {
      double scale = fastest > 0 ? ctx->min_seconds / fastest : 2.0;
      double want = (double)n * scale * 1.1;
      *loops = want > (double)n ? (unsigned long)want + 1 : n;
      return 0;
    }
    n *= 4;
  }
}

/* The one pass of a --profile run. Not inlined, so that a profiler can
 * count exactly it: valgrind --tool=callgrind
 * --toggle-collect=bench_profile_pass. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
int bench_profile_pass(bench_pass_fn pass, void *arg, int lib,
                       uint64_t *units);
int bench_profile_pass(bench_pass_fn pass, void *arg, int lib,
                       uint64_t *units) {
  return pass(arg, lib, 1, units);
}

static int profile_rate(bench_ctx *ctx, const char *name, const char *unit,
                        bench_pass_fn pass, void *arg) {
  bench_result r;
  uint64_t units = 0;
  double t0 = bench_now(), t1;
  if (bench_profile_pass(pass, arg, ctx->profile_lib, &units) != 0) {
    return -1;
  }
  t1 = bench_now();
  memset(&r, 0, sizeof(r));
  snprintf(r.name, sizeof(r.name), "%s", name);
  snprintf(r.unit, sizeof(r.unit), "%s/s", unit);
  *(ctx->profile_lib == BENCH_H2WIRE ? &r.h2w : &r.ngh) =
      t1 > t0 ? (double)units / (t1 - t0) : 0;
  r.loops = 1;
  snprintf(r.note, sizeof(r.note), "profile run: one pass, no ratio");
  return bench_record(ctx, &r);
}

int bench_compare_rates(bench_ctx *ctx, const char *name, const char *unit,
                        bench_pass_fn pass, void *arg) {
  double *rate[2];
  bench_result r;
  unsigned long loops;
  int rep, k, rc = -1;
  if (ctx->profile_lib >= 0) {
    return profile_rate(ctx, name, unit, pass, arg);
  }
  rate[0] = calloc((size_t)ctx->reps, sizeof(double));
  rate[1] = calloc((size_t)ctx->reps, sizeof(double));
  if (rate[0] == NULL || rate[1] == NULL ||
      calibrate(ctx, pass, arg, &loops) != 0) {
    goto out;
  }
  for (rep = 0; rep < ctx->reps; rep++) {
    /* Alternate which library goes first, so that neither always runs
     * on a cache or frequency state left by the other. */
    for (k = 0; k < 2; k++) {
      int lib = (rep + k) % 2;
      uint64_t units;
      rate[lib][rep] = timed_pass(pass, arg, lib, loops, &units);
      if (rate[lib][rep] < 0) {
        goto out;
      }
    }
  }
  memset(&r, 0, sizeof(r));
  snprintf(r.name, sizeof(r.name), "%s", name);
  snprintf(r.unit, sizeof(r.unit), "%s/s", unit);
  r.h2w = median(rate[0], (size_t)ctx->reps);
  r.ngh = median(rate[1], (size_t)ctx->reps);
  r.ratio = r.ngh > 0 ? r.h2w / r.ngh : 0;
  r.loops = loops;
  rc = bench_record(ctx, &r);
out:
  free(rate[0]);
  free(rate[1]);
  return rc;
}

/* Rates print with an SI suffix so that columns stay narrow. */
static void fmt_value(char *buf, size_t cap, double v) {
  if (v >= 1e9) {
    snprintf(buf, cap, "%.2f G", v / 1e9);
  } else if (v >= 1e6) {
    snprintf(buf, cap, "%.2f M", v / 1e6);
  } else if (v >= 1e3) {
    snprintf(buf, cap, "%.2f k", v / 1e3);
  } else {
    snprintf(buf, cap, "%.4f", v);
  }
}

static void print_table(const bench_ctx *ctx) {
  size_t i;
  printf("\n%-42s %-10s %10s %10s %7s %6s  %s\n", "workload", "unit", "h2wire",
         "nghttp2", "ratio", "loops", "note");
  for (i = 0; i < ctx->nresults; i++) {
    const bench_result *r = &ctx->results[i];
    char a[32], b[32], loops[24] = "-";
    fmt_value(a, sizeof(a), r->h2w);
    fmt_value(b, sizeof(b), r->ngh);
    if (r->loops > 0) {
      snprintf(loops, sizeof(loops), "%lu", r->loops);
    }
    printf("%-42s %-10s %10s %10s %7.3f %6s  %s\n", r->name, r->unit, a, b,
           r->ratio, loops, r->note);
  }
  if (ctx->profile_lib >= 0) {
    printf("(profile run of %s alone: no ratios)\n",
           ctx->profile_lib == BENCH_H2WIRE ? "h2wire" : "nghttp2");
    return;
  }
  printf("(h2wire and the harness built with %s; libnghttp2 %s as "
         "installed; %s time)\n",
         H2W_BENCH_FLAGS, nghttp2_version(0)->version_str,
         bench_clock == CLOCK_MONOTONIC ? "wall" : "CPU");
  printf("(ratio > 1: h2wire better; rates are medians of %d repetitions)\n\n",
         ctx->reps);
  for (i = 0; i < ctx->nresults; i++) {
    printf("RATIO %s %.3f\n", ctx->results[i].name, ctx->results[i].ratio);
  }
}

typedef struct name_check {
  const bench_ctx *ctx;
  int *found; /* one flag per requested name */
  int print;
} name_check;

static void check_name(void *user, const char *name) {
  name_check *nc = user;
  size_t i;
  if (nc->print) {
    printf("%s\n", name);
  }
  for (i = 0; i < nc->ctx->nwant; i++) {
    if (strcmp(nc->ctx->want[i], name) == 0) {
      nc->found[i] = 1;
    }
  }
}

/* Reject unknown workload names before any time is spent. */
static int check_names(const bench_ctx *ctx, int print) {
  name_check nc;
  size_t i;
  int ok = 1;
  nc.ctx = ctx;
  nc.print = print;
  nc.found = calloc(ctx->nwant + 1, sizeof(int));
  if (nc.found == NULL) {
    return -1;
  }
  for (i = 0; i < NFAMILIES; i++) {
    families[i]->list(ctx, check_name, &nc);
  }
  for (i = 0; i < ctx->nwant; i++) {
    if (!nc.found[i]) {
      fprintf(stderr, "h2w-bench: unknown workload '%s' (see --list)\n",
              ctx->want[i]);
      ok = 0;
    }
  }
  free(nc.found);
  return ok ? 0 : -1;
}

typedef struct family_check {
  const bench_ctx *ctx;
  int any;
} family_check;

static void any_selected(void *user, const char *name) {
  family_check *fc = user;
  fc->any |= bench_selected(fc->ctx, name);
}

/* A family none of whose workloads was named is not run at all, so that
 * e.g. the session workloads do not need the HPACK corpus. */
static int family_selected(const bench_ctx *ctx, const bench_family *f) {
  family_check fc;
  fc.ctx = ctx;
  fc.any = 0;
  f->list(ctx, any_selected, &fc);
  return fc.any;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: h2w-bench [--reps N] [--min-ms MS] [--corpus DIR] "
      "[--profile LIB] [--clock wall|cpu] [--dump DIR] [--list]\n"
      "          [workload...]\n"
      "  --reps N      repetitions per measurement, median kept "
      "(default 7)\n"
      "  --min-ms MS   minimum duration of one measurement "
      "(default 100)\n"
      "  --corpus DIR  hpack-test-case root (default " H2W_HPACK_TEST_CASE_DIR
      ")\n"
      "  --profile LIB run only LIB (h2wire or nghttp2), one pass per "
      "workload,\n"
      "                no ratio: for callgrind "
      "--toggle-collect=bench_profile_pass\n"
      "  --clock C     time passes by wall time (default) or by the "
      "process's\n"
      "                CPU time (cpu: steadier on a shared machine)\n"
      "  --dump DIR    write what each library emitted during validation "
      "to DIR,\n"
      "                for bench/verify_hpack.py (a third decoder)\n"
      "  --list        print the workload names and exit\n");
}

static int parse_long(const char *s, long lo, long hi, long *out) {
  char *end;
  long v;
  if (s == NULL) {
    return -1;
  }
  v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
    return -1;
  }
  *out = v;
  return 0;
}

/* Returns 0 to run, 1 to exit successfully (--help/--list), -1 on error. */
static int parse_args(bench_ctx *ctx, int argc, char **argv, int *list) {
  int i;
  long v;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--reps") == 0 || strcmp(a, "--min-ms") == 0) {
      int reps = strcmp(a, "--reps") == 0;
      if (i + 1 >= argc ||
          parse_long(argv[i + 1], 1, reps ? 1001 : 600000, &v) != 0) {
        fprintf(stderr, "h2w-bench: %s needs a positive integer\n", a);
        return -1;
      }
      i++;
      if (reps) {
        ctx->reps = (int)v;
      } else {
        ctx->min_seconds = (double)v / 1000.0;
      }
    } else if (strcmp(a, "--corpus") == 0 && i + 1 < argc) {
      ctx->corpus = argv[++i];
    } else if (strcmp(a, "--profile") == 0 && i + 1 < argc) {
      const char *lib = argv[++i];
      if (strcmp(lib, "h2wire") == 0) {
        ctx->profile_lib = BENCH_H2WIRE;
      } else if (strcmp(lib, "nghttp2") == 0) {
        ctx->profile_lib = BENCH_NGHTTP2;
      } else {
        fprintf(stderr, "h2w-bench: --profile takes h2wire or nghttp2\n");
        return -1;
      }
    } else if (strcmp(a, "--dump") == 0 && i + 1 < argc) {
      bench_dump_dir = argv[++i];
    } else if (strcmp(a, "--clock") == 0 && i + 1 < argc) {
      const char *c = argv[++i];
      if (strcmp(c, "wall") == 0) {
        bench_clock = CLOCK_MONOTONIC;
      } else if (strcmp(c, "cpu") == 0) {
        bench_clock = CLOCK_PROCESS_CPUTIME_ID;
      } else {
        fprintf(stderr, "h2w-bench: --clock takes wall or cpu\n");
        return -1;
      }
    } else if (strcmp(a, "--list") == 0) {
      *list = 1;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 1;
    } else if (a[0] == '-') {
      usage(stderr);
      return -1;
    } else {
      ctx->want[ctx->nwant++] = argv[i];
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  bench_ctx ctx;
  int list = 0, r;
  size_t i;
  memset(&ctx, 0, sizeof(ctx));
  ctx.corpus = H2W_HPACK_TEST_CASE_DIR;
  ctx.reps = 7;
  ctx.min_seconds = 0.1;
  ctx.profile_lib = -1;
  ctx.want = calloc((size_t)argc + 1, sizeof(char *));
  if (ctx.want == NULL) {
    return 1;
  }
  r = parse_args(&ctx, argc, argv, &list);
  if (r == 0) {
    r = check_names(&ctx, list);
  }
  if (r != 0 || list) {
    free(ctx.want);
    return r < 0 ? 2 : 0;
  }
  for (i = 0; i < NFAMILIES && r == 0; i++) {
    if (family_selected(&ctx, families[i])) {
      r = families[i]->run(&ctx);
    }
  }
  if (r == 0) {
    print_table(&ctx);
  }
  free(ctx.results);
  free(ctx.want);
  return r == 0 ? 0 : 1;
}
