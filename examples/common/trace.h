/* A compact one-line-per-frame trace for the examples' -v option, fed from
 * the on_frame_recv / on_frame_send callbacks. The library will get its own
 * formatter later; this one only uses the public frame info and payload. */
#ifndef EX_TRACE_H
#define EX_TRACE_H

#include <stdio.h>

#include "h2wire.h"

/* Write one line to `out`:
 *   <prefix><dir> <TYPE> stream=<id> len=<n> flags=0x<ff>[<NAMES>] <values>
 * `dir` is "send" or "recv". SETTINGS, GOAWAY, RST_STREAM, WINDOW_UPDATE,
 * PING, PRIORITY and PUSH_PROMISE payloads are decoded. `payload` may be
 * NULL (a DATA frame sent through a NO_COPY source). */
void ex_trace_frame(FILE *out, const char *prefix, const char *dir,
                    const h2w_frame_info *fi, const uint8_t *payload);

/* The RFC 9113 §6 name of a frame type ("WINDOW_UPDATE"), NULL if it has
 * none. */
const char *ex_frame_type_name(uint8_t type);

#endif
