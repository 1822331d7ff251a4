/* The examples' transport: plain TCP or TLS (OpenSSL) behind one
 * non-blocking read/write interface, so the event loops handle both the
 * same way. The library itself never sees TLS: it gets the plaintext.
 *
 * HTTP/2 over TLS (RFC 9113 §3.2, §9.2): TLS 1.2 or later, h2 chosen by
 * ALPN (h2w_alpn_select() on the server), no compression, no
 * renegotiation, and on the server only AEAD ECDHE suites for TLS 1.2
 * (none of the RFC 9113 Appendix A list) next to the TLS 1.3 suites.
 *
 * Built without OpenSSL (EX_HAVE_OPENSSL undefined) the TLS functions
 * fail with a message saying so, and plain TCP still works. */
#ifndef EX_TLS_H
#define EX_TLS_H

#include <stddef.h>
#include <sys/types.h>

/* Results of ex_io_*: > 0 is a byte count, 0 the end of input. A WANT
 * result means "call again once the socket is readable (WANT_READ) or
 * writable (WANT_WRITE)": with TLS a read may need to write first and a
 * write to read (handshake messages, key updates), so either call can ask
 * for either event. */
#define EX_IO_WANT_READ (-1)
#define EX_IO_WANT_WRITE (-2)
#define EX_IO_ERROR (-3)

typedef struct ex_tls_ctx ex_tls_ctx;

/* One connection: fd, and the TLS state when the connection uses TLS. */
typedef struct ex_io {
  int fd;
  void *ssl; /* SSL *, NULL for plain TCP */
  char err[160];
} ex_io;

/* 1 if this build has TLS support. */
int ex_tls_available(void);

/* A server context with the certificate chain and key from PEM files.
 * Returns NULL with a message in err. */
ex_tls_ctx *ex_tls_server_ctx(const char *cert, const char *key, char *err,
                              size_t errlen);

/* A client context offering h2 only. insecure: do not verify the server's
 * certificate. cafile: trust these PEM certificates (NULL: the system's
 * store). Returns NULL with a message in err. */
ex_tls_ctx *ex_tls_client_ctx(int insecure, const char *cafile, char *err,
                              size_t errlen);

void ex_tls_ctx_free(ex_tls_ctx *ctx);

/* io->fd over plain TCP. */
void ex_io_plain(ex_io *io, int fd);

/* io->fd over TLS, as the server (host NULL) or as a client of `host`
 * (sent as SNI unless an IP literal, RFC 9113 §9.2, and checked against
 * the certificate). Returns 0, or -1 with a message in io->err. */
int ex_io_tls(ex_io *io, ex_tls_ctx *ctx, int fd, const char *host);

/* Drive the TLS handshake: 0 when done (at once for plain TCP),
 * EX_IO_WANT_READ/WRITE, or EX_IO_ERROR with io->err set. */
int ex_io_handshake(ex_io *io);

/* 1 if TLS negotiated "h2" through ALPN (RFC 7301), 0 otherwise; always 0
 * for plain TCP. */
int ex_io_alpn_h2(const ex_io *io);

/* A description of the session ("TLSv1.3 TLS_AES_128_GCM_SHA256"), or
 * "tcp". */
const char *ex_io_describe(const ex_io *io, char *buf, size_t len);

/* read()/write() for either transport: see EX_IO_*. ERROR sets io->err. */
ssize_t ex_io_read(ex_io *io, void *buf, size_t len);
ssize_t ex_io_write(ex_io *io, const void *buf, size_t len);

/* The end of our output, for a graceful close: TLS close_notify if the
 * socket takes it now (never waits), then a TCP half-close (FIN). Reading
 * goes on until the peer closes too, so that no unread input makes our
 * close() a reset that could destroy our last frames. */
void ex_io_shutdown_write(ex_io *io);

/* Send TLS close_notify if the socket takes it now (never waits), free
 * the TLS state and close the descriptor. */
void ex_io_close(ex_io *io);

#endif
