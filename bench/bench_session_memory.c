/* Memory held by a server session, counted through each library's
 * allocator hooks (h2w_mem / nghttp2_mem) with sizes as requested:
 *   idle_session_bytes: after the handshake (the client's preface and
 *     SETTINGS received, our SETTINGS acknowledged, output drained);
 *   stream_bytes: per open stream, after 1,000 requests were received and
 *     none answered, (bytes now - bytes idle) / 1000, with a server that
 *     allows 1,000 concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS).
 *   held_after_traffic_bytes: after 20,000 requests answered as in
 *     server_rps (200 batches of 100, each batch's output drained), with
 *     every stream closed: what an idle keep-alive connection costs once
 *     it has served traffic, h2wire's after h2w_session_shrink() (the
 *     note gives both peaks); held_after_traffic_noshrink_bytes is
 *     h2wire's figure without the call.
 * Ratios are nghttp2 / h2wire: above 1, h2wire holds less. */
#include "bench_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_figures {
  size_t idle, open;  /* bytes held after the handshake / the requests */
  size_t self_report; /* h2w_session_memory() after the handshake */
} mem_figures;

static int measure(const bs_world *w, int lib, uint32_t max_streams,
                   size_t nopen, mem_figures *m) {
  bs_alloc a = {0, 0, 0};
  uint8_t *app = malloc(BS_APP_CAP);
  bs_out o = {NULL, BS_APP_CAP, NULL, 0};
  bs_srv r;
  bs_peer p;
  size_t b, len;
  uint64_t closes;
  int rc = -1;
  memset(&r, 0, sizeof(r));
  r.w = w; /* answer = 0: every stream stays open */
  o.app = app;
  if (app == NULL || bs_srv_new(&p, lib, &r, max_streams, &a) != 0) {
    free(app);
    return -1;
  }
  if (bs_handshake(&p, &w->req, &o) == 0) {
    m->idle = a.in_use;
    m->self_report = lib == BENCH_H2WIRE ? h2w_session_memory(p.h2w) : 0;
    rc = 0;
  }
  for (b = 0; rc == 0 && b < nopen / BS_BATCH; b++) {
    const uint8_t *in = bs_script_chunk(&w->req, BS_CHUNK_BATCH + b, &len);
    rc = bs_feed(&p, in, len) == 0 && bs_drain(&p, &o) == 0 ? 0 : -1;
  }
  m->open = a.in_use;
  /* Counted before the delete: deleting a session closes every live
   * stream (h2w_close_all), which is not a close during the run. */
  closes = r.closes;
  bs_peer_del(&p);
  free(app);
  if (rc == 0 && (r.requests != nopen || closes != 0)) {
    fprintf(stderr, "h2w-bench: %s: %llu of %zu streams open\n",
            bs_lib_name(lib), (unsigned long long)r.requests, nopen);
    rc = -1;
  }
  if (rc == 0 && a.in_use != 0) {
    fprintf(stderr, "h2w-bench: %s: %zu bytes not freed\n", bs_lib_name(lib),
            a.in_use);
    rc = -1;
  }
  return rc;
}

static int record(bench_ctx *ctx, const char *name, const char *unit,
                  double h2w, double ngh, const char *note) {
  bench_result r;
  memset(&r, 0, sizeof(r));
  snprintf(r.name, sizeof(r.name), "%s", name);
  snprintf(r.unit, sizeof(r.unit), "%s", unit);
  snprintf(r.note, sizeof(r.note), "%s", note);
  r.h2w = h2w;
  r.ngh = ngh;
  r.ratio = h2w > 0 ? ngh / h2w : 0;
  return bench_record(ctx, &r);
}

static int run_idle(bench_ctx *ctx, const bs_world *w) {
  mem_figures m[2];
  char note[96];
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    if (measure(w, lib, BS_BATCH, 0, &m[lib]) != 0) {
      return -1;
    }
  }
  snprintf(note, sizeof(note), "h2w_session_memory() %zu", m[0].self_report);
  return record(ctx, "idle_session_bytes", "B", (double)m[0].idle,
                (double)m[1].idle, note);
}

static int run_streams(bench_ctx *ctx, const bs_world *w) {
  mem_figures m[2];
  double per[2];
  char note[96];
  int lib;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    if (measure(w, lib, BS_OPEN_STREAMS, BS_OPEN_STREAMS, &m[lib]) != 0) {
      return -1;
    }
    per[lib] = ((double)m[lib].open - (double)m[lib].idle) / BS_OPEN_STREAMS;
  }
  snprintf(note, sizeof(note), "%u open: %zu vs %zu B held", BS_OPEN_STREAMS,
           m[0].open, m[1].open);
  return record(ctx, "stream_bytes", "B/stream", per[0], per[1], note);
}

#define TRAFFIC_BATCHES 200u /* 20,000 requests */

typedef struct traffic_figures {
  size_t held, peak, shrunk;
} traffic_figures;

static int traffic(const bs_world *w, int lib, traffic_figures *t) {
  bs_alloc a = {0, 0, 0};
  uint8_t *app = malloc(BS_APP_CAP);
  uint8_t *sent = calloc(BS_NREQ, 1);
  bs_out o = {NULL, BS_APP_CAP, NULL, 0};
  bs_srv r;
  bs_peer p;
  size_t b, len;
  int rc = -1;
  memset(&r, 0, sizeof(r));
  r.w = w;
  r.answer = 1;
  r.sent = sent;
  o.app = app;
  if (app == NULL || sent == NULL ||
      bs_srv_new(&p, lib, &r, BS_BATCH, &a) != 0) {
    free(app);
    free(sent);
    return -1;
  }
  rc = bs_handshake(&p, &w->req, &o);
  for (b = 0; rc == 0 && b < TRAFFIC_BATCHES; b++) {
    const uint8_t *in = bs_script_chunk(&w->req, BS_CHUNK_BATCH + b, &len);
    rc = bs_feed(&p, in, len) == 0 && bs_drain(&p, &o) == 0 ? 0 : -1;
  }
  t->held = a.in_use;
  t->peak = a.peak;
  t->shrunk = a.in_use;
  if (rc == 0 && lib == BENCH_H2WIRE) {
    h2w_session_shrink(p.h2w);
    t->shrunk = a.in_use;
  }
  bs_peer_del(&p);
  free(app);
  free(sent);
  if (rc == 0 && (r.requests != TRAFFIC_BATCHES * BS_BATCH ||
                  r.closes != TRAFFIC_BATCHES * BS_BATCH)) {
    fprintf(stderr, "h2w-bench: %s: %llu requests, %llu closed\n",
            bs_lib_name(lib), (unsigned long long)r.requests,
            (unsigned long long)r.closes);
    rc = -1;
  }
  return rc;
}

/* Two rows: what h2wire holds once the server calls h2w_session_shrink()
 * on the idle connection (what the call is for; nghttp2 has no such
 * call and holds what it holds), and what it holds without the call,
 * from its automatic releases alone. */
static int run_traffic(bench_ctx *ctx, const bs_world *w) {
  traffic_figures t[2];
  char note[96];
  int lib, rc;
  for (lib = BENCH_H2WIRE; lib <= BENCH_NGHTTP2; lib++) {
    if (traffic(w, lib, &t[lib]) != 0) {
      return -1;
    }
  }
  snprintf(note, sizeof(note), "after h2w_session_shrink(); peak %zu vs %zu B",
           t[0].peak, t[1].peak);
  rc = record(ctx, "held_after_traffic_bytes", "B", (double)t[0].shrunk,
              (double)t[1].held, note);
  snprintf(note, sizeof(note), "no shrink call (automatic releases only)");
  return rc ? rc
            : record(ctx, "held_after_traffic_noshrink_bytes", "B",
                     (double)t[0].held, (double)t[1].held, note);
}

int bs_run_memory(bench_ctx *ctx, const bs_world *w) {
  int rc = 0;
  if (bench_selected(ctx, "idle_session_bytes")) {
    rc = run_idle(ctx, w);
  }
  if (rc == 0 && bench_selected(ctx, "stream_bytes")) {
    rc = run_streams(ctx, w);
  }
  if (rc == 0 && (bench_selected(ctx, "held_after_traffic_bytes") ||
                  bench_selected(ctx, "held_after_traffic_noshrink_bytes"))) {
    rc = run_traffic(ctx, w);
  }
  return rc;
}
