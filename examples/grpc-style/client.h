/* The client role of grpc-style: its state, shared by client.c (command
 * line, connection loop) and response.c (session callbacks, outcome). */
#ifndef GRPC_CLIENT_H
#define GRPC_CLIENT_H

#include "grpc.h"

typedef struct gcli {
  gs_io io;
  char host[256];
  unsigned port;
  char authority[300];
  char path[1024];
  gw_buf body; /* the framed request messages */
  size_t body_off;
  int want_trailers_only;
  /* The header block being received. */
  int kind;
  int blk_http;
  int blk_grpc; /* -1: no grpc-status in the block */
  int blk_ct;   /* content-type application/grpc seen */
  char blk_msg[512];
  /* The call's outcome, gathered from the blocks. */
  int http_status;
  int grpc_type;
  int grpc_status; /* -1 until a trailing block carried one */
  char grpc_msg[512];
  int trailers_only;
  gw_reader reader; /* the reply messages */
  int frame_err;    /* a GW_E_* of the reply body */
  int closed;
  uint32_t close_code, close_flags;
  char transport[256]; /* the connection failed: why */
} gcli;

/* response.c */
/* "http://HOST:PORT/path" into c->host, port, authority, path. Returns 0
 * or -1 (with a message on stderr). */
int gc_parse_url(const char *url, gcli *c);
int gc_session_new(gcli *c);
/* Submit the call's request. Returns H2W_OK or the h2w_error. */
int gc_submit(gcli *c);
/* The connection failed with rv (an h2w_error or GS_E_*). */
void gc_transport_error(gcli *c, int rv);
/* Print the outcome on stderr; returns the exit status. */
int gc_report(const gcli *c);

#endif
