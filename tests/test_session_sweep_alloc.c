/* Allocation-failure sweep (issue 6, "Failure injection"): every
 * allocation of each main conversation fails in turn, on the client and
 * on the server, with input whole and in 1-byte pieces. Each run ends
 * either exactly like the clean run (a submit returned H2W_E_NOMEM, the
 * session stayed usable and the retry worked) or with the sticky
 * H2W_E_NOMEM and a GOAWAY INTERNAL_ERROR, never with a leak, a crash or a
 * callback after the failure (sweep.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sweep.h"

static void test_alloc_sweep(void **state) {
  const sw_case *c = *state;
  sw_ref ref;
  int bad;
  sw_ref_make(c->sc, c->mode, &ref);
  for (bad = SW_CLIENT; bad <= SW_SERVER; bad++) {
    sw_stats st = {0, 0, 0, 0, 0};
    sw_sweep_alloc(c->sc, c->mode, bad, &ref, &st);
    sw_report(c->sc, c->mode,
              bad == SW_SERVER ? "server allocations" : "client allocations",
              &st);
    /* Every side allocates in every conversation (its session, at least),
     * so the sweep injected something. */
    assert_true(st.runs > 0);
    assert_int_equal(st.runs, st.absorbed + st.fatal);
  }
  sw_ref_free(&ref);
}

int main(void) {
  /* clang-format off */
  const struct CMUnitTest tests[] = {
      SW_CASES(test_alloc_sweep, sw_handshake),
      SW_CASES(test_alloc_sweep, sw_exchange),
      SW_CASES(test_alloc_sweep, sw_bulk),
      SW_CASES(test_alloc_sweep, sw_streams),
      SW_CASES(test_alloc_sweep, sw_goaway_sc),
      SW_CASES(test_alloc_sweep, sw_shutdown_sc),
      SW_CASES(test_alloc_sweep, sw_reset),
      SW_CASES(test_alloc_sweep, sw_upgrade_sc),
      SW_CASES(test_alloc_sweep, sw_push_sc),
  };
  /* clang-format on */
  return cmocka_run_group_tests(tests, NULL, NULL);
}
