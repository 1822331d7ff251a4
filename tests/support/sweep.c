/* Failure sweeps: the runner and the judge (sweep.h). The application
 * calls of scenarios (sw_request()...) are in sweep_app.c, the scenarios
 * in sweep_scenarios.c. */
#include "sweep.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

unsigned sw_type_index(unsigned type) {
  unsigned i = 0;
  while (i < SW_NTYPES - 1 && (type >> i) != 1u) {
    i++;
  }
  return i;
}

/* The library's on_error reason for a failed callback of this type. */
const char *sw_type_name(unsigned type) {
  static const char *const names[SW_NTYPES] = {
      "on_begin_headers", "on_header",          "on_headers",
      "on_data",          "on_stream_end",      "on_stream_reset",
      "on_stream_close",  "on_settings",        "on_settings_ack",
      "on_ping_ack",      "on_goaway",          "on_error",
      "on_frame_recv",    "on_frame_send",      "on_altsvc",
      "on_origin",        "on_extension_frame", "on_push_promise",
      "data source read", "data source write"};
  return names[sw_type_index(type)];
}

static const char *mode_name(int mode) {
  return mode == H2W_SPLIT_WHOLE      ? "whole"
         : mode == H2W_SPLIT_BYTEWISE ? "bytes"
                                      : "random";
}

int sw_side_id(const sw_side *sd) {
  return sd == &sd->run->ss ? SW_SERVER : SW_CLIENT;
}

static tpeer *peer_of(sw_run *r, int side) {
  return side == SW_SERVER ? &r->s : &r->c;
}

static sw_side *side_of(sw_run *r, int side) {
  return side == SW_SERVER ? &r->ss : &r->cs;
}

void sw_violate(sw_side *sd, const char *fmt, ...) {
  va_list ap;
  if (sd->violations++ == 0) {
    va_start(ap, fmt);
    vsnprintf(sd->violation, sizeof sd->violation, fmt, ap);
    va_end(ap);
  }
}

int sw_injecting(const sw_side *sd, unsigned type, long n) {
  const sw_run *r = sd->run;
  return (r->action == SW_FAIL || r->action == SW_PAUSE) &&
         sw_side_id(sd) == r->bad && r->type == type && n == r->k;
}

/* Every callback: nothing may fire once the session has a sticky error
 * (h2wire.h: "After a fatal error no callback fires again") but the
 * on_stream_close that ends each stream with the connection, and after a
 * failed callback only its on_error report may. */
void sw_check_alive(sw_side *sd, const char *what, unsigned type,
                    uint32_t stream_id) {
  int err = h2w_session_error(sd->p->s, NULL, NULL, NULL);
  if (err != H2W_OK && type == TEV_CLOSE) {
    return; /* the documented exception */
  }
  if (err != H2W_OK) {
    sw_violate(sd, "'%s' after the sticky %s", what, h2w_error_name(err));
  } else if (sd->dead &&
             (type != TEV_ERROR || stream_id != 0 || sd->reported)) {
    sw_violate(sd, "'%s' after the fatal callback", what);
  }
}

static int hook(tpeer *p, const tev *ev) {
  sw_side *sd = p->app;
  sw_run *r = sd->run;
  long n = ++sd->calls[sw_type_index(ev->type)];
  int rv = 0;
  sw_check_alive(sd, ev->line, ev->type, ev->stream_id);
  if (ev->type == TEV_ERROR) {
    if (ev->stream_id == 0) {
      sd->dead = 1;
      sd->reported = 1;
    }
    return 0;
  }
  if (sw_injecting(sd, ev->type, n)) {
    sd->fired = 1;
    if (r->action == SW_FAIL) {
      sd->dead = 1;
      return -1;
    }
    rv = H2W_E_PAUSE;
  }
  if (!sd->dead && r->sc->react != NULL) {
    r->sc->react(r, sd, ev);
  }
  return rv;
}

/* ---- one run ---------------------------------------------------------- */

static void run_init(sw_run *r, const sw_scenario *sc, int mode, int bad,
                     int action, unsigned type, long k) {
  memset(r, 0, sizeof *r);
  r->sc = sc;
  r->mode = mode;
  r->bad = bad;
  r->action = action;
  r->type = type;
  r->k = k;
  tpeer_init(&r->c, 0, mode);
  tpeer_init(&r->s, 1, mode);
  r->cs.run = r;
  r->cs.p = &r->c;
  r->ss.run = r;
  r->ss.p = &r->s;
  r->c.app = &r->cs;
  r->s.app = &r->ss;
  r->c.hook = hook;
  r->s.hook = hook;
  if (action == SW_ALLOC) {
    peer_of(r, bad)->alloc.fail_at = k;
  }
}

/* Create both sessions. Returns 0 if the faulty side could not be
 * created (the only acceptable reason: its allocation failed). */
static int run_open(sw_run *r) {
  h2w_options *co = NULL, *so = NULL;
  int rc, rs = H2W_OK;
  assert_int_equal(h2w_options_new(&co, NULL), H2W_OK);
  assert_int_equal(h2w_options_new(&so, NULL), H2W_OK);
  if (r->sc->options != NULL) {
    r->sc->options(co, so);
  }
  rc = tpeer_open(&r->c, co);
  if (rc == H2W_OK) {
    rs = tpeer_open(&r->s, so);
  }
  h2w_options_del(co);
  h2w_options_del(so);
  if (rc != H2W_OK || rs != H2W_OK) {
    tpeer *bp = peer_of(r, r->bad);
    assert_int_equal(r->action, SW_ALLOC);
    assert_true(bp->alloc.failed);
    assert_null(bp->s);
    assert_int_equal(r->bad == SW_SERVER ? rs : rc, H2W_E_NOMEM);
    return 0;
  }
  return 1;
}

/* Delete both sessions: tpeer_free() fails the test on a leak. */
static void run_free(sw_run *r) {
  sw_free_wraps(r);
  tpeer_free(&r->c);
  tpeer_free(&r->s);
}

static void describe(const sw_run *r, char *buf, size_t cap) {
  static const char *const actions[] = {"clean", "allocation", "failing",
                                        "pausing"};
  snprintf(buf, cap, "%s/%s, %s side, %s %s #%ld", r->sc->name,
           mode_name(r->mode), r->bad == SW_SERVER ? "server" : "client",
           actions[r->action],
           r->action == SW_ALLOC ? "call" : sw_type_name(r->type), r->k);
}

/* The first line where two logs differ, printed with the run. */
static void log_mismatch(const char *run, const char *who, const char *got,
                         const char *want) {
  size_t i = 0, line = 1, start = 0;
  while (got[i] != '\0' && got[i] == want[i]) {
    if (got[i] == '\n') {
      line++;
      start = i + 1;
    }
    i++;
  }
  print_error("%s: %s log differs from the reference at line %zu\n"
              "  got:  %.*s\n  want: %.*s\n",
              run, who, line, (int)strcspn(got + start, "\n"), got + start,
              (int)strcspn(want + start, "\n"), want + start);
  fail_msg("%s: %s log differs from the reference", run, who);
}

static void expect_ref_logs(sw_run *r, const sw_ref *ref, const char *run) {
  const char *c = r->c.log.buf ? r->c.log.buf : "";
  const char *s = r->s.log.buf ? r->s.log.buf : "";
  if (strcmp(c, ref->log[SW_CLIENT]) != 0) {
    log_mismatch(run, "client", c, ref->log[SW_CLIENT]);
  }
  if (strcmp(s, ref->log[SW_SERVER]) != 0) {
    log_mismatch(run, "server", s, ref->log[SW_SERVER]);
  }
}

static void expect_sane_side(const sw_side *sd, const char *run) {
  const char *who = sw_side_id(sd) == SW_SERVER ? "server" : "client";
  if (sd->violations != 0) {
    fail_msg("%s: %s: %d callback(s) that must not fire, first %s", run, who,
             sd->violations, sd->violation);
  }
  if (sd->unexpected != 0) {
    fail_msg("%s: %s: unexpected result of %s", run, who, sd->unexpected_what);
  }
}

static void expect_rv(const char *run, const char *what, h2w_ssize got,
                      int want) {
  if (got != want) {
    fail_msg("%s: %s returned %s (%td), expected %s", run, what,
             got < 0 ? h2w_error_name((int)got) : "", got,
             h2w_error_name(want));
  }
}

/* The session died with `err`: sticky in every later call, on_error told
 * once, GOAWAY INTERNAL_ERROR flushed to and seen by the other side. */
static void judge_dead(sw_run *r, int err, const char *run) {
  tpeer *bp = peer_of(r, r->bad), *gp = peer_of(r, !r->bad);
  sw_side *bs = side_of(r, r->bad);
  uint8_t buf[64];
  uint32_t code = 0;
  const char *reason = NULL;
  (void)h2w_session_error(bp->s, &code, &reason, NULL);
  if (code != H2W_INTERNAL_ERROR || !bs->reported) {
    fail_msg("%s: sticky %s with wire code %s, on_error %s", run,
             h2w_error_name(err), h2w_http2_error_name(code),
             bs->reported ? "told" : "never told");
  }
  if (r->action == SW_FAIL &&
      (reason == NULL || strcmp(reason, sw_type_name(r->type)) != 0)) {
    fail_msg("%s: reason '%s'", run, reason ? reason : "(null)");
  }
  expect_rv(run, "recv", h2w_session_recv(bp->s, (const uint8_t *)"x", 1), err);
  expect_rv(run, "submit_ping", h2w_session_submit_ping(bp->s, NULL), err);
  expect_rv(run, "send", h2w_session_send(bp->s, buf, sizeof buf), err);
  expect_rv(run, "want_write", h2w_session_want_write(bp->s), 0);
  expect_rv(run, "want_read", h2w_session_want_read(bp->s), 0);
  if (!tpeer_log_has(gp, "goaway * INTERNAL_ERROR*")) {
    fail_msg("%s: the other side never saw GOAWAY INTERNAL_ERROR", run);
  }
}

/* A failed data-source read resets only its stream (INTERNAL_ERROR). */
static void judge_read_failure(sw_run *r, const char *run) {
  tpeer *bp = peer_of(r, r->bad), *gp = peer_of(r, !r->bad);
  uint32_t id = side_of(r, r->bad)->fired_stream;
  char pat[3][64];
  snprintf(pat[0], sizeof pat[0], "close %u INTERNAL_ERROR reset", id);
  snprintf(pat[1], sizeof pat[1], "reset %u INTERNAL_ERROR", id);
  snprintf(pat[2], sizeof pat[2], "app rst %u *", id);
  if (h2w_session_error(bp->s, NULL, NULL, NULL) != H2W_OK ||
      !tpeer_log_has(bp, pat[0])) {
    fail_msg("%s: stream %u not reset alone", run, id);
  }
  /* The peer hears of it unless it had already reset the stream. */
  if (!tpeer_log_has(gp, pat[1]) && !tpeer_log_has(gp, pat[2])) {
    fail_msg("%s: the other side never saw RST_STREAM %u", run, id);
  }
}

/* RFC 9113 §6.8: the last-stream-id of successive GOAWAY frames MUST NOT
 * increase, whatever ended the connection. Checked on what each side
 * received ("goaway <last> ..." lines). */
static void expect_goaways_monotonic(const tpeer *p, const char *run) {
  const char *line = p->log.buf;
  unsigned long prev = 0x7fffffffUL, last;
  while (line != NULL && *line != '\0') {
    if (sscanf(line, "goaway %lu ", &last) == 1) {
      if (last > prev) {
        fail_msg("%s: GOAWAY last-stream-id %lu after %lu", run, last, prev);
      }
      prev = last;
    }
    line = strchr(line, '\n');
    line = line != NULL ? line + 1 : NULL;
  }
}

static void judge(sw_run *r, const sw_ref *ref, sw_stats *st, int fatal) {
  tpeer *bp = peer_of(r, r->bad), *gp = peer_of(r, !r->bad);
  sw_side *bs = side_of(r, r->bad);
  char run[160];
  int err = h2w_session_error(bp->s, NULL, NULL, NULL);
  int gerr = h2w_session_error(gp->s, NULL, NULL, NULL);
  describe(r, run, sizeof run);
  expect_sane_side(&r->cs, run);
  expect_sane_side(&r->ss, run);
  expect_goaways_monotonic(&r->c, run);
  expect_goaways_monotonic(&r->s, run);
  if (gerr != H2W_OK) {
    fail_msg("%s: the side without a fault failed: %s", run,
             h2w_error_name(gerr));
  }
  if (!(r->action == SW_ALLOC ? bp->alloc.failed : bs->fired)) {
    expect_ref_logs(r, ref, run);
    return;
  }
  st->runs++;
  st->retries += bs->nomem_retries;
  if (r->action == SW_FAIL && r->type == SW_SRC_READ) {
    judge_read_failure(r, run);
    st->resets++;
  } else if (err == H2W_OK && r->action != SW_FAIL) {
    expect_ref_logs(r, ref, run);
    st->absorbed++;
  } else if (err != fatal) {
    fail_msg("%s: sticky error %s, expected %s", run, h2w_error_name(err),
             h2w_error_name(fatal));
  } else {
    judge_dead(r, err, run);
    st->fatal++;
  }
}

/* ---- sweeps ----------------------------------------------------------- */

void sw_ref_make(const sw_scenario *sc, int mode, sw_ref *ref) {
  sw_run r;
  int i;
  char run[160];
  memset(ref, 0, sizeof *ref);
  run_init(&r, sc, mode, SW_CLIENT, SW_NONE, 0, 0);
  assert_true(run_open(&r));
  sc->drive(&r);
  describe(&r, run, sizeof run);
  expect_sane_side(&r.cs, run);
  expect_sane_side(&r.ss, run);
  assert_int_equal(h2w_session_error(r.c.s, NULL, NULL, NULL), H2W_OK);
  assert_int_equal(h2w_session_error(r.s.s, NULL, NULL, NULL), H2W_OK);
  sc->check(&r);
  for (i = 0; i < 2; i++) {
    tpeer *p = peer_of(&r, i);
    const char *log = p->log.buf ? p->log.buf : "";
    ref->log[i] = malloc(strlen(log) + 1);
    assert_non_null(ref->log[i]);
    memcpy(ref->log[i], log, strlen(log) + 1);
    memcpy(ref->calls[i], side_of(&r, i)->calls, sizeof ref->calls[i]);
    ref->allocs[i] = p->alloc.calls;
  }
  run_free(&r);
}

void sw_ref_free(sw_ref *ref) {
  free(ref->log[0]);
  free(ref->log[1]);
  memset(ref, 0, sizeof *ref);
}

/* Returns 1 while the k-th allocation happened (and failed). */
static int alloc_run(const sw_scenario *sc, int mode, int bad, long k,
                     const sw_ref *ref, sw_stats *st) {
  sw_run r;
  int failed;
  run_init(&r, sc, mode, bad, SW_ALLOC, 0, k);
  if (!run_open(&r)) {
    st->runs++;
    st->fatal++;
    run_free(&r);
    return 1;
  }
  sc->drive(&r);
  failed = peer_of(&r, bad)->alloc.failed;
  judge(&r, ref, st, H2W_E_NOMEM);
  run_free(&r);
  return failed;
}

void sw_sweep_alloc(const sw_scenario *sc, int mode, int bad, const sw_ref *ref,
                    sw_stats *st) {
  long k = 1;
  while (alloc_run(sc, mode, bad, k, ref, st)) {
    k++;
  }
  /* The runs before the fault replay the reference exactly, so the
   * sweep ends right after the reference's last allocation. */
  assert_int_equal(k, ref->allocs[bad] + 1);
}

/* Returns 1 while the k-th call of `type` happened (and was injected). */
static int cb_run(const sw_scenario *sc, int mode, int bad, int action,
                  unsigned type, long k, const sw_ref *ref, sw_stats *st) {
  sw_run r;
  int fired;
  run_init(&r, sc, mode, bad, action, type, k);
  assert_true(run_open(&r));
  sc->drive(&r);
  fired = side_of(&r, bad)->fired;
  /* A pause must change nothing: no sticky error is acceptable. */
  judge(&r, ref, st, action == SW_PAUSE ? H2W_OK : H2W_E_CALLBACK_FAILURE);
  run_free(&r);
  return fired;
}

void sw_sweep_callbacks(const sw_scenario *sc, int mode, int bad, int action,
                        const sw_ref *ref, sw_stats *st) {
  unsigned i;
  for (i = 0; i < SW_NTYPES; i++) {
    unsigned type = 1u << i;
    long k = 1;
    if (ref->calls[bad][i] == 0 || type == TEV_ERROR ||
        (action == SW_PAUSE && (type & (SW_SRC_READ | SW_SRC_WRITE)))) {
      continue;
    }
    while (cb_run(sc, mode, bad, action, type, k, ref, st)) {
      k++;
    }
    assert_int_equal(k, ref->calls[bad][i] + 1);
  }
}

void sw_report(const sw_scenario *sc, int mode, const char *what,
               const sw_stats *st) {
  print_message("%s/%s %s: %ld runs (%ld absorbed, %ld fatal, %ld stream "
                "resets, %ld submits retried)\n",
                sc->name, mode_name(mode), what, st->runs, st->absorbed,
                st->fatal, st->resets, st->retries);
}
