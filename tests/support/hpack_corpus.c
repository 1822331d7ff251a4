/* Strict JSON reader for hpack-test-case stories, and corpus listing.
 * See hpack_corpus.h. The grammar is RFC 8259; the story schema is the one
 * of the corpus README (cases / seqno / header_table_size / wire /
 * headers). */
#define _POSIX_C_SOURCE 200809L

#include "hpack_corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Nesting bound for members we skip: the corpus needs 4 levels; a bound
 * keeps a hostile file from exhausting the stack. */
#define JSON_MAX_DEPTH 64

typedef struct jparser {
  const char *path;
  const unsigned char *start, *p, *end;
  char *err;
  size_t errlen;
} jparser;

typedef struct jbuf {
  uint8_t *b;
  size_t len, cap;
} jbuf;

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  if (err == NULL || errlen == 0) {
    return;
  }
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* Report at the current position as path:line:column, which is what an
 * editor jumps to. Always returns -1 so callers can `return fail(...)`. */
static int fail(jparser *j, const char *reason) {
  unsigned long line = 1, col = 1;
  const unsigned char *q;
  for (q = j->start; q < j->p && q < j->end; q++) {
    if (*q == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  set_err(j->err, j->errlen, "%s:%lu:%lu: %s", j->path, line, col, reason);
  return -1;
}

static int jbuf_put(jbuf *b, const uint8_t *src, size_t n) {
  if (b->cap - b->len < n + 1) {
    size_t cap = b->cap ? b->cap : 64;
    uint8_t *nb;
    while (cap - b->len < n + 1) {
      cap *= 2;
    }
    nb = realloc(b->b, cap);
    if (nb == NULL) {
      return -1;
    }
    b->b = nb;
    b->cap = cap;
  }
  if (n > 0) {
    memcpy(b->b + b->len, src, n);
  }
  b->len += n;
  b->b[b->len] = 0;
  return 0;
}

/* Grow an array of `size`-byte elements to hold one more, zeroing the new
 * slot, so that a half-parsed element is always reachable by the free
 * routines. */
static void *grow(void *arr, size_t *n, size_t size) {
  uint8_t *na;
  if (*n >= SIZE_MAX / size - 1) {
    return NULL;
  }
  na = realloc(arr, (*n + 1) * size);
  if (na == NULL) {
    return NULL;
  }
  memset(na + *n * size, 0, size);
  (*n)++;
  return na;
}

static void skip_ws(jparser *j) {
  while (j->p < j->end &&
         (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
    j->p++;
  }
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 §4, which rules
 * out overlongs, surrogates and code points above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
  unsigned char c = p[0], lo = 0x80, hi = 0xbf;
  size_t n, i;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    lo = c == 0xe0 ? 0xa0 : 0x80;
    hi = c == 0xed ? 0x9f : 0xbf;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    lo = c == 0xf0 ? 0x90 : 0x80;
    hi = c == 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi) {
    return 0;
  }
  for (i = 2; i < n; i++) {
    if (p[i] < 0x80 || p[i] > 0xbf) {
      return 0;
    }
  }
  return n;
}

static int read_hex4(jparser *j, uint32_t *out) {
  uint32_t v = 0;
  int i;
  if (j->end - j->p < 4) {
    return fail(j, "truncated \\u escape");
  }
  for (i = 0; i < 4; i++) {
    int h = hexval(j->p[i]);
    if (h < 0) {
      return fail(j, "bad hex digit in \\u escape");
    }
    v = v << 4 | (uint32_t)h;
  }
  j->p += 4;
  *out = v;
  return 0;
}

static int put_utf8(jparser *j, jbuf *b, uint32_t cp) {
  uint8_t u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (uint8_t)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (uint8_t)(0xc0 | cp >> 6);
    u[1] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (uint8_t)(0xe0 | cp >> 12);
    u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    u[2] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (uint8_t)(0xf0 | cp >> 18);
    u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    u[3] = (uint8_t)(0x80 | (cp & 0x3f));
    n = 4;
  }
  return jbuf_put(b, u, n) == 0 ? 0 : fail(j, "out of memory");
}

/* \uXXXX, with UTF-16 surrogate pairs joined (RFC 8259 §7): a lone or
 * reversed surrogate has no UTF-8 form, so it is an error. */
static int parse_u_escape(jparser *j, jbuf *b) {
  uint32_t cp, lo;
  if (read_hex4(j, &cp) != 0) {
    return -1;
  }
  if (cp >= 0xdc00 && cp <= 0xdfff) {
    return fail(j, "lone low surrogate in \\u escape");
  }
  if (cp >= 0xd800 && cp <= 0xdbff) {
    if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') {
      return fail(j, "high surrogate not followed by \\u low surrogate");
    }
    j->p += 2;
    if (read_hex4(j, &lo) != 0) {
      return -1;
    }
    if (lo < 0xdc00 || lo > 0xdfff) {
      return fail(j, "high surrogate not followed by a low surrogate");
    }
    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
  }
  return put_utf8(j, b, cp);
}

static int parse_escape(jparser *j, jbuf *b) {
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  const char *hit;
  uint8_t c;
  if (j->p >= j->end) {
    return fail(j, "truncated escape");
  }
  if (*j->p == 'u') {
    j->p++;
    return parse_u_escape(j, b);
  }
  hit = *j->p != 0 ? strchr(from, *j->p) : NULL;
  if (hit == NULL) {
    return fail(j, "bad escape");
  }
  c = (uint8_t)to[hit - from];
  j->p++;
  return jbuf_put(b, &c, 1) == 0 ? 0 : fail(j, "out of memory");
}

/* A JSON string into b (b->len reset first). */
static int parse_string(jparser *j, jbuf *b) {
  b->len = 0;
  if (jbuf_put(b, NULL, 0) != 0) {
    return fail(j, "out of memory");
  }
  if (j->p >= j->end || *j->p != '"') {
    return fail(j, "expected a string");
  }
  j->p++;
  for (;;) {
    const unsigned char *run = j->p;
    size_t n;
    while (j->p < j->end && *j->p >= 0x20 && *j->p < 0x80 && *j->p != '"' &&
           *j->p != '\\') {
      j->p++;
    }
    if (jbuf_put(b, run, (size_t)(j->p - run)) != 0) {
      return fail(j, "out of memory");
    }
    if (j->p >= j->end) {
      return fail(j, "unterminated string");
    }
    if (*j->p == '"') {
      j->p++;
      return 0;
    }
    if (*j->p == '\\') {
      j->p++;
      if (parse_escape(j, b) != 0) {
        return -1;
      }
      continue;
    }
    if (*j->p < 0x20) {
      return fail(j, "unescaped control character in string");
    }
    n = utf8_seq(j->p, j->end);
    if (n == 0) {
      return fail(j, "invalid UTF-8 in string");
    }
    if (jbuf_put(b, j->p, n) != 0) {
      return fail(j, "out of memory");
    }
    j->p += n;
  }
}

static int is_digit(const jparser *j) {
  return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

/* A JSON number (RFC 8259 §6). *is_int tells whether it was a plain
 * non-negative integer that fits *val. */
static int parse_number(jparser *j, uint64_t *val, int *is_int) {
  uint64_t v = 0;
  int neg = 0, fits = 1;
  if (j->p < j->end && *j->p == '-') {
    neg = 1;
    j->p++;
  }
  if (!is_digit(j)) {
    return fail(j, "expected a digit");
  }
  if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' && j->p[1] <= '9') {
    return fail(j, "leading zero in number");
  }
  while (is_digit(j)) {
    uint64_t d = (uint64_t)(*j->p - '0');
    if (v > (UINT64_MAX - d) / 10) {
      fits = 0;
    }
    v = v * 10 + d;
    j->p++;
  }
  *is_int = !neg && fits;
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (!is_digit(j)) {
      return fail(j, "expected a digit after '.'");
    }
    while (is_digit(j)) {
      j->p++;
    }
    *is_int = 0;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
      j->p++;
    }
    if (!is_digit(j)) {
      return fail(j, "expected a digit in exponent");
    }
    while (is_digit(j)) {
      j->p++;
    }
    *is_int = 0;
  }
  *val = v;
  return 0;
}

static int parse_literal(jparser *j) {
  static const char *const words[] = {"true", "false", "null"};
  size_t i;
  for (i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[i], n) == 0) {
      j->p += n;
      return 0;
    }
  }
  return fail(j, "unexpected character");
}

static int obj_next(jparser *j, int *first, jbuf *key);
static int arr_next(jparser *j, int *first);

/* Parse and discard any value (members the schema does not use, such as
 * "description" and "context"). */
static int skip_value(jparser *j, jbuf *scratch, int depth) {
  int first = 1, r;
  uint64_t v;
  int is_int;
  skip_ws(j);
  if (j->p >= j->end) {
    return fail(j, "expected a value");
  }
  if (depth > JSON_MAX_DEPTH && (*j->p == '{' || *j->p == '[')) {
    return fail(j, "nesting too deep");
  }
  switch (*j->p) {
  case '"':
    return parse_string(j, scratch);
  case '{':
    while ((r = obj_next(j, &first, scratch)) == 1) {
      if (skip_value(j, scratch, depth + 1) != 0) {
        return -1;
      }
    }
    return r;
  case '[':
    while ((r = arr_next(j, &first)) == 1) {
      if (skip_value(j, scratch, depth + 1) != 0) {
        return -1;
      }
    }
    return r;
  case '-':
  case '0':
  case '1':
  case '2':
  case '3':
  case '4':
  case '5':
  case '6':
  case '7':
  case '8':
  case '9':
    return parse_number(j, &v, &is_int);
  default:
    return parse_literal(j);
  }
}

/* Object iteration: 1 = a member follows (its key in *key, ':' consumed),
 * 0 = the object ended, -1 = error. Trailing commas are rejected. */
static int obj_next(jparser *j, int *first, jbuf *key) {
  skip_ws(j);
  if (*first) {
    if (j->p >= j->end || *j->p != '{') {
      return fail(j, "expected an object");
    }
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') {
      j->p++;
      return 0;
    }
    *first = 0;
  } else if (j->p < j->end && *j->p == '}') {
    j->p++;
    return 0;
  } else if (j->p < j->end && *j->p == ',') {
    j->p++;
    skip_ws(j);
  } else {
    return fail(j, "expected ',' or '}'");
  }
  if (parse_string(j, key) != 0) {
    return -1;
  }
  skip_ws(j);
  if (j->p >= j->end || *j->p != ':') {
    return fail(j, "expected ':'");
  }
  j->p++;
  skip_ws(j);
  return 1;
}

/* Array iteration: 1 = an element follows, 0 = the array ended, -1. */
static int arr_next(jparser *j, int *first) {
  skip_ws(j);
  if (*first) {
    if (j->p >= j->end || *j->p != '[') {
      return fail(j, "expected an array");
    }
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') {
      j->p++;
      return 0;
    }
    *first = 0;
    return 1;
  }
  if (j->p < j->end && *j->p == ']') {
    j->p++;
    return 0;
  }
  if (j->p < j->end && *j->p == ',') {
    j->p++;
    skip_ws(j);
    return 1;
  }
  return fail(j, "expected ',' or ']'");
}

static int key_is(const jbuf *key, const char *name) {
  return key->len == strlen(name) && memcmp(key->b, name, key->len) == 0;
}

static int take_string(jparser *j, jbuf *b, uint8_t **out, size_t *outlen) {
  if (parse_string(j, b) != 0) {
    return -1;
  }
  *out = malloc(b->len + 1);
  if (*out == NULL) {
    return fail(j, "out of memory");
  }
  memcpy(*out, b->b, b->len + 1);
  *outlen = b->len;
  return 0;
}

static int parse_uint(jparser *j, uint64_t max, uint64_t *out) {
  int is_int;
  if (j->p >= j->end || !((*j->p >= '0' && *j->p <= '9') || *j->p == '-')) {
    return fail(j, "expected a number");
  }
  if (parse_number(j, out, &is_int) != 0) {
    return -1;
  }
  if (!is_int || *out > max) {
    return fail(j, "expected a non-negative integer in range");
  }
  return 0;
}

static int parse_wire(jparser *j, jbuf *b, h2w_corpus_case *c) {
  const unsigned char *at = j->p;
  size_t i;
  if (parse_string(j, b) != 0) {
    return -1;
  }
  if (b->len % 2 != 0) {
    j->p = at;
    return fail(j, "wire: odd number of hex digits");
  }
  c->wire = malloc(b->len / 2 + 1);
  if (c->wire == NULL) {
    return fail(j, "out of memory");
  }
  for (i = 0; i < b->len; i += 2) {
    int hi = hexval(b->b[i]), lo = hexval(b->b[i + 1]);
    if (hi < 0 || lo < 0) {
      j->p = at;
      return fail(j, "wire: bad hex digit");
    }
    c->wire[i / 2] = (uint8_t)(hi << 4 | lo);
  }
  c->wirelen = b->len / 2;
  c->has_wire = 1;
  return 0;
}

/* "headers": [{"name": "value"}, ...]; one member per object keeps the
 * field order, which a single object could not (RFC 7541 §2.2 blocks are
 * ordered). */
static int parse_headers(jparser *j, jbuf *b, h2w_corpus_case *c) {
  int afirst = 1, r;
  while ((r = arr_next(j, &afirst)) == 1) {
    int ofirst = 1, members = 0;
    h2w_corpus_field *nf = grow(c->fields, &c->nfields, sizeof(*nf));
    h2w_corpus_field *f;
    if (nf == NULL) {
      return fail(j, "out of memory");
    }
    c->fields = nf;
    f = &c->fields[c->nfields - 1];
    while ((r = obj_next(j, &ofirst, b)) == 1) {
      if (++members > 1) {
        return fail(j, "header object must have exactly one member");
      }
      f->name = malloc(b->len + 1);
      if (f->name == NULL) {
        return fail(j, "out of memory");
      }
      memcpy(f->name, b->b, b->len + 1);
      f->namelen = b->len;
      if (take_string(j, b, &f->value, &f->valuelen) != 0) {
        return -1;
      }
    }
    if (r < 0) {
      return -1;
    }
    if (members != 1) {
      return fail(j, "header object must have exactly one member");
    }
  }
  return r;
}

enum { SEEN_SEQNO = 1, SEEN_SIZE = 2, SEEN_WIRE = 4, SEEN_HEADERS = 8 };

static int parse_case_member(jparser *j, jbuf *b, h2w_corpus_case *c,
                             int *seen) {
  uint64_t v;
  int bit;
  if (key_is(b, "seqno")) {
    bit = SEEN_SEQNO;
  } else if (key_is(b, "header_table_size")) {
    bit = SEEN_SIZE;
  } else if (key_is(b, "wire")) {
    bit = SEEN_WIRE;
  } else if (key_is(b, "headers")) {
    bit = SEEN_HEADERS;
  } else {
    return skip_value(j, b, 2);
  }
  if (*seen & bit) {
    return fail(j, "duplicate member in case");
  }
  *seen |= bit;
  switch (bit) {
  case SEEN_SEQNO:
    return parse_uint(j, UINT64_MAX, &v);
  case SEEN_SIZE:
    if (parse_uint(j, UINT32_MAX, &v) != 0) {
      return -1;
    }
    c->header_table_size = (uint32_t)v;
    c->has_table_size = 1;
    return 0;
  case SEEN_WIRE:
    return parse_wire(j, b, c);
  default:
    return parse_headers(j, b, c);
  }
}

static int parse_case(jparser *j, jbuf *b, h2w_corpus_case *c) {
  int first = 1, seen = 0, r;
  c->header_table_size = 4096; /* RFC 9113 §6.5.2 initial value */
  while ((r = obj_next(j, &first, b)) == 1) {
    if (parse_case_member(j, b, c, &seen) != 0) {
      return -1;
    }
  }
  if (r == 0 && !(seen & SEEN_HEADERS)) {
    j->p--;
    return fail(j, "case without \"headers\"");
  }
  return r;
}

static int parse_cases(jparser *j, jbuf *b, h2w_corpus_story *s) {
  int first = 1, r;
  while ((r = arr_next(j, &first)) == 1) {
    h2w_corpus_case *nc = grow(s->cases, &s->ncases, sizeof(*nc));
    if (nc == NULL) {
      return fail(j, "out of memory");
    }
    s->cases = nc;
    if (parse_case(j, b, &s->cases[s->ncases - 1]) != 0) {
      return -1;
    }
  }
  return r;
}

static int parse_root(jparser *j, jbuf *b, h2w_corpus_story *s) {
  int first = 1, have_cases = 0, r;
  while ((r = obj_next(j, &first, b)) == 1) {
    if (key_is(b, "cases")) {
      if (have_cases) {
        return fail(j, "duplicate \"cases\"");
      }
      have_cases = 1;
      r = parse_cases(j, b, s);
    } else {
      r = skip_value(j, b, 1);
    }
    if (r != 0) {
      return -1;
    }
  }
  if (r != 0) {
    return -1;
  }
  if (!have_cases) {
    return fail(j, "story without \"cases\"");
  }
  skip_ws(j);
  if (j->p != j->end) {
    return fail(j, "trailing data after the story object");
  }
  return 0;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL) {
    memcpy(d, s, n);
  }
  return d;
}

int h2w_corpus_parse_story(const char *path, const char *json, size_t len,
                           h2w_corpus_story *out, char *err, size_t errlen) {
  jparser j;
  jbuf b = {NULL, 0, 0};
  int r;
  if (out == NULL || path == NULL || (json == NULL && len > 0)) {
    set_err(err, errlen, "%s: invalid argument", path ? path : "(null)");
    return -1;
  }
  memset(out, 0, sizeof(*out));
  j.path = path;
  j.start = j.p = (const unsigned char *)json;
  j.end = j.start + len;
  j.err = err;
  j.errlen = errlen;
  out->path = dup_str(path);
  r = out->path == NULL ? fail(&j, "out of memory") : parse_root(&j, &b, out);
  free(b.b);
  if (r != 0) {
    h2w_corpus_free_story(out);
  }
  return r;
}

static int read_file(const char *path, char **data, size_t *len, char *err,
                     size_t errlen) {
  FILE *f = fopen(path, "rb");
  size_t cap = 1 << 16, n = 0;
  char *buf;
  if (f == NULL) {
    set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) {
      break;
    }
    {
      char *nb = realloc(buf, cap * 2);
      if (nb == NULL) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
  }
  if (buf == NULL || ferror(f)) {
    set_err(err, errlen, "%s: %s", path, buf ? "read error" : "out of memory");
    free(buf);
    fclose(f);
    return -1;
  }
  fclose(f);
  *data = buf;
  *len = n;
  return 0;
}

int h2w_corpus_load_story(const char *path, h2w_corpus_story *out, char *err,
                          size_t errlen) {
  char *data;
  size_t len;
  int r;
  if (out != NULL) {
    memset(out, 0, sizeof(*out));
  }
  if (path == NULL || out == NULL) {
    set_err(err, errlen, "(null): invalid argument");
    return -1;
  }
  if (read_file(path, &data, &len, err, errlen) != 0) {
    return -1;
  }
  r = h2w_corpus_parse_story(path, data, len, out, err, errlen);
  free(data);
  return r;
}

void h2w_corpus_free_story(h2w_corpus_story *s) {
  size_t i, k;
  if (s == NULL) {
    return;
  }
  for (i = 0; i < s->ncases; i++) {
    h2w_corpus_case *c = &s->cases[i];
    for (k = 0; k < c->nfields; k++) {
      free(c->fields[k].name);
      free(c->fields[k].value);
    }
    free(c->fields);
    free(c->wire);
  }
  free(s->cases);
  free(s->path);
  memset(s, 0, sizeof(*s));
}

void h2w_corpus_free_list(char **paths, size_t count) {
  size_t i;
  if (paths == NULL) {
    return;
  }
  for (i = 0; i < count; i++) {
    free(paths[i]);
  }
  free(paths);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_story_name(const char *name) {
  size_t n = strlen(name);
  return n > 11 && strncmp(name, "story_", 6) == 0 &&
         strcmp(name + n - 5, ".json") == 0;
}

/* Shared by both listings: entries of `dir` for which want() holds and
 * whose stat type is `mode`, stored as "<dir>/<name>" (full) or "<name>". */
static int list_dir(const char *dir, int (*want)(const char *), int isdir,
                    int full, char ***out, size_t *count, char *err,
                    size_t errlen) {
  DIR *d;
  struct dirent *e;
  char **v = NULL;
  size_t n = 0;
  *out = NULL;
  *count = 0;
  d = opendir(dir);
  if (d == NULL) {
    set_err(err, errlen, "%s: cannot open directory: %s", dir, strerror(errno));
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    size_t plen = strlen(dir) + strlen(e->d_name) + 2;
    char *p;
    struct stat st;
    char **nv;
    if (e->d_name[0] == '.' || !want(e->d_name)) {
      continue;
    }
    p = malloc(plen);
    nv = p ? realloc(v, (n + 1) * sizeof(*v)) : NULL;
    if (nv == NULL) {
      free(p);
      closedir(d);
      h2w_corpus_free_list(v, n);
      set_err(err, errlen, "%s: out of memory", dir);
      return -1;
    }
    v = nv;
    snprintf(p, plen, "%s/%s", dir, e->d_name);
    if (stat(p, &st) != 0 ||
        (isdir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
      free(p);
      continue;
    }
    if (!full) {
      memmove(p, p + strlen(dir) + 1, strlen(e->d_name) + 1);
    }
    v[n++] = p;
  }
  closedir(d);
  if (n > 1) {
    qsort(v, n, sizeof(*v), cmp_str);
  }
  if (n > INT32_MAX) {
    h2w_corpus_free_list(v, n);
    set_err(err, errlen, "%s: too many entries", dir);
    return -1;
  }
  *out = v;
  *count = n;
  return (int)n;
}

static int any_name(const char *name) {
  (void)name;
  return 1;
}

int h2w_corpus_list(const char *folder, char ***paths, size_t *count, char *err,
                    size_t errlen) {
  if (folder == NULL || paths == NULL || count == NULL) {
    set_err(err, errlen, "(null): invalid argument");
    return -1;
  }
  return list_dir(folder, is_story_name, 0, 1, paths, count, err, errlen);
}

int h2w_corpus_folders(const char *root, char ***names, size_t *count,
                       char *err, size_t errlen) {
  if (root == NULL || names == NULL || count == NULL) {
    set_err(err, errlen, "(null): invalid argument");
    return -1;
  }
  return list_dir(root, any_name, 1, 0, names, count, err, errlen);
}

int h2w_corpus_args(int argc, char **argv, const char **dir, int *full) {
  const char *req;
  struct stat st;
  const char *why = NULL;
  if (argc != 3 ||
      (strcmp(argv[2], "subset") != 0 && strcmp(argv[2], "full") != 0)) {
    fprintf(stderr, "usage: %s DIR subset|full\n", argc > 0 ? argv[0] : "test");
    return 2;
  }
  *dir = argv[1];
  *full = strcmp(argv[2], "full") == 0;
  if (argv[1][0] == '\0') {
    why = "H2W_HPACK_TEST_CASE_DIR is not set";
  } else if (stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode)) {
    why = "no such directory";
  }
  if (why == NULL) {
    return -1;
  }
  if (!*full) {
    fprintf(stderr, "the shipped corpus subset is missing at %s: %s\n", argv[1],
            why);
    return 1;
  }
  req = getenv("H2W_REQUIRE_FULL_CORPUS");
  printf("%s: the full hpack-test-case corpus (%s): %s; configure with "
         "-DH2W_HPACK_TEST_CASE_DIR=/path/to/hpack-test-case to run it\n",
         req != NULL && strcmp(req, "1") == 0 ? "FAIL" : "SKIP",
         argv[1][0] != '\0' ? argv[1] : "none", why);
  return req != NULL && strcmp(req, "1") == 0 ? 1 : 77;
}
