/* Event-buffer mode (events.c): the session's callbacks replaced by
 * recorders that append h2w_event records, for bindings that cannot
 * afford a crossing per event. The state lives behind one pointer of the
 * session, allocated when the mode is turned on, so sessions that never
 * use it pay one NULL pointer. */
#ifndef H2W_EVENTS_H
#define H2W_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"

typedef struct h2w_events h2w_events;

/* Free the state (session deletion, after the last close records). */
void h2w_events_free(h2w_session *s);
/* A receive starts / ends on in[0..len): records may point into it, and
 * only inside a receive does a full buffer pause. */
void h2w_events_recv_begin(h2w_session *s, const uint8_t *in, size_t len);
void h2w_events_recv_end(h2w_session *s);
/* The error a failed recorder stands for (H2W_E_NOMEM or H2W_E_LIMIT),
 * or H2W_E_CALLBACK_FAILURE when no recorder failed. Resets the note. */
int h2w_events_failure(h2w_session *s);

#endif
