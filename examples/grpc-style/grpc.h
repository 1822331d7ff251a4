/* grpc-style: a gRPC-shaped unary call over h2c (HTTP/2 with prior
 * knowledge, RFC 9113 §3.3) on h2wire's public API.
 *   main.c    command line, dispatch to the two roles
 *   wire.c    message framing, grpc-message encoding, status names
 *   net.c     sockets and the session <-> socket plumbing both roles share
 *   server.c  `grpc-style server PORT`
 *   call.c    the server's per-stream call state and the two methods
 *   client.c  `grpc-style client URL MESSAGE...`: command line, I/O loop
 *   response.c  the client session: request, response, outcome */
#ifndef GRPC_STYLE_H
#define GRPC_STYLE_H

#include <stddef.h>
#include <stdint.h>

#include "h2wire.h"
#include "wire.h"

/* Longest message either side accepts: gRPC's customary default
 * receive limit. */
#define GS_MAX_MSG (4u * 1024u * 1024u)
/* Longest request body the server keeps replies for: bounds the memory
 * one call can make the server hold. */
#define GS_MAX_BODY (8u * 1024u * 1024u)
#define GS_WBUF_SIZE (16u * 1024u)
#define GS_RBUF_SIZE (64u * 1024u)

/* Results of the socket helpers, kept apart from the h2w_error values
 * (-1 .. -17) they are returned alongside. */
#define GS_E_SOCKET (-1000)
#define GS_E_EOF (-1001)

/* One connection: its socket, its session, and the output the socket
 * has not taken yet. */
typedef struct gs_io {
  int fd;
  h2w_session *s;
  size_t woff, wlen;
  uint8_t wbuf[GS_WBUF_SIZE];
} gs_io;

/* net.c */
/* Listen on 127.0.0.1:port (0: any free port); *bound gets the port.
 * Returns the non-blocking socket or -1 (errno set). */
int gs_listen(unsigned port, unsigned *bound);
/* Move session output to the socket until one of them has nothing more.
 * Returns 0, a negative h2w_error (the session's sticky error after its
 * GOAWAY went out) or GS_E_SOCKET. */
int gs_flush(gs_io *io);
/* 1 if output waits for the socket to become writable. */
int gs_pending(const gs_io *io);
/* One read into buf, handed to h2w_session_recv(). Returns 0 (data
 * processed, or nothing to read now), GS_E_EOF, GS_E_SOCKET or the
 * session's negative error. */
int gs_read(gs_io *io, uint8_t *buf, size_t cap);
/* Milliseconds until the session's next deadline, for poll(); -1 when no
 * timer is armed. */
int gs_poll_ms(const h2w_session *s, uint64_t now);

/* server.c / client.c: each returns the process exit status. */
int gs_server_main(int argc, char **argv);
int gs_client_main(int argc, char **argv);

/* call.c: the server side of one call (one request stream). */
typedef struct gs_call gs_call;
/* The server's session callbacks. Each session's user pointer is the
 * address of its call list head (gs_call *). */
int gs_call_callbacks(h2w_callbacks **out);
/* Free every call of a connection (its session is gone). */
void gs_call_free_all(gs_call **head);

#endif
