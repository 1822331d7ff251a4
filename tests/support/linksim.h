/* A deterministic link simulator for flow-control tests and the bench
 * (issue 18): two sessions, a client and a server, joined by a link with
 * a one-way delay, a bottleneck rate and a bottleneck queue in each
 * direction, on a virtual clock. One stream moves a body from the sender
 * to the receiver (a download: server to client; an upload: client to
 * server); the receiver's input arrives in random splits. The body's
 * octets are never produced or checked, only counted, so a 200 MB run
 * costs a few memcpy()s of the frames on the link.
 *
 * Only the public API is used, so the bench links it too. */
#ifndef H2W_LINKSIM_H
#define H2W_LINKSIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct linksim_cfg {
  double one_way_ms;   /* propagation delay, each direction */
  double bytes_per_ms; /* bottleneck rate, each direction */
  size_t queue_bytes;  /* the sender keeps the bottleneck queue this full */
  double step_ms;      /* clock resolution of the simulation */
  uint64_t seed;       /* random input splits */
  uint64_t body;       /* octets to move */
  int upload;          /* 1: client to server; 0: server to client */
  /* The receiver's window autotuning caps; 0 leaves it off. */
  uint32_t autotune_conn, autotune_stream;
  int manual; /* the receiver uses manual flow control (consumes at once) */
  /* From when this many body octets arrived, the rate becomes new_rate. */
  uint64_t change_at;
  double new_rate;
} linksim_cfg;

typedef struct linksim_result {
  int ok;            /* the body arrived whole, no session failed */
  double done_ms;    /* when its last octet arrived */
  double ramp_rate;  /* octets/ms from 25% of the body to the end */
  double late_rate;  /* octets/ms over the last half of the body */
  uint64_t max_held; /* largest receiver connection window + unconsumed */
  uint32_t max_conn_target, max_stream_window; /* receiver's, seen */
  uint32_t final_conn_target, final_stream_window;
  uint64_t pings;    /* BDP round trips measured */
  double changed_ms; /* when the rate changed (change_at reached) */
  double post_rate;  /* octets/ms from then to the end */
  double shrunk_ms;  /* after that: when the target fell to 1/4 */
  uint32_t rtt_ms;   /* the receiver's last estimate */
  uint64_t bytes_per_second;
} linksim_result;

/* Defaults: 50 ms each way, 1 Gbit/s, 1 MB queue, 0.25 ms steps. */
void linksim_defaults(linksim_cfg *c);
/* Run to the end of the body (or a simulated hour). 0, or -1 when the
 * sessions could not be set up. */
int linksim_run(const linksim_cfg *c, linksim_result *r);

#endif
