/* Plain TCP and OpenSSL behind the ex_io interface of tls.h. */
#define _POSIX_C_SOURCE 200809L

#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "h2wire.h"

void ex_io_plain(ex_io *io, int fd) {
  memset(io, 0, sizeof *io);
  io->fd = fd;
}

static ssize_t plain_read(ex_io *io, void *buf, size_t len) {
  for (;;) {
    ssize_t n = read(io->fd, buf, len);
    if (n >= 0) {
      return n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return EX_IO_WANT_READ;
    }
    if (errno != EINTR) {
      snprintf(io->err, sizeof io->err, "read: %s", strerror(errno));
      return EX_IO_ERROR;
    }
  }
}

static ssize_t plain_write(ex_io *io, const void *buf, size_t len) {
  for (;;) {
    ssize_t n = write(io->fd, buf, len);
    if (n >= 0) {
      return n;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return EX_IO_WANT_WRITE;
    }
    if (errno != EINTR) {
      snprintf(io->err, sizeof io->err, "write: %s", strerror(errno));
      return EX_IO_ERROR;
    }
  }
}

#ifdef EX_HAVE_OPENSSL

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* RFC 9113 §9.2.2 and Appendix A: for TLS 1.2 only ephemeral key
 * exchange with AEAD ciphers is acceptable; everything else is on the
 * list that a peer may answer with INADEQUATE_SECURITY. The first suite
 * is the one §9.2.2 makes mandatory. TLS 1.3 suites (OpenSSL's default
 * set, all AEAD) are kept as they are. */
static const char tls12_suites[] = "ECDHE-RSA-AES128-GCM-SHA256:"
                                   "ECDHE-ECDSA-AES128-GCM-SHA256:"
                                   "ECDHE-RSA-AES256-GCM-SHA384:"
                                   "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                   "ECDHE-RSA-CHACHA20-POLY1305:"
                                   "ECDHE-ECDSA-CHACHA20-POLY1305";

int ex_tls_available(void) {
  return 1;
}

/* "what: reason" with OpenSSL's oldest queued error, then the queue is
 * cleared so a later failure reports its own. */
static void ssl_err(char *err, size_t errlen, const char *what) {
  char reason[128] = "unknown error";
  unsigned long e = ERR_get_error();
  if (e != 0) {
    ERR_error_string_n(e, reason, sizeof reason);
  }
  ERR_clear_error();
  snprintf(err, errlen, "%s: %s", what, reason);
}

/* Shared by both roles: TLS >= 1.2 and no compression (RFC 9113 §9.2),
 * no renegotiation (§9.2.1), and partial writes so a write can take
 * what the socket accepts, like write(2). */
static SSL_CTX *ctx_common(const SSL_METHOD *method, char *err, size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(method);
  if (ctx == NULL) {
    ssl_err(err, errlen, "SSL_CTX_new");
    return NULL;
  }
  uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  /* A peer that closes without close_notify is an end of input like any
   * other: HTTP/2 framing (GOAWAY, END_STREAM) tells a complete exchange
   * from a truncated one. */
  opts |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
  SSL_CTX_set_options(ctx, opts);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    ssl_err(err, errlen, "TLS 1.2 minimum");
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

/* ALPN on the server (RFC 7301 §3.2): h2 or nothing. A client that does
 * not offer h2 gets the no_application_protocol alert; one that sends no
 * ALPN at all is refused after the handshake (ex_io_alpn_h2()). */
static int alpn_select(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg) {
  (void)ssl;
  (void)arg;
  if (h2w_alpn_select(in, inlen, out, outlen) != H2W_OK) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

ex_tls_ctx *ex_tls_server_ctx(const char *cert, const char *key, char *err,
                              size_t errlen) {
  SSL_CTX *ctx = ctx_common(TLS_server_method(), err, errlen);
  if (ctx == NULL) {
    return NULL;
  }
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, tls12_suites) != 1) {
    ssl_err(err, errlen, "cipher list");
  } else if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
    ssl_err(err, errlen, cert);
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
    ssl_err(err, errlen, key);
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    ssl_err(err, errlen, "key does not match the certificate");
  } else {
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    return (ex_tls_ctx *)ctx;
  }
  SSL_CTX_free(ctx);
  return NULL;
}

ex_tls_ctx *ex_tls_client_ctx(int insecure, const char *cafile, char *err,
                              size_t errlen) {
  SSL_CTX *ctx = ctx_common(TLS_client_method(), err, errlen);
  if (ctx == NULL) {
    return NULL;
  }
  /* Offer h2 only: this client speaks nothing else over TLS. (The
   * function returns 0 on success, unlike most of OpenSSL.) */
  if (SSL_CTX_set_alpn_protos(ctx, (const unsigned char *)H2W_ALPN_H2_WIRE,
                              H2W_ALPN_H2_WIRE_LEN) != 0) {
    ssl_err(err, errlen, "ALPN");
    SSL_CTX_free(ctx);
    return NULL;
  }
  if (insecure) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return (ex_tls_ctx *)ctx;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  int loaded = cafile != NULL ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
                              : SSL_CTX_set_default_verify_paths(ctx);
  if (loaded != 1) {
    ssl_err(err, errlen, cafile != NULL ? cafile : "system CA store");
    SSL_CTX_free(ctx);
    return NULL;
  }
  return (ex_tls_ctx *)ctx;
}

void ex_tls_ctx_free(ex_tls_ctx *ctx) {
  SSL_CTX_free((SSL_CTX *)ctx);
}

/* The client names the server (SNI, RFC 9113 §9.2) and checks the
 * certificate against that name or address. */
static int client_identity(SSL *ssl, const char *host) {
  unsigned char addr[16];
  int is_ip = inet_pton(AF_INET, host, addr) == 1 ||
              inet_pton(AF_INET6, host, addr) == 1;
  if (is_ip) {
    /* SNI carries host names only (RFC 6066 §3). */
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
  }
  return SSL_set_tlsext_host_name(ssl, host) == 1 &&
         SSL_set1_host(ssl, host) == 1;
}

int ex_io_tls(ex_io *io, ex_tls_ctx *ctx, int fd, const char *host) {
  ex_io_plain(io, fd);
  SSL *ssl = SSL_new((SSL_CTX *)ctx);
  if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 ||
      (host != NULL && !client_identity(ssl, host))) {
    ssl_err(io->err, sizeof io->err, "TLS setup");
    SSL_free(ssl);
    return -1;
  }
  if (host != NULL) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
  io->ssl = ssl;
  return 0;
}

/* Map an SSL_* result to EX_IO_*; `what` names the call for messages. */
static int ssl_result(ex_io *io, int rv, const char *what) {
  SSL *ssl = io->ssl;
  int e = SSL_get_error(ssl, rv);
  switch (e) {
  case SSL_ERROR_WANT_READ:
    return EX_IO_WANT_READ;
  case SSL_ERROR_WANT_WRITE:
    return EX_IO_WANT_WRITE;
  case SSL_ERROR_ZERO_RETURN:
    return 0; /* close_notify: the end of input */
  case SSL_ERROR_SYSCALL:
    if (ERR_peek_error() == 0) {
      snprintf(io->err, sizeof io->err, "%s: %s", what,
               errno != 0 ? strerror(errno) : "connection closed");
      return errno != 0 ? EX_IO_ERROR : 0;
    }
    break;
  default:
    break;
  }
  long v = SSL_get_verify_result(ssl);
  if (v != X509_V_OK) {
    snprintf(io->err, sizeof io->err, "%s: certificate verification: %s", what,
             X509_verify_cert_error_string(v));
    ERR_clear_error();
  } else {
    ssl_err(io->err, sizeof io->err, what);
  }
  return EX_IO_ERROR;
}

int ex_io_handshake(ex_io *io) {
  if (io->ssl == NULL) {
    return 0;
  }
  ERR_clear_error();
  errno = 0;
  int rv = SSL_do_handshake(io->ssl);
  if (rv == 1) {
    return 0;
  }
  rv = ssl_result(io, rv, "TLS handshake");
  if (rv == 0) {
    snprintf(io->err, sizeof io->err, "TLS handshake: connection closed");
    return EX_IO_ERROR;
  }
  return rv;
}

int ex_io_alpn_h2(const ex_io *io) {
  const unsigned char *p = NULL;
  unsigned int n = 0;
  if (io->ssl == NULL) {
    return 0;
  }
  SSL_get0_alpn_selected(io->ssl, &p, &n);
  return n == H2W_ALPN_H2_LEN && memcmp(p, H2W_ALPN_H2, n) == 0;
}

const char *ex_io_describe(const ex_io *io, char *buf, size_t len) {
  if (io->ssl == NULL) {
    snprintf(buf, len, "tcp");
  } else {
    snprintf(buf, len, "%s %s", SSL_get_version(io->ssl),
             SSL_get_cipher_name(io->ssl));
  }
  return buf;
}

ssize_t ex_io_read(ex_io *io, void *buf, size_t len) {
  if (io->ssl == NULL) {
    return plain_read(io, buf, len);
  }
  size_t n = 0;
  ERR_clear_error();
  errno = 0;
  int rv = SSL_read_ex(io->ssl, buf, len, &n);
  return rv == 1 ? (ssize_t)n : ssl_result(io, rv, "TLS read");
}

ssize_t ex_io_write(ex_io *io, const void *buf, size_t len) {
  if (io->ssl == NULL) {
    return plain_write(io, buf, len);
  }
  size_t n = 0;
  ERR_clear_error();
  errno = 0;
  int rv = SSL_write_ex(io->ssl, buf, len, &n);
  if (rv == 1) {
    return (ssize_t)n;
  }
  rv = ssl_result(io, rv, "TLS write");
  return rv == 0 ? EX_IO_ERROR : rv;
}

void ex_io_shutdown_write(ex_io *io) {
  if (io->ssl != NULL && SSL_is_init_finished(io->ssl)) {
    ERR_clear_error();
    SSL_shutdown(io->ssl);
    ERR_clear_error();
  }
  if (io->fd >= 0) {
    shutdown(io->fd, SHUT_WR);
  }
}

void ex_io_close(ex_io *io) {
  if (io->ssl != NULL) {
    /* One attempt: a socket that cannot take close_notify now is about to
     * be closed anyway. */
    if (SSL_is_init_finished(io->ssl)) {
      ERR_clear_error();
      SSL_shutdown(io->ssl);
    }
    ERR_clear_error();
    SSL_free(io->ssl);
    io->ssl = NULL;
  }
  if (io->fd >= 0) {
    close(io->fd);
    io->fd = -1;
  }
}

#else /* no OpenSSL */

static const char no_tls[] =
    "TLS is not available: this build has no OpenSSL (apt-get install -y "
    "libssl-dev, then configure again)";

int ex_tls_available(void) {
  return 0;
}

ex_tls_ctx *ex_tls_server_ctx(const char *cert, const char *key, char *err,
                              size_t errlen) {
  (void)cert;
  (void)key;
  snprintf(err, errlen, "%s", no_tls);
  return NULL;
}

ex_tls_ctx *ex_tls_client_ctx(int insecure, const char *cafile, char *err,
                              size_t errlen) {
  (void)insecure;
  (void)cafile;
  snprintf(err, errlen, "%s", no_tls);
  return NULL;
}

void ex_tls_ctx_free(ex_tls_ctx *ctx) {
  (void)ctx;
}

int ex_io_tls(ex_io *io, ex_tls_ctx *ctx, int fd, const char *host) {
  (void)ctx;
  (void)host;
  ex_io_plain(io, fd);
  snprintf(io->err, sizeof io->err, "%s", no_tls);
  return -1;
}

int ex_io_handshake(ex_io *io) {
  (void)io;
  return 0;
}

int ex_io_alpn_h2(const ex_io *io) {
  (void)io;
  return 0;
}

const char *ex_io_describe(const ex_io *io, char *buf, size_t len) {
  (void)io;
  snprintf(buf, len, "tcp");
  return buf;
}

ssize_t ex_io_read(ex_io *io, void *buf, size_t len) {
  return plain_read(io, buf, len);
}

ssize_t ex_io_write(ex_io *io, const void *buf, size_t len) {
  return plain_write(io, buf, len);
}

void ex_io_shutdown_write(ex_io *io) {
  if (io->fd >= 0) {
    shutdown(io->fd, SHUT_WR);
  }
}

void ex_io_close(ex_io *io) {
  if (io->fd >= 0) {
    close(io->fd);
    io->fd = -1;
  }
}

#endif
