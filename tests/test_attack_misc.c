/* docs/security.md rows 6, 20 and 21, and the per-session memory budget of
 * issue 6: output buffering under huge windows (CVE-2019-9517), input
 * after a connection error, allocation failures over an attack, and
 * h2w_options_set_memory_budget. Every test runs whole, in 1-byte pieces
 * and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "attack.h"

#define MAX_WINDOW 0x7fffffffu
#define FRAME 16384u /* default SETTINGS_MAX_FRAME_SIZE */

/* ---- row 6: internal buffering -------------------------------------------
 */

#define NSTREAMS 100u

/* The peer offers the largest windows (§6.5.2, §6.9) and opens NSTREAMS
 * GET requests; we answer each with a 1 GiB body. */
static void huge_window_requests(h2w_fb *b) {
  h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0, MAX_WINDOW};
  h2w_fb blk;
  uint32_t i;
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  h2w_fb_settings(b, 0, &iv, 1);
  h2w_fb_window_update(b, 0, MAX_WINDOW - 65535u);
  for (i = 0; i < NSTREAMS; i++) {
    atk_fb_block(b, 1 + 2 * i, 0x5, &blk);
  }
  h2w_fb_free(&blk);
}

static uint64_t pulled(const atk_gen *g) {
  uint64_t n = 0;
  size_t i;
  for (i = 0; i < NSTREAMS; i++) {
    n += g[i].pulled;
  }
  return n;
}

static void test_attack_06_output_buffering(void **state) {
  tpeer s;
  h2w_fb b;
  static atk_gen gen[NSTREAMS];
  h2w_nv nv[2];
  uint8_t buf[64];
  const uint8_t *peek = NULL;
  size_t base, n = tnv(nv, 2, RESP_200);
  uint64_t sent = 0;
  uint32_t i;
  h2w_ssize k;
  atk_server(&s, tmode(state), NULL);
  s.mute |=
      TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_END | TEV_SETTINGS;
  h2w_fb_init(&b);
  huge_window_requests(&b);
  atk_feed_ok(&s, &b);
  base = s.alloc.peak = s.alloc.bytes;
  for (i = 0; i < NSTREAMS; i++) {
    h2w_data_source ds = atk_gen_source(&gen[i], (uint64_t)1 << 30);
    assert_int_equal(h2w_session_submit_response(s.s, 1 + 2 * i, nv, n, &ds),
                     H2W_OK);
  }
  /* Nothing is pulled while nobody asks for output. */
  assert_int_equal(pulled(gen), 0);
  /* One small read: at most one frame of body is pulled. */
  k = h2w_session_send(s.s, buf, sizeof buf);
  assert_true(k > 0);
  sent += (uint64_t)k;
  assert_true(pulled(gen) <= FRAME);
  /* Zero-copy peek of whatever is pending: still one frame at most
   * beyond what left the session. */
  for (i = 0; i < 1000; i++) {
    k = h2w_session_peek(s.s, &peek);
    assert_true(k > 0);
    assert_int_equal(h2w_session_ack(s.s, (size_t)k < 100 ? (size_t)k : 100),
                     H2W_OK);
    sent += (uint64_t)k < 100 ? (uint64_t)k : 100;
    assert_true(pulled(gen) <= sent + FRAME);
  }
  /* 1000 reads of 4 KiB through send(). */
  for (i = 0; i < 1000; i++) {
    static uint8_t big[4096];
    k = h2w_session_send(s.s, big, sizeof big);
    assert_true(k > 0);
    sent += (uint64_t)k;
    assert_true(pulled(gen) <= sent + FRAME);
  }
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* 100 streams (about 128 octets each) and one frame of output; the
   * bodies themselves (100 GiB) never are. */
  atk_bound("row 6: 100 x 1 GiB responses under 2^31-1 windows, peak above "
            "requests",
            atk_peak_above(&s, base), NSTREAMS * 512 + 2 * FRAME + 8192);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The neighbour: the same responses are delivered in full to a peer that
 * reads (10 streams of 1 MiB, all octets accounted for). */
static void test_attack_06_legit_reader(void **state) {
  tpeer s;
  h2w_fb b;
  static atk_gen gen[10];
  h2w_nv nv[2];
  size_t n = tnv(nv, 2, RESP_200);
  uint32_t i;
  long closes;
  atk_server(&s, tmode(state), NULL);
  s.mute |=
      TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS | TEV_END | TEV_SETTINGS;
  h2w_fb_init(&b);
  huge_window_requests(&b);
  atk_feed_ok(&s, &b);
  for (i = 0; i < 10; i++) {
    h2w_data_source ds = atk_gen_source(&gen[i], (uint64_t)1 << 20);
    assert_int_equal(h2w_session_submit_response(s.s, 1 + 2 * i, nv, n, &ds),
                     H2W_OK);
  }
  /* Each body ends once with END_STREAM after exactly 1 MiB. */
  assert_int_equal(atk_out_count(&s, "DATA * es"), 10);
  for (i = 0; i < 10; i++) {
    assert_int_equal(gen[i].pulled, (uint64_t)1 << 20);
  }
  closes = atk_log_count(&s, "close * NO_ERROR");
  assert_int_equal(closes, 10);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 20: input after a connection error ------------------------------
 */

typedef struct fatal_case {
  const char *what;
  int err;
  const char *goaway;
} fatal_case;

static const fatal_case fatal_cases[] = {
    {"even stream id", H2W_E_PROTOCOL, "GOAWAY last=0 PROTOCOL_ERROR*"},
    {"bad HPACK", H2W_E_COMPRESSION, "GOAWAY last=* COMPRESSION_ERROR*"},
    {"window overflow", H2W_E_FLOW_CONTROL,
     "GOAWAY last=0 FLOW_CONTROL_ERROR*"},
    {"frame too large", H2W_E_FRAME_SIZE, "GOAWAY last=0 FRAME_SIZE_ERROR*"},
    {"ping flood", H2W_E_FLOODED, "GOAWAY last=0 ENHANCE_YOUR_CALM*"},
};

static void fatal_frame(tpeer *s, h2w_fb *b, size_t k) {
  size_t i;
  switch (k) {
  case 0:
    tpeer_fb_headers(s, b, 2, 0x1, GET_REQ);
    break;
  case 1:
    h2w_fb_hd(b, 1, ATK_HEADERS, 0x5, 1);
    h2w_fb_u8(b, 0x80); /* index 0 */
    break;
  case 2:
    h2w_fb_window_update(b, 0, MAX_WINDOW);
    break;
  case 3:
    h2w_fb_hd(b, FRAME + 1, ATK_DATA, 0, 1);
    h2w_fb_zeros(b, FRAME + 1);
    break;
  default:
    for (i = 0; i < 1001; i++) {
      h2w_fb_ping(b, 0, i);
    }
    break;
  }
}

/* Valid traffic of every kind, 1 MB of it, to follow the error. */
static void valid_traffic(tpeer *s, h2w_fb *b) {
  uint32_t id;
  for (id = 101; b->len < 1000000; id += 2) {
    h2w_fb_ping(b, 0, id);
    h2w_fb_settings(b, 0, NULL, 0);
    tpeer_fb_headers(s, b, id, 0, POST_REQ);
    h2w_fb_data(b, id, 0x1, "body");
    h2w_fb_window_update(b, 0, 1);
    h2w_fb_rst_stream(b, id, H2W_CANCEL);
    h2w_fb_goaway(b, 0, H2W_NO_ERROR, "");
  }
}

static void test_attack_20_input_after_error(void **state) {
  size_t k;
  for (k = 0; k < sizeof fatal_cases / sizeof fatal_cases[0]; k++) {
    const fatal_case *c = &fatal_cases[k];
    tpeer s;
    h2w_fb b;
    size_t base, peak, i;
    int calls;
    uint8_t buf[256];
    atk_server(&s, tmode(state), NULL);
    base = s.alloc.peak = s.alloc.bytes;
    h2w_fb_init(&b);
    fatal_frame(&s, &b, k);
    valid_traffic(&s, &b);
    /* One buffer: the error, then 1 MB of valid frames. */
    atk_feed_err(&s, &b, c->err);
    calls = s.callbacks;
    peak = s.alloc.peak;
    assert_int_equal(atk_log_count(&s, "error 0 *"), 1);
    /* on_error is the last event (a block may have begun before it),
     * but for the on_stream_close that ends every stream the application
     * knows (h2wire.h, H2W_CLOSE_FLAG_CONNECTION). */
    if (s.log.len < 2 || strstr(s.log.buf, "error 0 ") == NULL) {
      fail_msg("%s: log\n%s", c->what, s.log.buf);
    } else {
      const char *line = strchr(strstr(s.log.buf, "error 0 "), '\n') + 1;
      for (; *line != '\0'; line = strchr(line, '\n') + 1) {
        if (strncmp(line, "close ", 6) != 0 ||
            strncmp(strchr(line, '\n') - 5, " conn", 5) != 0) {
          fail_msg("%s: log\n%s", c->what, s.log.buf);
        }
      }
    }
    /* More of it, in pieces: every call answers the sticky error. */
    valid_traffic(&s, &b);
    for (i = 0; i < b.len; i += 997) {
      size_t len = b.len - i < 997 ? b.len - i : 997;
      assert_int_equal(h2w_session_recv(s.s, b.buf + i, len), c->err);
    }
    h2w_fb_clear(&b);
    assert_int_equal(s.callbacks, calls);
    assert_int_equal(s.alloc.peak, peak);
    assert_false(h2w_session_want_read(s.s));
    /* Exactly one GOAWAY, nothing after it; send() then reports the
     * error and submits are refused. */
    tpeer_parse_out(&s);
    if (atk_frames_count(&s, "GOAWAY*") != 1 ||
        atk_frames_count(&s, c->goaway) != 1) {
      fail_msg("%s: output\n%s", c->what, s.frames.buf);
    }
    assert_int_equal(atk_frames_count(&s, "SETTINGS ack"), 0);
    tpeer_out_clear(&s);
    assert_int_equal(h2w_session_send(s.s, buf, sizeof buf), c->err);
    assert_int_equal(h2w_session_submit_ping(s.s, NULL), c->err);
    assert_int_equal(s.callbacks, calls);
    atk_bound("row 20: 2 MB after a connection error, peak above handshake",
              atk_peak_above(&s, base), 4 * FRAME);
    h2w_fb_free(&b);
    tpeer_free(&s);
  }
}

/* The neighbour: a stream error is not a connection error; the rest of
 * the same buffer is processed. */
static void test_attack_20_legit_after_stream_error(void **state) {
  tpeer s;
  h2w_fb b;
  atk_server(&s, tmode(state), NULL);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, H(":method", "GET", ":path", "/"));
  tpeer_fb_headers(&s, &b, 3, 0x1, GET_REQ);
  h2w_fb_ping(&b, 0, 9);
  atk_feed_ok(&s, &b);
  EXPECT_LOG(&s, "error 1 PROTOCOL_ERROR", "close 1 PROTOCOL_ERROR reset",
             "headers 3 req es=1", "end 3");
  EXPECT_OUT(&s, "RST_STREAM 1 PROTOCOL_ERROR", "PING ack 0000000000000009");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- row 21: allocation failures during the HPACK bomb --------------------
 */

/* The whole conversation in one input: preface, SETTINGS ACK, stream 1
 * indexing a 4000-octet value, stream 3 referencing it 15,000 times. */
static void bomb_conversation(h2w_fb *b) {
  static uint8_t value[4000];
  h2w_fb blk;
  unsigned i;
  memset(value, 'a', sizeof value);
  tfb_client_preface(b, NULL, 0);
  h2w_fb_settings(b, 0x1, NULL, 0);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  atk_hp_indexed_literal(&blk, "x-bomb", 6, value, sizeof value);
  atk_fb_block(b, 1, 0x5, &blk);
  h2w_fb_clear(&blk);
  atk_hp_get_pseudo(&blk);
  for (i = 0; i < 15000; i++) {
    h2w_fb_u8(&blk, 0xbe);
  }
  atk_fb_block(b, 3, 0x5, &blk);
  h2w_fb_free(&blk);
}

/* Fail allocation number k. Returns 1 while a failure was injected. */
static int bomb_with_failure(int mode, long k, const h2w_fb *in) {
  tpeer s;
  int err, calls, failed;
  tpeer_init(&s, 1, mode);
  s.mute |= TEV_HEADER;
  s.alloc.fail_at = k;
  if (tpeer_open(&s, NULL) != H2W_OK) {
    assert_true(s.alloc.failed);
    assert_null(s.s);
    tpeer_free(&s);
    return 1;
  }
  (void)tpeer_feed(&s, in->buf, in->len);
  (void)tpeer_read_out(&s);
  err = h2w_session_error(s.s, NULL, NULL, NULL);
  if (!s.alloc.failed) {
    /* No failure: the normal verdict of test_attack_12_hpack_bomb. */
    assert_int_equal(err, H2W_OK);
    assert_true(tpeer_log_has(&s, "end 1"));
    assert_false(tpeer_log_has(&s, "headers 3 *"));
  } else if (err != H2W_OK) {
    /* The failure is the sticky NOMEM; the bomb never completed, no
     * callback fires any more, every call repeats the error. */
    calls = s.callbacks;
    assert_int_equal(err, H2W_E_NOMEM);
    assert_int_equal(s.recv_err == 0 ? s.send_err : s.recv_err, H2W_E_NOMEM);
    assert_false(tpeer_log_has(&s, "headers 3 *"));
    assert_false(tpeer_log_has(&s, "end 3"));
    assert_int_equal(h2w_session_recv(s.s, in->buf, in->len), H2W_E_NOMEM);
    assert_int_equal(s.callbacks, calls);
  } else {
    /* A failure the session could absorb (none is expected to be) must
     * still leave the bomb refused. */
    assert_false(tpeer_log_has(&s, "headers 3 *"));
  }
  failed = s.alloc.failed;
  tpeer_free(&s); /* fails the test on a leak */
  return failed;
}

static void test_attack_21_bomb_alloc_failures(void **state) {
  h2w_fb in;
  long k = 1;
  h2w_fb_init(&in);
  bomb_conversation(&in);
  while (bomb_with_failure(tmode(state), k, &in)) {
    k++;
    assert_true(k < 100000);
  }
  print_message("[ SWEEP    ] row 21: %ld allocations failed in turn\n", k - 1);
  assert_true(k > 3);
  h2w_fb_free(&in);
}

/* ---- the memory budget (issue 6) -----------------------------------------
 */

static h2w_options *budget_opts(size_t bytes) {
  h2w_options *opt = NULL;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_memory_budget(opt, bytes), H2W_OK);
  return opt;
}

/* The allocator's view of a budget: what h2w_session_memory() does not
 * count (fixed overhead) plus the budget. */
static size_t allocator_cap(const tpeer *p, size_t budget) {
  return p->alloc.bytes - h2w_session_memory(p->s) + budget;
}

/* Streams that would pass the budget are refused with REFUSED_STREAM and
 * no stream callback; the connection lives on and serves again once
 * memory is returned. */
static void test_attack_budget_refuses_streams(void **state) {
  tpeer s;
  h2w_fb b, blk;
  h2w_options *opt;
  size_t budget, cap;
  uint32_t id;
  long admitted, refused;
  /* Measure a session after the handshake, then allow ~10 streams more. */
  atk_server(&s, tmode(state), NULL);
  budget = h2w_session_memory(s.s) + 10 * 256;
  tpeer_free(&s);
  opt = budget_opts(budget);
  atk_server(&s, tmode(state), opt);
  h2w_options_del(opt);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  cap = allocator_cap(&s, budget);
  h2w_fb_init(&b);
  h2w_fb_init(&blk);
  atk_hp_get_pseudo(&blk);
  for (id = 1; id < 100; id += 2) {
    atk_fb_block(&b, id, 0x4, &blk); /* open, no END_STREAM */
  }
  atk_feed_ok(&s, &b);
  admitted = atk_log_count(&s, "headers * req es=0");
  refused = atk_out_count(&s, "RST_STREAM * REFUSED_STREAM");
  print_message("[ BUDGET   ] %zu octets: %ld streams admitted, %ld refused\n",
                budget, admitted, refused);
  assert_true(admitted >= 1 && refused >= 1);
  assert_int_equal(admitted + refused, 50);
  assert_int_equal(atk_log_count(&s, "error * REFUSED_STREAM"), refused);
  assert_int_equal(atk_log_count(&s, "close *"), 0);
  assert_true(h2w_session_memory(s.s) <= budget);
  atk_bound("budget: allocator peak (cap = budget + uncounted)", s.alloc.peak,
            cap + 1);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  /* The peer resets its streams: memory comes back, a new one is
   * admitted. */
  tpeer_log_clear(&s);
  for (id = 1; id < 100; id += 2) {
    h2w_fb_rst_stream(&b, id, H2W_CANCEL);
  }
  atk_fb_block(&b, 101, 0x5, &blk);
  atk_feed_ok(&s, &b);
  if (!tpeer_log_has(&s, "end 101")) {
    fail_msg("all streams closed, memory %zu of %zu, yet:\n%s",
             h2w_session_memory(s.s), budget, s.log.buf);
  }
  h2w_fb_free(&blk);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* Any other allocation the peer provokes past the budget ends the
 * connection: 1000 unread PING ACKs need a 17 KB queue. */
static void test_attack_budget_connection(void **state) {
  tpeer s;
  h2w_fb b;
  h2w_options *opt;
  size_t budget, i;
  atk_server(&s, tmode(state), NULL);
  budget = h2w_session_memory(s.s) + 4096;
  tpeer_free(&s);
  opt = budget_opts(budget);
  atk_server(&s, tmode(state), opt);
  h2w_options_del(opt);
  h2w_fb_init(&b);
  for (i = 0; i < 1000; i++) {
    h2w_fb_ping(&b, 0, i);
  }
  atk_feed_err(&s, &b, H2W_E_LIMIT);
  atk_expect_error(&s, H2W_E_LIMIT, H2W_ENHANCE_YOUR_CALM);
  EXPECT_LOG(&s, "error 0 ENHANCE_YOUR_CALM");
  assert_true(tpeer_out_has(&s, "GOAWAY last=0 ENHANCE_YOUR_CALM*"));
  tpeer_out_clear(&s);
  assert_true(h2w_session_memory(s.s) <= budget);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* A local submit past the budget returns H2W_E_LIMIT and changes
 * nothing; the session stays usable. */
static void test_attack_budget_local_submit(void **state) {
  tpeer c;
  h2w_options *opt;
  h2w_nv nv[40];
  static char big[2000];
  size_t budget, n, i;
  const char *fields[2 * 40 + 1];
  memset(big, 'v', sizeof big - 1);
  atk_client(&c, tmode(state), NULL);
  budget = h2w_session_memory(c.s) + 64 * 1024;
  tpeer_free(&c);
  opt = budget_opts(budget);
  atk_client(&c, tmode(state), opt);
  h2w_options_del(opt);
  memcpy(fields, GET_REQ, 8 * sizeof fields[0]);
  for (i = 8; i < 2 * 40; i += 2) {
    fields[i] = "x-big";
    fields[i + 1] = big;
  }
  fields[2 * 40] = NULL;
  n = tnv(nv, 40, fields);
  /* 72 kB of fields cannot be queued within 64 KiB. */
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, NULL, NULL),
                   H2W_E_LIMIT);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  assert_true(h2w_session_memory(c.s) <= budget);
  assert_int_equal(h2w_session_stream_state(c.s, 1), H2W_STREAM_STATE_IDLE);
  EXPECT_OUT_EMPTY(&c);
  /* Nothing was used up: the next request still gets id 1. */
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  EXPECT_OUT(&c, "HEADERS 1 es eh*");
  assert_true(h2w_session_memory(c.s) <= budget);
  tpeer_free(&c);
}

/* The neighbour: the default budget (4 MiB) never gets in the way of 100
 * concurrent streams with bodies both ways. */
static void test_attack_budget_legit_default(void **state) {
  tpeer c, s;
  uint32_t i;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  c.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  tpump(&c, &s);
  for (i = 0; i < 100; i++) {
    tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 10000));
  }
  tpump(&c, &s);
  assert_int_equal(atk_log_count(&s, "end *"), 100);
  for (i = 0; i < 100; i++) {
    tpeer_respond(&s, 1 + 2 * i, RESP_200, tpeer_source(&s, NULL, 10000));
  }
  tpump(&c, &s);
  assert_int_equal(atk_log_count(&c, "close * NO_ERROR"), 100);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(h2w_session_error(c.s, NULL, NULL, NULL), H2W_OK);
  atk_bound("budget: server peak for 100 streams x 10 kB both ways",
            s.alloc.peak, 4u << 20);
  tpeer_free(&c);
  tpeer_free(&s);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_attack_06_output_buffering),
      SPLIT_TESTS(test_attack_06_legit_reader),
      SPLIT_TESTS(test_attack_20_input_after_error),
      SPLIT_TESTS(test_attack_20_legit_after_stream_error),
      SPLIT_TESTS(test_attack_21_bomb_alloc_failures),
      SPLIT_TESTS(test_attack_budget_refuses_streams),
      SPLIT_TESTS(test_attack_budget_connection),
      SPLIT_TESTS(test_attack_budget_local_submit),
      SPLIT_TESTS(test_attack_budget_legit_default),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
