#include "textbuf.h"

#include <string.h>

void h2w_tb_init(h2w_textbuf *t, char *buf, size_t cap) {
  t->buf = buf;
  t->cap = buf != NULL ? cap : 0;
  t->len = 0;
  if (t->cap > 0) {
    buf[0] = '\0';
  }
}

void h2w_tb_bytes(h2w_textbuf *t, const char *s, size_t n) {
  if (t->len < t->cap) {
    /* Room for the octets that fit, keeping one for the NUL. */
    size_t room = t->cap - 1 - t->len;
    size_t k = n < room ? n : room;
    if (k > 0) {
      memcpy(t->buf + t->len, s, k);
    }
    t->buf[t->len + k] = '\0';
  }
  /* Saturate rather than wrap: the caller then sees "too small". */
  t->len = n > SIZE_MAX - t->len ? SIZE_MAX : t->len + n;
}

void h2w_tb_char(h2w_textbuf *t, char c) {
  h2w_tb_bytes(t, &c, 1);
}

void h2w_tb_str(h2w_textbuf *t, const char *s) {
  if (s != NULL) {
    h2w_tb_bytes(t, s, strlen(s));
  }
}

void h2w_tb_u64(h2w_textbuf *t, uint64_t v) {
  char d[20];
  size_t i = sizeof d;
  do {
    d[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0);
  h2w_tb_bytes(t, d + i, sizeof d - i);
}

void h2w_tb_i64(h2w_textbuf *t, int64_t v) {
  if (v < 0) {
    h2w_tb_char(t, '-');
    /* -(v + 1) + 1 stays in range for INT64_MIN. */
    h2w_tb_u64(t, (uint64_t)(-(v + 1)) + 1u);
  } else {
    h2w_tb_u64(t, (uint64_t)v);
  }
}

void h2w_tb_hex(h2w_textbuf *t, uint64_t v, unsigned digits) {
  static const char hex[] = "0123456789abcdef";
  char d[16];
  size_t i = sizeof d;
  if (digits > sizeof d) {
    digits = sizeof d;
  }
  do {
    d[--i] = hex[v & 0xfu];
    v >>= 4;
  } while (v != 0 || sizeof d - i < digits);
  h2w_tb_bytes(t, d + i, sizeof d - i);
}
