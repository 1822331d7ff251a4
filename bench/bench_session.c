/* The session family of h2w-bench: names and order of its workloads. The
 * recorded request script is built once and shared; server_rps's
 * validation records the response script client_rps replays, so it runs
 * whenever either is selected. See bench_session.h for the files. */
#include "bench_session.h"

#include <stdio.h>

static const char *const session_names[] = {
    "server_rps",
    "client_rps",
    "data_gbps",
    "data_vs_memcpy",
    "idle_session_bytes",
    "stream_bytes",
    "held_after_traffic_bytes",
    "held_after_traffic_noshrink_bytes",
};
#define NNAMES (sizeof(session_names) / sizeof(session_names[0]))

static void session_list(const bench_ctx *ctx, bench_name_cb cb, void *user) {
  size_t i;
  (void)ctx;
  for (i = 0; i < NNAMES; i++) {
    cb(user, session_names[i]);
  }
  bs_data_list(cb, user);
}

static int session_run(bench_ctx *ctx) {
  int srv = bench_selected(ctx, "server_rps");
  int cli = bench_selected(ctx, "client_rps");
  int mem = bench_selected(ctx, "idle_session_bytes") ||
            bench_selected(ctx, "stream_bytes") ||
            bench_selected(ctx, "held_after_traffic_bytes") ||
            bench_selected(ctx, "held_after_traffic_noshrink_bytes");
  int data = bs_data_selected(ctx);
  bs_world w;
  int rc = 0;
  if ((srv || cli || mem) && bs_world_init(&w) != 0) {
    fprintf(stderr, "h2w-bench: cannot record the request script\n");
    return -1;
  }
  if (srv || cli) {
    rc = bs_run_server(ctx, &w, srv);
  }
  if (rc == 0 && cli) {
    rc = bs_run_client(ctx, &w);
  }
  if (rc == 0 && data) {
    rc = bs_run_data(ctx);
  }
  if (rc == 0 && mem) {
    rc = bs_run_memory(ctx, &w);
  }
  if (srv || cli || mem) {
    bs_world_free(&w);
  }
  return rc;
}

const bench_family bench_session_family = {"session", session_list,
                                           session_run};
