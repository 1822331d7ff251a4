/* A bounded text builder with snprintf semantics, for the debugging aids
 * (frame traces, session dumps): text is appended into a caller buffer of
 * `cap` octets, which always stays NUL-terminated and is never overrun,
 * while `len` keeps counting what the whole text would need. The caller
 * compares len with cap to learn whether it fitted, and how much room a
 * second attempt needs. No allocation, no session state. */
#ifndef H2W_TEXTBUF_H
#define H2W_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

#include "cold.h"

typedef struct h2w_textbuf {
  char *buf;  /* may be NULL when cap is 0 (measure only) */
  size_t cap; /* octets at buf, the NUL included */
  size_t len; /* length of the full text so far, NUL excluded */
} h2w_textbuf;

/* Start an empty text at buf[0..cap): buf[0] becomes NUL when cap > 0. A
 * NULL buf is taken as cap 0. */
H2W_COLD void h2w_tb_init(h2w_textbuf *t, char *buf, size_t cap);
H2W_COLD void h2w_tb_char(h2w_textbuf *t, char c);
H2W_COLD void h2w_tb_bytes(h2w_textbuf *t, const char *s, size_t n);
/* A NUL-terminated string; NULL appends nothing. */
H2W_COLD void h2w_tb_str(h2w_textbuf *t, const char *s);
H2W_COLD void h2w_tb_u64(h2w_textbuf *t, uint64_t v);
H2W_COLD void h2w_tb_i64(h2w_textbuf *t, int64_t v);
/* Lowercase hexadecimal, no prefix, at least `digits` digits. */
H2W_COLD void h2w_tb_hex(h2w_textbuf *t, uint64_t v, unsigned digits);

#endif
