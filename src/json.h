/* A minimal JSON (RFC 8259) writer over h2w_textbuf, for the session
 * dump: objects, arrays and scalar members, with the commas placed by the
 * writer and every string escaped so that the output is ASCII whatever
 * the octets. No parsing, no allocation, no session state. */
#ifndef H2W_JSON_H
#define H2W_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cold.h"
#include "textbuf.h"

/* Deep enough for the dump; deeper opens are ignored. */
#define H2W_JSON_MAX_DEPTH 32u

typedef struct h2w_json {
  h2w_textbuf tb;
  unsigned depth;
  uint32_t nonempty; /* bit d: the container at depth d has a member */
} h2w_json;

H2W_COLD void h2w_json_init(h2w_json *j, char *buf, size_t cap);

/* Every value function takes the member's key inside an object, and NULL
 * inside an array or at the top. */
H2W_COLD void h2w_json_object(h2w_json *j, const char *key);
H2W_COLD void h2w_json_array(h2w_json *j, const char *key);
H2W_COLD void h2w_json_end_object(h2w_json *j);
H2W_COLD void h2w_json_end_array(h2w_json *j);
H2W_COLD void h2w_json_u64(h2w_json *j, const char *key, uint64_t v);
H2W_COLD void h2w_json_i64(h2w_json *j, const char *key, int64_t v);
H2W_COLD void h2w_json_bool(h2w_json *j, const char *key, int v);
H2W_COLD void h2w_json_null(h2w_json *j, const char *key);
/* A NUL-terminated string; NULL writes null. */
H2W_COLD void h2w_json_str(h2w_json *j, const char *key, const char *s);
/* Octets as a string: printable ASCII as is, the rest escaped (octets
 * 0x80-0xff as \u0080-\u00ff, i.e. read as Latin-1). */
H2W_COLD void h2w_json_bytes(h2w_json *j, const char *key, const uint8_t *p,
                             size_t n);

#endif
