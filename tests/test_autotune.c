/* Window autotuning (src/autotune.c, issue 18): the BDP PINGs on the
 * wire (when they go, that they stay the library's own), and the link
 * simulator (tests/support/linksim.h) on a virtual clock for what the
 * windows achieve: link rate on a long fat path, no harm on a short one,
 * shrinking when the path slows down, and the caps never passed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "flow.h"
#include "frame_builder.h"
#include "h2wire.h"
#include "linksim.h"
#include "pump.h"

/* "h2wbdp" and a 16-bit counter: the opaque data of BDP PINGs. */
#define BDP_PING(n) "PING 68327762647000" n
#define MIB (1024u * 1024u)
#define LINK_RATE 125000.0 /* octets per ms: 1 Gbit/s */

static void test_option_checks(void **state) {
  h2w_options *opt;
  (void)state;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_window_autotune(NULL, MIB, MIB),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_window_autotune(opt, 65534, MIB),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_window_autotune(opt, MIB, 0x80000000u),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_window_autotune(opt, 0, MIB),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_options_set_window_autotune(opt, 0x7fffffffu, 65535),
                   H2W_OK);
  assert_int_equal(h2w_options_set_window_autotune(opt, 0, 0), H2W_OK);
  h2w_options_del(opt);
}

/* Tuned windows are credited per eighth, but never in steps a sender
 * would hold back (under H2W_WORTHWHILE_MAX) unless they are half. */
static void test_credit_steps(void **state) {
  h2w_recv_window w;
  (void)state;
  h2w_recv_window_init(&w, 1048576);
  w.credit_shift = 3;
  assert_int_equal(h2w_recv_window_receive(&w, 200000), H2W_OK);
  h2w_recv_window_consume(&w, 131071);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
  h2w_recv_window_consume(&w, 1);
  assert_int_equal(h2w_recv_window_update_due(&w), 131072);
  h2w_recv_window_init(&w, 65535);
  w.credit_shift = 3;
  assert_int_equal(h2w_recv_window_receive(&w, 30000), H2W_OK);
  h2w_recv_window_consume(&w, 8192);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
  h2w_recv_window_consume(&w, 8192);
  assert_int_equal(h2w_recv_window_update_due(&w), 16384);
  /* The default: half. */
  h2w_recv_window_init(&w, 1048576);
  assert_int_equal(h2w_recv_window_receive(&w, 600000), H2W_OK);
  h2w_recv_window_consume(&w, 524287);
  assert_int_equal(h2w_recv_window_update_due(&w), 0);
  h2w_recv_window_consume(&w, 1);
  assert_int_equal(h2w_recv_window_update_due(&w), 524288);
}

static void test_estimate_getter(void **state) {
  tpeer c;
  h2w_flow_estimate e;
  (void)state;
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  memset(&e, 0, sizeof(e));
  assert_int_equal(h2w_session_flow_estimate(c.s, &e), H2W_E_INVALID_ARGUMENT);
  e.size = sizeof(e);
  assert_int_equal(h2w_session_flow_estimate(NULL, &e), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_flow_estimate(c.s, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_flow_estimate(c.s, &e), H2W_OK);
  assert_int_equal(e.enabled, 0);
  assert_int_equal(e.connection_window, 65535);
  assert_int_equal(e.stream_window, 65535);
  assert_int_equal(e.samples, 0);
  tpeer_free(&c);
}

/* A client with autotuning, handshaken, the clock at 1000, stream 1 open
 * with its response headers received. */
static void start_client(tpeer *c, int split, int manual) {
  h2w_options *opt;
  h2w_fb b;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_window_autotune(opt, 16 * MIB, 8 * MIB),
                   H2W_OK);
  assert_int_equal(h2w_options_set_manual_flow_control(opt, manual), H2W_OK);
  tpeer_start(c, 0, split, opt);
  h2w_options_del(opt);
  tpeer_handshake(c);
  assert_int_equal(h2w_session_tick(c->s, 1000), H2W_OK);
  assert_int_equal(tpeer_request(c, GET_REQ, NULL), 1);
  tpeer_out_clear(c);
  (void)tpeer_out_has(c, "*");
  tpeer_out_clear(c);
  h2w_fb_init(&b);
  tpeer_fb_headers(c, &b, 1, 0, RESP_200);
  tpeer_feed_ok(c, &b);
  h2w_fb_free(&b);
  tpeer_log_clear(c);
}

static void feed_data(tpeer *c, uint32_t id, size_t n) {
  static uint8_t zeros[16384];
  h2w_fb b;
  h2w_fb_init(&b);
  while (n > 0) {
    size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
    h2w_fb_begin(&b, 0x0 /* DATA */, 0, id);
    h2w_fb_bytes(&b, zeros, k);
    h2w_fb_end(&b);
    n -= k;
  }
  tpeer_feed_ok(c, &b);
  h2w_fb_free(&b);
}

static void feed_ping_ack(tpeer *c, uint64_t opaque) {
  h2w_fb b;
  h2w_fb_init(&b);
  h2w_fb_ping(&b, 0x1 /* ACK */, opaque);
  tpeer_feed_ok(c, &b);
  h2w_fb_free(&b);
}

/* DATA brings a BDP PING, one at a time; its ACK is the library's own
 * (no ping_ack event), grows the windows (WINDOW_UPDATE for the
 * connection, SETTINGS_INITIAL_WINDOW_SIZE for streams) and that
 * SETTINGS' ACK is the library's own too. */
static void test_bdp_ping_on_data(void **state) {
  tpeer c;
  h2w_fb b;
  h2w_flow_estimate e;
  start_client(&c, tmode(state), 0);
  /* No DATA yet: no PING, however long the wait. */
  assert_int_equal(h2w_session_tick(c.s, 5000), H2W_OK);
  EXPECT_OUT_EMPTY(&c);
  feed_data(&c, 1, 1000);
  assert_true(tpeer_out_has(&c, BDP_PING("00")));
  tpeer_out_clear(&c);
  /* More DATA while it is outstanding: no second PING. */
  feed_data(&c, 1, 50000);
  assert_false(tpeer_out_has(&c, "PING*"));
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_tick(c.s, 5100), H2W_OK);
  feed_ping_ack(&c, 0x6832776264700000ull);
  assert_false(tpeer_log_has(&c, "ping_ack*"));
  /* 50000 octets in 100 ms: 500 kB/s, BDP 50000; but they are 3/4 of
   * the 65535-octet window and no queue lengthened the round trip, so
   * the window is the limit: a fourfold target, 200000. */
  e.size = sizeof(e);
  assert_int_equal(h2w_session_flow_estimate(c.s, &e), H2W_OK);
  assert_int_equal(e.enabled, 1);
  assert_int_equal(e.rtt_ms, 100);
  assert_int_equal(e.min_rtt_ms, 100);
  assert_int_equal(e.bytes_per_second, 500000);
  assert_int_equal(e.connection_window, 200000);
  assert_int_equal(e.stream_window, 200000);
  assert_int_equal(e.samples, 1);
  assert_true(tpeer_out_has(&c, "SETTINGS 4:200000"));
  assert_true(tpeer_out_has(&c, "WINDOW_UPDATE 0 *"));
  tpeer_out_clear(&c);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0x1 /* ACK */, NULL, 0);
  tpeer_feed_ok(&c, &b);
  h2w_fb_free(&b);
  EXPECT_LOG(&c, "data 1 51000"); /* no ping_ack, no settings_ack */
  /* The next DATA brings the next PING; once it is answered, DATA within
   * 10 ms of it brings none, later DATA does. */
  assert_int_equal(h2w_session_tick(c.s, 5101), H2W_OK);
  feed_data(&c, 1, 100);
  assert_true(tpeer_out_has(&c, BDP_PING("01")));
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_tick(c.s, 5103), H2W_OK);
  feed_ping_ack(&c, 0x6832776264700001ull);
  assert_int_equal(h2w_session_tick(c.s, 5110), H2W_OK);
  feed_data(&c, 1, 100);
  assert_false(tpeer_out_has(&c, "PING*"));
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_tick(c.s, 5111), H2W_OK);
  feed_data(&c, 1, 100);
  assert_true(tpeer_out_has(&c, BDP_PING("02")));
  tpeer_out_clear(&c);
  tpeer_log_clear(&c);
  /* The application's own PINGs still reach on_ping_ack. */
  assert_int_equal(h2w_session_submit_ping(c.s, (const uint8_t *)"appping!"),
                   H2W_OK);
  tpeer_out_clear(&c);
  (void)tpeer_out_has(&c, "*");
  tpeer_out_clear(&c);
  feed_ping_ack(&c, 0x61707070696e6721ull);
  EXPECT_LOG(&c, "ping_ack rtt=0");
  tpeer_free(&c);
}

/* The dump carries the estimate, null when autotuning is off. */
static void test_dump(void **state) {
  tpeer c, d;
  char buf[16384];
  size_t n;
  (void)state;
  start_client(&c, H2W_SPLIT_WHOLE, 0);
  feed_data(&c, 1, 1000);
  assert_int_equal(h2w_session_dump_json(c.s, buf, sizeof(buf), &n), H2W_OK);
  assert_non_null(strstr(buf, "\"autotune\":{\"max_connection_window\":"
                              "16777216,\"max_stream_window\":8388608,"));
  assert_non_null(strstr(buf, "\"ping_outstanding\":true}"));
  tpeer_start(&d, 0, H2W_SPLIT_WHOLE, NULL);
  assert_int_equal(h2w_session_dump_json(d.s, buf, sizeof(buf), &n), H2W_OK);
  assert_non_null(strstr(buf, "\"autotune\":null"));
  tpeer_free(&c);
  tpeer_free(&d);
}

/* Manual flow control: while the application sits on half the window,
 * the window does not grow, however fast the path. */
static void test_manual_app_limited(void **state) {
  tpeer c;
  h2w_flow_estimate e;
  start_client(&c, tmode(state), 1);
  feed_data(&c, 1, 1000);
  tpeer_out_clear(&c);
  feed_data(&c, 1, 40000);
  assert_int_equal(h2w_session_tick(c.s, 1010), H2W_OK);
  feed_ping_ack(&c, 0x6832776264700000ull);
  e.size = sizeof(e);
  assert_int_equal(h2w_session_flow_estimate(c.s, &e), H2W_OK);
  assert_int_equal(e.samples, 1);
  assert_int_equal(e.connection_window, 65535);
  assert_int_equal(e.stream_window, 65535);
  /* Consumed: the next sample may grow it. */
  assert_int_equal(h2w_session_consume(c.s, 1, 41000), H2W_OK);
  assert_int_equal(h2w_session_tick(c.s, 1030), H2W_OK);
  feed_data(&c, 1, 20000);
  assert_true(tpeer_out_has(&c, BDP_PING("01")));
  tpeer_out_clear(&c);
  assert_int_equal(h2w_session_consume(c.s, 1, 20000), H2W_OK);
  assert_int_equal(h2w_session_tick(c.s, 1040), H2W_OK);
  feed_ping_ack(&c, 0x6832776264700001ull);
  assert_int_equal(h2w_session_flow_estimate(c.s, &e), H2W_OK);
  assert_true(e.connection_window > 65535);
  tpeer_free(&c);
}

/* ---- the simulated link ------------------------------------------------- */

static void report(const char *what, const linksim_cfg *c,
                   const linksim_result *r) {
  printf("# %s: %.0f MB in %.0f ms, after ramp %.1f%% of link, last half "
         "%.1f%%, conn window max %u final %u, stream max %u, held max "
         "%llu, rtt %u ms, %llu samples\n",
         what, (double)c->body / 1e6, r->done_ms,
         100.0 * r->ramp_rate / c->bytes_per_ms,
         100.0 * r->late_rate / c->bytes_per_ms, r->max_conn_target,
         r->final_conn_target, r->max_stream_window,
         (unsigned long long)r->max_held, r->rtt_ms,
         (unsigned long long)r->pings);
}

/* Run the simulation and print its figures. */
static void simulate(const char *what, const linksim_cfg *c,
                     linksim_result *r) {
  assert_int_equal(linksim_run(c, r), 0);
  report(what, c, r);
}

/* The caps every autotuned run here uses: 64 MiB for the connection,
 * 32 MiB for a stream. */
static void autotune_caps(linksim_cfg *c) {
  c->autotune_conn = 64 * MIB;
  c->autotune_stream = 32 * MIB;
}

/* 100 ms RTT, 1 Gbit/s: 200 MB with autotuning run at >= 90% of the link
 * once the windows have grown; the caps are never passed. */
static void test_sim_long_fat_download(void **state) {
  linksim_cfg c;
  linksim_result r;
  (void)state;
  linksim_defaults(&c);
  autotune_caps(&c);
  simulate("100ms autotune", &c, &r);
  assert_true(r.ok);
  assert_true(r.ramp_rate >= 0.9 * LINK_RATE);
  assert_true(r.late_rate >= 0.9 * LINK_RATE);
  assert_true(r.max_held <= 64 * MIB);
  assert_true(r.max_stream_window <= 32 * MIB);
  /* 2 x BDP is 25 MB: the windows settle near it, not at the caps. */
  assert_true(r.final_conn_target < 40000000u);
  assert_true(r.final_conn_target > 20000000u);
}

/* The same with the static default windows: one window per round trip,
 * ~0.5% of the link (a short body: the rate is flat). */
static void test_sim_long_fat_static(void **state) {
  linksim_cfg c;
  linksim_result r;
  (void)state;
  linksim_defaults(&c);
  c.body = 4000000;
  simulate("100ms static", &c, &r);
  assert_true(r.ok);
  assert_true(r.late_rate < 0.006 * LINK_RATE);
  assert_true(r.late_rate > 0.004 * LINK_RATE);
  assert_int_equal(r.pings, 0);
}

/* Upload: the server's receive windows are the ones tuned. */
static void test_sim_long_fat_upload(void **state) {
  linksim_cfg c;
  linksim_result r;
  (void)state;
  linksim_defaults(&c);
  c.upload = 1;
  c.body = 100000000;
  autotune_caps(&c);
  simulate("100ms upload autotune", &c, &r);
  assert_true(r.ok);
  assert_true(r.late_rate >= 0.9 * LINK_RATE);
  assert_true(r.max_held <= 64 * MIB);
}

/* Manual flow control with an application that keeps up: as fast. */
static void test_sim_manual(void **state) {
  linksim_cfg c;
  linksim_result r;
  (void)state;
  linksim_defaults(&c);
  c.manual = 1;
  c.body = 100000000;
  autotune_caps(&c);
  simulate("100ms manual autotune", &c, &r);
  assert_true(r.ok);
  assert_true(r.late_rate >= 0.9 * LINK_RATE);
  assert_true(r.max_held <= 64 * MIB);
}

/* 1 ms RTT: autotuning is never slower than the static windows and its
 * windows stay small (a few times the 125 kB BDP). */
static void test_sim_short_path(void **state) {
  linksim_cfg c;
  linksim_result at, st;
  (void)state;
  linksim_defaults(&c);
  c.one_way_ms = 0.5;
  c.body = 50000000;
  c.queue_bytes = 100000;
  c.step_ms = 0.05;
  simulate("1ms static", &c, &st);
  autotune_caps(&c);
  simulate("1ms autotune", &c, &at);
  assert_true(st.ok && at.ok);
  assert_true(at.done_ms <= st.done_ms * 1.01);
  assert_true(at.max_conn_target <= 2 * MIB);
  assert_true(at.max_stream_window <= 2 * MIB);
}

/* The link drops from 1 Gbit/s to 100 Mbit/s mid-transfer: within a few
 * round trips the windows follow it down (to a quarter or less), and the
 * transfer keeps the new link rate. */
static void test_sim_bandwidth_drop(void **state) {
  linksim_cfg c;
  linksim_result r;
  (void)state;
  linksim_defaults(&c);
  c.body = 120000000;
  c.change_at = 80000000;
  c.new_rate = LINK_RATE / 10;
  autotune_caps(&c);
  simulate("100ms drop tenfold", &c, &r);
  printf("# changed at %.0f ms, windows shrunk at %.0f ms, final %u, "
         "stream %u, rate after the change %.1f%% of the new link\n",
         r.changed_ms, r.shrunk_ms, r.final_conn_target, r.final_stream_window,
         100.0 * r.post_rate / c.new_rate);
  assert_true(r.ok);
  assert_true(r.shrunk_ms > 0);
  /* The old queue (1 MB at the old rate) drains first; then a few RTTs. */
  assert_true(r.shrunk_ms - r.changed_ms <= 800);
  assert_true(r.final_conn_target <= 8000000u);
  assert_true(r.final_stream_window <= 8000000u);
  assert_true(r.post_rate >= 0.9 * c.new_rate);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_option_checks),
      cmocka_unit_test(test_credit_steps),
      cmocka_unit_test(test_estimate_getter),
      SPLIT_TESTS(test_bdp_ping_on_data),
      cmocka_unit_test(test_dump),
      SPLIT_TESTS(test_manual_app_limited),
      cmocka_unit_test(test_sim_long_fat_download),
      cmocka_unit_test(test_sim_long_fat_static),
      cmocka_unit_test(test_sim_long_fat_upload),
      cmocka_unit_test(test_sim_manual),
      cmocka_unit_test(test_sim_short_path),
      cmocka_unit_test(test_sim_bandwidth_drop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
