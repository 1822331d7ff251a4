/* Interop in memory: a libnghttp2 client session against an h2wire
 * server session, bytes moved between them with no socket. Built only
 * when pkg-config finds libnghttp2 (tests/CMakeLists.txt); libnghttp2 is a
 * test dependency, never linked into the library.
 *
 * Issue 14 defect C: the client sends SETTINGS {HEADER_TABLE_SIZE 0,
 * HEADER_TABLE_SIZE 4096} while our encoder's dynamic table holds an entry
 * the client's decoder has indexed. nghttp2 applies both entries (RFC
 * 7541 §4.2) and requires the next header block to start with a size
 * update no larger than 0; a block without it, or one that references
 * the evicted entry, ends the connection with COMPRESSION_ERROR. Every
 * response must decode cleanly, with the output fed to nghttp2 whole and
 * in 1-byte pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <nghttp2/nghttp2.h>

#include "h2wire.h"

#define VALUE_LEN 120

typedef struct wire {
  nghttp2_session *ng;
  h2w_session *srv;
  size_t piece;          /* octets per nghttp2_session_mem_recv call; 0: all */
  int responses;         /* complete responses nghttp2 delivered */
  int good_values;       /* x-interop fields with the expected value */
  int ng_recv_error;     /* first negative nghttp2_session_mem_recv() */
  uint32_t goaway_sent;  /* nghttp2's GOAWAY error code + 1, if any */
  uint32_t close_errors; /* streams nghttp2 closed with an error */
  char value[VALUE_LEN];
} wire;

/* ---- the nghttp2 client -------------------------------------------------- */

static int ng_on_header(nghttp2_session *ng, const nghttp2_frame *frame,
                        const uint8_t *name, size_t namelen,
                        const uint8_t *value, size_t valuelen, uint8_t flags,
                        void *user) {
  wire *l = user;
  (void)ng;
  (void)frame;
  (void)flags;
  if (namelen == 9 && memcmp(name, "x-interop", 9) == 0 &&
      valuelen == VALUE_LEN && memcmp(value, l->value, VALUE_LEN) == 0) {
    l->good_values++;
  }
  return 0;
}

static int ng_on_frame_recv(nghttp2_session *ng, const nghttp2_frame *frame,
                            void *user) {
  wire *l = user;
  (void)ng;
  if (frame->hd.type == NGHTTP2_HEADERS &&
      frame->headers.cat == NGHTTP2_HCAT_RESPONSE &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    l->responses++;
  }
  return 0;
}

static int ng_on_frame_send(nghttp2_session *ng, const nghttp2_frame *frame,
                            void *user) {
  wire *l = user;
  (void)ng;
  if (frame->hd.type == NGHTTP2_GOAWAY && l->goaway_sent == 0) {
    l->goaway_sent = frame->goaway.error_code + 1;
  }
  return 0;
}

static int ng_on_stream_close(nghttp2_session *ng, int32_t id, uint32_t code,
                              void *user) {
  wire *l = user;
  (void)ng;
  (void)id;
  if (code != NGHTTP2_NO_ERROR) {
    l->close_errors++;
  }
  return 0;
}

static void ng_open(wire *l) {
  nghttp2_session_callbacks *cbs;
  assert_int_equal(nghttp2_session_callbacks_new(&cbs), 0);
  nghttp2_session_callbacks_set_on_header_callback(cbs, ng_on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, ng_on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, ng_on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
                                                         ng_on_stream_close);
  assert_int_equal(nghttp2_session_client_new(&l->ng, cbs, l), 0);
  nghttp2_session_callbacks_del(cbs);
}

static void ng_request(wire *l, const char *path) {
  nghttp2_nv nva[4] = {
      {(uint8_t *)":method", (uint8_t *)"GET", 7, 3, NGHTTP2_NV_FLAG_NONE},
      {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, NGHTTP2_NV_FLAG_NONE},
      {(uint8_t *)":authority", (uint8_t *)"localhost", 10, 9,
       NGHTTP2_NV_FLAG_NONE},
      {(uint8_t *)":path", (uint8_t *)(uintptr_t)path, 5, strlen(path),
       NGHTTP2_NV_FLAG_NONE}};
  assert_true(nghttp2_submit_request(l->ng, NULL, nva, 4, NULL, NULL) > 0);
}

/* ---- the h2wire server --------------------------------------------------- */

/* Every request gets :status 200 and an x-interop field our encoder
 * indexes (short enough for its table), so that a later block can
 * reference it. */
static int srv_on_stream_end(h2w_session *s, uint32_t id, void *user) {
  wire *l = user;
  h2w_nv nv[2];
  memset(nv, 0, sizeof nv);
  nv[0].name = (const uint8_t *)":status";
  nv[0].namelen = 7;
  nv[0].value = (const uint8_t *)"200";
  nv[0].valuelen = 3;
  nv[1].name = (const uint8_t *)"x-interop";
  nv[1].namelen = 9;
  nv[1].value = (const uint8_t *)l->value;
  nv[1].valuelen = VALUE_LEN;
  return h2w_session_submit_response(s, id, nv, 2, NULL);
}

static void srv_open(wire *l) {
  h2w_callbacks *cb = NULL;
  assert_int_equal(h2w_callbacks_new(&cb, NULL), H2W_OK);
  assert_int_equal(h2w_callbacks_set_on_stream_end(cb, srv_on_stream_end),
                   H2W_OK);
  assert_int_equal(h2w_session_server_new(&l->srv, cb, NULL, l, NULL), H2W_OK);
  h2w_callbacks_del(cb);
}

/* ---- the wire ------------------------------------------------------------ */

/* Move bytes both ways until neither side has any. */
static void pump(wire *l) {
  int rounds;
  for (rounds = 0; rounds < 1000; rounds++) {
    const uint8_t *data;
    uint8_t buf[4096];
    ssize_t n;
    h2w_ssize m;
    size_t moved = 0;
    while ((n = nghttp2_session_mem_send(l->ng, &data)) > 0) {
      assert_int_equal(h2w_session_recv(l->srv, data, (size_t)n), n);
      moved += (size_t)n;
    }
    assert_true(n == 0);
    while ((m = h2w_session_send(l->srv, buf, sizeof buf)) > 0) {
      size_t off = 0;
      while (off < (size_t)m) {
        size_t k = (size_t)m - off;
        ssize_t r;
        if (l->piece != 0 && k > l->piece) {
          k = l->piece;
        }
        r = nghttp2_session_mem_recv(l->ng, buf + off, k);
        if (r < 0) {
          if (l->ng_recv_error == 0) {
            l->ng_recv_error = (int)r;
          }
          return;
        }
        off += k;
      }
      moved += (size_t)m;
    }
    assert_true(m == 0);
    if (moved == 0) {
      return;
    }
  }
  fail_msg("the two sessions never went quiet");
}

static void run(size_t piece) {
  nghttp2_settings_entry both[2] = {{NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 0},
                                    {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 4096}};
  wire l;
  memset(&l, 0, sizeof l);
  memset(l.value, 'v', sizeof l.value);
  l.piece = piece;
  ng_open(&l);
  srv_open(&l);
  assert_int_equal(nghttp2_submit_settings(l.ng, NGHTTP2_FLAG_NONE, NULL, 0),
                   0);
  ng_request(&l, "/one");
  pump(&l);
  assert_int_equal(l.ng_recv_error, 0);
  assert_int_equal(l.responses, 1);
  /* Our encoder indexed x-interop; nghttp2 holds it in its table. Now
   * the client empties its table and sets it back, in one frame. */
  assert_int_equal(nghttp2_submit_settings(l.ng, NGHTTP2_FLAG_NONE, both, 2),
                   0);
  ng_request(&l, "/two");
  pump(&l);
  ng_request(&l, "/three");
  pump(&l);
  print_message("[ NGHTTP2  ] %s: %d responses, %d x-interop values, "
                "mem_recv error %d (%s), GOAWAY sent %s\n",
                piece ? "1-byte pieces" : "whole", l.responses, l.good_values,
                l.ng_recv_error,
                l.ng_recv_error ? nghttp2_strerror(l.ng_recv_error) : "none",
                l.goaway_sent ? nghttp2_http2_strerror(l.goaway_sent - 1)
                              : "none");
  assert_int_equal(l.ng_recv_error, 0);
  assert_int_equal(l.goaway_sent, 0);
  assert_int_equal(l.close_errors, 0);
  assert_int_equal(l.responses, 3);
  assert_int_equal(l.good_values, 3);
  assert_int_equal(h2w_session_error(l.srv, NULL, NULL, NULL), H2W_OK);
  nghttp2_session_del(l.ng);
  h2w_session_del(l.srv);
}

static void test_defect_c_nghttp2_whole(void **state) {
  (void)state;
  run(0);
}

static void test_defect_c_nghttp2_bytes(void **state) {
  (void)state;
  run(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defect_c_nghttp2_whole),
      cmocka_unit_test(test_defect_c_nghttp2_bytes),
  };
  print_message("[ NGHTTP2  ] libnghttp2 %s\n",
                nghttp2_version(0)->version_str);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
