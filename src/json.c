#include "json.h"

#include <string.h>

void h2w_json_init(h2w_json *j, char *buf, size_t cap) {
  h2w_tb_init(&j->tb, buf, cap);
  j->depth = 0;
  j->nonempty = 0;
}

/* RFC 8259 §7: quote, backslash and control characters must be escaped;
 * DEL and non-ASCII octets are escaped too, so the text is ASCII and
 * valid UTF-8 whatever the input. */
static void string(h2w_textbuf *t, const uint8_t *p, size_t n) {
  size_t i, run = 0;
  h2w_tb_char(t, '"');
  for (i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      run++;
      continue;
    }
    h2w_tb_bytes(t, (const char *)p + i - run, run);
    run = 0;
    h2w_tb_char(t, '\\');
    switch (c) {
    case '"':
    case '\\':
      h2w_tb_char(t, (char)c);
      break;
    case '\n':
      h2w_tb_char(t, 'n');
      break;
    case '\r':
      h2w_tb_char(t, 'r');
      break;
    case '\t':
      h2w_tb_char(t, 't');
      break;
    default:
      h2w_tb_bytes(t, "u00", 3);
      h2w_tb_hex(t, c, 2);
      break;
    }
  }
  h2w_tb_bytes(t, (const char *)p + n - run, run);
  h2w_tb_char(t, '"');
}

/* The separator and key in front of a value. */
static void member(h2w_json *j, const char *key) {
  if (j->depth > 0) {
    uint32_t bit = 1u << (j->depth - 1);
    if (j->nonempty & bit) {
      h2w_tb_char(&j->tb, ',');
    }
    j->nonempty |= bit;
  }
  if (key != NULL) {
    string(&j->tb, (const uint8_t *)key, strlen(key));
    h2w_tb_char(&j->tb, ':');
  }
}

static void json_open(h2w_json *j, const char *key, char c) {
  member(j, key);
  h2w_tb_char(&j->tb, c);
  if (j->depth < H2W_JSON_MAX_DEPTH) {
    j->depth++;
    j->nonempty &= ~(1u << (j->depth - 1));
  }
}

static void json_close(h2w_json *j, char c) {
  h2w_tb_char(&j->tb, c);
  if (j->depth > 0) {
    j->depth--;
  }
}

void h2w_json_object(h2w_json *j, const char *key) {
  json_open(j, key, '{');
}

void h2w_json_array(h2w_json *j, const char *key) {
  json_open(j, key, '[');
}

void h2w_json_end_object(h2w_json *j) {
  json_close(j, '}');
}

void h2w_json_end_array(h2w_json *j) {
  json_close(j, ']');
}

void h2w_json_u64(h2w_json *j, const char *key, uint64_t v) {
  member(j, key);
  h2w_tb_u64(&j->tb, v);
}

void h2w_json_i64(h2w_json *j, const char *key, int64_t v) {
  member(j, key);
  h2w_tb_i64(&j->tb, v);
}

void h2w_json_bool(h2w_json *j, const char *key, int v) {
  member(j, key);
  h2w_tb_str(&j->tb, v ? "true" : "false");
}

void h2w_json_null(h2w_json *j, const char *key) {
  member(j, key);
  h2w_tb_str(&j->tb, "null");
}

void h2w_json_str(h2w_json *j, const char *key, const char *s) {
  if (s == NULL) {
    h2w_json_null(j, key);
    return;
  }
  member(j, key);
  string(&j->tb, (const uint8_t *)s, strlen(s));
}

void h2w_json_bytes(h2w_json *j, const char *key, const uint8_t *p, size_t n) {
  member(j, key);
  string(&j->tb, n > 0 ? p : (const uint8_t *)"", n);
}
