/* libFuzzer harness: a server session fed a client's bytes (the input
 * after the 5-octet header of session_fuzz.h). The application answers
 * requests with bodies of pseudo-random length (deferred, NO_COPY or
 * with trailers at times), resets some, informs with 103, and now and
 * then pings, changes SETTINGS, shuts down gracefully or says GOAWAY.
 * The output is re-parsed and every frame must decode. */
#include <stdint.h>
#include <stdlib.h>

#include "session_fuzz.h"

static void respond(fz *f, uint32_t id) {
  static const h2w_nv ok = {(const uint8_t *)":status", 7,
                            (const uint8_t *)"200", 3, 0};
  static const h2w_nv early = {(const uint8_t *)":status", 7,
                               (const uint8_t *)"103", 3, 0};
  static const h2w_nv trailer = {(const uint8_t *)"x-t", 3,
                                 (const uint8_t *)"1", 1, 0};
  uint32_t r = fz_rand(f) % 16;
  const h2w_data_source *body = NULL;
  int rv;
  if (r == 0) {
    fz_fatal(f, h2w_session_submit_rst_stream(f->s, id, H2W_CANCEL));
    return;
  }
  if (r == 1) {
    fz_fatal(f, h2w_session_submit_informational(f->s, id, &early, 1));
  }
  if (r >= 4) {
    body = fz_body(f, id, r == 4);
  }
  rv = h2w_session_submit_response(f->s, id, &ok, 1, body);
  fz_fatal(f, rv);
  if (rv != H2W_OK && body != NULL) {
    fz_body_id(f, id, 0);
  } else if (rv == H2W_OK && r == 4 && body != NULL) {
    fz_fatal(f, h2w_session_submit_trailers(f->s, id, &trailer, 1));
  }
}

/* Connection-level actions the application may take at any time. */
static void act(fz *f) {
  static const h2w_settings_entry iv = {H2W_SETTINGS_INITIAL_WINDOW_SIZE, 0,
                                        1000};
  uint32_t r = fz_rand(f) % 64;
  if (r == 0) {
    fz_fatal(f, h2w_session_submit_ping(f->s, NULL));
  } else if (r == 1) {
    fz_fatal(f, h2w_session_submit_settings(f->s, &iv, 1));
  } else if (r == 2) {
    fz_fatal(f, h2w_session_shutdown(f->s));
  } else if (r == 3) {
    fz_fatal(f, h2w_session_submit_goaway(f->s, H2W_NO_ERROR, NULL, 0));
  }
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  fz *f = user;
  (void)s;
  if (kind == H2W_HEADERS_REQUEST && (es || fz_rand(f) % 4 == 0)) {
    respond(f, id);
  }
  act(f);
  return fz_cb(f);
}

static int on_end(h2w_session *s, uint32_t id, void *user) {
  fz *f = user;
  (void)s;
  respond(f, id); /* INVALID_STATE if answered at the headers already */
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
  cb = fz_callbacks();
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_stream_end(cb, on_end);
  if (h2w_session_server_new(&f.s, cb, opt, &f, NULL) != H2W_OK) {
    abort();
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  fz_run(&f, data + 5, size - 5);
  fz_teardown(&f);
  return 0;
}
