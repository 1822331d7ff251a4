/* Failure sweeps: the application calls of scenarios (sweep.h). Each one
 * logs its result in the peer's log, retries once after an H2W_E_NOMEM
 * that left the session usable, and flags results no fault explains. */
#include "sweep.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pump_int.h"
#include "sweep_int.h"

/* A data source of the harness (tsrc) behind a wrapper that counts its
 * calls as callbacks of the side and fails the injected one. */
struct sw_wrap {
  h2w_data_source inner;
  sw_side *side;
  sw_wrap *next;
};

sw_side *sw_client(sw_run *r) {
  return &r->cs;
}

sw_side *sw_server(sw_run *r) {
  return &r->ss;
}

static h2w_ssize wrap_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  sw_wrap *w = user;
  sw_side *sd = w->side;
  long n = ++sd->calls[sw_type_index(SW_SRC_READ)];
  sw_check_alive(sd, "data source read", SW_SRC_READ, id);
  if (sd->fired && sd->run->type == SW_SRC_READ && sd->fired_stream == id) {
    sw_violate(sd, "read of stream %u after its read failed", id);
  }
  if (sw_injecting(sd, SW_SRC_READ, n) && sd->run->action == SW_FAIL) {
    sd->fired = 1;
    sd->fired_stream = id;
    return -1;
  }
  return w->inner.read(s, id, buf, len, flags, w->inner.user);
}

static int wrap_write(h2w_session *s, uint32_t id, uint8_t *dst, size_t len,
                      void *user) {
  sw_wrap *w = user;
  sw_side *sd = w->side;
  long n = ++sd->calls[sw_type_index(SW_SRC_WRITE)];
  sw_check_alive(sd, "data source write", SW_SRC_WRITE, id);
  if (sw_injecting(sd, SW_SRC_WRITE, n) && sd->run->action == SW_FAIL) {
    sd->fired = 1;
    sd->dead = 1;
    return -1;
  }
  return w->inner.write(s, id, dst, len, w->inner.user);
}

/* NULL when len is 0 (no body: END_STREAM on the HEADERS frame). */
static const h2w_data_source *body(sw_side *sd, size_t len, unsigned flags,
                                   h2w_data_source *ds) {
  tsrc *src;
  sw_wrap *w;
  if (len == 0) {
    return NULL;
  }
  src = tpeer_source(sd->p, NULL, len);
  src->trailers = (flags & SW_BODY_TRAILERS) != 0;
  src->no_copy = (flags & SW_BODY_NO_COPY) != 0;
  /* Several reads per body even when the windows would allow one. */
  src->max_read = (flags & SW_BODY_BIG_READS) ? 0 : 700;
  w = calloc(1, sizeof *w);
  if (w == NULL) {
    abort();
  }
  w->inner = tsrc_ds(src);
  w->side = sd;
  w->next = sd->run->wraps;
  sd->run->wraps = w;
  ds->read = wrap_read;
  ds->write = wrap_write;
  ds->user = w;
  return ds;
}

void sw_free_wraps(sw_run *r) {
  while (r->wraps != NULL) {
    sw_wrap *next = r->wraps->next;
    free(r->wraps);
    r->wraps = next;
  }
}

/* 1 when rv is an H2W_E_NOMEM that left the session usable: try once
 * more (the allocator fails one call only). */
static int retry(sw_side *sd, int rv, int *tries) {
  if (rv == H2W_E_NOMEM && (*tries)++ == 0 &&
      h2w_session_error(sd->p->s, NULL, NULL, NULL) == H2W_OK) {
    sd->nomem_retries++;
    return 1;
  }
  return 0;
}

/* Log "app <op> <result>"; any failure other than the sticky error or
 * INVALID_STATE (a stream or connection the other side ended) is flagged:
 * a clean run would differ from the reference in the log anyway. */
static int result(sw_side *sd, const char *op, int rv) {
  char line[160];
  int err = h2w_session_error(sd->p->s, NULL, NULL, NULL);
  if (rv >= 0) {
    snprintf(line, sizeof line, "app %s %d", op, rv);
  } else {
    snprintf(line, sizeof line, "app %s %s", op, h2w_error_name(rv));
  }
  tstr_line(&sd->p->log, line);
  if (rv < 0 && rv != H2W_E_INVALID_STATE && rv != err &&
      sd->unexpected++ == 0) {
    snprintf(sd->unexpected_what, sizeof sd->unexpected_what, "%s", line);
  }
  return rv;
}

int32_t sw_request(sw_side *sd, const char *const *fields, size_t body_len,
                   unsigned body_flags) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  h2w_data_source ds;
  const h2w_data_source *b = body(sd, body_len, body_flags, &ds);
  int32_t id;
  int tries = 0;
  do {
    id = h2w_session_submit_request(sd->p->s, nv, n, b, NULL);
  } while (retry(sd, id, &tries));
  return result(sd, "request", id);
}

int sw_respond(sw_side *sd, uint32_t id, const char *const *fields,
               size_t body_len, unsigned body_flags) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  h2w_data_source ds;
  const h2w_data_source *b = body(sd, body_len, body_flags, &ds);
  char op[32];
  int rv, tries = 0;
  do {
    rv = h2w_session_submit_response(sd->p->s, id, nv, n, b);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "respond %u", id);
  return result(sd, op, rv);
}

int32_t sw_push(sw_side *sd, uint32_t id, const char *const *fields) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  char op[32];
  int32_t rv;
  int tries = 0;
  do {
    rv = h2w_session_submit_push_promise(sd->p->s, id, nv, n, NULL);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "push %u", id);
  return result(sd, op, rv);
}

int sw_trailers(sw_side *sd, uint32_t id, const char *const *fields) {
  h2w_nv nv[16];
  size_t n = tnv(nv, 16, fields);
  char op[32];
  int rv, tries = 0;
  do {
    rv = h2w_session_submit_trailers(sd->p->s, id, nv, n);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "trailers %u", id);
  return result(sd, op, rv);
}

int sw_rst(sw_side *sd, uint32_t id, uint32_t code) {
  char op[48];
  int rv, tries = 0;
  do {
    rv = h2w_session_submit_rst_stream(sd->p->s, id, code);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "rst %u %s", id, h2w_http2_error_name(code));
  return result(sd, op, rv);
}

int sw_ping(sw_side *sd) {
  static const uint8_t opaque[8] = {'s', 'w', 'e', 'e', 'p', 0, 0, 1};
  int rv, tries = 0;
  do {
    rv = h2w_session_submit_ping(sd->p->s, opaque);
  } while (retry(sd, rv, &tries));
  return result(sd, "ping", rv);
}

int sw_settings(sw_side *sd, uint16_t id, uint32_t value) {
  h2w_settings_entry iv;
  char op[48];
  int rv, tries = 0;
  iv.id = id;
  iv.reserved = 0;
  iv.value = value;
  do {
    rv = h2w_session_submit_settings(sd->p->s, &iv, 1);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "settings %u:%u", (unsigned)id, value);
  return result(sd, op, rv);
}

int sw_consume(sw_side *sd, uint32_t id, size_t n) {
  char op[48];
  int rv, tries = 0;
  do {
    rv = h2w_session_consume(sd->p->s, id, n);
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "consume %u %zu", id, n);
  return result(sd, op, rv);
}

int sw_shutdown(sw_side *sd) {
  int rv, tries = 0;
  do {
    rv = h2w_session_shutdown(sd->p->s);
  } while (retry(sd, rv, &tries));
  return result(sd, "shutdown", rv);
}

int sw_goaway(sw_side *sd, uint32_t code, const char *debug) {
  char op[48];
  int rv, tries = 0;
  do {
    rv = h2w_session_submit_goaway(sd->p->s, code, (const uint8_t *)debug,
                                   strlen(debug));
  } while (retry(sd, rv, &tries));
  snprintf(op, sizeof op, "goaway %s", h2w_http2_error_name(code));
  return result(sd, op, rv);
}

int sw_upgrade(sw_run *r) {
  char hs[64];
  h2w_ssize n = h2w_session_upgrade_settings(r->c.s, hs, sizeof hs);
  int rv, tries = 0;
  (void)result(&r->cs, "upgrade_settings", n < 0 ? (int)n : 0);
  if (n < 0) {
    return (int)n;
  }
  do {
    rv = h2w_session_upgrade(r->c.s, hs, (size_t)n, 0, NULL);
  } while (retry(&r->cs, rv, &tries));
  (void)result(&r->cs, "upgrade", rv);
  tries = 0;
  do {
    rv = h2w_session_upgrade(r->s.s, hs, (size_t)n, 0, NULL);
  } while (retry(&r->ss, rv, &tries));
  return result(&r->ss, "upgrade", rv);
}

void sw_pump(sw_run *r) {
  (void)tpump(&r->c, &r->s);
}

void sw_pump_at(sw_run *r, uint64_t now_ms) {
  sw_side *sides[2] = {&r->cs, &r->ss};
  int i;
  for (i = 0; i < 2; i++) {
    int rv = h2w_session_tick(sides[i]->p->s, now_ms);
    char op[48];
    snprintf(op, sizeof op, "tick %llu", (unsigned long long)now_ms);
    (void)result(sides[i], op, rv);
  }
  sw_pump(r);
}
