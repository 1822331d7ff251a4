/* The examples' -v trace: one line per frame sent or received, fed from
 * the on_frame_recv / on_frame_send callbacks, and one per header field
 * received, fed from on_header. The lines themselves come from the
 * library (h2w_frame_trace(), h2w_nv_trace()); this only adds a prefix
 * and writes each line whole. */
#ifndef EX_TRACE_H
#define EX_TRACE_H

#include <stdio.h>

#include "h2wire.h"

/* Write "<prefix><h2w_frame_trace() line>\n" to `out`; `sent` is 1 for a
 * frame sent, 0 for one received. `payload` may be NULL (a DATA frame
 * sent through a NO_COPY source). */
void ex_trace_frame(FILE *out, const char *prefix, int sent,
                    const h2w_frame_info *fi, const uint8_t *payload);

/* Write "<prefix>recv header stream=<id> <h2w_nv_trace() line>\n". A
 * block's fields come before the line of the frame that carried them:
 * frames are reported once processed. */
void ex_trace_header(FILE *out, const char *prefix, uint32_t stream_id,
                     const h2w_nv *nv);

#endif
