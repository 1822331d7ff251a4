/* Issue 14, the API-contract defects: A (submits from inside a data
 * source), B (tick from inside on_stream_close), J (on_stream_close for
 * every stream at a connection's death and at del) and the small ones
 * (sticky error in two setters, the one error path for an error GOAWAY,
 * the saturating shutdown deadline, the callback return rule). Each test
 * runs whole, in 1-byte pieces and at random splits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

#define BODY_LEN 20000u
#define BIG_FIELD 40000u

static uint8_t body_bytes[BODY_LEN];
static char big_value[BIG_FIELD + 1];

/* ---- A: a data source that submits from inside read() ------------------- */

/* What the source submits from inside its read() calls. */
enum {
  SUBMIT_PING = 1u << 0,     /* a PING on every read */
  SUBMIT_RESPONSE = 1u << 1, /* first read: answer `other`, 40 KB block */
  SUBMIT_MISC = 1u << 2,     /* first read: SETTINGS, WINDOW_UPDATE... */
  SUBMIT_REQUEST = 1u << 3,  /* first read (client): a new request */
  SUBMIT_RESET = 1u << 4     /* first read: reset `other` */
};

typedef struct asrc {
  tpeer *p;
  size_t off;
  unsigned what;
  uint32_t other; /* another stream to answer or reset */
  int reads;
  int waiting;    /* deferred until `other` arrives */
  int32_t opened; /* SUBMIT_REQUEST: the id it got */
} asrc;

static h2w_ssize asrc_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  asrc *a = user;
  size_t n = BODY_LEN - a->off;
  int first;
  if ((a->what & (SUBMIT_RESPONSE | SUBMIT_RESET)) && a->reads == 0 &&
      h2w_session_stream_state(s, a->other) !=
          H2W_STREAM_STATE_HALF_CLOSED_REMOTE) {
    a->waiting = 1; /* the other request is still on its way */
    return H2W_E_DEFERRED;
  }
  first = a->reads++ == 0;
  if (a->what & SUBMIT_PING) {
    int rv = h2w_session_submit_ping(s, NULL);
    assert_true(rv == H2W_OK || rv == H2W_E_LIMIT);
  }
  if (first && (a->what & SUBMIT_RESPONSE)) {
    h2w_nv nv[2] = {
        {(const uint8_t *)":status", 7, (const uint8_t *)"200", 3, 0},
        {(const uint8_t *)"x-big", 5, (const uint8_t *)big_value, BIG_FIELD,
         0}};
    assert_int_equal(h2w_session_submit_response(s, a->other, nv, 2, NULL),
                     H2W_OK);
  }
  if (first && (a->what & SUBMIT_RESET)) {
    assert_int_equal(h2w_session_submit_rst_stream(s, a->other, H2W_CANCEL),
                     H2W_OK);
  }
  if (first && (a->what & SUBMIT_MISC)) {
    h2w_settings_entry iv = {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50};
    assert_int_equal(h2w_session_submit_settings(s, &iv, 1), H2W_OK);
    assert_int_equal(h2w_session_submit_window_update(s, 0, 1000), H2W_OK);
    assert_int_equal(h2w_session_set_stream_priority(s, id, 1, 1), H2W_OK);
    assert_int_equal(h2w_session_submit_goaway(s, H2W_NO_ERROR, NULL, 0),
                     H2W_OK);
  }
  if (first && (a->what & SUBMIT_REQUEST)) {
    h2w_nv nv[4];
    size_t k = tnv(nv, 4, GET_REQ);
    a->opened = h2w_session_submit_request(s, nv, k, NULL, NULL);
    assert_true(a->opened > 0);
    assert_int_equal(
        h2w_session_submit_priority_update(s, (uint32_t)a->opened, "u=1", 3),
        H2W_OK);
  }
  /* The contract: the output entry points are refused in here. */
  assert_int_equal(h2w_session_send(s, buf, len), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_tick(s, 1), H2W_E_INVALID_STATE);
  if (n > len) {
    n = len;
  }
  if (n > 3000) {
    n = 3000; /* many reads, many submits */
  }
  memcpy(buf, body_bytes + a->off, n);
  a->off += n;
  if (a->off == BODY_LEN) {
    *flags |= H2W_DATA_FLAG_EOF;
  }
  return (h2w_ssize)n;
}

/* Server: answer stream 1 with the submitting source; stream 3, if
 * requested, is left for the source to answer. */
static int answer_hook(tpeer *p, const tev *ev) {
  asrc *a = p->app;
  if (ev->type == TEV_HEADERS && ev->stream_id == 1) {
    h2w_nv nv[1];
    h2w_data_source ds = {asrc_read, NULL, a};
    size_t n = tnv(nv, 1, RESP_200);
    assert_int_equal(h2w_session_submit_response(p->s, 1, nv, n, &ds), H2W_OK);
  }
  if (ev->type == TEV_HEADERS && ev->stream_id == a->other && a->waiting) {
    a->waiting = 0;
    assert_int_equal(h2w_session_resume_data(p->s, 1), H2W_OK);
  }
  return 0;
}

static void expect_body(tpeer *c, uint32_t id) {
  size_t len;
  const uint8_t *got = tpeer_body(c, id, &len);
  assert_int_equal(len, BODY_LEN);
  assert_memory_equal(got, body_bytes, BODY_LEN);
}

static void exchange(void **state, unsigned what, int peek) {
  tpeer c, s;
  asrc a;
  h2w_options *opt = NULL;
  memset(&a, 0, sizeof a);
  tpattern(body_bytes, BODY_LEN);
  memset(big_value, 'v', BIG_FIELD);
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_max_header_list_size(opt, 1u << 20), H2W_OK);
  tpeer_start(&c, 0, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_start(&s, 1, tmode(state), NULL);
  s.use_peek = peek;
  s.app = &a;
  s.hook = answer_hook;
  a.what = what;
  a.other = 3;
  c.mute |= TEV_HEADER;
  tpeer_request(&c, GET_REQ, NULL);
  if (what & (SUBMIT_RESPONSE | SUBMIT_RESET)) {
    tpeer_request(&c, GET_REQ, NULL);
  }
  tpump(&c, &s);
  assert_int_equal(c.recv_err, 0);
  assert_int_equal(s.recv_err, 0);
  assert_true(a.reads > 1);
  expect_body(&c, 1);
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  if (what & SUBMIT_PING) {
    assert_true(tpeer_log_has(&s, "ping_ack*"));
  }
  if (what & SUBMIT_RESPONSE) {
    assert_true(tpeer_log_has(&c, "headers 3 resp es=1"));
    assert_true(tpeer_log_has(&c, "close 3 NO_ERROR"));
  }
  if (what & SUBMIT_RESET) {
    assert_true(tpeer_log_has(&c, "reset 3 CANCEL"));
  }
  if (what & SUBMIT_MISC) {
    assert_true(tpeer_log_has(&c, "goaway * NO_ERROR*"));
  }
  tpeer_free(&c);
  tpeer_free(&s);
}

/* A PING submitted from inside read() while the DATA frame is built in the
 * output queue (send() with little room, or peek()) was written over the
 * frame being read into: a DATA frame cut short, then bytes read as a
 * CONTINUATION on stream 256. */
static void test_defect_a_ping_in_read_send(void **state) {
  exchange(state, SUBMIT_PING, 0);
}

static void test_defect_a_ping_in_read_peek(void **state) {
  exchange(state, SUBMIT_PING, 1);
}

/* A 40 KB header block submitted from inside read() grew the output queue
 * by realloc and freed the buffer read() was writing (heap
 * use-after-free); the response is for another stream. */
static void test_defect_a_response_in_read_send(void **state) {
  exchange(state, SUBMIT_RESPONSE | SUBMIT_PING, 0);
}

static void test_defect_a_response_in_read_peek(void **state) {
  exchange(state, SUBMIT_RESPONSE | SUBMIT_PING, 1);
}

/* Every other kind of submit from inside read(): reset of another stream,
 * SETTINGS, WINDOW_UPDATE, priority, GOAWAY NO_ERROR. */
static void test_defect_a_other_submits_in_read(void **state) {
  exchange(state, SUBMIT_RESET | SUBMIT_MISC | SUBMIT_PING, 0);
  exchange(state, SUBMIT_RESET | SUBMIT_MISC | SUBMIT_PING, 1);
}

/* Client side: a request body whose read() opens another request and
 * sends its PRIORITY_UPDATE. */
static int client_answer_hook(tpeer *p, const tev *ev) {
  if (ev->type == TEV_END) {
    tpeer_respond(p, ev->stream_id, RESP_200, NULL);
  }
  return 0;
}

static void test_defect_a_request_in_read(void **state) {
  tpeer c, s;
  asrc a;
  h2w_nv nv[4];
  size_t n;
  h2w_data_source ds = {asrc_read, NULL, NULL};
  size_t len;
  memset(&a, 0, sizeof a);
  tpattern(body_bytes, BODY_LEN);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  s.hook = client_answer_hook;
  a.what = SUBMIT_REQUEST | SUBMIT_PING;
  ds.user = &a;
  n = tnv(nv, 4, POST_REQ);
  assert_int_equal(h2w_session_submit_request(c.s, nv, n, &ds, NULL), 1);
  tpump(&c, &s);
  assert_int_equal(c.recv_err, 0);
  assert_int_equal(s.recv_err, 0);
  assert_int_equal(a.opened, 3);
  tpeer_body(&s, 1, &len);
  assert_int_equal(len, BODY_LEN);
  assert_memory_equal(tpeer_body(&s, 1, &len), body_bytes, BODY_LEN);
  assert_true(tpeer_log_has(&c, "close 1 NO_ERROR"));
  assert_true(tpeer_log_has(&c, "close 3 NO_ERROR"));
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- B: the refused entry points from inside on_stream_close ------------ */

typedef struct bstate {
  int closes;
  int tick_rv, recv_rv, send_rv, peek_rv, ack_rv, upgrade_rv, ping_rv;
} bstate;

static int close_reenter_hook(tpeer *p, const tev *ev) {
  bstate *b = p->app;
  uint8_t buf[64];
  const uint8_t *data;
  if (ev->type != TEV_CLOSE) {
    return 0;
  }
  b->closes++;
  b->tick_rv = h2w_session_tick(p->s, 5000);
  b->recv_rv = (int)h2w_session_recv(p->s, buf, 0);
  b->send_rv = (int)h2w_session_send(p->s, buf, sizeof buf);
  b->peek_rv = (int)h2w_session_peek(p->s, &data);
  b->ack_rv = h2w_session_ack(p->s, 0);
  b->upgrade_rv = h2w_session_upgrade(p->s, "", 0, 0, NULL);
  h2w_session_del(p->s); /* refused: the session must stay usable */
  b->ping_rv = h2w_session_submit_ping(p->s, NULL);
  return 0;
}

/* h2w_session_tick() from inside on_stream_close re-entered h2w_reap():
 * the stream being reported was reported twice and freed under the outer
 * reap (heap use-after-free). */
static void test_defect_b_tick_in_close(void **state) {
  tpeer s;
  h2w_fb b;
  bstate st;
  memset(&st, 0, sizeof st);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  assert_int_equal(h2w_session_tick(s.s, 1000), H2W_OK);
  s.app = &st;
  s.hook = close_reenter_hook;
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  h2w_fb_rst_stream(&b, 1, H2W_CANCEL);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(st.closes, 1);
  assert_int_equal(st.tick_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.recv_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.send_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.peek_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.ack_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.upgrade_rv, H2W_E_INVALID_STATE);
  assert_int_equal(st.ping_rv, H2W_OK);
  /* The refused tick took no time: the session clock is still 1000. */
  assert_int_equal(h2w_session_tick(s.s, 1000), H2W_OK);
  EXPECT_OUT(&s, "PING*");
  EXPECT_LOG(&s, "begin_headers 1 req", "headers 1 req es=0", "reset 1 CANCEL",
             "close 1 CANCEL reset");
  h2w_fb_free(&b);
  tpeer_free(&s);
  assert_int_equal(st.closes, 1);
}

/* ---- J: every stream ends, at a connection's death and at del ---------- */

/* A server that keeps per-request state from on_begin_headers to
 * on_stream_close, as every binding must. */
typedef struct jstate {
  long live; /* blocks allocated and not yet freed */
  uint32_t order[256];
  uint32_t flags[256];
  size_t n;
} jstate;

static int per_request_hook(tpeer *p, const tev *ev) {
  jstate *j = p->app;
  if (ev->type == TEV_BEGIN_HEADERS) {
    void *mem = malloc(32);
    assert_non_null(mem);
    j->live++;
    assert_int_equal(h2w_session_set_stream_user_data(p->s, ev->stream_id, mem),
                     H2W_OK);
  } else if (ev->type == TEV_CLOSE) {
    void *mem = h2w_session_get_stream_user_data(p->s, ev->stream_id);
    if (mem != NULL) {
      free(mem);
      j->live--;
    }
    if (j->n < 256) {
      j->order[j->n] = ev->stream_id;
      j->flags[j->n] = ev->flags;
      j->n++;
    }
  }
  return 0;
}

/* Streams 1, 3, ... 2k-1 opened by the fake client, none finished. */
static void open_requests(tpeer *s, h2w_fb *b, uint32_t k) {
  uint32_t i;
  for (i = 0; i < k; i++) {
    tpeer_fb_headers(s, b, 2 * i + 1, 0, POST_REQ);
  }
  tpeer_feed_ok(s, b);
}

static void expect_all_closed(const jstate *j, uint32_t k, int retryable) {
  uint32_t i;
  assert_int_equal(j->n, k);
  for (i = 0; i < k; i++) {
    /* Ascending id order, each exactly once, flagged. */
    assert_int_equal(j->order[i], 2 * i + 1);
    assert_true(j->flags[i] & H2W_CLOSE_FLAG_CONNECTION);
    assert_int_equal((j->flags[i] & H2W_CLOSE_FLAG_RETRYABLE) != 0, retryable);
  }
  assert_int_equal(j->live, 0);
}

/* A connection error with requests open: before the fix no
 * on_stream_close fired and the per-request state leaked. */
static void test_defect_j_close_on_connection_error(void **state) {
  tpeer s;
  h2w_fb b;
  jstate j;
  uint8_t buf[64];
  memset(&j, 0, sizeof j);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.app = &j;
  s.hook = per_request_hook;
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  open_requests(&s, &b, 100);
  assert_int_equal(j.live, 100);
  /* PING on stream 1: PROTOCOL_ERROR (RFC 9113 §6.7). */
  h2w_fb_hd(&b, 8, 0x6, 0, 1);
  h2w_fb_zeros(&b, 8);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_PROTOCOL);
  /* Before the failing recv returned. */
  expect_all_closed(&j, 100, 0);
  assert_true(tpeer_log_has(&s, "close 1 PROTOCOL_ERROR conn"));
  /* Nothing more, at any later call or at del. */
  assert_int_equal(h2w_session_send(s.s, buf, sizeof buf) != 0, 1);
  assert_int_equal(h2w_session_tick(s.s, 99), H2W_E_PROTOCOL);
  h2w_fb_free(&b);
  tpeer_free(&s);
  assert_int_equal(j.n, 100);
}

/* h2w_session_del() with requests open. */
static void test_defect_j_close_at_del(void **state) {
  tpeer s;
  h2w_fb b;
  jstate j;
  memset(&j, 0, sizeof j);
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.app = &j;
  s.hook = per_request_hook;
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  open_requests(&s, &b, 100); /* the default concurrency limit */
  assert_int_equal(j.live, 100);
  assert_int_equal(j.n, 0);
  h2w_fb_free(&b);
  tpeer_free(&s);
  expect_all_closed(&j, 100, 0);
}

/* A client's queued requests (MAX_CONCURRENT_STREAMS 1) end at del too,
 * as retryable since they never reached the wire. */
static void test_defect_j_queued_requests_at_del(void **state) {
  tpeer c;
  h2w_fb b;
  jstate j;
  h2w_settings_entry iv = {H2W_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1};
  memset(&j, 0, sizeof j);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_handshake(&c);
  h2w_fb_init(&b);
  h2w_fb_settings(&b, 0, &iv, 1);
  tpeer_feed_ok(&c, &b);
  tpeer_out_clear(&c);
  c.app = &j;
  c.hook = per_request_hook;
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 1);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 3);
  assert_int_equal(tpeer_request(&c, GET_REQ, NULL), 5);
  EXPECT_OUT(&c, "HEADERS 1*");
  h2w_fb_free(&b);
  tpeer_free(&c);
  assert_int_equal(j.n, 3);
  assert_int_equal(j.order[0], 1);
  assert_int_equal(j.order[1], 3);
  assert_int_equal(j.order[2], 5);
  assert_int_equal(j.flags[0], H2W_CLOSE_FLAG_CONNECTION);
  assert_int_equal(j.flags[1],
                   H2W_CLOSE_FLAG_CONNECTION | H2W_CLOSE_FLAG_RETRYABLE);
  assert_int_equal(j.flags[2],
                   H2W_CLOSE_FLAG_CONNECTION | H2W_CLOSE_FLAG_RETRYABLE);
}

/* Loopback: the client disconnects (del) with requests in flight; the
 * server, fed a truncated frame then nothing, is deleted as well. */
static void test_defect_j_disconnect_loopback(void **state) {
  tpeer c, s;
  jstate j;
  uint32_t i;
  memset(&j, 0, sizeof j);
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  s.app = &j;
  s.hook = per_request_hook;
  s.mute |= TEV_HEADER;
  for (i = 0; i < 5; i++) {
    tpeer_request(&c, POST_REQ, tpeer_source(&c, NULL, 100000));
  }
  tpump(&c, &s);
  assert_int_equal(j.live, 5);
  tpeer_free(&c);
  tpeer_free(&s);
  expect_all_closed(&j, 5, 0);
}

/* h2w_session_foreach_stream(): ascending, tolerant of submits. */
typedef struct walk {
  uint32_t ids[16];
  size_t n;
  int stop_at;
} walk;

static int visit(h2w_session *s, uint32_t id, int state, void *stream_user,
                 void *user) {
  walk *w = user;
  uint8_t buf[16];
  (void)stream_user;
  assert_int_equal(state, H2W_STREAM_STATE_OPEN);
  w->ids[w->n++] = id;
  /* Refused from inside the walk; submits allowed. */
  assert_int_equal(h2w_session_send(s, buf, sizeof buf), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_tick(s, 1), H2W_E_INVALID_STATE);
  if (id == 3 && h2w_session_stream_state(s, 5) == H2W_STREAM_STATE_OPEN) {
    /* The next stream closes: the walk skips it. */
    assert_int_equal(h2w_session_submit_rst_stream(s, 5, H2W_CANCEL), H2W_OK);
  }
  return (int)w->n == w->stop_at ? 42 : 0;
}

static void test_defect_j_foreach_stream(void **state) {
  tpeer s;
  h2w_fb b;
  walk w;
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.mute |= TEV_HEADER;
  h2w_fb_init(&b);
  open_requests(&s, &b, 5); /* 1, 3, 5, 7, 9 */
  tpeer_log_clear(&s);
  memset(&w, 0, sizeof w);
  assert_int_equal(h2w_session_foreach_stream(s.s, visit, &w), H2W_OK);
  assert_int_equal(w.n, 4);
  assert_int_equal(w.ids[0], 1);
  assert_int_equal(w.ids[1], 3);
  assert_int_equal(w.ids[2], 7);
  assert_int_equal(w.ids[3], 9);
  memset(&w, 0, sizeof w);
  w.stop_at = 2;
  assert_int_equal(h2w_session_foreach_stream(s.s, visit, &w), 42);
  assert_int_equal(w.n, 2);
  assert_int_equal(h2w_session_foreach_stream(NULL, visit, &w),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_foreach_stream(s.s, NULL, &w),
                   H2W_E_INVALID_ARGUMENT);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* ---- the small ones ------------------------------------------------------ */

/* Stream 1 open, then a connection error. */
static void dead_server(tpeer *s, void **state) {
  h2w_fb b;
  tpeer_start(s, 1, tmode(state), NULL);
  tpeer_handshake(s);
  h2w_fb_init(&b);
  tpeer_fb_headers(s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(s, &b);
  h2w_fb_window_update(&b, 0, 0); /* §6.9: increment 0 on the connection */
  assert_int_equal(tpeer_feed_fb(s, &b), H2W_E_PROTOCOL);
  h2w_fb_free(&b);
}

/* The setters ignored the sticky error. */
static void test_small_set_stream_priority_sticky(void **state) {
  tpeer s;
  dead_server(&s, state);
  assert_int_equal(h2w_session_set_stream_priority(s.s, 1, 0, 1),
                   H2W_E_PROTOCOL);
  tpeer_free(&s);
}

static void test_small_set_stream_user_data_sticky(void **state) {
  tpeer s;
  int mark;
  dead_server(&s, state);
  assert_int_equal(h2w_session_set_stream_user_data(s.s, 1, &mark),
                   H2W_E_PROTOCOL);
  tpeer_free(&s);
}

/* submit_goaway(code != 0) wrote the sticky error itself: the open
 * streams never ended. Through the one error path they end at once. */
static void test_small_goaway_error_one_path(void **state) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  assert_int_equal(h2w_session_submit_goaway(s.s, H2W_PROTOCOL_ERROR,
                                             (const uint8_t *)"x", 1),
                   H2W_OK);
  assert_int_equal(h2w_session_error(s.s, NULL, NULL, NULL), H2W_E_CLOSED);
  /* No on_error: the application chose it (on_error reports errors the
   * session finds). */
  EXPECT_LOG(&s, "close 1 PROTOCOL_ERROR conn");
  EXPECT_OUT(&s, "GOAWAY last=1 PROTOCOL_ERROR*");
  assert_int_equal(h2w_session_submit_ping(s.s, NULL), H2W_E_CLOSED);
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* The two tests below end the connection from inside a callback: the
 * hook submits GOAWAY CANCEL at the event type p->app points at (for
 * on_error, only the connection's error). */
static int goaway_hook(tpeer *p, const tev *ev) {
  const unsigned *at = p->app;
  if (ev->type == *at && (ev->type != TEV_ERROR || ev->stream_id == 0)) {
    assert_int_equal(h2w_session_submit_goaway(p->s, H2W_CANCEL, NULL, 0),
                     H2W_OK);
  }
  return 0;
}

/* A handshaken server with goaway_hook at `*at`, logging all but `mute`. */
static void goaway_server(tpeer *s, void **state, unsigned *at, unsigned mute) {
  tpeer_start(s, 1, tmode(state), NULL);
  tpeer_handshake(s);
  s->app = at;
  s->hook = goaway_hook;
  s->mute |= mute;
}

/* An error GOAWAY submitted from on_error goes through the same path,
 * which must not report (and so re-enter) on_error again. */
static void test_small_goaway_from_on_error(void **state) {
  static unsigned at = TEV_ERROR;
  tpeer s;
  h2w_fb b;
  goaway_server(&s, state, &at, TEV_HEADER | TEV_BEGIN_HEADERS | TEV_HEADERS);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0, POST_REQ);
  tpeer_feed_ok(&s, &b);
  h2w_fb_window_update(&b, 0, 0);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_CLOSED);
  EXPECT_LOG(&s, "error 0 PROTOCOL_ERROR", "close 1 CANCEL conn");
  EXPECT_OUT(&s, "GOAWAY last=1 CANCEL*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* An error GOAWAY submitted from on_headers of a request that carries
 * END_STREAM ended the connection, yet on_stream_end still fired for it
 * after the fatal error (found by the session fuzzer): a callback that
 * ends the connection stops the frame there, whatever it returns. */
static void test_small_goaway_from_on_headers(void **state) {
  static unsigned at = TEV_HEADERS;
  tpeer s;
  h2w_fb b;
  goaway_server(&s, state, &at, TEV_HEADER | TEV_BEGIN_HEADERS);
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1 /* END_STREAM */, GET_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_CLOSED);
  EXPECT_LOG(&s, "headers 1 req es=1", "close 1 CANCEL conn");
  EXPECT_OUT(&s, "GOAWAY last=1 CANCEL*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

/* shutdown_deadline = now + ms wrapped: near the end of the clock the
 * final GOAWAY went out at once instead of never. */
static void test_small_shutdown_deadline_saturates(void **state) {
  tpeer s;
  h2w_options *opt = NULL;
  const uint64_t now = UINT64_MAX - 100;
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_shutdown_timeout(opt, UINT32_MAX), H2W_OK);
  tpeer_start(&s, 1, tmode(state), opt);
  h2w_options_del(opt);
  tpeer_handshake(&s);
  assert_int_equal(h2w_session_tick(s.s, now), H2W_OK);
  assert_int_equal(h2w_session_shutdown(s.s), H2W_OK);
  assert_true(h2w_session_next_deadline(s.s) >= now);
  assert_int_equal(h2w_session_tick(s.s, now + 50), H2W_OK);
  EXPECT_OUT(&s, "GOAWAY last=2147483647 NO_ERROR*", "PING*");
  tpeer_free(&s);
}

/* One rule for callback results: a positive value is an answer only
 * where defined (on_push_promise); anywhere else it is a failure. */
static int positive_hook(tpeer *p, const tev *ev) {
  (void)p;
  return ev->type == TEV_HEADERS ? 1 : 0;
}

static void test_small_positive_callback_result(void **state) {
  tpeer s;
  h2w_fb b;
  tpeer_start(&s, 1, tmode(state), NULL);
  tpeer_handshake(&s);
  s.hook = positive_hook;
  s.mute |= TEV_HEADER | TEV_BEGIN_HEADERS;
  h2w_fb_init(&b);
  tpeer_fb_headers(&s, &b, 1, 0x1, GET_REQ);
  assert_int_equal(tpeer_feed_fb(&s, &b), H2W_E_CALLBACK_FAILURE);
  EXPECT_OUT(&s, "GOAWAY last=1 INTERNAL_ERROR*");
  h2w_fb_free(&b);
  tpeer_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_defect_a_ping_in_read_send),
      SPLIT_TESTS(test_defect_a_ping_in_read_peek),
      SPLIT_TESTS(test_defect_a_response_in_read_send),
      SPLIT_TESTS(test_defect_a_response_in_read_peek),
      SPLIT_TESTS(test_defect_a_other_submits_in_read),
      SPLIT_TESTS(test_defect_a_request_in_read),
      SPLIT_TESTS(test_defect_b_tick_in_close),
      SPLIT_TESTS(test_defect_j_close_on_connection_error),
      SPLIT_TESTS(test_defect_j_close_at_del),
      SPLIT_TESTS(test_defect_j_queued_requests_at_del),
      SPLIT_TESTS(test_defect_j_disconnect_loopback),
      SPLIT_TESTS(test_defect_j_foreach_stream),
      SPLIT_TESTS(test_small_set_stream_priority_sticky),
      SPLIT_TESTS(test_small_set_stream_user_data_sticky),
      SPLIT_TESTS(test_small_goaway_error_one_path),
      SPLIT_TESTS(test_small_goaway_from_on_error),
      SPLIT_TESTS(test_small_goaway_from_on_headers),
      SPLIT_TESTS(test_small_shutdown_deadline_saturates),
      SPLIT_TESTS(test_small_positive_callback_result),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
