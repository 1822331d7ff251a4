/* libFuzzer harness: a client session that submits a GET and a POST with
 * a body (unless the script starts with an h2c upgrade), then is fed a server's
 * bytes and driven by the op and callback scripts of session_fuzz.h. A
 * completed response sometimes starts another request (at most 40 in all). The
 * output is re-parsed and checked frame by frame. */
#include <stdint.h>
#include <stdlib.h>

#include "session_fuzz.h"

static int on_end(h2w_session *s, uint32_t id, void *user) {
  fz *f = user;
  (void)s;
  fz_enter(f);
  if (fz_rand(f) % 4 == 0) {
    fz_request(f, (uint8_t)(fz_rand(f) % 16));
  }
  return fz_cb_after_submit(f, id, 0);
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  (void)s;
  (void)kind;
  (void)es;
  return fz_cb_of(user, id, 1);
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
  if (fz_start(&f, data, size, 0, cb)) {
    if (f.op_end - f.op < 2 || f.op[0] % FZ_OP_COUNT != FZ_OP_UPGRADE) {
      fz_request(&f, 0); /* an upgrade must come before any stream */
      fz_request(&f, 1);
    }
    fz_after(&f);
    fz_run(&f);
    fz_teardown(&f);
  }
  return 0;
}
