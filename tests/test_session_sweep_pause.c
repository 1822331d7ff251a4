/* Pause sweep (issue 6, "Failure injection"): for every callback each
 * main conversation uses, on the client and on the server, its k-th call
 * returns H2W_E_PAUSE, for every k, with input whole and in 1-byte
 * pieces. The harness resumes by calling h2w_session_recv() with the
 * unconsumed rest; every run must then log exactly what the clean run
 * logged, on both sides (sweep.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sweep.h"

static void test_pause_sweep(void **state) {
  const sw_case *c = *state;
  sw_ref ref;
  int bad;
  sw_ref_make(c->sc, c->mode, &ref);
  for (bad = SW_CLIENT; bad <= SW_SERVER; bad++) {
    sw_stats st = {0, 0, 0, 0, 0};
    sw_sweep_callbacks(c->sc, c->mode, bad, SW_PAUSE, &ref, &st);
    sw_report(c->sc, c->mode,
              bad == SW_SERVER ? "server callbacks pause"
                               : "client callbacks pause",
              &st);
    assert_true(st.runs > 0);
    assert_int_equal(st.runs, st.absorbed);
  }
  sw_ref_free(&ref);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SW_CASES(test_pause_sweep, sw_handshake),
      SW_CASES(test_pause_sweep, sw_exchange),
      SW_CASES(test_pause_sweep, sw_bulk),
      SW_CASES(test_pause_sweep, sw_streams),
      SW_CASES(test_pause_sweep, sw_goaway_sc),
      SW_CASES(test_pause_sweep, sw_shutdown_sc),
      SW_CASES(test_pause_sweep, sw_reset),
      SW_CASES(test_pause_sweep, sw_upgrade_sc),
      SW_CASES(test_pause_sweep, sw_push_sc),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
