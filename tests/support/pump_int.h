/* Shared between pump.c and pump_frames.c; tests use pump.h only. */
#ifndef H2W_PUMP_INT_H
#define H2W_PUMP_INT_H

#include <stddef.h>

#include "pump.h"

void tstr_add(tstr *t, const char *s, size_t n);
void tstr_line(tstr *t, const char *s);
void tstr_free(tstr *t);
void tstr_clear(tstr *t);
/* Glob match of a whole line: '*' matches any run of octets. */
int tline_match(const char *pattern, const char *line, size_t linelen);
void texpect_lines(tstr *got, const char *what, const char *file, int line,
                   const char *const *lines);
/* "HEADERS", "GOAWAY"..., "0xNN" for unknown types (static storage). */
const char *tframe_type_name(uint8_t type);
void tsrc_free_all(tpeer *p);

#endif
