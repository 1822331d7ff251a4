/* libFuzzer harness: event-buffer mode against callbacks. The same input
 * goes to two sessions of the same role, one reporting through callbacks,
 * one in event-buffer mode (h2wire.h, "Event-buffer mode"), in the same
 * pieces; the records (read back after every call, with a random pause
 * threshold) must say exactly what the callbacks said, line for line,
 * and both sessions must write the same octets. The application answers
 * the same way on both sides, through the h2w_nv submits and a data
 * source on one, the packed submits and memory-range bodies on the
 * other, so those are compared too. Any difference aborts.
 *
 * Input: octet 0 role and mode bits, octet 1 the pause threshold
 * (x 16; 0: none), octets 2-5 the seed of the piece sizes, then the
 * peer's octets. Mode bits: 0x01 server, 0x02 frame records, 0x04 DATA
 * in the input, 0x08 push enabled, 0x10 validation off, 0x20 promises
 * refused, the event side by an on_push_promise of its own (the one
 * callback event mode still calls), 0x40 both send a PING (FE_PING) first,
 * so a peer's PING ACK is reported, 0x80 the event-buffer calls' contract
 * at the start (refused arguments, calls that need the mode) and at the
 * end (clearing the buffer, switching the mode off). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events_log.h"
#include "h2wire.h"

#define FE_HEADER 6
#define FE_MAX_BODIES 64

static const uint8_t body_octets[512] = {1, 2, 3};

/* A response body of the callback side: a slice of body_octets. */
typedef struct fe_body {
  uint32_t id;
  size_t len, off;
} fe_body;

typedef struct fe {
  h2w_session *a, *b; /* callbacks, events */
  evlog la, lb;
  size_t scanned;  /* of la: requests found so far */
  size_t compared; /* of both logs: found equal so far */
  fe_body bodies[FE_MAX_BODIES];
  uint32_t rng;
  const uint8_t *in; /* the piece given to b's running receive */
} fe;

/* The opaque data of the PING both sessions send with mode bit 0x40. */
static const uint8_t fe_ping[8] = {'e', 'v', 'f', 'u', 'z', 'z', '!', '!'};

/* The event side's answer to a promise (mode bit 0x20): the same as the
 * callback logger's, without a log line (the record is the line). */
static int fe_push(h2w_session *s, uint32_t id, uint32_t promised, void *user) {
  evlog *l = user;
  (void)s;
  (void)id;
  (void)promised;
  return l->push_answer;
}

static uint32_t fe_rand(fe *f) {
  f->rng = f->rng * 1103515245u + 12345u;
  return f->rng >> 16;
}

static h2w_ssize body_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  fe *f = user;
  size_t i, n;
  (void)s;
  for (i = 0; i < FE_MAX_BODIES; i++) {
    fe_body *b = &f->bodies[i];
    if (b->id == id) {
      n = b->len - b->off < len ? b->len - b->off : len;
      memcpy(buf, body_octets + b->off, n);
      b->off += n;
      if (b->off == b->len) {
        *flags |= H2W_DATA_FLAG_EOF;
        b->id = 0;
      }
      return (h2w_ssize)n;
    }
  }
  abort(); /* every stream answered with a body has a slot */
}

static void fail_if(int cond) {
  if (cond) {
    abort();
  }
}

/* The two logs say the same (printed to stderr when not, for triage);
 * only what was added since the last comparison is compared. */
static void same_logs(fe *f) {
  if (f->la.len != f->lb.len ||
      (f->la.len > f->compared &&
       memcmp(f->la.buf + f->compared, f->lb.buf + f->compared,
              f->la.len - f->compared) != 0)) {
    fprintf(stderr, "--- callbacks:\n%s--- records:\n%s",
            f->la.buf ? f->la.buf : "", f->lb.buf ? f->lb.buf : "");
    abort();
  }
  f->compared = f->la.len;
}

/* Both sides take their output; it must be the same. */
static void drain(fe *f) {
  static uint8_t oa[1 << 16], ob[1 << 16];
  const h2w_event *ev;
  const uint8_t *bytes;
  size_t n, nb;
  for (;;) {
    size_t cap = 1 + fe_rand(f) % sizeof(oa);
    h2w_ssize ra = h2w_session_send(f->a, oa, cap);
    h2w_ssize rb = h2w_session_send(f->b, ob, cap);
    fail_if(ra != rb);
    fail_if(ra > 0 && memcmp(oa, ob, (size_t)ra) != 0);
    if (ra <= 0) {
      break;
    }
  }
  fail_if(h2w_session_events(f->b, &ev, &n, &bytes, &nb) != H2W_OK);
  fail_if(evlog_records(&f->lb, ev, n, bytes, nb, NULL) != 0);
}

/* Answer each request the callbacks reported since the last call, the
 * same way on both sides. */
static void respond(fe *f) {
  static const uint8_t blob[] = {2,   0,   0,   0,   7,   0,   0,   0,   3,
                                 0,   0,   0,   13,  0,   0,   0,   2,   0,
                                 0,   0,   ':', 's', 't', 'a', 't', 'u', 's',
                                 '2', '0', '0', 'x', '-', 'e', 'v', 'e', 'n',
                                 't', 's', '-', 'f', 'u', 'z', 'z', 'o', 'k'};
  h2w_nv nv[2] = {
      {(const uint8_t *)":status", 7, (const uint8_t *)"200", 3, 0},
      {(const uint8_t *)"x-events-fuzz", 13, (const uint8_t *)"ok", 2, 0}};
  char *line = f->la.buf != NULL ? f->la.buf + f->scanned : NULL;
  while (line != NULL && *line != 0) {
    char *nl = strchr(line, '\n');
    unsigned id;
    int kind, es;
    if (sscanf(line, "headers %u %d %d", &id, &kind, &es) == 3 &&
        kind == H2W_HEADERS_REQUEST) {
      size_t len = fe_rand(f) % sizeof(body_octets), i;
      int with_body = fe_rand(f) % 2, ra, rb;
      h2w_data_source src = {body_read, NULL, f};
      for (i = 0; with_body && i < FE_MAX_BODIES && f->bodies[i].id != 0;) {
        i++;
      }
      with_body = with_body && i < FE_MAX_BODIES;
      ra =
          h2w_session_submit_response(f->a, id, nv, 2, with_body ? &src : NULL);
      rb = h2w_session_submit_response_packed(
          f->b, id, blob, sizeof(blob), with_body ? body_octets : NULL,
          with_body ? len : 0, with_body ? H2W_RANGE_BODY : 0);
      fail_if(ra != rb);
      if (ra == H2W_OK && with_body) {
        f->bodies[i].id = id;
        f->bodies[i].len = len;
        f->bodies[i].off = 0;
      }
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  f->scanned = f->la.len;
}

/* Mode bit 0x80, before the event mode is on: arguments refused, calls
 * that need the mode refused on a session without it, nothing changed. */
static void contract_before(fe *f) {
  h2w_event_batch batch;
  const h2w_event *ev = NULL;
  size_t n = 1;
  fail_if(
      h2w_session_set_events(NULL, H2W_EVENTS_ON, 0) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_set_events(f->b, H2W_EVENTS_FRAMES, 0) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_set_events(f->b, H2W_EVENTS_ON | 0x100u, 0) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_set_events(f->b, 0, 0) != H2W_OK ||
      h2w_session_events(NULL, &ev, &n, NULL, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_session_events(f->b, &ev, &n, NULL, NULL) != H2W_E_INVALID_STATE ||
      h2w_session_events_clear(NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_session_events_clear(f->b) != H2W_E_INVALID_STATE ||
      h2w_session_recv_events(NULL, NULL, 0, &batch) !=
          H2W_E_INVALID_ARGUMENT ||
      h2w_session_recv_events(f->b, NULL, 0, NULL) != H2W_E_INVALID_ARGUMENT ||
      h2w_session_recv_events(f->b, NULL, 0, &batch) != H2W_E_INVALID_STATE ||
      batch.nevents != 0);
}

/* Mode bit 0x80, at the end: a cleared buffer hands out nothing, the
 * outputs are optional, and switching the mode off (twice: the second is
 * a no-op) gives the session back its callback table. */
static void contract_after(fe *f) {
  const h2w_event *ev = NULL;
  const uint8_t *bytes = NULL;
  size_t n = 1, nb = 1;
  fail_if(h2w_session_events_clear(f->b) != H2W_OK ||
          h2w_session_events(f->b, NULL, NULL, NULL, NULL) != H2W_OK ||
          h2w_session_events(f->b, &ev, &n, &bytes, &nb) != H2W_OK || n != 0 ||
          nb != 0 || ev != NULL || bytes != NULL ||
          h2w_session_set_events(f->b, 0, 0) != H2W_OK ||
          h2w_session_set_events(f->b, 0, 0) != H2W_OK ||
          h2w_session_events(f->b, &ev, &n, NULL, NULL) != H2W_E_INVALID_STATE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const uint8_t req[] = {
      4,   0,   0,   0,   7,   0,   0,   0,   3,   0,   0,   0,   7,   0,
      0,   0,   4,   0,   0,   0,   10,  0,   0,   0,   11,  0,   0,   0,
      5,   0,   0,   0,   1,   0,   0,   0,   ':', 'm', 'e', 't', 'h', 'o',
      'd', 'G', 'E', 'T', ':', 's', 'c', 'h', 'e', 'm', 'e', 'h', 't', 't',
      'p', ':', 'a', 'u', 't', 'h', 'o', 'r', 'i', 't', 'y', 'e', 'x', 'a',
      'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', ':', 'p', 'a', 't', 'h', '/'};
  h2w_nv reqnv[4] = {
      {(const uint8_t *)":method", 7, (const uint8_t *)"GET", 3, 0},
      {(const uint8_t *)":scheme", 7, (const uint8_t *)"http", 4, 0},
      {(const uint8_t *)":authority", 10, (const uint8_t *)"example.org", 11,
       0},
      {(const uint8_t *)":path", 5, (const uint8_t *)"/", 1, 0}};
  fe f;
  h2w_callbacks *cb = NULL;
  h2w_options *opt = NULL;
  int server, frames, in_input, i;
  size_t off = FE_HEADER, pause;
  uint32_t mode;
  if (size < FE_HEADER) {
    return 0;
  }
  memset(&f, 0, sizeof(f));
  server = data[0] & 1;
  frames = (data[0] >> 1) & 1;
  in_input = (data[0] >> 2) & 1;
  f.la.push_answer = f.lb.push_answer = (data[0] & 0x20) ? H2W_PUSH_REFUSE : 0;
  pause = (size_t)data[1] * 16;
  f.rng = (uint32_t)data[2] | (uint32_t)data[3] << 8 | (uint32_t)data[4] << 16 |
          (uint32_t)data[5] << 24;
  fail_if(h2w_callbacks_new(&cb, NULL) != H2W_OK);
  evlog_callbacks(cb, frames);
  fail_if(h2w_options_new(&opt, NULL) != H2W_OK);
  h2w_options_set_enable_push(opt, (data[0] >> 3) & 1);
  h2w_options_set_validate_messages(opt, ((data[0] >> 4) & 1) ^ 1);
  if (server) {
    fail_if(h2w_session_server_new(&f.a, cb, opt, &f.la, NULL) != H2W_OK);
  } else {
    fail_if(h2w_session_client_new(&f.a, cb, opt, &f.la, NULL) != H2W_OK);
  }
  /* The event side has no callback table (with mode bit 0x20 only
   * fe_push): on_push_promise, the one still called in event mode, would
   * log the promise twice. */
  h2w_callbacks_del(cb);
  cb = NULL;
  if (data[0] & 0x20) {
    fail_if(h2w_callbacks_new(&cb, NULL) != H2W_OK ||
            h2w_callbacks_set_on_push_promise(cb, fe_push) != H2W_OK);
  }
  if (server) {
    fail_if(h2w_session_server_new(&f.b, cb, opt, &f.lb, NULL) != H2W_OK);
  } else {
    fail_if(h2w_session_client_new(&f.b, cb, opt, &f.lb, NULL) != H2W_OK);
  }
  h2w_callbacks_del(cb);
  h2w_options_del(opt);
  if (data[0] & 0x80) {
    contract_before(&f);
  }
  mode = H2W_EVENTS_ON | (frames ? H2W_EVENTS_FRAMES : 0) |
         (in_input ? H2W_EVENTS_DATA_IN_INPUT : 0);
  fail_if(h2w_session_set_events(f.b, mode, pause) != H2W_OK);
  if (!server) {
    /* Streams 1 and 3 for the peer's responses. */
    for (i = 0; i < 2; i++) {
      int32_t ra = h2w_session_submit_request(f.a, reqnv, 4, NULL, NULL);
      int32_t rb = h2w_session_submit_request_packed(f.b, req, sizeof(req),
                                                     NULL, 0, 0, NULL);
      fail_if(ra != rb);
    }
  }
  if (data[0] & 0x40) {
    fail_if(h2w_session_submit_ping(f.a, fe_ping) != H2W_OK ||
            h2w_session_submit_ping(f.b, fe_ping) != H2W_OK);
  }
  drain(&f);
  while (off < size) {
    size_t len = size - off, got = 0, rounds = 0;
    h2w_ssize ra, rb = 0;
    if (fe_rand(&f) % 4 != 0) {
      size_t piece = 1 + fe_rand(&f) % (fe_rand(&f) % 2 ? 64 : 2048);
      len = piece < len ? piece : len;
    }
    ra = h2w_session_recv(f.a, data + off, len);
    while (got < len) {
      h2w_event_batch batch;
      rb = h2w_session_recv_events(f.b, data + off + got, len - got, &batch);
      fail_if(evlog_records(&f.lb, batch.events, batch.nevents, batch.bytes,
                            batch.nbytes, data + off + got) != 0);
      if (rb < 0) {
        break;
      }
      got += (size_t)rb;
      fail_if(++rounds > len + 16); /* a pause always makes progress */
    }
    fail_if(ra < 0 ? rb != ra : got != (size_t)ra);
    same_logs(&f);
    if (ra < 0) {
      break;
    }
    off += len;
    respond(&f);
    drain(&f);
    same_logs(&f);
  }
  drain(&f);
  same_logs(&f);
  if (data[0] & 0x80) {
    contract_after(&f);
  }
  h2w_session_del(f.a);
  h2w_session_del(f.b);
  evlog_free(&f.la);
  evlog_free(&f.lb);
  return 0;
}
