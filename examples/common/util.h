/* Small helpers shared by the example programs: a millisecond clock,
 * strict number parsing and header-field construction. Public API only. */
#ifndef EX_UTIL_H
#define EX_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

/* CLOCK_MONOTONIC in milliseconds: the clock the examples hand to
 * h2w_session_tick() (the library has none of its own). */
uint64_t ex_now_ms(void);

/* Parse s[0..len) as an unsigned decimal made of digits only (no sign, no
 * spaces, at least one digit) that is <= max. Returns 0 and sets *out, or
 * -1. */
int ex_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/* A header field from a NUL-terminated name and a byte range value. */
h2w_nv ex_nv(const char *name, const char *value, size_t valuelen);

/* A header field whose value is NUL-terminated too. */
h2w_nv ex_nvs(const char *name, const char *value);

/* O_NONBLOCK on fd. Returns 0 or -1 (errno set). */
int ex_set_nonblock(int fd);

#endif
