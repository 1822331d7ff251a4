/* Failure sweeps over whole session conversations (issue 6, "Failure
 * injection").
 *
 * A scenario is a conversation between a client and a server tpeer
 * (pump.h): a drive function submits and pumps, a react function is the
 * application's answer to callbacks. A sweep runs the scenario again and
 * again, each run injecting one fault into one side:
 *   - allocation number k of that side's allocator fails (k = 1, 2, ...
 *     until a run makes no allocation fail);
 *   - the k-th call of one callback fails (returns -1) or pauses
 *     (H2W_E_PAUSE), for every callback the clean run uses and every k
 *     until no call is left; data-source read and NO_COPY write count as
 *     callbacks too.
 * Every run is judged against the clean reference run of the same split
 * mode:
 *   - a run whose fault was absorbed (a submit returned H2W_E_NOMEM with
 *     the session still usable and the retry worked, a pause was resumed
 *     by calling recv again with the rest) must log exactly what the
 *     reference logged, on both sides, submit results included;
 *   - a run that killed the session must leave the sticky error
 *     (H2W_E_NOMEM, H2W_E_CALLBACK_FAILURE) in h2w_session_error() and in
 *     every later call, a GOAWAY INTERNAL_ERROR seen by the other side,
 *     no callback after the fatal one but its on_error report;
 *   - a failed data-source read resets that stream with INTERNAL_ERROR
 *     and nothing else (h2wire.h, h2w_data_read_fn);
 *   - the side without the fault never sees an error of its own, and
 *     neither side leaks (tpeer_free() checks the counting allocator,
 *     LSan the rest). */
#ifndef H2W_SWEEP_H
#define H2W_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "pump.h"

/* Pseudo callback types next to the TEV_* bits: data-source calls. */
/* Data-source calls, counted like callbacks, above the TEV_* bits. */
#define SW_SRC_READ (1u << 18)
#define SW_SRC_WRITE (1u << 19)
#define SW_NTYPES 20

enum { SW_CLIENT, SW_SERVER };
enum { SW_NONE, SW_ALLOC, SW_FAIL, SW_PAUSE };

/* Data-source shapes for sw_request()/sw_respond(). */
#define SW_BODY_TRAILERS 0x1u  /* end with NO_END_STREAM, trailers follow */
#define SW_BODY_NO_COPY 0x2u   /* NO_COPY reads: payload through write() */
#define SW_BODY_BIG_READS 0x4u /* reads as large as the session asks */

typedef struct sw_run sw_run;
typedef struct sw_wrap sw_wrap;

typedef struct sw_side {
  sw_run *run;
  tpeer *p;
  long calls[SW_NTYPES]; /* callbacks so far, per type */
  int fired;             /* the injected result was returned */
  uint32_t fired_stream; /* stream of the injected data-source failure */
  int dead;              /* a callback failed or on_error reported 0 */
  int reported;          /* on_error of the connection seen */
  int violations;        /* callbacks that must not have fired */
  char violation[160];   /* the first of them */
  int unexpected;        /* submit results that no fault explains */
  char unexpected_what[160];
  long nomem_retries; /* submits that returned NOMEM and worked again */
} sw_side;

typedef struct sw_scenario {
  const char *name;
  /* Options of each side (both start at the defaults). */
  void (*options)(h2w_options *client, h2w_options *server);
  /* Drive the conversation: submits and pumps. */
  void (*drive)(sw_run *r);
  /* The application's answer to a callback (may be NULL). */
  void (*react)(sw_run *r, sw_side *side, const tev *ev);
  /* Assertions on the clean run: the conversation did what it says. */
  void (*check)(sw_run *r);
} sw_scenario;

struct sw_run {
  const sw_scenario *sc;
  int mode;      /* H2W_SPLIT_* of both peers */
  int bad;       /* SW_CLIENT or SW_SERVER: the side with the fault */
  int action;    /* SW_NONE, SW_ALLOC, SW_FAIL, SW_PAUSE */
  unsigned type; /* the callback type of SW_FAIL / SW_PAUSE */
  long k;        /* which allocation / call */
  tpeer c, s;
  sw_side cs, ss;
  sw_wrap *wraps;
  int32_t ids[8]; /* free for the scenario */
};

/* The clean run's logs and counts, per side (SW_CLIENT, SW_SERVER). */
typedef struct sw_ref {
  char *log[2];
  long calls[2][SW_NTYPES];
  long allocs[2];
} sw_ref;

/* Totals of a sweep, for the test's summary line. */
typedef struct sw_stats {
  long runs;     /* runs with a fault injected */
  long absorbed; /* ... that still produced the reference logs */
  long fatal;    /* ... that ended the session with the sticky error */
  long resets;   /* ... where a failed source read reset one stream */
  long retries;  /* submits retried after H2W_E_NOMEM */
} sw_stats;

/* Clean run in split `mode`: the scenario's check, logs recorded. */
void sw_ref_make(const sw_scenario *sc, int mode, sw_ref *ref);
void sw_ref_free(sw_ref *ref);

/* Fail allocation k = 1, 2, ... of side `bad` until a run completes with
 * no failure. */
void sw_sweep_alloc(const sw_scenario *sc, int mode, int bad, const sw_ref *ref,
                    sw_stats *st);
/* For every callback type side `bad` used in the reference, fail
 * (SW_FAIL) or pause (SW_PAUSE) its k-th call, k = 1, 2, ... until no
 * call is left. Pauses skip the data-source types (they cannot pause). */
void sw_sweep_callbacks(const sw_scenario *sc, int mode, int bad, int action,
                        const sw_ref *ref, sw_stats *st);
/* One line for the test output: "<name>/<mode> <what>: ...". */
void sw_report(const sw_scenario *sc, int mode, const char *what,
               const sw_stats *st);

/* ---- the application side of scenarios ------------------------------------
 * Each call logs "app <op> <result>" in the peer's log, so that submit
 * results are part of the comparison with the reference. A result of
 * H2W_E_NOMEM with the session still usable is retried once: the
 * allocator fails one call only, so the retry must work. */

sw_side *sw_client(sw_run *r);
sw_side *sw_server(sw_run *r);
int32_t sw_request(sw_side *sd, const char *const *fields, size_t body_len,
                   unsigned body_flags);
int sw_respond(sw_side *sd, uint32_t id, const char *const *fields,
               size_t body_len, unsigned body_flags);
int32_t sw_push(sw_side *sd, uint32_t id, const char *const *fields);
int sw_trailers(sw_side *sd, uint32_t id, const char *const *fields);
int sw_rst(sw_side *sd, uint32_t id, uint32_t code);
int sw_ping(sw_side *sd);
int sw_settings(sw_side *sd, uint16_t id, uint32_t value);
int sw_consume(sw_side *sd, uint32_t id, size_t n);
int sw_shutdown(sw_side *sd);
int sw_goaway(sw_side *sd, uint32_t code, const char *debug);
/* h2c Upgrade on both fresh sessions (RFC 7540 §3.2): the client's
 * HTTP2-Settings value, then h2w_session_upgrade() on each side. */
int sw_upgrade(sw_run *r);
void sw_pump(sw_run *r);
/* Tick both sessions (the caller's clock), then pump. */
void sw_pump_at(sw_run *r, uint64_t now_ms);

/* The scenarios (sweep_scenarios.c). */
extern const sw_scenario sw_handshake, sw_exchange, sw_bulk, sw_streams,
    sw_goaway_sc, sw_shutdown_sc, sw_reset, sw_upgrade_sc, sw_push_sc;

/* One cmocka test case: a scenario in one split mode (its initial state).
 * Every scenario runs whole, in 1-byte pieces and in random pieces. */
typedef struct sw_case {
  const sw_scenario *sc;
  int mode;
} sw_case;
/* clang-format off */
#define SW_CASES(f, sc)                                                        \
  {#sc "/whole", f, NULL, NULL, &(sw_case){&(sc), H2W_SPLIT_WHOLE}},           \
  {#sc "/bytes", f, NULL, NULL, &(sw_case){&(sc), H2W_SPLIT_BYTEWISE}},       \
  {#sc "/random", f, NULL, NULL, &(sw_case){&(sc), H2W_SPLIT_RANDOM}}
/* clang-format on */

#endif
