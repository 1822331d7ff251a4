/* Session test harness: two sessions wired back to back in memory.
 *
 * A tpeer wraps one h2w_session with an event recorder: every callback
 * appends one compact line to the peer's log ("headers 1 req es=1",
 * "data 1 5", "close 1 NO_ERROR"...), so tests read as conversations and
 * compare exact event sequences with EXPECT_LOG(). Consecutive data
 * events of one stream are merged into one line with their total, so a
 * log does not depend on how the input was split.
 *
 * Two ways to drive sessions:
 *   - tpump(c, s) connects a client and a server in memory: it moves the
 *     output of each into the input of the other until both are quiet,
 *     reading output and feeding input in the peers' split modes (whole,
 *     1-byte pieces, random sizes; test_split.h).
 *   - A single session against a hand-driven peer: tpeer_feed() gives it
 *     raw bytes (built with frame_builder.h, header blocks encoded by the
 *     peer's own HPACK encoder), and EXPECT_OUT() drains its output, parses
 *     it back into frames and compares one summary line per frame
 *     ("GOAWAY last=0 PROTOCOL_ERROR", "WINDOW_UPDATE 0 100"...).
 *     Consecutive DATA frames of a stream are merged into one line with
 *     their total unless keep_data_frames is set: the session may cut
 *     DATA to fit the caller's buffer, so boundaries depend on the split.
 *
 * Expected lines are glob patterns: '*' matches any run of characters.
 * Every peer allocates through its own counting allocator; tpeer_free()
 * fails the test if the session leaked. Out of memory in the harness
 * itself aborts: this is test code. */
#ifndef H2W_PUMP_H
#define H2W_PUMP_H

#include <stddef.h>
#include <stdint.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "test_alloc.h"
#include "test_split.h"

/* Event types, also the bits of tpeer.mute (muted events are not logged,
 * but hooks still see them). */
enum {
  TEV_BEGIN_HEADERS = 1u << 0,
  TEV_HEADER = 1u << 1,
  TEV_HEADERS = 1u << 2,
  TEV_DATA = 1u << 3,
  TEV_END = 1u << 4,
  TEV_RESET = 1u << 5,
  TEV_CLOSE = 1u << 6,
  TEV_SETTINGS = 1u << 7,
  TEV_SETTINGS_ACK = 1u << 8,
  TEV_PING_ACK = 1u << 9,
  TEV_GOAWAY = 1u << 10,
  TEV_ERROR = 1u << 11,
  TEV_FRAME_RECV = 1u << 12,
  TEV_FRAME_SEND = 1u << 13,
  TEV_ALTSVC = 1u << 14,
  TEV_ORIGIN = 1u << 15,
  TEV_EXTENSION = 1u << 16,
  TEV_PUSH = 1u << 17 /* on_push_promise: stream_id, code = promised id */
};

/* One callback, as a hook sees it. Fields not meaningful for the type
 * are 0/NULL. */
typedef struct tev {
  unsigned type;
  uint32_t stream_id;
  int kind;         /* H2W_HEADERS_* */
  int end_stream;   /* headers */
  uint32_t code;    /* reset, close, goaway, error */
  uint32_t flags;   /* close flags */
  const h2w_nv *nv; /* header */
  const uint8_t *data;
  size_t len; /* data length, settings count */
  const char *line;
} tev;

typedef struct tpeer tpeer;
/* Called after an event is logged; its result is the callback's result
 * (0, H2W_E_PAUSE, or a failure). */
typedef int (*tpeer_hook)(tpeer *p, const tev *ev);

typedef struct tbody {
  uint32_t id;
  uint8_t *buf;
  size_t len, cap;
} tbody;

typedef struct tsrc tsrc;

typedef struct tstr {
  char *buf;
  size_t len, cap;
} tstr;

struct tpeer {
  h2w_session *s;
  int is_server;
  h2w_test_alloc alloc; /* the session's allocator */

  /* Event log. */
  tstr log;
  unsigned
      mute; /* TEV_* bits not logged; default: frame and extension events */
  tpeer_hook hook;
  void *app;               /* free for the test */
  const char *last_reason; /* of the last on_error */
  int callbacks;           /* callbacks fired so far */

  /* Transport shaping, for both directions of this peer. */
  int split; /* H2W_SPLIT_* */
  uint32_t seed;
  size_t max_piece; /* random pieces are 1..max_piece octets */
  int use_peek;     /* take output with peek/ack instead of send */
  /* tpeer_open() ticks the new session at time 0, so the abuse budgets
   * are on as in a real server (they are off until the first tick);
   * set this between tpeer_init() and tpeer_open() to leave it
   * unticked (tpeer_no_clock sets the default, for the tests of the
   * clock itself). */
  int no_clock;

  /* Results seen by the harness. */
  int recv_err; /* first negative h2w_session_recv() result */
  int send_err; /* first negative send/peek result */
  int pauses;   /* recv calls that returned early */

  /* Bodies received, per stream. */
  tbody *bodies;
  size_t nbodies;

  /* Hand-driven conversations. */
  h2w_hpack_encoder *enc; /* the fake peer's encoder (session's decoder) */
  h2w_hpack_decoder *dec; /* decodes the session's header blocks */
  int preface_seen;       /* client output: the magic was parsed */
  uint8_t *out;           /* output not yet parsed into frames */
  size_t outlen, outcap;
  tstr frames;          /* one summary line per parsed output frame */
  int keep_data_frames; /* do not merge consecutive DATA summaries */
  tstr fields;          /* fields of the header block being parsed */
  tsrc *sources;
};

/* The default of tpeer.no_clock (0). */
extern int tpeer_no_clock;
/* Zero the peer, set defaults and its allocator. Call before setting
 * alloc.fail_at etc., then tpeer_open(). */
void tpeer_init(tpeer *p, int is_server, int split);
/* Create the session with recording callbacks and `opt` (may be NULL).
 * Returns the result of h2w_session_*_new(). */
int tpeer_open(tpeer *p, const h2w_options *opt);
/* tpeer_init + tpeer_open, failing the test if creation fails. */
void tpeer_start(tpeer *p, int is_server, int split, const h2w_options *opt);
/* Delete the session and everything the harness holds; fails the test if
 * the session's allocator still has live blocks. */
void tpeer_free(tpeer *p);

/* ---- the log ------------------------------------------------------------ */

/* Compare the log with lines[] (NULL-terminated), then clear it. */
void tpeer_expect_log(tpeer *p, const char *file, int line,
                      const char *const *lines);
#define EXPECT_LOG(p, ...)                                                     \
  tpeer_expect_log((p), __FILE__, __LINE__,                                    \
                   (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_LOG_EMPTY(p)                                                    \
  tpeer_expect_log((p), __FILE__, __LINE__, (const char *const[]){NULL})
/* 1 if some logged line matches the glob `pattern`. */
int tpeer_log_has(const tpeer *p, const char *pattern);
/* The 0-based line number of the first match, -1 if none. */
int tpeer_log_index(const tpeer *p, const char *pattern);
void tpeer_log_clear(tpeer *p);

/* ---- moving bytes ------------------------------------------------------- */

/* Feed in[0..len) in the peer's split mode, resuming after pauses.
 * Returns len, or the first negative result (also kept in recv_err). */
h2w_ssize tpeer_feed(tpeer *p, const uint8_t *in, size_t len);
h2w_ssize tpeer_feed_fb(tpeer *p, const h2w_fb *b);
/* Feed b whole and clear it; anything short of every octet consumed fails
 * the test, naming the result and the session's last reason, so the one
 * call replaces the assert every test would otherwise repeat. */
void tpeer_feed_ok(tpeer *p, h2w_fb *b);
/* Read all pending output in the peer's split mode into p->out (raw,
 * unparsed). Returns the octets read or a negative send/peek result. */
h2w_ssize tpeer_read_out(tpeer *p);
/* Loopback: move bytes both ways until neither side has output. Fails
 * the test if the two never go quiet. Returns the octets moved. */
size_t tpump(tpeer *c, tpeer *s);
/* Tick both sessions to now_ms (the session clock), then pump. */
size_t tpump_at(tpeer *c, tpeer *s, uint64_t now_ms);

/* ---- output frames ------------------------------------------------------ */

/* Drain the output, parse complete frames into summary lines and compare
 * them with lines[], then clear the summaries. */
void tpeer_expect_out(tpeer *p, const char *file, int line,
                      const char *const *lines);
#define EXPECT_OUT(p, ...)                                                     \
  tpeer_expect_out((p), __FILE__, __LINE__,                                    \
                   (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_OUT_EMPTY(p)                                                    \
  tpeer_expect_out((p), __FILE__, __LINE__, (const char *const[]){NULL})
/* Drain and parse without comparing; the summaries stay in p->frames. */
void tpeer_parse_out(tpeer *p);
/* Drain and parse; 1 if a summary line matches the glob `pattern`. The
 * summaries stay (EXPECT_OUT or tpeer_out_clear() drop them). */
int tpeer_out_has(tpeer *p, const char *pattern);
void tpeer_out_clear(tpeer *p);

/* ---- building the fake peer's input ------------------------------------ */

/* Header lists are NULL-terminated name, value, name, value... arrays. */
#define H(...) ((const char *const[]){__VA_ARGS__, NULL})
#define GET_REQ                                                                \
  H(":method", "GET", ":scheme", "https", ":authority", "example.org",         \
    ":path", "/")
#define POST_REQ                                                               \
  H(":method", "POST", ":scheme", "https", ":authority", "example.org",        \
    ":path", "/upload")
#define RESP_200 H(":status", "200")

/* h2w_nv view of a header list; returns the count (at most max). */
size_t tnv(h2w_nv *out, size_t max, const char *const *fields);
/* Encode a header block with the peer's fake-peer encoder. */
size_t tpeer_block(tpeer *p, uint8_t *out, size_t cap,
                   const char *const *fields);
/* HEADERS frame (END_HEADERS added) carrying an encoded header list. */
void tpeer_fb_headers(tpeer *p, h2w_fb *b, uint32_t id, uint32_t flags,
                      const char *const *fields);
/* The client connection preface: magic + SETTINGS iv[0..n). */
void tfb_client_preface(h2w_fb *b, const h2w_settings_entry *iv, size_t n);
/* Hand-driven handshake: the session's preface parsed, the fake peer's
 * preface (empty SETTINGS) fed and both SETTINGS acknowledged; output and
 * log cleared. */
void tpeer_handshake(tpeer *p);

/* ---- bodies ---------------------------------------------------------------
 */

/* A data source owned by the peer (freed by tpeer_free). */
struct tsrc {
  uint8_t *data;
  size_t len, off;
  size_t max_read;   /* at most this much per read (0: no cap) */
  size_t defer_at;   /* defer once when off reaches it (0: never) */
  int deferred;      /* the deferral happened */
  int no_copy;       /* NO_COPY reads, payload written by write() */
  int trailers;      /* end with NO_END_STREAM */
  int fail;          /* read returns this error (negative) */
  unsigned reads;    /* read calls */
  unsigned writes;   /* write calls */
  uint32_t last_len; /* `len` of the last read call */
  tsrc *next;
};
/* A source of len octets copied from data (NULL: the test pattern). */
tsrc *tpeer_source(tpeer *p, const void *data, size_t len);
h2w_data_source tsrc_ds(tsrc *src);
/* The deterministic byte pattern of large test bodies. */
void tpattern(uint8_t *buf, size_t len);
int tpattern_check(const uint8_t *buf, size_t len);
/* The body received on stream id so far (NULL, 0 if none). */
const uint8_t *tpeer_body(const tpeer *p, uint32_t id, size_t *len);

/* Submit helpers: fail the test unless the call succeeds. */
int32_t tpeer_request(tpeer *c, const char *const *fields, tsrc *body);
void tpeer_respond(tpeer *s, uint32_t id, const char *const *fields,
                   tsrc *body);

/* ---- split-mode test tables -----------------------------------------------
 */

extern int tsplit_modes[H2W_SPLIT_MODES];
/* The split mode a SPLIT_TESTS entry runs with. */
int tmode(void **state);
/* clang-format off */
#define SPLIT_TESTS(f)                                                         \
  {#f "/whole", f, NULL, NULL, &tsplit_modes[H2W_SPLIT_WHOLE]},                \
  {#f "/bytes", f, NULL, NULL, &tsplit_modes[H2W_SPLIT_BYTEWISE]},             \
  {#f "/random", f, NULL, NULL, &tsplit_modes[H2W_SPLIT_RANDOM]}
/* clang-format on */

#endif
