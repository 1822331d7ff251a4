/* grpc-style client [--trailers-only-test] [--raw HEX] URL MESSAGE...
 *
 * One call: POST URL over a new h2c connection with content-type
 * application/grpc and te: trailers, the MESSAGEs as length-prefixed
 * messages (@FILE: the contents of FILE). Each reply message goes to
 * stdout followed by a newline; the outcome goes to stderr:
 *   response: N message(s) | response: trailers-only
 *   grpc-status: CODE NAME
 *   grpc-message: TEXT          (when the server sent one)
 * Exit 0 only for grpc-status 0; 1 otherwise, 2 on a usage error. With
 * --trailers-only-test the exit status says instead whether the response
 * was trailers-only (0) or not (1). --raw sends the octets HEX as the
 * request body instead of framing MESSAGEs (to test the server's checks
 * of malformed bodies). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dial.h"
#include "client.h"
#include "util.h"

static void usage(void) {
  fputs("usage: grpc-style client [--trailers-only-test] [--raw HEX] "
        "http://HOST:PORT/pkg.Service/Method MESSAGE...\n"
        "  MESSAGE              a message; @FILE for the contents of FILE\n"
        "  --trailers-only-test exit 0 if the response is trailers-only\n"
        "  --raw HEX            send these octets as the body, unframed\n",
        stderr);
}

static int hexdigit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

static int add_raw(gw_buf *b, const char *hex) {
  size_t n = strlen(hex);
  if (n % 2 != 0) {
    return -1;
  }
  for (size_t i = 0; i < n; i += 2) {
    int hi = hexdigit(hex[i]), lo = hexdigit(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return -1; /* checked first: shifting -1 is undefined (C11 6.5.7) */
    }
    uint8_t o = (uint8_t)(hi << 4 | lo);
    if (gw_buf_add(b, &o, 1) != 0) {
      return -1;
    }
  }
  return 0;
}

/* One message from the command line: the argument, or @FILE. */
static int add_message(gw_buf *b, const char *arg) {
  if (arg[0] != '@') {
    return gw_append_msg(b, (const uint8_t *)arg, strlen(arg));
  }
  FILE *f = fopen(arg + 1, "rb");
  gw_buf m = {0};
  uint8_t chunk[16384];
  size_t n;
  if (f == NULL) {
    perror(arg + 1);
    return -1;
  }
  int rv = 0;
  while (rv == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    rv = gw_buf_add(&m, chunk, n);
  }
  rv = rv != 0 || ferror(f) ? -1 : gw_append_msg(b, m.p, m.len);
  fclose(f);
  gw_buf_free(&m);
  return rv;
}

/* Command-line errors name the program and what was wrong. */
static int bad(const char *fmt, const char *what) {
  fputs("grpc-style client: ", stderr);
  fprintf(stderr, fmt, what);
  fputc('\n', stderr);
  return -1;
}

static int parse_args(int argc, char **argv, gcli *c) {
  int i = 1;
  const char *raw = NULL;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if (strcmp(argv[i], "--trailers-only-test") == 0) {
      c->want_trailers_only = 1;
    } else if (strcmp(argv[i], "--raw") == 0 && i + 1 < argc) {
      raw = argv[++i];
    } else {
      return bad("unknown or incomplete option '%s'", argv[i]);
    }
  }
  if (i >= argc) {
    return bad("%s", "no URL given");
  }
  if (gc_parse_url(argv[i], c) != 0) {
    return -1; /* gc_parse_url() said why */
  }
  if (raw != NULL) {
    if (i + 1 != argc) {
      return bad("--raw is the whole body: no MESSAGE after the URL ('%s')",
                 argv[i + 1]);
    }
    return add_raw(&c->body, raw) != 0
               ? bad("--raw: '%s' is not an even number of hex digits", raw)
               : 0;
  }
  if (i + 1 == argc) {
    return bad("%s: no MESSAGE (a call carries at least one)", argv[i]);
  }
  for (i++; i < argc; i++) {
    if (add_message(&c->body, argv[i]) != 0) {
      return bad("MESSAGE '%s' could not be read", argv[i]);
    }
  }
  return 0;
}

/* Run the connection until the call's stream is closed or the connection
 * fails. Returns 0, or -1 with c->transport set. */
static int run(gcli *c) {
  gs_io *io = &c->io;
  uint8_t rbuf[GS_RBUF_SIZE];
  h2w_session_tick(io->s, ex_now_ms());
  while (!c->closed) {
    int rv = gs_flush(io);
    if (rv == 0 && c->closed) {
      break; /* the stream closed when our END_STREAM left */
    }
    if (rv == 0) {
      struct pollfd p;
      p.fd = io->fd;
      p.events = (short)(POLLIN | (gs_pending(io) ? POLLOUT : 0));
      p.revents = 0;
      if (poll(&p, 1, gs_poll_ms(io->s, ex_now_ms())) < 0 && errno != EINTR) {
        rv = GS_E_SOCKET;
      } else {
        rv = h2w_session_tick(io->s, ex_now_ms());
      }
      if (rv == 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        rv = gs_read(io, rbuf, sizeof rbuf);
      }
    }
    if (rv != 0) {
      gc_transport_error(c, rv);
      return -1;
    }
  }
  return 0;
}

/* RFC 9113 §6.8: leave with GOAWAY(NO_ERROR); one try, then close. */
static void goodbye(gcli *c) {
  if (h2w_session_submit_goaway(c->io.s, H2W_NO_ERROR, NULL, 0) == H2W_OK) {
    gs_flush(&c->io);
  }
}

static int call(gcli *c) {
  char err[256];
  c->io.fd = ex_dial(c->host, c->port, err, sizeof err);
  if (c->io.fd < 0) {
    snprintf(c->transport, sizeof c->transport, "%s", err);
    return -1;
  }
  int rv = gc_session_new(c);
  if (rv == H2W_OK) {
    rv = gc_submit(c);
  }
  if (rv != H2W_OK) {
    snprintf(c->transport, sizeof c->transport, "cannot start the call: %s",
             h2w_strerror(rv));
    return -1;
  }
  if (run(c) != 0) {
    return -1;
  }
  goodbye(c);
  return 0;
}

int gs_client_main(int argc, char **argv) {
  gcli *c = calloc(1, sizeof *c);
  if (c == NULL) {
    fputs("grpc-style: out of memory\n", stderr);
    return 1;
  }
  c->io.fd = -1;
  gw_reader_init(&c->reader, GS_MAX_MSG);
  /* A server that closes early must give a write error, not a signal. */
  signal(SIGPIPE, SIG_IGN);
  int rc = 2;
  if (parse_args(argc, argv, c) != 0) {
    usage();
  } else {
    call(c);
    rc = gc_report(c);
  }
  h2w_session_del(c->io.s);
  if (c->io.fd >= 0) {
    close(c->io.fd);
  }
  gw_reader_free(&c->reader);
  gw_buf_free(&c->body);
  free(c);
  return rc;
}
