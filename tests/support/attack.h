/* Helpers of the security suite (tests/test_attack_*.c, docs/security.md): a
 * server peer after the handshake, counting of log and output lines,
 * raw HPACK octets for blocks the library's own encoder refuses to make,
 * a body source that needs no storage, and memory-bound reporting.
 * Everything builds on the tpeer harness of pump.h. */
#ifndef H2W_ATTACK_H
#define H2W_ATTACK_H

#include <stddef.h>
#include <stdint.h>

#include "frame_builder.h"
#include "h2wire.h"
#include "pump.h"

/* RFC 9113 §6 frame types, for raw frames. */
enum {
  ATK_DATA = 0,
  ATK_HEADERS = 1,
  ATK_PRIORITY = 2,
  ATK_RST_STREAM = 3,
  ATK_SETTINGS = 4,
  ATK_PUSH_PROMISE = 5,
  ATK_PING = 6,
  ATK_GOAWAY = 7,
  ATK_WINDOW_UPDATE = 8,
  ATK_CONTINUATION = 9
};

/* Octets of the handshake tpeer_handshake() feeds a server: magic (24),
 * empty SETTINGS (9), SETTINGS ACK (9). Error offsets count from 0. */
#define ATK_HANDSHAKE_LEN 42u

/* Start a server in `mode` with `opt` (may be NULL) and run the
 * handshake; output and log are clear afterwards. */
void atk_server(tpeer *s, int mode, const h2w_options *opt);
/* The same for a client (its preface is parsed and dropped). */
void atk_client(tpeer *c, int mode, const h2w_options *opt);

/* Feed b whole (in the peer's split mode) and expect every octet taken;
 * then clear b. */
void atk_feed_ok(tpeer *p, h2w_fb *b);
/* Feed b and expect the negative result err; then clear b. */
void atk_feed_err(tpeer *p, h2w_fb *b, int err);

/* Lines of the peer's log matching the glob `pattern`. */
long atk_log_count(const tpeer *p, const char *pattern);
/* Parsed output summaries (kept) matching `pattern`. */
long atk_frames_count(const tpeer *p, const char *pattern);
/* Drain and parse the output; count the summaries matching `pattern`,
 * then drop all summaries. */
long atk_out_count(tpeer *p, const char *pattern);

/* The sticky error and its GOAWAY code; fails unless both match. */
void atk_expect_error(const tpeer *p, int err, uint32_t code);

/* Memory: bytes the session's allocator holds above `base` at the
 * highest point so far. */
size_t atk_peak_above(const tpeer *p, size_t base);
/* Print a measured number for the report ("row 1: ping flood peak ...")
 * and fail if it is not below `bound`. */
void atk_bound(const char *what, size_t measured, size_t bound);

/* ---- raw HPACK (RFC 7541 §5, §6) ----------------------------------------
 */

/* An integer with an N-bit prefix; `first` holds the bits above it. */
void atk_hp_int(h2w_fb *b, uint8_t first, unsigned prefix, uint64_t v);
/* A raw (not Huffman) string literal. */
void atk_hp_str(h2w_fb *b, const void *s, size_t n);
/* Literal without indexing, new name (§6.2.2). */
void atk_hp_literal(h2w_fb *b, const void *name, size_t nlen, const void *value,
                    size_t vlen);
/* Literal with incremental indexing, new name (§6.2.1). */
void atk_hp_indexed_literal(h2w_fb *b, const void *name, size_t nlen,
                            const void *value, size_t vlen);
/* The four request pseudo-headers of GET_REQ as static-table
 * references and literals (method GET, scheme https, path /,
 * authority example.org). */
void atk_hp_get_pseudo(h2w_fb *b);
/* HEADERS on `id` with `flags` carrying the octets of `blk`. */
void atk_fb_block(h2w_fb *b, uint32_t id, uint32_t flags, const h2w_fb *blk);
/* The same cut into HEADERS + CONTINUATIONs of at most `max` octets;
 * END_HEADERS goes on the last frame, `flags` (END_STREAM) on HEADERS. */
void atk_fb_block_split(h2w_fb *b, uint32_t id, uint32_t flags,
                        const h2w_fb *blk, size_t max);

/* ---- bodies without storage --------------------------------------------
 */

/* A body of `len` pattern octets generated on the fly. */
typedef struct atk_gen {
  uint64_t len, off;
  unsigned long reads; /* read calls */
  uint64_t pulled;     /* octets handed out */
} atk_gen;

h2w_data_source atk_gen_source(atk_gen *g, uint64_t len);

#endif
