/* Memory after traffic (issue 16 §2): h2w_session_shrink() brings a
 * session that served traffic back to about its fresh size plus the
 * contents of its HPACK tables (RFC 7541 §4), without changing what it
 * does next; the automatic releases (the output queue's decay, the
 * stream table's and HPACK tables' compaction) keep their contents. All
 * sizes through the counting allocator (test_alloc.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hpack_table.h"
#include "outq.h"
#include "pump.h"
#include "session_int.h"
#include "stream_map.h"

#define NREQ 150 /* more than one pool's worth of streams */

static int respond_on_end(tpeer *p, const tev *ev) {
  if (ev->type == TEV_END) {
    tpeer_respond(p, ev->stream_id, RESP_200,
                  tpeer_source(p, NULL, 3000 + ev->stream_id));
  }
  return 0;
}

static void traffic(tpeer *c, tpeer *s, int n) {
  int i;
  for (i = 0; i < n; i++) {
    (void)tpeer_request(c, GET_REQ, NULL);
  }
  tpump(c, s);
  assert_int_equal(h2w_session_open_streams(s->s), 0);
  assert_false(tpeer_log_has(s, "error*"));
}

/* Fresh size + what the tables hold: the fresh session already has its
 * (empty) tables, so the bound is the table contents' RFC 7541 §4.1
 * size, which counts 32 octets per entry more than is stored. */
static void test_shrink_after_traffic(void **state) {
  tpeer c, s;
  size_t fresh, busy, shrunk;
  int round;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  s.hook = respond_on_end;
  tpump(&c, &s);
  fresh = s.alloc.bytes;
  for (round = 0; round < 2; round++) {
    traffic(&c, &s, NREQ);
    busy = s.alloc.bytes;
    assert_int_equal(h2w_session_shrink(s.s), H2W_OK);
    shrunk = s.alloc.bytes;
    assert_true(shrunk < busy);
    assert_true(shrunk <= fresh + 4096 + 8 * 40);
    assert_int_equal(h2w_session_memory(s.s), shrunk);
    /* Nothing left to give back. */
    assert_int_equal(h2w_session_shrink(s.s), H2W_OK);
    assert_int_equal(s.alloc.bytes, shrunk);
    assert_int_equal(h2w_session_shrink(c.s), H2W_OK);
  }
  /* The conversation went on unchanged after each shrink. */
  assert_true(tpeer_log_has(&c, "close 299 NO_ERROR"));
  assert_true(tpeer_log_has(&c, "close 599 NO_ERROR"));
  assert_false(tpeer_log_has(&c, "error*"));
  tpeer_free(&c);
  tpeer_free(&s);
}

static int shrink_in_callback(tpeer *p, const tev *ev) {
  if (ev->type == TEV_HEADERS) {
    assert_int_equal(h2w_session_shrink(p->s), H2W_E_INVALID_STATE);
    p->app = p;
  }
  return 0;
}

static void test_shrink_arguments(void **state) {
  tpeer c, s;
  (void)state;
  assert_int_equal(h2w_session_shrink(NULL), H2W_E_INVALID_ARGUMENT);
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  tpeer_start(&s, 1, H2W_SPLIT_WHOLE, NULL);
  s.hook = shrink_in_callback;
  tpump(&c, &s);
  (void)tpeer_request(&c, GET_REQ, NULL);
  tpump(&c, &s);
  assert_ptr_equal(s.app, &s);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- spare header-list copies ------------------------------------------ */

/* b holds exactly nva[0..n), in its own octets. */
static void assert_copy(const h2w_nvbuf *b, const h2w_nv *nva, size_t n) {
  size_t i, octets = 0;
  assert_non_null(b);
  assert_int_equal(b->n, n);
  for (i = 0; i < n; i++) {
    assert_int_equal(b->nv[i].namelen, nva[i].namelen);
    assert_int_equal(b->nv[i].valuelen, nva[i].valuelen);
    assert_int_equal(b->nv[i].flags, nva[i].flags);
    assert_memory_equal(b->nv[i].name, nva[i].name, nva[i].namelen);
    assert_memory_equal(b->nv[i].value, nva[i].value, nva[i].valuelen);
    assert_true(b->nv[i].name != nva[i].name);
    octets += nva[i].namelen + nva[i].valuelen;
  }
  assert_int_equal(b->octets, octets);
  assert_true(b->size >= h2w_nvbuf_size(nva, n, &octets));
}

/* h2w_nvbuf_take() copies exactly what h2w_nvbuf_new_sized() copies, into a
 * spare block when one has room; a spare too small is replaced, a list
 * too large for the spares is never kept, the spares are bounded like
 * the stream objects, and h2w_session_shrink() frees them all. */
static void test_nvbuf_spares(void **state) {
  static uint8_t big[3000];
  tpeer c;
  h2w_nv nva[5], large[2];
  h2w_nvbuf *b, *again, *bs[2000];
  size_t n, fresh, i, kept;
  (void)state;
  memset(big, 'v', sizeof(big));
  tpeer_start(&c, 0, H2W_SPLIT_WHOLE, NULL);
  fresh = h2w_session_memory(c.s);
  n = tnv(nva, 5,
          H(":method", "GET", ":scheme", "https", ":authority", "example.org",
            ":path", "/item/1", "accept", "*/*"));
  nva[4].flags = H2W_NV_FLAG_NO_INDEX;
  b = h2w_nvbuf_take(c.s, nva, n);
  assert_copy(b, nva, n);
  assert_true(h2w_session_memory(c.s) == fresh + b->size);
  h2w_nvbuf_give(c.s, b);
  assert_int_equal(c.s->pool.nfree_nv, 1);
  assert_true(h2w_session_memory(c.s) == fresh + b->size); /* kept */
  /* A path a few octets longer fits the same block. */
  nva[3].value = (const uint8_t *)"/item/1234";
  nva[3].valuelen = 10;
  again = h2w_nvbuf_take(c.s, nva, n);
  assert_ptr_equal(again, b);
  assert_int_equal(c.s->pool.nfree_nv, 0);
  assert_copy(again, nva, n);
  h2w_nvbuf_give(c.s, again);
  /* A longer list: the spare goes, a block of the new size comes. */
  nva[4].value = big;
  nva[4].valuelen = 500;
  b = h2w_nvbuf_take(c.s, nva, n);
  assert_copy(b, nva, n);
  assert_int_equal(c.s->pool.nfree_nv, 0);
  assert_true(h2w_session_memory(c.s) == fresh + b->size);
  h2w_nvbuf_give(c.s, b);
  /* A list larger than any spare: exact size, freed when given. */
  n = tnv(large, 2, H("x-big", "v"));
  large[1] = large[0];
  large[1].value = big;
  large[1].valuelen = sizeof(big);
  b = h2w_nvbuf_take(c.s, large, 2);
  assert_copy(b, large, 2);
  assert_int_equal(c.s->pool.nfree_nv, 1); /* the earlier spare stays */
  assert_int_equal(b->size, h2w_nvbuf_size(large, 2, &i));
  h2w_nvbuf_give(c.s, b);
  assert_int_equal(c.s->pool.nfree_nv, 1);
  /* Bounded as the spare stream objects are. */
  for (i = 0; i < 2000; i++) {
    bs[i] = h2w_nvbuf_take(c.s, nva, 3);
    assert_copy(bs[i], nva, 3);
  }
  for (i = 0; i < 2000; i++) {
    h2w_nvbuf_give(c.s, bs[i]);
  }
  kept = c.s->pool.nfree_nv;
  assert_true(kept >= 64 && kept <= 1024);
  /* A take from the list (copied straight into the first spare) leaves
   * the others listed. */
  bs[0] = h2w_nvbuf_take(c.s, nva, 3);
  assert_copy(bs[0], nva, 3);
  assert_int_equal(c.s->pool.nfree_nv, kept - 1);
  for (i = 0, b = c.s->pool.free_nv; b != NULL; b = b->next_free) {
    assert_true(b != bs[0]);
    i++;
  }
  assert_int_equal(i, kept - 1);
  h2w_nvbuf_give(c.s, bs[0]);
  assert_int_equal(c.s->pool.nfree_nv, kept);
  /* Under a memory budget the spares give way: a block that only fits
   * once they are gone is made. */
  {
    size_t base, want, sum = 0, head = c.s->pool.free_nv->size;
    for (b = c.s->pool.free_nv; b != NULL; b = b->next_free) {
      sum += b->size;
    }
    nva[4].valuelen = 1000;
    want = h2w_nvbuf_size(nva, 5, &i);
    assert_true(want > head);
    base = c.s->alloc.in_use - sum;
    c.s->alloc.budget = base + sum - head + want - 1;
    b = h2w_nvbuf_take(c.s, nva, 5);
    assert_copy(b, nva, 5);
    assert_int_equal(c.s->pool.nfree_nv, 0);
    assert_true(c.s->alloc.in_use <= c.s->alloc.budget);
    h2w_nvbuf_give(c.s, b);
    c.s->alloc.budget = 0;
  }
  h2w_nvbuf_give(c.s, NULL);
  assert_int_equal(h2w_session_shrink(c.s), H2W_OK);
  assert_int_equal(c.s->pool.nfree_nv, 0);
  assert_null(c.s->pool.free_nv);
  assert_true(h2w_session_memory(c.s) <= fresh);
  (void)n;
  tpeer_free(&c);
}

/* A client that queues batches of requests, as client_rps does, copies
 * each list into the blocks of requests already sent: once warm it makes
 * no allocation per request, and what it sends is unchanged (every
 * response arrives, on the streams expected). */
static void test_request_copies_reused(void **state) {
  tpeer c, s;
  long warm = 0;
  int round;
  tpeer_start(&c, 0, tmode(state), NULL);
  tpeer_start(&s, 1, tmode(state), NULL);
  s.hook = respond_on_end;
  tpump(&c, &s);
  for (round = 0; round < 5; round++) {
    traffic(&c, &s, 100);
    if (round == 2) {
      warm = c.alloc.mallocs + c.alloc.reallocs;
    }
  }
  assert_int_equal(c.alloc.mallocs + c.alloc.reallocs, warm);
  assert_true(tpeer_log_has(&c, "close 999 NO_ERROR"));
  assert_false(tpeer_log_has(&c, "error*"));
  assert_true(c.s->pool.nfree_nv > 0);
  assert_int_equal(h2w_session_shrink(c.s), H2W_OK);
  assert_int_equal(c.s->pool.nfree_nv, 0);
  tpeer_free(&c);
  tpeer_free(&s);
}

/* ---- the parts ---------------------------------------------------------- */

typedef struct parts {
  h2w_test_alloc c;
  h2w_alloc a;
} parts;

static void parts_init(parts *p) {
  h2w_test_alloc_init(&p->c);
  assert_int_equal(h2w_alloc_init(&p->a, &p->c.mem), H2W_OK);
}

/* A burst grows the queue; a steady small load afterwards gives the
 * buffer back after a whole window of small drains; a steady load
 * that fills a good part of its buffer never loses it. */
/* n octets queued, reported (the session moves the mark as it hands
 * frames to on_frame_send) and handed out. */
static void cycle(h2w_outq *q, size_t n) {
  assert_non_null(h2w_outq_reserve(q, n));
  h2w_outq_commit(q, n);
  q->mark = q->tail;
  h2w_outq_consume(q, n);
}

static void test_outq_decay(void **state) {
  parts p;
  h2w_outq q;
  uint32_t i;
  (void)state;
  parts_init(&p);
  h2w_outq_init(&q, &p.a);
  cycle(&q, 100000);
  /* The burst's window (its own drain and 63 more) keeps the buffer; the
   * next window, all small, gives it back at its end. */
  for (i = 1; i < 2 * H2W_OUTQ_DECAY_DRAINS - 1; i++) {
    cycle(&q, 100);
    assert_non_null(q.buf);
  }
  cycle(&q, 100);
  assert_null(q.buf);
  assert_int_equal(p.a.in_use, 0);
  /* Half of a 16 KiB buffer in use at every drain: kept. */
  for (i = 0; i < 4 * H2W_OUTQ_DECAY_DRAINS; i++) {
    cycle(&q, 9000);
  }
  assert_non_null(q.buf);
  assert_int_equal(p.c.calls, 2); /* the burst, then 16 KiB once */
  h2w_outq_free(&q);
  assert_int_equal(p.a.in_use, 0);
}

static void test_stream_map_compact(void **state) {
  parts p;
  h2w_stream_map m;
  uint32_t id;
  static int v;
  (void)state;
  parts_init(&p);
  h2w_stream_map_init(&m, &p.a);
  for (id = 1; id < 400; id += 2) {
    assert_int_equal(h2w_stream_map_put(&m, id, &v), H2W_OK);
  }
  for (id = 1; id < 390; id += 2) {
    assert_ptr_equal(h2w_stream_map_del(&m, id), &v);
  }
  assert_int_equal(m.cap, 512);
  h2w_stream_map_compact(&m);
  assert_int_equal(m.cap, 16);
  for (id = 391; id < 400; id += 2) {
    assert_ptr_equal(h2w_stream_map_get(&m, id), &v);
  }
  assert_null(h2w_stream_map_get(&m, 389));
  assert_int_equal(h2w_stream_map_put(&m, 401, &v), H2W_OK);
  for (id = 391; id < 402; id += 2) {
    assert_ptr_equal(h2w_stream_map_del(&m, id), &v);
  }
  h2w_stream_map_compact(&m);
  assert_int_equal(m.cap, 0);
  assert_int_equal(p.a.in_use, 0);
  assert_int_equal(h2w_stream_map_put(&m, 7, &v), H2W_OK);
  assert_ptr_equal(h2w_stream_map_get(&m, 7), &v);
  h2w_stream_map_free(&m);
  assert_int_equal(p.a.in_use, 0);
}

/* A compacted table answers every lookup as before, and grows again on
 * insertion, evicting exactly as an uncompacted one (RFC 7541 §4.4). */
static void test_hpack_table_compact(void **state) {
  parts p;
  h2w_hpack_table t, ref;
  char name[16], value[32];
  size_t i, ni, nj;
  (void)state;
  parts_init(&p);
  h2w_hpack_table_init(&t, 4096, 1);
  h2w_hpack_table_init(&ref, 4096, 1);
  assert_int_equal(h2w_hpack_table_reserve(&t, &p.a), H2W_OK);
  for (i = 0; i < 200; i++) {
    int nl = snprintf(name, sizeof name, "x-n%zu", i % 7);
    int vl = snprintf(value, sizeof value, "value-%zu", i);
    assert_int_equal(h2w_hpack_table_insert(&t, &p.a, (uint8_t *)name,
                                            (size_t)nl, (uint8_t *)value,
                                            (size_t)vl),
                     H2W_OK);
    assert_int_equal(h2w_hpack_table_insert(&ref, &p.a, (uint8_t *)name,
                                            (size_t)nl, (uint8_t *)value,
                                            (size_t)vl),
                     H2W_OK);
    if (i == 150) {
      size_t before = p.a.in_use;
      h2w_hpack_table_compact(&t, &p.a);
      assert_true(p.a.in_use < before);
    }
    assert_int_equal(h2w_hpack_table_count(&t), h2w_hpack_table_count(&ref));
    assert_int_equal(h2w_hpack_table_find(&t, (uint8_t *)name, (size_t)nl,
                                          (uint8_t *)value, (size_t)vl, &ni),
                     h2w_hpack_table_find(&ref, (uint8_t *)name, (size_t)nl,
                                          (uint8_t *)value, (size_t)vl, &nj));
    assert_int_equal(ni, nj);
  }
  h2w_hpack_table_compact(&t, &p.a);
  assert_int_equal(h2w_hpack_table_find(&t, (const uint8_t *)"x-n3", 4,
                                        (const uint8_t *)"value-197", 9, &ni),
                   h2w_hpack_table_find(&ref, (const uint8_t *)"x-n3", 4,
                                        (const uint8_t *)"value-197", 9, &nj));
  h2w_hpack_table_free(&t, &p.a);
  h2w_hpack_table_free(&ref, &p.a);
  assert_int_equal(p.a.in_use, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      SPLIT_TESTS(test_shrink_after_traffic),
      cmocka_unit_test(test_shrink_arguments),
      cmocka_unit_test(test_nvbuf_spares),
      SPLIT_TESTS(test_request_copies_reused),
      cmocka_unit_test(test_outq_decay),
      cmocka_unit_test(test_stream_map_compact),
      cmocka_unit_test(test_hpack_table_compact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
