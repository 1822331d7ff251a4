/* libFuzzer harness: a client session that submits two requests (a GET
 * and a POST with a body), then is fed a server's bytes (the input after
 * the 5-octet header of session_fuzz.h). Each completed response may
 * start another request; pings and GOAWAY come now and then. The output
 * is re-parsed and every frame must decode. */
#include <stdint.h>
#include <stdlib.h>

#include "session_fuzz.h"

#define NV(n, v)                                                               \
  {                                                                            \
    (const uint8_t *)(n), sizeof(n) - 1, (const uint8_t *)(v), sizeof(v) - 1,  \
        0                                                                      \
  }

static int requests;

static void request(fz *f, int post) {
  static const h2w_nv get[] = {NV(":method", "GET"), NV(":scheme", "https"),
                               NV(":authority", "example.org"),
                               NV(":path", "/")};
  static const h2w_nv put[] = {NV(":method", "POST"), NV(":scheme", "https"),
                               NV(":authority", "example.org"),
                               NV(":path", "/up")};
  const h2w_data_source *body = post ? fz_body(f, 0, 0) : NULL;
  int32_t id;
  if (requests++ >= 20) {
    return;
  }
  id = h2w_session_submit_request(f->s, body ? put : get, 4, body, NULL);
  fz_fatal(f, id);
  if (body != NULL) {
    fz_body_id(f, UINT32_MAX, id > 0 ? (uint32_t)id : 0);
  }
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  fz *f = user;
  (void)s;
  (void)kind;
  (void)es;
  if (fz_rand(f) % 32 == 0) {
    fz_fatal(f, h2w_session_submit_rst_stream(f->s, id, H2W_CANCEL));
  }
  return fz_cb(f);
}

static int on_end(h2w_session *s, uint32_t id, void *user) {
  fz *f = user;
  uint32_t r = fz_rand(f) % 32;
  (void)s;
  (void)id;
  if (r < 8) {
    request(f, (int)(r & 1));
  } else if (r == 8) {
    fz_fatal(f, h2w_session_submit_ping(f->s, NULL));
  } else if (r == 9) {
    fz_fatal(f, h2w_session_submit_goaway(f->s, H2W_NO_ERROR, NULL, 0));
  }
  return fz_cb(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz f;
  h2w_options *opt;
  h2w_callbacks *cb;
  if (size < 5) {
    return 0;
  }
  opt = fz_setup(&f, data);
  f.magic_left = 24;
  requests = 0;
  cb = fz_callbacks();
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_stream_end(cb, on_end);
  if (h2w_session_client_new(&f.s, cb, opt, &f, NULL) != H2W_OK) {
    abort();
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  request(&f, 0);
  request(&f, 1);
  fz_run(&f, data + 5, size - 5);
  fz_teardown(&f);
  return 0;
}
