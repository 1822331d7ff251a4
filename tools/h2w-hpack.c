/* h2w-hpack: HPACK (RFC 7541) encoder and decoder for the command line,
 * built on the public API only. Scripts depend on the exact format:
 *
 *   h2w-hpack decode
 *     stdin: one header block per line, in hex (case-insensitive, spaces
 *     ignored). "reset" starts a new decoding context; "table-size N" says
 *     our SETTINGS_HEADER_TABLE_SIZE is now N and acknowledged.
 *     stdout: per block, its fields as "name: value" lines, then an empty
 *     line.
 *   h2w-hpack encode [--no-huffman]
 *     stdin: blocks of "name: value" lines, each ended by an empty line (or
 *     EOF); "reset" and "table-size N" (the peer's acknowledged setting,
 *     all of which the encoder may use) between blocks.
 *     stdout: one lowercase hex line per block.
 *
 * In names and values every octet outside 0x20-0x7e, and the backslash, is
 * written \xHH (lowercase); encode reads the same escapes back. The
 * separator is the first ": " at or after the second character, so that
 * ":method: GET" works. On bad input: "error: <reason>" on stderr, exit 1;
 * what was printed for earlier blocks stays. */
#include <h2wire.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
  unsigned char *p;
  size_t len, cap;
} buf;

static void die(const char *fmt, const char *arg, unsigned long line) {
  fflush(stdout);
  fprintf(stderr, "error: line %lu: ", line);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(1);
}

static void reserve(buf *b, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = (b->len + n) * 2 + 64;
    unsigned char *q = realloc(b->p, cap);
    if (q == NULL) {
      fputs("error: out of memory\n", stderr);
      exit(1);
    }
    b->p = q;
    b->cap = cap;
  }
}

static void put(buf *b, const void *p, size_t n) {
  reserve(b, n);
  if (n > 0) {
    memcpy(b->p + b->len, p, n);
  }
  b->len += n;
}

/* One line without its "\n" (and "\r\n"); returns 0 at EOF. */
static int read_line(buf *line) {
  int c, any = 0;
  line->len = 0;
  while ((c = getchar()) != EOF) {
    any = 1;
    if (c == '\n') {
      break;
    }
    put(line, &(unsigned char){(unsigned char)c}, 1);
  }
  if (line->len > 0 && line->p[line->len - 1] == '\r') {
    line->len--;
  }
  put(line, "", 1); /* NUL for the string compares below */
  line->len--;
  return any;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void escape(buf *out, const uint8_t *p, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '\\') {
      char e[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
      put(out, e, 4);
    } else {
      put(out, &p[i], 1);
    }
  }
}

/* "table-size N": returns 1 and sets *n, 0 if not that command. */
static int table_size_cmd(const buf *line, uint32_t *n, unsigned long ln) {
  const char *s = (const char *)line->p;
  unsigned long long v = 0;
  if (strncmp(s, "table-size ", 11) != 0) {
    return 0;
  }
  s += 11;
  if (*s == '\0') {
    die("%s", "table-size needs a number", ln);
  }
  for (; *s; s++) {
    if (*s < '0' || *s > '9' ||
        (v = v * 10 + (unsigned)(*s - '0')) > UINT32_MAX) {
      die("bad table size: %s", (const char *)line->p + 11, ln);
    }
  }
  *n = (uint32_t)v;
  return 1;
}

/* ---- decode ------------------------------------------------------------ */

static int print_field(void *user, const h2w_nv *nv) {
  buf *out = user;
  escape(out, nv->name, nv->namelen);
  put(out, ": ", 2);
  escape(out, nv->value, nv->valuelen);
  put(out, "\n", 1);
  return 0;
}

static h2w_hpack_decoder *new_decoder(void) {
  h2w_hpack_decoder *d;
  if (h2w_hpack_decoder_new(&d, NULL) != H2W_OK) {
    fputs("error: out of memory\n", stderr);
    exit(1);
  }
  /* A tool shows what the block holds; caps are the session's policy. */
  h2w_hpack_decoder_set_max_header_list_size(d, UINT32_MAX);
  h2w_hpack_decoder_set_max_fields(d, UINT32_MAX);
  return d;
}

static void decode_line(h2w_hpack_decoder *d, const buf *line, buf *wire,
                        buf *out, unsigned long ln) {
  size_t i;
  int hi = -1, rv;
  wire->len = 0;
  for (i = 0; i < line->len; i++) {
    int v;
    if (line->p[i] == ' ' || line->p[i] == '\t') {
      continue;
    }
    v = hexval(line->p[i]);
    if (v < 0) {
      die("%s", "not a hex digit", ln);
    }
    if (hi < 0) {
      hi = v;
    } else {
      put(wire, &(unsigned char){(unsigned char)(hi << 4 | v)}, 1);
      hi = -1;
    }
  }
  if (hi >= 0) {
    die("%s", "odd number of hex digits", ln);
  }
  out->len = 0;
  rv = h2w_hpack_decode(d, wire->p, wire->len, H2W_HPACK_FINAL, print_field,
                        out);
  if (rv != H2W_OK) {
    die("%s", h2w_strerror(rv), ln);
  }
  put(out, "\n", 1);
  fwrite(out->p, 1, out->len, stdout);
}

static int run_decode(void) {
  h2w_hpack_decoder *d = new_decoder();
  buf line = {0}, wire = {0}, out = {0};
  unsigned long ln = 0;
  uint32_t n;
  while (read_line(&line)) {
    ln++;
    if (strcmp((const char *)line.p, "reset") == 0) {
      h2w_hpack_decoder_del(d);
      d = new_decoder();
    } else if (table_size_cmd(&line, &n, ln)) {
      h2w_hpack_decoder_set_max_table_size(d, n);
    } else {
      decode_line(d, &line, &wire, &out, ln);
    }
  }
  h2w_hpack_decoder_del(d);
  free(line.p);
  free(wire.p);
  free(out.p);
  return 0;
}

/* ---- encode ------------------------------------------------------------ */

typedef struct block {
  buf store;   /* unescaped names and values */
  buf offsets; /* size_t quadruples: name off, len, value off, len */
  size_t n;
} block;

static void unescape(buf *dst, const unsigned char *s, size_t n,
                     unsigned long ln) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = s[i];
    if (c == '\\') {
      int hi, lo;
      if (n - i < 4) {
        die("%s", "bad escape (want \\xHH)", ln);
      }
      hi = hexval(s[i + 2]);
      lo = hexval(s[i + 3]);
      if (s[i + 1] != 'x' || hi < 0 || lo < 0) {
        die("%s", "bad escape (want \\xHH)", ln);
      }
      c = (unsigned char)(hi << 4 | lo);
      i += 3;
    }
    put(dst, &c, 1);
  }
}

static void add_field(block *b, const buf *line, unsigned long ln) {
  const unsigned char *p = line->p;
  size_t sep, q[4];
  for (sep = 1; sep + 1 < line->len; sep++) {
    if (p[sep] == ':' && p[sep + 1] == ' ') {
      break;
    }
  }
  if (sep + 1 >= line->len) {
    die("%s", "expected \"name: value\"", ln);
  }
  q[0] = b->store.len;
  unescape(&b->store, p, sep, ln);
  q[1] = b->store.len - q[0];
  q[2] = b->store.len;
  unescape(&b->store, p + sep + 2, line->len - sep - 2, ln);
  q[3] = b->store.len - q[2];
  put(&b->offsets, q, sizeof(q));
  b->n++;
}

static void emit_block(h2w_hpack_encoder *e, block *b, buf *out) {
  static const char hex[] = "0123456789abcdef";
  h2w_nv *nva = calloc(b->n + 1, sizeof(*nva));
  size_t i, cap;
  h2w_ssize k;
  if (nva == NULL) {
    fputs("error: out of memory\n", stderr);
    exit(1);
  }
  for (i = 0; i < b->n; i++) {
    size_t q[4];
    memcpy(q, b->offsets.p + i * sizeof(q), sizeof(q));
    nva[i].name = b->store.p + q[0];
    nva[i].namelen = q[1];
    nva[i].value = b->store.p + q[2];
    nva[i].valuelen = q[3];
  }
  cap = h2w_hpack_encode_bound(e, nva, b->n);
  out->len = 0;
  reserve(out, cap);
  k = h2w_hpack_encode(e, out->p, cap, nva, b->n);
  free(nva);
  if (k < 0) {
    fprintf(stderr, "error: %s\n", h2w_strerror((int)k));
    exit(1);
  }
  for (i = 0; i < (size_t)k; i++) {
    putchar(hex[out->p[i] >> 4]);
    putchar(hex[out->p[i] & 15]);
  }
  putchar('\n');
  b->store.len = b->offsets.len = b->n = 0;
}

static h2w_hpack_encoder *new_encoder(int huffman) {
  h2w_hpack_encoder *e;
  if (h2w_hpack_encoder_new(&e, NULL) != H2W_OK) {
    fputs("error: out of memory\n", stderr);
    exit(1);
  }
  h2w_hpack_encoder_set_huffman(e, huffman);
  return e;
}

static int run_encode(int huffman) {
  h2w_hpack_encoder *e = new_encoder(huffman);
  block b = {{0}, {0}, 0};
  buf line = {0}, out = {0};
  unsigned long ln = 0;
  uint32_t n;
  while (read_line(&line)) {
    ln++;
    if (line.len == 0) {
      emit_block(e, &b, &out);
    } else if (b.n == 0 && strcmp((const char *)line.p, "reset") == 0) {
      h2w_hpack_encoder_del(e);
      e = new_encoder(huffman);
    } else if (b.n == 0 && table_size_cmd(&line, &n, ln)) {
      h2w_hpack_encoder_set_table_size_cap(e, n);
      h2w_hpack_encoder_set_max_table_size(e, n);
    } else {
      add_field(&b, &line, ln);
    }
  }
  if (b.n > 0) {
    emit_block(e, &b, &out); /* the last block may lack its empty line */
  }
  h2w_hpack_encoder_del(e);
  free(b.store.p);
  free(b.offsets.p);
  free(line.p);
  free(out.p);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "decode") == 0) {
    return run_decode();
  }
  if (argc == 2 && strcmp(argv[1], "encode") == 0) {
    return run_encode(1);
  }
  if (argc == 3 && strcmp(argv[1], "encode") == 0 &&
      strcmp(argv[2], "--no-huffman") == 0) {
    return run_encode(0);
  }
  fputs("usage: h2w-hpack decode\n"
        "       h2w-hpack encode [--no-huffman]\n",
        stderr);
  return 2;
}
