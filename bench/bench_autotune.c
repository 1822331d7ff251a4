/* h2w-bench: window autotuning on the simulated link (issue 18).
 *
 * Not a speed of this machine: tests/support/linksim.c runs a client and
 * a server over a 100 ms RTT, 1 Gbit/s link on a virtual clock, so the
 * figures are exact and repeatable. Two rows, in the table's columns:
 *   autotune_100ms            h2wire column: a 200 MB download with
 *                             autotuning after the ramp (from 25% of the
 *                             body on), nghttp2 column: the link rate;
 *                             ratio: the share of the link used.
 *   autotune_vs_static_100ms  h2wire column: the same download's rate
 *                             over the whole transfer, ramp included,
 *                             nghttp2 column: the static 65535-octet
 *                             windows' rate; ratio: how many times faster.
 * nghttp2 itself takes no part. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "linksim.h"

#define AT_CONN (64u * 1024u * 1024u)
#define AT_STREAM (32u * 1024u * 1024u)

static const char *const names[] = {"autotune_100ms",
                                    "autotune_vs_static_100ms"};

static void at_list(const bench_ctx *ctx, bench_name_cb cb, void *user) {
  size_t i;
  (void)ctx;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    cb(user, names[i]);
  }
}

static int at_run(bench_ctx *ctx) {
  linksim_cfg c;
  linksim_result tuned, plain;
  bench_result r;
  double link, whole, flat;
  if (!bench_selected(ctx, names[0]) && !bench_selected(ctx, names[1])) {
    return 0;
  }
  linksim_defaults(&c);
  c.autotune_conn = AT_CONN;
  c.autotune_stream = AT_STREAM;
  if (linksim_run(&c, &tuned) != 0 || !tuned.ok) {
    fprintf(stderr, "h2w-bench: autotune: the simulated download failed\n");
    return -1;
  }
  link = c.bytes_per_ms * 1000.0;
  whole = (double)c.body / tuned.done_ms * 1000.0;
  /* The static windows move one window per round trip whatever the body
   * size: 20 MB shows the rate at a tenth of the simulated time. */
  c.autotune_conn = c.autotune_stream = 0;
  c.body = 20000000;
  if (linksim_run(&c, &plain) != 0 || !plain.ok) {
    fprintf(stderr, "h2w-bench: autotune: the static download failed\n");
    return -1;
  }
  flat = (double)c.body / plain.done_ms * 1000.0;
  if (bench_selected(ctx, names[0])) {
    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", names[0]);
    snprintf(r.unit, sizeof(r.unit), "B/s sim");
    r.h2w = tuned.ramp_rate * 1000.0;
    r.ngh = link;
    r.ratio = r.h2w / link;
    snprintf(r.note, sizeof(r.note),
             "nghttp2 col = link; 200 MB in %.2f s sim, window %.1f MB",
             tuned.done_ms / 1000.0, (double)tuned.final_conn_target / 1e6);
    if (bench_record(ctx, &r) != 0) {
      return -1;
    }
  }
  if (bench_selected(ctx, names[1])) {
    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%s", names[1]);
    snprintf(r.unit, sizeof(r.unit), "B/s sim");
    r.h2w = whole;
    r.ngh = flat;
    r.ratio = flat > 0 ? whole / flat : 0;
    snprintf(r.note, sizeof(r.note),
             "nghttp2 col = static 65535 windows (%.2f%% of link)",
             100.0 * flat / link);
    if (bench_record(ctx, &r) != 0) {
      return -1;
    }
  }
  return 0;
}

const bench_family bench_autotune_family = {"autotune", at_list, at_run};
