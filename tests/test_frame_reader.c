/* src/frame_reader.c: incremental framing of a byte stream (RFC 9113 §4),
 * the max-frame-size limit (§4.2), zero-copy and lazy, exact buffering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"
#include "frame_builder.h"
#include "test_alloc.h"
#include "test_split.h"

#define HD H2W_FRAME_HD_LEN

typedef struct fixture {
  h2w_test_alloc c;
  h2w_alloc a;
  h2w_frame_reader r;
  h2w_fb b;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL) {
    return -1;
  }
  h2w_test_alloc_init(&f->c);
  if (h2w_alloc_init(&f->a, &f->c.mem) != H2W_OK ||
      h2w_frame_reader_init(&f->r, &f->a) != H2W_OK) {
    free(f);
    return -1;
  }
  h2w_fb_init(&f->b);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  h2w_frame_reader_free(&f->r);
  h2w_fb_free(&f->b);
  /* Sized frees: everything allocated through the reader came back. */
  assert_int_equal(f->a.in_use, 0);
  free(f);
  return 0;
}

/* A stream with every kind of frame, sizes 0 .. 16384, valid or not (the
 * reader frames, it does not judge). `offs` gets each frame's offset. */
static size_t build_stream(h2w_fb *b, size_t *offs) {
  static const h2w_settings_entry iv[] = {{4, 0, 65535}};
  size_t n = 0, i;
  offs[n++] = b->len;
  h2w_fb_settings(b, 0, iv, 1);
  offs[n++] = b->len;
  h2w_fb_settings(b, H2W_FLAG_ACK, NULL, 0);
  offs[n++] = b->len;
  h2w_fb_hd(b, 0, H2W_FRAME_DATA, H2W_FLAG_END_STREAM, 1);
  offs[n++] = b->len;
  h2w_fb_ping(b, 0, 42);
  for (i = 0; i < 5; i++) {
    offs[n++] = b->len;
    h2w_fb_begin(b, H2W_FRAME_DATA, 0, 3);
    h2w_fb_zeros(b, i * 1000 + 1);
    b->buf[b->len - 1] = (uint8_t)i;
    h2w_fb_end(b);
  }
  offs[n++] = b->len;
  h2w_fb_begin(b, H2W_FRAME_DATA, 0, 5);
  for (i = 0; i < H2W_FRAME_DEFAULT_MAX_SIZE; i++) {
    h2w_fb_u8(b, (uint32_t)(i * 7));
  }
  h2w_fb_end(b);
  offs[n++] = b->len;
  h2w_fb_goaway(b, 5, H2W_NO_ERROR, "bye");
  offs[n++] = b->len;
  h2w_fb_hd(b, 2, 0xee, 0xff, 0xffffffffu); /* unknown, reserved bit set */
  h2w_fb_str(b, "zz");
  offs[n++] = b->len;
  h2w_fb_window_update(b, 0, 1);
  offs[n] = b->len;
  return n;
}

/* Feed the stream in pieces (mode 0: whole, 1: bytes, else PRNG seed) and
 * check every yielded frame against the bytes it came from. */
static void feed_stream(fixture *f, uint32_t mode) {
  size_t offs[32], n, pos = 0, k = 0;
  h2w_fb_clear(&f->b);
  n = build_stream(&f->b, offs);
  while (pos < f->b.len) {
    size_t len = f->b.len - pos, used;
    const uint8_t *payload;
    h2w_frame_hd hd, want;
    int rv;
    if (mode == 1) {
      len = 1;
    } else if (mode != 0) {
      /* Mostly small pieces, sometimes the whole rest. */
      size_t cap = h2w_test_rng(&mode) % 8 ? 40 : len;
      len = 1 + h2w_test_rng(&mode) % cap;
      len = len > f->b.len - pos ? f->b.len - pos : len;
    }
    rv = h2w_frame_reader_next(&f->r, f->b.buf + pos, len, &used, &hd, &payload,
                               NULL);
    pos += used;
    if (rv == H2W_OK) {
      assert_int_equal(used, len);
      continue;
    }
    assert_int_equal(rv, H2W_FRAME_READY);
    assert_true(k < n);
    assert_int_equal(pos, offs[k + 1]);
    h2w_frame_hd_unpack(&want, f->b.buf + offs[k]);
    assert_int_equal(hd.type, want.type);
    assert_int_equal(hd.flags, want.flags);
    assert_int_equal(hd.stream_id, want.stream_id);
    assert_int_equal(hd.length, offs[k + 1] - offs[k] - HD);
    assert_memory_equal(payload, f->b.buf + offs[k] + HD, hd.length);
    k++;
  }
  assert_int_equal(k, n);
}

static void test_stream_whole(void **state) {
  fixture *f = *state;
  feed_stream(f, 0);
  /* Every frame sat inside the one piece: nothing was copied. */
  assert_int_equal(f->a.peak, 0);
  assert_int_equal(f->c.mallocs + f->c.reallocs, 0);
}

static void test_stream_bytewise(void **state) {
  fixture *f = *state;
  feed_stream(f, 1);
  /* Never more than the largest frame being assembled. */
  assert_true(f->a.peak <= H2W_FRAME_DEFAULT_MAX_SIZE);
  feed_stream(f, 1); /* the same reader, again */
}

static void test_stream_random_splits(void **state) {
  fixture *f = *state;
  uint32_t seed;
  for (seed = 1; seed <= 200; seed++) {
    feed_stream(f, seed * 2654435761u | 2u);
  }
  assert_true(f->a.peak <= H2W_FRAME_DEFAULT_MAX_SIZE);
}

static int next(fixture *f, const uint8_t *in, size_t len, size_t *used,
                h2w_frame_hd *hd, const uint8_t **payload) {
  return h2w_frame_reader_next(&f->r, in, len, used, hd, payload, NULL);
}

/* A frame wholly inside one piece is yielded in place, even when its header
 * arrived in an earlier piece. */
static void test_zero_copy(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p;
  size_t used;
  h2w_fb_data(&f->b, 1, 0, "0123456789");
  assert_int_equal(next(f, f->b.buf, 4, &used, &hd, &p), H2W_OK);
  assert_int_equal(next(f, f->b.buf + 4, 5, &used, &hd, &p), H2W_OK);
  assert_int_equal(next(f, f->b.buf + 9, 10, &used, &hd, &p), H2W_FRAME_READY);
  assert_ptr_equal(p, f->b.buf + 9);
  assert_int_equal(used, 10);
  assert_int_equal(f->a.peak, 0);
}

/* A payload split across pieces is copied into a buffer of exactly its
 * size, allocated only once there is something to keep. */
static void test_split_payload_exact_buffer(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p;
  size_t used;
  h2w_fb_begin(&f->b, H2W_FRAME_DATA, 0, 1);
  h2w_fb_zeros(&f->b, 100);
  h2w_fb_end(&f->b);
  f->b.buf[HD + 99] = 0x5a;
  assert_int_equal(next(f, f->b.buf, HD, &used, &hd, &p), H2W_OK);
  assert_int_equal(f->a.in_use, 0); /* header only: nothing to keep yet */
  assert_int_equal(next(f, f->b.buf + HD, 50, &used, &hd, &p), H2W_OK);
  assert_int_equal(f->a.in_use, 100);
  assert_int_equal(next(f, f->b.buf + HD + 50, 50, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_true(p < f->b.buf || p >= f->b.buf + f->b.len);
  assert_memory_equal(p, f->b.buf + HD, 100);
  /* A smaller split frame reuses the buffer: no new allocation. */
  assert_int_equal(next(f, f->b.buf, HD + 10, &used, &hd, &p), H2W_OK);
  assert_int_equal(next(f, f->b.buf + HD + 10, 90, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_int_equal(f->c.mallocs + f->c.reallocs, 1);
  assert_int_equal(f->a.in_use, 100);
}

/* RFC 9113 §4.2: refused from the header alone, nothing buffered. */
static void test_oversized_header(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  h2w_frame_err err;
  const uint8_t *p;
  size_t used, i;
  h2w_fb_hd(&f->b, H2W_FRAME_DEFAULT_MAX_SIZE + 1u, H2W_FRAME_DATA, 0, 1);
  h2w_fb_zeros(&f->b, 100);
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf, f->b.len, &used, &hd, &p, &err),
      H2W_E_FRAME_SIZE);
  assert_int_equal(used, HD);
  assert_int_equal(err.code, H2W_FRAME_SIZE_ERROR);
  assert_int_equal(err.scope, H2W_FRAME_SCOPE_CONNECTION);
  assert_non_null(err.reason);
  assert_int_equal(f->a.peak, 0);
  /* The reader keeps the refused header (the fuzz harness reads it). */
  assert_int_equal(f->r.hd.length, H2W_FRAME_DEFAULT_MAX_SIZE + 1u);
  /* Sticky until reset. */
  memset(&err, 0, sizeof err);
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf + HD, 1, &used, &hd, &p, &err),
      H2W_E_FRAME_SIZE);
  assert_int_equal(used, 0);
  assert_int_equal(err.code, H2W_FRAME_SIZE_ERROR);
  h2w_frame_reader_reset(&f->r);
  /* Byte by byte the error comes with the ninth octet. */
  for (i = 0; i < HD - 1; i++) {
    assert_int_equal(next(f, f->b.buf + i, 1, &used, &hd, &p), H2W_OK);
  }
  assert_int_equal(next(f, f->b.buf + i, 1, &used, &hd, &p), H2W_E_FRAME_SIZE);
  assert_int_equal(used, 1);
  /* The largest legal frame header, by contrast, is accepted. */
  h2w_frame_reader_reset(&f->r);
  f->b.buf[2] = 0; /* length 16384 */
  assert_int_equal(next(f, f->b.buf, HD, &used, &hd, &p), H2W_OK);
  assert_int_equal(f->a.peak, 0);
}

static void test_max_frame_size_changes(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p;
  size_t used;
  h2w_frame_reader *r = &f->r;
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 16383),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 16777216),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(NULL, 16384),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 16777215), H2W_OK);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 20000), H2W_OK);
  h2w_fb_begin(&f->b, H2W_FRAME_DATA, 0, 1);
  h2w_fb_zeros(&f->b, 20000);
  h2w_fb_end(&f->b);
  /* Accepted now; a limit lowered mid-frame does not touch that frame. */
  assert_int_equal(next(f, f->b.buf, HD + 1, &used, &hd, &p), H2W_OK);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 16384), H2W_OK);
  assert_int_equal(f->a.in_use, 20000);
  assert_int_equal(next(f, f->b.buf + HD + 1, 19999, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_int_equal(hd.length, 20000);
  /* The oversized buffer goes back once the payload is no longer used. */
  assert_int_equal(next(f, NULL, 0, &used, &hd, &p), H2W_OK);
  assert_int_equal(f->a.in_use, 0);
  /* The next header is checked against the lowered limit. */
  assert_int_equal(next(f, f->b.buf, f->b.len, &used, &hd, &p),
                   H2W_E_FRAME_SIZE);
  h2w_frame_reader_reset(r);
  /* Lowering the limit right after a big split frame also frees it. */
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 20000), H2W_OK);
  assert_int_equal(next(f, f->b.buf, HD + 1, &used, &hd, &p), H2W_OK);
  assert_int_equal(next(f, f->b.buf + HD + 1, 19999, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 16384), H2W_OK);
  assert_int_equal(f->a.in_use, 0);
  /* A whole big frame in one piece needs no buffer at all. */
  assert_int_equal(h2w_frame_reader_set_max_frame_size(r, 20000), H2W_OK);
  assert_int_equal(next(f, f->b.buf, f->b.len, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_ptr_equal(p, f->b.buf + HD);
  assert_int_equal(f->a.in_use, 0);
}

static void test_nomem(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p;
  size_t used, pos;
  h2w_fb_data(&f->b, 1, 0, "abcdefgh");
  f->c.fail_all = 1;
  /* In-place frames need no memory. */
  assert_int_equal(next(f, f->b.buf, f->b.len, &used, &hd, &p),
                   H2W_FRAME_READY);
  /* A split one does; the failure consumes nothing past the header. */
  assert_int_equal(next(f, f->b.buf, HD + 3, &used, &hd, &p), H2W_E_NOMEM);
  assert_int_equal(used, HD);
  assert_int_equal(f->a.in_use, 0);
  assert_int_equal(next(f, f->b.buf + HD, 3, &used, &hd, &p), H2W_E_NOMEM);
  assert_int_equal(used, 0);
  /* Retrying once memory is back picks up where it stopped. */
  f->c.fail_all = 0;
  pos = HD;
  assert_int_equal(next(f, f->b.buf + pos, 3, &used, &hd, &p), H2W_OK);
  pos += used;
  assert_int_equal(next(f, f->b.buf + pos, f->b.len - pos, &used, &hd, &p),
                   H2W_FRAME_READY);
  assert_memory_equal(p, "abcdefgh", 8);
  /* Failing every time, byte by byte: only NOMEM, never a crash or leak. */
  h2w_frame_reader_free(&f->r);
  f->c.fail_all = 1;
  for (pos = 0; pos < f->b.len; pos += used) {
    int rv = next(f, f->b.buf + pos, 1, &used, &hd, &p);
    assert_true(rv == H2W_OK || rv == H2W_E_NOMEM);
    assert_int_equal(used, rv == H2W_OK ? 1 : 0);
    if (rv == H2W_E_NOMEM) {
      break;
    }
  }
  assert_int_equal(pos, HD);
  assert_int_equal(f->a.in_use, 0);
}

/* Pass-through types (DATA for a session): a payload that straddles
 * calls comes out as pieces pointing into each call's input, in order,
 * with nothing allocated; other types are still reassembled. */
static void test_pass_through_pieces(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p = NULL;
  size_t used, at = 0, got = 0, i;
  static const size_t cuts[] = {5, 9, 10, 1000, 1001, 3009};
  uint8_t data[3000];
  for (i = 0; i < sizeof data; i++) {
    data[i] = (uint8_t)(i * 7);
  }
  f->r.pass_types = 1u << H2W_FRAME_DATA;
  h2w_fb_begin(&f->b, H2W_FRAME_DATA, 0, 1);
  h2w_fb_bytes(&f->b, data, sizeof data);
  h2w_fb_end(&f->b);
  for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    int rv = h2w_frame_reader_next(&f->r, f->b.buf + at, cuts[i] - at, &used,
                                   &hd, &p, NULL);
    assert_int_equal(used, cuts[i] - at);
    if (cuts[i] <= HD) {
      assert_int_equal(rv, H2W_OK);
    } else {
      assert_int_equal(rv, H2W_FRAME_PIECE);
      assert_int_equal(hd.length, sizeof data);
      assert_int_equal(f->r.piece_off, got);
      assert_true(p == f->b.buf + at + (at < HD ? HD - at : 0));
      assert_memory_equal(p, data + got, f->r.piece_len);
      got += f->r.piece_len;
    }
    at = cuts[i];
  }
  assert_int_equal(got, sizeof data);
  assert_int_equal(f->c.calls, 0);
  /* A header in the last call of a frame: the next frame starts clean. */
  h2w_fb_clear(&f->b);
  h2w_fb_ping(&f->b, 0, 1);
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf, 12, &used, &hd, &p, NULL), H2W_OK);
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf + 12, 5, &used, &hd, &p, NULL),
      H2W_FRAME_READY);
  assert_int_equal(hd.type, H2W_FRAME_PING);
  assert_int_equal(f->c.calls, 1); /* the PING was reassembled */
}

/* The reassembly buffer is kept while frames keep straddling calls and
 * released after H2W_READER_IDLE_TICKS calls without one; `force` releases
 * it at once, but never under a frame being gathered. */
static void test_buffer_released_when_idle(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p = NULL;
  size_t used;
  int i;
  h2w_fb_ping(&f->b, 0, 1);
  for (i = 0; i < 3 * H2W_READER_IDLE_TICKS; i++) {
    assert_int_equal(
        h2w_frame_reader_next(&f->r, f->b.buf, 12, &used, &hd, &p, NULL),
        H2W_OK);
    assert_int_equal(
        h2w_frame_reader_next(&f->r, f->b.buf + 12, 5, &used, &hd, &p, NULL),
        H2W_FRAME_READY);
    h2w_frame_reader_tick(&f->r, 0);
    assert_non_null(f->r.buf);
  }
  for (i = 1; i < H2W_READER_IDLE_TICKS; i++) {
    h2w_frame_reader_tick(&f->r, 0);
    assert_non_null(f->r.buf);
  }
  h2w_frame_reader_tick(&f->r, 0);
  assert_null(f->r.buf);
  assert_int_equal(f->a.in_use, 0);
  /* Mid-frame, even force keeps the octets gathered so far. */
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf, 12, &used, &hd, &p, NULL), H2W_OK);
  h2w_frame_reader_tick(&f->r, 1);
  assert_non_null(f->r.buf);
  assert_int_equal(
      h2w_frame_reader_next(&f->r, f->b.buf + 12, 5, &used, &hd, &p, NULL),
      H2W_FRAME_READY);
  assert_memory_equal(p, f->b.buf + HD, 8);
  h2w_frame_reader_tick(&f->r, 1);
  assert_null(f->r.buf);
}

static void test_arguments(void **state) {
  fixture *f = *state;
  h2w_frame_hd hd;
  const uint8_t *p;
  size_t used = 99;
  uint8_t x = 0;
  assert_int_equal(h2w_frame_reader_init(NULL, &f->a), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_reader_init(&f->r, NULL), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(h2w_frame_reader_next(NULL, &x, 1, &used, &hd, &p, NULL),
                   H2W_E_INVALID_ARGUMENT);
  assert_int_equal(next(f, NULL, 1, &used, &hd, &p), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(next(f, &x, 1, NULL, &hd, &p), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(next(f, &x, 1, &used, NULL, &p), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(next(f, &x, 1, &used, &hd, NULL), H2W_E_INVALID_ARGUMENT);
  assert_int_equal(next(f, NULL, 0, &used, &hd, &p), H2W_OK);
  assert_int_equal(used, 0);
  h2w_frame_reader_reset(NULL);
  h2w_frame_reader_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_stream_whole, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_bytewise, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_random_splits, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_zero_copy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_split_payload_exact_buffer, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_oversized_header, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_frame_size_changes, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_nomem, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pass_through_pieces, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_buffer_released_when_idle, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
