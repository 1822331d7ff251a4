/* h2w-client [--prior-knowledge | --upgrade] [-k] [--cacert F] [-v]
 *            [--push] [-d DATA|@FILE] [-H 'name: value'] URL...
 *
 * Fetches every URL concurrently over one HTTP/2 connection, all on the
 * same scheme, host and port: http:// is h2c with prior knowledge (or
 * through an HTTP/1.1 Upgrade with --upgrade), https:// is h2 over TLS
 * chosen by ALPN.
 * Response bodies go to stdout in URL order; one status line per URL goes
 * to stderr: "URL -> 200 (1234 bytes)" or "URL -> error: <reason>".
 * With --push, responses the server pushes (RFC 9113 §8.4) follow the
 * URLs' in the order they were promised, their status lines prefixed
 * "pushed ".
 * Exit status: 0 when every response completed, 1 otherwise, 2 on a usage
 * error. */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dial.h"
#include "client.h"
#include "util.h"

static void usage(FILE *f) {
  fputs("usage: h2w-client [--prior-knowledge | --upgrade] [-k] [--cacert F]\n"
        "                  [-v] [--push] [-d DATA|@FILE] [-H 'name: value'] "
        "URL...\n"
        "  --prior-knowledge  http://: speak HTTP/2 at once (the default)\n"
        "  --upgrade          http://: start with an HTTP/1.1 request for the\n"
        "                     first URL (a GET) carrying Upgrade: h2c\n"
        "  -k, --insecure     https://: do not verify the certificate\n"
        "  --cacert F         https://: trust the PEM certificates in F\n"
        "  -v                 trace every frame on stderr\n"
        "  --push             accept server push; pushed bodies are printed\n"
        "                     after the URLs' (status line: \"pushed URL\")\n"
        "  -d DATA|@FILE      POST DATA (or the contents of FILE, @- for\n"
        "                     stdin) to the URLs that follow it; a -d after\n"
        "                     the last URL applies to every URL without one\n"
        "  -H 'name: value'   add a request header (repeatable)\n",
        f);
  if (!ex_tls_available()) {
    fputs("(this build has no TLS: https:// URLs are not available)\n", f);
  }
}

/* Everything main() allocates, freed in one place. */
typedef struct opts {
  int verbose;
  int upgrade;
  int insecure;
  int push;
  const char *cafile;
  const char **urls;
  const body **ubody; /* per URL, NULL for GET */
  size_t nurls;
  h2w_nv *hdrs;
  size_t nhdrs;
  body *bodies; /* one per -d */
  size_t nbodies;
  uint8_t **mem; /* bodies read into memory */
  size_t nmem;
} opts;

/* All of fd into memory (stdin, pipes: their length is unknown until the
 * end, and content-length needs it). */
static int read_all(opts *o, int fd, body *b) {
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      size_t ncap = cap != 0 ? cap * 2 : 65536;
      uint8_t *p = realloc(buf, ncap);
      if (p == NULL) {
        free(buf);
        return -1;
      }
      buf = p;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      o->mem[o->nmem++] = buf;
      b->mem = buf;
      b->len = n;
      return r < 0 ? -1 : 0;
    }
    n += (size_t)r;
  }
}

/* -d DATA, -d @FILE (a regular file is streamed, its size is the
 * content-length), -d @- (stdin). */
static int read_body(opts *o, const char *arg, body *b) {
  struct stat st;
  b->fd = -1;
  if (arg[0] != '@') {
    b->mem = (const uint8_t *)arg;
    b->len = strlen(arg);
    return 0;
  }
  int stdin_ = strcmp(arg + 1, "-") == 0;
  int fd = stdin_ ? 0 : open(arg + 1, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    perror(arg + 1);
    if (fd > 0) {
      close(fd);
    }
    return -1;
  }
  if (!stdin_ && S_ISREG(st.st_mode)) {
    b->fd = fd;
    b->len = (uint64_t)st.st_size;
    return 0;
  }
  int rc = read_all(o, fd, b);
  if (rc != 0) {
    fprintf(stderr, "h2w-client: cannot read %s\n", arg + 1);
  }
  if (!stdin_) {
    close(fd);
  }
  return rc;
}

/* "name: value" -> a field with a lowercase name (RFC 9113 §8.2.1) and
 * the value without surrounding whitespace (RFC 9110 §5.5). The argument
 * is edited in place. */
static int parse_header(char *arg, h2w_nv *nv) {
  char *colon = strchr(arg, ':');
  if (colon == NULL || colon == arg) {
    fprintf(stderr, "h2w-client: -H wants 'name: value', not '%s'\n", arg);
    return -1;
  }
  *colon = '\0';
  for (char *p = arg; *p != '\0'; p++) {
    *p = (char)tolower((unsigned char)*p);
  }
  char *v = colon + 1;
  while (*v == ' ' || *v == '\t') {
    v++;
  }
  size_t vlen = strlen(v);
  while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) {
    v[--vlen] = '\0';
  }
  *nv = ex_nv(arg, v, vlen);
  return 0;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, opts *o) {
  const body *cur = NULL; /* the -d in force */
  int pending = 0;        /* a -d not yet followed by a URL */
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (strcmp(a, "-v") == 0) {
      o->verbose = 1;
    } else if (strcmp(a, "--prior-knowledge") == 0) {
      o->upgrade = 0;
    } else if (strcmp(a, "--upgrade") == 0) {
      o->upgrade = 1;
    } else if (strcmp(a, "--push") == 0) {
      o->push = 1;
    } else if (strcmp(a, "-k") == 0 || strcmp(a, "--insecure") == 0) {
      o->insecure = 1;
    } else if (strcmp(a, "--cacert") == 0 && i + 1 < argc) {
      o->cafile = argv[++i];
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      return 1;
    } else if (strcmp(a, "-d") == 0 && i + 1 < argc) {
      body *b = &o->bodies[o->nbodies++];
      if (read_body(o, argv[++i], b) != 0) {
        return -1;
      }
      cur = b;
      pending = 1;
    } else if (strcmp(a, "-H") == 0 && i + 1 < argc) {
      if (parse_header(argv[++i], &o->hdrs[o->nhdrs++]) != 0) {
        return -1;
      }
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "h2w-client: unknown or incomplete option '%s'\n", a);
      usage(stderr);
      return -1;
    } else {
      o->ubody[o->nurls] = cur;
      o->urls[o->nurls++] = a;
      pending = 0;
    }
  }
  if (o->nurls == 0) {
    fputs("h2w-client: no URL given\n", stderr);
    usage(stderr);
    return -1;
  }
  for (size_t i = 0; pending && i < o->nurls; i++) {
    if (o->ubody[i] == NULL) {
      o->ubody[i] = cur;
    }
  }
  return 0;
}

/* The scheme of every URL: http:// (h2c) or https:// (h2 over TLS, when
 * built with TLS); --upgrade is for h2c only and its request, the first
 * URL's, carries no body. */
static int check_scheme(client *cl, const fetch *f) {
  if (strcmp(f->u.scheme, "https") == 0 && !ex_tls_available()) {
    fprintf(stderr,
            "h2w-client: %s: https:// needs TLS, and this build has none "
            "(OpenSSL was not found at configure time: apt-get install -y "
            "libssl-dev)\n",
            f->url);
    return -1;
  }
  if (strcmp(f->u.scheme, "http") != 0 && strcmp(f->u.scheme, "https") != 0) {
    fprintf(stderr,
            "h2w-client: %s: scheme '%s' is not supported (http:// or "
            "https://)\n",
            f->url, f->u.scheme);
    return -1;
  }
  if (cl->upgrade && strcmp(f->u.scheme, "http") != 0) {
    fprintf(stderr,
            "h2w-client: %s: --upgrade is for http:// (over TLS, ALPN "
            "chooses h2)\n",
            f->url);
    return -1;
  }
  if (cl->upgrade && f == &cl->f[0] && f->body != NULL) {
    fprintf(stderr,
            "h2w-client: %s: --upgrade: the first URL must be a GET "
            "(the HTTP/1.1 upgrade request carries no body)\n",
            f->url);
    return -1;
  }
  return 0;
}

/* Every URL must name the same scheme, host and port: they share one
 * connection. */
static int check_urls(client *cl) {
  for (size_t i = 0; i < cl->n; i++) {
    fetch *f = &cl->f[i];
    const char *err = NULL;
    if (url_parse(f->url, &f->u, &err) != 0) {
      fprintf(stderr, "h2w-client: %s: %s\n", f->url, err);
      return -1;
    }
    if (check_scheme(cl, f) != 0) {
      return -1;
    }
    const url_parts *a = &cl->f[0].u;
    if (strcasecmp(f->u.host, a->host) != 0 || f->u.port != a->port ||
        strcmp(f->u.scheme, a->scheme) != 0) {
      fprintf(stderr,
              "h2w-client: %s: every URL must use the same scheme, host and "
              "port (one connection)\n",
              f->url);
      return -1;
    }
  }
  cl->https = strcmp(cl->f[0].u.scheme, "https") == 0;
  const url_parts *u = &cl->f[0].u;
  snprintf(cl->authority, sizeof cl->authority, u->ipv6 ? "[%s]:%u" : "%s:%u",
           u->host, u->port);
  return 0;
}

/* TCP, then TLS for https://. Returns 0, or -1 with a message in err. */
static int connect_to(client *cl, char *err, size_t errlen) {
  const url_parts *u = &cl->f[0].u;
  int fd = ex_dial(u->host, u->port, err, errlen);
  if (fd < 0) {
    return -1;
  }
  if (!cl->https) {
    ex_io_plain(&cl->io, fd);
    return 0;
  }
  cl->tls = ex_tls_client_ctx(cl->insecure, cl->cafile, err, errlen);
  if (cl->tls == NULL) {
    close(fd);
    return -1;
  }
  if (ex_io_tls(&cl->io, cl->tls, fd, u->host) != 0) {
    snprintf(err, errlen, "%s", cl->io.err);
    close(fd);
    cl->io.fd = -1;
    return -1;
  }
  return cli_tls_start(cl, err, errlen);
}

/* Returns the exit status. */
static int fetch_all(client *cl) {
  char err[256];
  int rc = check_urls(cl);
  if (rc != 0) {
    return 2;
  }
  if (connect_to(cl, err, sizeof err) != 0) {
    cli_fail_all(cl, err);
    return 1;
  }
  rc = cli_session_new(cl);
  if (rc != H2W_OK) {
    snprintf(err, sizeof err, "session: %s", h2w_strerror(rc));
    cli_fail_all(cl, err);
    return 1;
  }
  if (cl->upgrade && cli_upgrade(cl, err, sizeof err) != 0) {
    cli_fail_all(cl, err);
    return 1;
  }
  cli_submit_all(cl);
  cli_run(cl);
  for (size_t i = 0; i < cl->n; i++) {
    if (!cl->f[i].ok) {
      return 1;
    }
  }
  return 0;
}

static int setup(int argc, char **argv, opts *o, client *cl) {
  size_t n = (size_t)argc;
  o->urls = calloc(n, sizeof *o->urls);
  o->ubody = calloc(n, sizeof *o->ubody);
  o->hdrs = calloc(n, sizeof *o->hdrs);
  o->bodies = calloc(n, sizeof *o->bodies);
  o->mem = calloc(n, sizeof *o->mem);
  if (o->urls == NULL || o->ubody == NULL || o->hdrs == NULL ||
      o->bodies == NULL || o->mem == NULL) {
    fputs("h2w-client: out of memory\n", stderr);
    return -1;
  }
  int rc = parse_args(argc, argv, o);
  if (rc != 0) {
    return rc;
  }
  cl->f = calloc(o->nurls + CLI_MAX_PUSHES, sizeof *cl->f);
  if (cl->f == NULL) {
    fputs("h2w-client: out of memory\n", stderr);
    return -1;
  }
  cl->n = o->nurls;
  cl->cap = o->nurls + (o->push ? CLI_MAX_PUSHES : 0);
  cl->push = o->push;
  cl->verbose = o->verbose;
  cl->upgrade = o->upgrade;
  cl->insecure = o->insecure;
  cl->cafile = o->cafile;
  cl->extra = o->hdrs;
  cl->nextra = o->nhdrs;
  for (size_t i = 0; i < cl->n; i++) {
    cl->f[i].url = o->urls[i];
    cl->f[i].body = o->ubody[i];
  }
  return 0;
}

static void cleanup(opts *o, client *cl) {
  h2w_session_del(cl->s);
  ex_io_close(&cl->io);
  ex_tls_ctx_free(cl->tls);
  for (size_t i = 0; cl->f != NULL && i < cl->n; i++) {
    url_free(&cl->f[i].u);
    free(cl->f[i].buf);
    free(cl->f[i].push_url);
  }
  free(cl->f);
  for (size_t i = 0; i < o->nbodies; i++) {
    if (o->bodies[i].fd >= 0) {
      close(o->bodies[i].fd);
    }
  }
  for (size_t i = 0; i < o->nmem; i++) {
    free(o->mem[i]);
  }
  free(o->urls);
  free(o->ubody);
  free(o->hdrs);
  free(o->bodies);
  free(o->mem);
  free(cl);
}

int main(int argc, char **argv) {
  opts o;
  memset(&o, 0, sizeof o);
  client *cl = calloc(1, sizeof *cl);
  if (cl == NULL) {
    fputs("h2w-client: out of memory\n", stderr);
    return 1;
  }
  ex_io_plain(&cl->io, -1);
  /* A server that closes early must give a write error, not a signal. */
  signal(SIGPIPE, SIG_IGN);
  int rc = setup(argc, argv, &o, cl);
  if (rc == 0) {
    rc = fetch_all(cl);
  } else {
    rc = rc > 0 ? 0 : 2;
  }
  cleanup(&o, cl);
  return rc;
}
