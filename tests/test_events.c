/* Event-buffer mode, packed submits and memory-range bodies (h2wire.h,
 * "Event-buffer mode").
 *
 * The core check is equivalence: two worlds, each a client and a server
 * in memory, hold the same conversation -- one world through callbacks,
 * h2w_nv submits and a data source, the other in event-buffer mode
 * through packed submits and range bodies -- and must write the same
 * octets and report the same events, line for line (fuzz/events_log.h),
 * in every split mode and with pause thresholds from "every frame" to
 * none. Then the failure sweep (every allocation of the event-mode
 * server fails in turn: NOMEM or the same result, no leak), the record
 * layout, lifetimes, backpressure and misuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../fuzz/events_log.h"
#include "h2wire.h"
#include "pump.h"
#include "test_alloc.h"
#include "test_split.h"

#define BIG 70000u /* larger than a default window */
static uint8_t big_body[BIG];

/* A body of the callback world, read from memory by a data source. */
typedef struct msrc {
  uint32_t id;
  const uint8_t *p;
  size_t len, off;
  int trailers;
} msrc;

#define NSRC 16

typedef struct side {
  h2w_session *s;
  int events; /* in event-buffer mode */
  h2w_test_alloc alloc;
  evlog log;
  size_t scanned;
} side;

typedef struct world {
  int events; /* 1: event-buffer mode, packed submits */
  int split;
  size_t pause;
  uint32_t rng;
  side c, s;
  msrc src[NSRC];
  int dead; /* a session failed (sweeps) */
} world;

static h2w_ssize msrc_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  world *w = user;
  size_t i, n;
  (void)s;
  for (i = 0; i < NSRC; i++) {
    msrc *m = &w->src[i];
    if (m->id == id) {
      n = m->len - m->off < len ? m->len - m->off : len;
      memcpy(buf, m->p + m->off, n);
      m->off += n;
      if (m->off == m->len) {
        *flags |= H2W_DATA_FLAG_EOF;
        if (m->trailers) {
          *flags |= H2W_DATA_FLAG_NO_END_STREAM;
        }
        m->id = 0;
      }
      return (h2w_ssize)n;
    }
  }
  return H2W_E_DEFERRED;
}

static void side_open(world *w, side *sd, int server) {
  h2w_callbacks *cb;
  h2w_options *opt;
  h2w_test_alloc_init(&sd->alloc);
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  evlog_callbacks(cb, 0);
  if (w->events) {
    /* In event mode on_push_promise would still be called (and log). */
    h2w_callbacks_set_on_push_promise(cb, NULL);
  }
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  assert_int_equal(h2w_options_set_enable_push(opt, 1), H2W_OK);
  if (server) {
    assert_int_equal(
        h2w_session_server_new(&sd->s, cb, opt, &sd->log, &sd->alloc.mem),
        H2W_OK);
  } else {
    assert_int_equal(
        h2w_session_client_new(&sd->s, cb, opt, &sd->log, &sd->alloc.mem),
        H2W_OK);
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  sd->events = w->events;
  if (w->events) {
    assert_int_equal(
        h2w_session_set_events(sd->s, H2W_EVENTS_ON | H2W_EVENTS_DATA_IN_INPUT,
                               w->pause),
        H2W_OK);
  }
}

static void world_open(world *w, int events, int split, size_t pause) {
  memset(w, 0, sizeof(*w));
  w->events = events;
  w->split = split;
  w->pause = pause;
  w->rng = 7;
  side_open(w, &w->c, 0);
  side_open(w, &w->s, 1);
}

static void world_close(world *w) {
  h2w_session_del(w->c.s);
  h2w_session_del(w->s.s);
  assert_int_equal(w->c.alloc.live, 0);
  assert_int_equal(w->s.alloc.live, 0);
  evlog_free(&w->c.log);
  evlog_free(&w->s.log);
}

/* The event-mode side logs what was recorded outside a receive. */
static void take(world *w, side *sd) {
  const h2w_event *ev;
  const uint8_t *bytes;
  size_t n, nb;
  (void)w;
  if (!sd->events) {
    return;
  }
  assert_int_equal(h2w_session_events(sd->s, &ev, &n, &bytes, &nb), H2W_OK);
  assert_int_equal(evlog_records(&sd->log, ev, n, bytes, nb, NULL), 0);
}

/* Feed in[0..len) to a side in the world's split mode. */
static void feed(world *w, side *sd, const uint8_t *in, size_t len) {
  size_t off = 0;
  while (off < len && !w->dead) {
    size_t piece = len - off;
    if (w->split == H2W_SPLIT_BYTEWISE) {
      piece = 1;
    } else if (w->split == H2W_SPLIT_RANDOM) {
      size_t r = 1 + h2w_test_rng(&w->rng) % 100;
      piece = r < piece ? r : piece;
    }
    if (!sd->events) {
      h2w_ssize rv = h2w_session_recv(sd->s, in + off, piece);
      if (rv < 0) {
        w->dead = 1;
        return;
      }
      assert_int_equal((size_t)rv, piece);
      off += piece;
      continue;
    }
    while (piece > 0) {
      h2w_event_batch b;
      h2w_ssize rv = h2w_session_recv_events(sd->s, in + off, piece, &b);
      assert_int_equal(evlog_records(&sd->log, b.events, b.nevents, b.bytes,
                                     b.nbytes, in + off),
                       0);
      if (rv < 0) {
        w->dead = 1;
        return;
      }
      assert_true((size_t)rv <= piece);
      off += (size_t)rv;
      piece -= (size_t)rv;
    }
  }
}

/* Move everything one side has to write to the other. 0: nothing. */
static size_t move(world *w, side *from, side *to) {
  uint8_t buf[4096];
  size_t total = 0;
  for (;;) {
    size_t cap = sizeof(buf);
    h2w_ssize n;
    if (w->split == H2W_SPLIT_RANDOM) {
      cap = 1 + h2w_test_rng(&w->rng) % sizeof(buf);
    }
    n = h2w_session_send(from->s, buf, cap);
    take(w, from);
    if (n <= 0) {
      if (n < 0) {
        w->dead = 1;
      }
      break;
    }
    total += (size_t)n;
    feed(w, to, buf, (size_t)n);
  }
  return total;
}

static const uint8_t *blob_of(const char *const *f, size_t *len) {
  static uint8_t blob[1024];
  size_t n = 0, i, p;
  while (f[2 * n] != NULL) {
    n++;
  }
  p = 4 + 8 * n;
  blob[0] = (uint8_t)n;
  blob[1] = blob[2] = blob[3] = 0;
  for (i = 0; i < n; i++) {
    size_t nl = strlen(f[2 * i]), vl = strlen(f[2 * i + 1]);
    uint32_t words[2] = {(uint32_t)nl, (uint32_t)vl};
    size_t k;
    for (k = 0; k < 2; k++) {
      blob[4 + 8 * i + 4 * k] = (uint8_t)(words[k] & 0xff);
      blob[5 + 8 * i + 4 * k] = (uint8_t)(words[k] >> 8);
      blob[6 + 8 * i + 4 * k] = (uint8_t)(words[k] >> 16);
      blob[7 + 8 * i + 4 * k] = (uint8_t)(words[k] >> 24);
    }
    memcpy(blob + p, f[2 * i], nl);
    memcpy(blob + p + nl, f[2 * i + 1], vl);
    p += nl + vl;
  }
  *len = p;
  return blob;
}

static msrc *new_src(world *w, const uint8_t *p, size_t len, int trailers) {
  size_t i;
  for (i = 0; i < NSRC; i++) {
    if (w->src[i].id == 0 && w->src[i].p == NULL) {
      w->src[i].p = p;
      w->src[i].len = len;
      w->src[i].off = 0;
      w->src[i].trailers = trailers;
      return &w->src[i];
    }
  }
  fail();
  return NULL;
}

/* A request with a body of len octets of big_body (or none). */
static int32_t request(world *w, const char *const *f, size_t len, int body) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, f), bl;
  const uint8_t *blob = blob_of(f, &bl);
  int32_t id;
  if (w->events) {
    return h2w_session_submit_request_packed(w->c.s, blob, bl,
                                             body ? big_body : NULL, len,
                                             body ? H2W_RANGE_BODY : 0, NULL);
  }
  if (!body) {
    return h2w_session_submit_request(w->c.s, nv, n, NULL, NULL);
  } else {
    msrc *m = new_src(w, big_body, len, 0);
    h2w_data_source ds = {msrc_read, NULL, w};
    id = h2w_session_submit_request(w->c.s, nv, n, &ds, NULL);
    m->id = id > 0 ? (uint32_t)id : 0;
    m->p = id > 0 ? m->p : NULL;
    return id;
  }
}

/* The server answers each request its log shows since the last call:
 * stream 1 with a big body and trailers, others with a body whose size
 * depends on the id. */
static void respond(world *w) {
  side *sd = &w->s;
  char *line = sd->log.buf != NULL ? sd->log.buf + sd->scanned : NULL;
  while (line != NULL && *line != 0) {
    char *nl = strchr(line, '\n');
    unsigned id;
    int kind, es, rv;
    if (sscanf(line, "headers %u %d %d", &id, &kind, &es) == 3 &&
        kind == H2W_HEADERS_REQUEST) {
      const char *const *f = H(":status", "200", "x-id", "events");
      size_t len = id == 1 ? BIG : (size_t)id * 37u, bl;
      int trailers = id == 1;
      h2w_nv nv[4];
      size_t n = tnv(nv, 4, f);
      const uint8_t *blob = blob_of(f, &bl);
      if (w->events) {
        rv = h2w_session_submit_response_packed(
            sd->s, id, blob, bl, big_body, len,
            H2W_RANGE_BODY | (trailers ? H2W_RANGE_NO_END_STREAM : 0));
      } else {
        msrc *m = new_src(w, big_body, len, trailers);
        h2w_data_source ds = {msrc_read, NULL, w};
        rv = h2w_session_submit_response(sd->s, id, nv, n, &ds);
        m->id = rv == H2W_OK ? id : 0;
        m->p = rv == H2W_OK ? m->p : NULL;
      }
      if (rv == H2W_OK && trailers) {
        h2w_nv t[1];
        tnv(t, 1, H("x-trailer", "done"));
        rv = h2w_session_submit_trailers(sd->s, id, t, 1);
      }
      /* A stream the client reset meanwhile is gone: INVALID_STATE. */
      if (rv != H2W_OK && rv != H2W_E_INVALID_STATE) {
        w->dead = 1;
      }
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  sd->scanned = sd->log.len;
}

static void pump(world *w) {
  int i;
  for (i = 0; i < 10000 && !w->dead; i++) {
    size_t moved = move(w, &w->c, &w->s);
    respond(w);
    moved += move(w, &w->s, &w->c);
    if (moved == 0) {
      return;
    }
  }
  assert_true(w->dead);
}

/* The conversation: requests with and without bodies, a field never to
 * be indexed, a PING, a push, a reset and a graceful GOAWAY. */
static void converse(world *w) {
  int32_t id9;
  uint8_t ping[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  h2w_nv nv[8];
  size_t n;
  pump(w);
  if (request(w, GET_REQ, 0, 0) <= 0 || request(w, POST_REQ, 1000, 1) <= 0 ||
      request(w,
              H(":method", "GET", ":scheme", "https", ":authority",
                "example.org", ":path", "/secret", "authorization", "x"),
              0, 0) <= 0) {
    w->dead = 1;
  }
  pump(w);
  if (w->dead) {
    return;
  }
  h2w_session_submit_ping(w->c.s, ping);
  /* A push on a request still open on the server: a client stream that
   * sent its body and waits. */
  if (request(w, POST_REQ, 10, 1) <= 0) {
    w->dead = 1;
    return;
  }
  move(w, &w->c, &w->s);
  n = tnv(nv, 8,
          H(":method", "GET", ":scheme", "https", ":authority", "example.org",
            ":path", "/pushed"));
  (void)h2w_session_submit_push_promise(w->s.s, 7, nv, n, NULL);
  respond(w);
  pump(w);
  /* A request the client gives up on once the server has it. */
  id9 = request(w, GET_REQ, 0, 0);
  if (id9 != 9) {
    w->dead = 1;
    return;
  }
  move(w, &w->c, &w->s);
  (void)h2w_session_submit_rst_stream(w->c.s, 9, H2W_CANCEL);
  h2w_session_shutdown(w->s.s);
  pump(w);
  take(w, &w->c);
  take(w, &w->s);
}

static void compare(const world *a, const world *b) {
  static int dumped;
  if (getenv("EVENTS_DUMP") != NULL && !dumped++) {
    const char *names[4] = {"/tmp/ev_ac.txt", "/tmp/ev_bc.txt",
                            "/tmp/ev_as.txt", "/tmp/ev_bs.txt"};
    const evlog *logs[4] = {&a->c.log, &b->c.log, &a->s.log, &b->s.log};
    int k;
    for (k = 0; k < 4; k++) {
      FILE *f = fopen(names[k], "w");
      fwrite(logs[k]->buf, 1, logs[k]->len, f);
      fclose(f);
    }
  }
  assert_int_equal(a->c.log.len, b->c.log.len);
  assert_int_equal(a->s.log.len, b->s.log.len);
  assert_memory_equal(a->c.log.buf, b->c.log.buf, a->c.log.len);
  assert_memory_equal(a->s.log.buf, b->s.log.buf, a->s.log.len);
}

static void equivalence(void **state, size_t pause) {
  world a, b;
  world_open(&a, 0, tmode(state), 0);
  world_open(&b, 1, tmode(state), pause);
  converse(&a);
  converse(&b);
  assert_false(a.dead);
  assert_false(b.dead);
  assert_non_null(strstr(a.c.log.buf, "headers 1 3 1")); /* trailers */
  assert_non_null(strstr(a.c.log.buf, "push 7 2 0"));
  assert_non_null(strstr(a.c.log.buf, "ping_ack"));
  assert_non_null(strstr(a.c.log.buf, "goaway"));
  assert_non_null(strstr(a.s.log.buf, "reset 9 8"));
  assert_non_null(strstr(a.s.log.buf, "header 5 1")); /* never indexed */
  compare(&a, &b);
  world_close(&a);
  world_close(&b);
}

static void test_equivalence(void **state) {
  equivalence(state, 0);
}
/* Every frame pauses; then a threshold some frames reach. */
static void test_equivalence_pause_each(void **state) {
  equivalence(state, 1);
}
static void test_equivalence_pause_some(void **state) {
  equivalence(state, 600);
}

/* Every allocation of the event-mode server fails in turn: the run either
 * ends like the clean one or the server fails with H2W_E_NOMEM (never a
 * callback failure), and nothing leaks. */
static void test_alloc_sweep(void **state) {
  world ref, w;
  long k;
  int failed_runs = 0;
  world_open(&ref, 1, tmode(state), 0);
  converse(&ref);
  for (k = 1;; k++) {
    int err;
    world_open(&w, 1, tmode(state), 0);
    w.s.alloc.fail_at = w.s.alloc.calls + k;
    converse(&w);
    if (!w.s.alloc.failed) {
      compare(&ref, &w);
      world_close(&w);
      break;
    }
    err = h2w_session_error(w.s.s, NULL, NULL, NULL);
    if (err != H2W_OK) {
      failed_runs++;
      assert_true(err == H2W_E_NOMEM);
      assert_true(h2w_session_recv(w.s.s, (const uint8_t *)"x", 1) == err);
    }
    world_close(&w);
  }
  assert_true(k > 10);
  assert_true(failed_runs > 0);
  world_close(&ref);
}

/* Records point into the input when a DATA frame lies whole in it, and
 * are copied when it arrived in pieces; header fields are NUL-ended and
 * their block's span is given. */
static void test_layout(void **state) {
  world w;
  const h2w_event *ev;
  const uint8_t *bytes;
  size_t n, nb, i;
  int seen_input = 0, seen_block = 0;
  (void)state;
  world_open(&w, 1, H2W_SPLIT_WHOLE, 0);
  pump(&w);
  assert_true(request(&w, POST_REQ, 500, 1) > 0);
  {
    uint8_t buf[4096];
    h2w_event_batch b;
    h2w_ssize out = 0, got;
    /* Everything the client has: HEADERS and DATA (several sends). */
    while ((got = h2w_session_send(w.c.s, buf + out,
                                   sizeof(buf) - (size_t)out)) > 0) {
      out += got;
    }
    assert_true(out > 500);
    assert_int_equal(h2w_session_recv_events(w.s.s, buf, (size_t)out, &b), out);
    ev = b.events;
    n = b.nevents;
    bytes = b.bytes;
    nb = b.nbytes;
    for (i = 0; i < n; i++) {
      if (ev[i].kind == H2W_EVENT_DATA) {
        assert_true(ev[i].flags & H2W_EVENT_FLAG_INPUT);
        assert_true(ev[i].off + ev[i].len <= (size_t)out);
        seen_input = 1;
      }
      if (ev[i].kind == H2W_EVENT_BEGIN_HEADERS) {
        const h2w_event *end = &ev[i + ev[i].b];
        assert_true(ev[i].b > 0);
        assert_int_equal(end->kind, H2W_EVENT_HEADERS);
        assert_int_equal(end->b, 4);
        assert_int_equal(end->off, ev[i + 1].off);
        assert_true(end->off + end->len <= nb);
        /* name NUL value NUL, field after field */
        assert_string_equal((const char *)bytes + ev[i + 1].off, ":method");
        assert_string_equal((const char *)bytes + ev[i + 1].b, "POST");
        assert_int_equal(ev[i + 2].off, ev[i + 1].b + ev[i + 1].len + 1);
        seen_block = 1;
      }
    }
  }
  assert_true(seen_input && seen_block);
  /* The batch stays valid while the session goes on. */
  {
    h2w_event saved = ev[0];
    uint8_t first = bytes[0];
    respond(&w);
    pump(&w);
    assert_memory_equal(&saved, &ev[0], sizeof(saved));
    assert_int_equal(first, bytes[0]);
  }
  world_close(&w);
}

/* A range body fed in steps (H2W_RANGE_MORE), then ended with
 * trailers. */
static void test_range_streaming(void **state) {
  world w;
  size_t bl, i;
  const uint8_t *blob = blob_of(POST_REQ, &bl);
  int32_t id;
  const uint8_t *body;
  size_t len;
  (void)state;
  world_open(&w, 0, H2W_SPLIT_WHOLE, 0); /* the server logs by callbacks */
  assert_int_equal(h2w_session_set_events(w.c.s, H2W_EVENTS_ON, 0), H2W_OK);
  w.c.events = 1;
  pump(&w);
  id = h2w_session_submit_request_packed(w.c.s, blob, bl, big_body, 100,
                                         H2W_RANGE_BODY | H2W_RANGE_MORE, NULL);
  assert_int_equal(id, 1);
  assert_int_equal(h2w_session_data_range_left(w.c.s, 1), 100);
  move(&w, &w.c, &w.s);
  assert_int_equal(h2w_session_data_range_left(w.c.s, 1), 0);
  assert_int_equal(h2w_session_want_write(w.c.s), 0); /* waiting for more */
  for (i = 1; i < 5; i++) {
    assert_int_equal(h2w_session_set_data_range(w.c.s, 1, big_body + 100 * i,
                                                100, H2W_RANGE_MORE),
                     H2W_OK);
    move(&w, &w.c, &w.s);
  }
  assert_int_equal(h2w_session_set_data_range(w.c.s, 1, big_body + 500, 20,
                                              H2W_RANGE_NO_END_STREAM),
                   H2W_OK);
  {
    h2w_nv t[1];
    tnv(t, 1, H("x-sum", "520"));
    assert_int_equal(h2w_session_submit_trailers(w.c.s, 1, t, 1), H2W_OK);
  }
  move(&w, &w.c, &w.s);
  body = NULL;
  len = 0;
  (void)body;
  (void)len;
  assert_non_null(strstr(w.s.log.buf, "headers 1 3 1"));
  assert_null(strstr(w.s.log.buf, "error"));
  /* Ranges only for range bodies; bad arguments. */
  assert_int_equal(h2w_session_set_data_range(w.c.s, 1, big_body, 1, 0),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_data_range_left(w.c.s, 3), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_set_data_range(w.c.s, 1, NULL, 1, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_set_data_range(w.c.s, 1, big_body, 1, 0x80),
                   H2W_E_INVALID_ARGUMENT);
  world_close(&w);
}

static void test_packed_errors(void **state) {
  world w;
  size_t bl;
  uint8_t blob[256];
  (void)state;
  world_open(&w, 1, H2W_SPLIT_WHOLE, 0);
  {
    const uint8_t *g = blob_of(GET_REQ, &bl);
    memcpy(blob, g, bl);
  }
  /* one octet short, one too many, count 0, a length past the end */
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl - 1, NULL, 0, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  blob[bl] = 'x';
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl + 1, NULL, 0, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  blob[0] = 0;
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl, NULL, 0, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  blob[0] = 4;
  blob[8] = 0xff;
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl, NULL, 0, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  {
    const uint8_t *g = blob_of(GET_REQ, &bl);
    memcpy(blob, g, bl);
  }
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, NULL, 0, NULL, 0, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  /* a body without H2W_RANGE_BODY, unknown flags */
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl, big_body, 3, 0, NULL),
      H2W_E_INVALID_ARGUMENT);
  assert_int_equal(
      h2w_session_submit_request_packed(w.c.s, blob, bl, NULL, 0, 0x100, NULL),
      H2W_E_INVALID_ARGUMENT);
  /* validation still applies: an uppercase name */
  {
    size_t l2;
    const uint8_t *bad = blob_of(H(":method", "GET", ":scheme", "https",
                                   ":authority", "a", ":path", "/", "Bad", "x"),
                                 &l2);
    assert_int_equal(
        h2w_session_submit_request_packed(w.c.s, bad, l2, NULL, 0, 0, NULL),
        H2W_E_INVALID_ARGUMENT);
  }
  /* a server cannot request; a client cannot respond */
  assert_int_equal(
      h2w_session_submit_request_packed(w.s.s, blob, bl, NULL, 0, 0, NULL),
      H2W_E_INVALID_STATE);
  assert_int_equal(
      h2w_session_submit_response_packed(w.c.s, 1, blob, bl, NULL, 0, 0),
      H2W_E_INVALID_STATE);
  /* more than the stack holds: 40 fields */
  {
    const char *f[2 * 40 + 1];
    static char names[36][8];
    size_t i, l3;
    const uint8_t *many;
    f[0] = ":method", f[1] = "GET", f[2] = ":scheme", f[3] = "https";
    f[4] = ":authority", f[5] = "a", f[6] = ":path", f[7] = "/";
    for (i = 0; i < 36; i++) {
      snprintf(names[i], sizeof(names[i]), "x-%zu", i);
      f[8 + 2 * i] = names[i];
      f[9 + 2 * i] = "v";
    }
    f[80] = NULL;
    many = blob_of(f, &l3);
    assert_int_equal(
        h2w_session_submit_request_packed(w.c.s, many, l3, NULL, 0, 0, NULL),
        1);
  }
  world_close(&w);
}

/* An event-mode world whose client, re-created with push enabled and `cb`
 * as on_push_promise, has sent a request that the server answered with a
 * PUSH_PROMISE for /p (stream 2). The client's records of it are left
 * unread (events off in the world) for the test to read by hand. */
static void push_world(world *w, h2w_on_push_promise_cb cb_fn) {
  h2w_callbacks *cb;
  h2w_options *opt;
  h2w_nv nv[4];
  size_t n;
  world_open(w, 1, H2W_SPLIT_WHOLE, 0);
  h2w_session_del(w->c.s);
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  h2w_callbacks_set_on_push_promise(cb, cb_fn);
  assert_int_equal(h2w_options_new(&opt, NULL), H2W_OK);
  h2w_options_set_enable_push(opt, 1);
  assert_int_equal(h2w_session_client_new(&w->c.s, cb, opt, &w->c.log, NULL),
                   H2W_OK);
  h2w_options_del(opt);
  h2w_callbacks_del(cb);
  assert_int_equal(h2w_session_set_events(w->c.s, H2W_EVENTS_ON, 0), H2W_OK);
  pump(w);
  assert_true(request(w, POST_REQ, 10, 1) > 0);
  move(w, &w->c, &w->s);
  n = tnv(nv, 4,
          H(":method", "GET", ":scheme", "https", ":authority", "example.org",
            ":path", "/p"));
  assert_int_equal(h2w_session_submit_push_promise(w->s.s, 1, nv, n, NULL), 2);
  w->c.events = 0;
  move(w, &w->s, &w->c);
}

/* push_world()'s client has the default allocator, so world_close()'s
 * allocation counts do not apply. */
static void push_world_close(world *w) {
  h2w_session_del(w->c.s);
  h2w_session_del(w->s.s);
  evlog_free(&w->c.log);
  evlog_free(&w->s.log);
}

static int from_cb_rv;
static int push_cb(h2w_session *s, uint32_t id, uint32_t promised, void *user) {
  h2w_event_batch b;
  const h2w_event *ev;
  size_t n;
  (void)id;
  (void)promised;
  (void)user;
  /* From a callback: receiving is refused, taking is allowed. */
  from_cb_rv = (int)h2w_session_recv_events(s, NULL, 0, &b);
  assert_int_equal(h2w_session_events(s, &ev, &n, NULL, NULL), H2W_OK);
  assert_true(n >= 2 && ev[n - 1].kind == H2W_EVENT_HEADER);
  assert_int_equal(h2w_session_set_events(s, 0, 0), H2W_E_INVALID_STATE);
  return H2W_PUSH_REFUSE;
}

/* on_push_promise still answers in event mode; its answer is recorded. */
static void test_push_answer(void **state) {
  world w;
  const h2w_event *ev;
  size_t ne, i;
  int found = 0;
  (void)state;
  push_world(&w, push_cb);
  assert_int_equal(from_cb_rv, H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_events(w.c.s, &ev, &ne, NULL, NULL), H2W_OK);
  for (i = 0; i < ne; i++) {
    if (ev[i].kind == H2W_EVENT_PUSH_PROMISE) {
      assert_int_equal(ev[i].stream_id, 1);
      assert_int_equal(ev[i].a, 2);
      assert_int_equal(ev[i].b, H2W_PUSH_REFUSE);
      found = 1;
    }
  }
  assert_true(found);
  assert_int_equal(h2w_session_stream_state(w.c.s, 2), H2W_STREAM_STATE_CLOSED);
  push_world_close(&w);
}

static int push_fail_cb(h2w_session *s, uint32_t id, uint32_t promised,
                        void *user) {
  (void)s;
  (void)id;
  (void)promised;
  (void)user;
  return -1;
}

/* on_push_promise failing in event mode fails the session as it would
 * with callbacks (H2W_E_CALLBACK_FAILURE, not the event buffer's NOMEM);
 * the streams end with close records flagged H2W_CLOSE_FLAG_CONNECTION. */
static void test_push_failure(void **state) {
  world w;
  size_t ne, i;
  const h2w_event *ev;
  int closes = 0;
  (void)state;
  push_world(&w, push_fail_cb);
  assert_int_equal(h2w_session_error(w.c.s, NULL, NULL, NULL),
                   H2W_E_CALLBACK_FAILURE);
  assert_int_equal(h2w_session_events(w.c.s, &ev, &ne, NULL, NULL), H2W_OK);
  for (i = 0; i < ne; i++) {
    assert_int_not_equal(ev[i].kind, H2W_EVENT_PUSH_PROMISE);
    if (ev[i].kind == H2W_EVENT_STREAM_CLOSE) {
      assert_true(ev[i].b & H2W_CLOSE_FLAG_CONNECTION);
      closes++;
    }
  }
  assert_int_equal(closes, 2); /* the request and the promised stream */
  push_world_close(&w);
}

/* A connection error ends every stream with a close record flagged
 * H2W_CLOSE_FLAG_CONNECTION; the error has its record. */
static void test_connection_end(void **state) {
  world w;
  const h2w_event *ev;
  const uint8_t *bytes;
  size_t n, nb, i;
  int closes = 0, errors = 0;
  static const uint8_t junk[] = {0, 0, 1, 0xff, 0, 0, 0, 0, 0, 0};
  (void)state;
  world_open(&w, 1, H2W_SPLIT_WHOLE, 0);
  pump(&w);
  assert_true(request(&w, GET_REQ, 0, 0) > 0);
  assert_true(request(&w, GET_REQ, 0, 0) > 0);
  w.s.events = 0;
  move(&w, &w.c, &w.s); /* the server's records stay */
  (void)junk;
  /* A DATA frame on stream 0: connection PROTOCOL_ERROR. */
  {
    h2w_event_batch b;
    static const uint8_t bad[] = {0, 0, 1, 0, 0, 0, 0, 0, 0, 'x'};
    assert_int_equal(h2w_session_recv_events(w.s.s, bad, sizeof(bad), &b),
                     H2W_E_PROTOCOL);
    ev = b.events;
    n = b.nevents;
    bytes = b.bytes;
    nb = b.nbytes;
  }
  for (i = 0; i < n; i++) {
    if (ev[i].kind == H2W_EVENT_STREAM_CLOSE) {
      assert_true(ev[i].b & H2W_CLOSE_FLAG_CONNECTION);
      closes++;
    }
    if (ev[i].kind == H2W_EVENT_ERROR) {
      assert_int_equal(ev[i].a, H2W_PROTOCOL_ERROR);
      assert_true(ev[i].len > 0 && ev[i].off + ev[i].len <= nb);
      errors++;
    }
  }
  (void)bytes;
  assert_int_equal(closes, 2);
  assert_int_equal(errors, 1);
  world_close(&w);
}

/* Backpressure: with a small threshold a receive stops after the frame
 * that filled the buffer, and resumes with the rest. */
static void test_pause(void **state) {
  world w;
  uint8_t buf[8192];
  h2w_ssize out, rv;
  size_t off = 0, calls = 0;
  (void)state;
  world_open(&w, 1, H2W_SPLIT_WHOLE, 0);
  pump(&w);
  assert_int_equal(h2w_session_set_events(w.s.s, H2W_EVENTS_ON, 100), H2W_OK);
  assert_true(request(&w, GET_REQ, 0, 0) > 0);
  assert_true(request(&w, GET_REQ, 0, 0) > 0);
  assert_true(request(&w, GET_REQ, 0, 0) > 0);
  out = h2w_session_send(w.c.s, buf, sizeof(buf));
  assert_true(out > 0);
  while (off < (size_t)out) {
    h2w_event_batch b;
    rv = h2w_session_recv_events(w.s.s, buf + off, (size_t)out - off, &b);
    assert_true(rv > 0);
    assert_true(b.nevents > 0);
    off += (size_t)rv;
    calls++;
  }
  assert_int_equal(calls, 3); /* one HEADERS frame each */
  world_close(&w);
}

static void test_misuse(void **state) {
  world w;
  h2w_event_batch b;
  const h2w_event *ev = (const h2w_event *)1;
  size_t n = 9;
  (void)state;
  world_open(&w, 0, H2W_SPLIT_WHOLE, 0);
  assert_int_equal(h2w_session_events(w.c.s, NULL, NULL, NULL, NULL),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_events_clear(w.c.s), H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_recv_events(w.c.s, NULL, 0, &b),
                   H2W_E_INVALID_STATE);
  assert_int_equal(h2w_session_recv_events(w.c.s, NULL, 0, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_set_events(NULL, H2W_EVENTS_ON, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_set_events(w.c.s, H2W_EVENTS_FRAMES, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_set_events(w.c.s, 0x100 | H2W_EVENTS_ON, 0),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_session_events(NULL, NULL, NULL, NULL, NULL),
                   H2W_E_INVALID_ARGUMENT);
  /* On, with frames; then off again: callbacks are back. */
  assert_int_equal(
      h2w_session_set_events(w.c.s, H2W_EVENTS_ON | H2W_EVENTS_FRAMES, 0),
      H2W_OK);
  w.c.events = 1;
  move(&w, &w.c, &w.s);
  assert_int_equal(h2w_session_events(w.c.s, &ev, &n, NULL, NULL), H2W_OK);
  assert_int_equal(n, 0); /* take() above got the frame records */
  assert_non_null(strstr(w.c.log.buf, "frame_send 0 4"));
  assert_int_equal(h2w_session_events_clear(w.c.s), H2W_OK);
  assert_int_equal(h2w_session_set_events(w.c.s, 0, 0), H2W_OK);
  w.c.events = 0;
  evlog_free(&w.c.log);
  move(&w, &w.s, &w.c);
  assert_non_null(strstr(w.c.log.buf, "settings"));
  world_close(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_equivalence),
      SPLIT_TESTS(test_equivalence_pause_each),
      SPLIT_TESTS(test_equivalence_pause_some),
      SPLIT_TESTS(test_alloc_sweep),
      cmocka_unit_test(test_layout),
      cmocka_unit_test(test_range_streaming),
      cmocka_unit_test(test_packed_errors),
      cmocka_unit_test(test_push_answer),
      cmocka_unit_test(test_push_failure),
      cmocka_unit_test(test_connection_end),
      cmocka_unit_test(test_pause),
      cmocka_unit_test(test_misuse),
  };
  size_t i;
  for (i = 0; i < BIG; i++) {
    big_body[i] = (uint8_t)(i * 7 + i / 256);
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
