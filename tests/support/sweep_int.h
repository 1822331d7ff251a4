/* Shared between sweep.c and sweep_app.c; tests use sweep.h only. */
#ifndef H2W_SWEEP_INT_H
#define H2W_SWEEP_INT_H

#include <stdint.h>

#include "sweep.h"

unsigned sw_type_index(unsigned type);
const char *sw_type_name(unsigned type);
int sw_side_id(const sw_side *sd);
/* Record the first callback that must not have fired (printf format). */
void sw_violate(sw_side *sd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 if the n-th call of `type` on this side is the injected one. */
int sw_injecting(const sw_side *sd, unsigned type, long n);
void sw_check_alive(sw_side *sd, const char *what, unsigned type,
                    uint32_t stream_id);
/* Free the data-source wrappers of a run. */
void sw_free_wraps(sw_run *r);

#endif
