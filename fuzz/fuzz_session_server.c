/* libFuzzer harness: a server session fed a client's bytes and driven by
 * the op and callback scripts of session_fuzz.h. By default the
 * application answers each complete request (rng-chosen variant: body,
 * trailers, 103 first, large header); the scripts add everything else.
 * The output is re-parsed and checked frame by frame. */
#include <stdint.h>
#include <stdlib.h>

#include "session_fuzz.h"

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  fz *f = user;
  (void)s;
  fz_enter(f);
  if (kind == H2W_HEADERS_REQUEST && es && fz_rand(f) % 4 != 0) {
    fz_respond(f, id, (uint8_t)(fz_rand(f) % 16));
  }
  return fz_cb_after_submit(f, id, 1);
}

static int on_end(h2w_session *s, uint32_t id, void *user) {
  fz *f = user;
  (void)s;
  fz_enter(f);
  /* INVALID_STATE when answered already: fine. */
  fz_respond(f, id, (uint8_t)(fz_rand(f) % 16));
  return fz_cb_after_submit(f, id, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz f;
  h2w_callbacks *cb;
  if (size < FZ_HEADER) {
    return 0;
  }
  cb = fz_callbacks();
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_stream_end(cb, on_end);
  if (fz_start(&f, data, size, 1, cb)) {
    fz_run(&f);
    fz_teardown(&f);
  }
  return 0;
}
