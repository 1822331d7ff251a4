/* downchannel-client [-v] [--ping-interval S] [--ping-timeout S]
 *                    [--max-reconnects N] [-k] [--cacert F]
 *                    http[s]://HOST:PORT/events
 * (https://: h2 over TLS, chosen by ALPN, RFC 9113 §3.2)
 *
 * Keeps GET URL open and prints each line of its body as
 *   <ISO-8601 UTC with ms> event <line>
 * with status lines "<time> connected" (a 200 response opened the
 * downchannel) and "<time> reconnecting: <why>". After S seconds without
 * any frame from the server a PING goes out (the library's keepalive); no
 * frame within the ping timeout after it means the connection is dead. A
 * lost downchannel (dead connection, closed connection, ended or reset
 * stream) is reopened on a new connection at once; attempts that fail
 * back off (100 ms doubling, capped at 1 s) until one opens again.
 * -v traces every frame on stderr (the PINGs among them).
 * Exit: 0 on SIGINT/SIGTERM, 1 after N reconnects, 2 on a usage error. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dc.h"
#include "util.h"

#define BACKOFF_FIRST_MS 100u
#define BACKOFF_CAP_MS 1000u

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

int dc_stopping(void) {
  return stop_flag != 0;
}

static void usage(void) {
  fputs("usage: downchannel-client [-v] [--ping-interval S] [--ping-timeout S] "
        "[--max-reconnects N] [-k] [--cacert F] http[s]://HOST:PORT/PATH\n"
        "  -v                  trace every frame on stderr\n"
        "  --ping-interval S   PING after S seconds without a frame "
        "(default 10; decimals allowed)\n"
        "  --ping-timeout S    dead if nothing arrives S seconds after the "
        "PING (default 5)\n"
        "  --max-reconnects N  give up (exit 1) instead of the N+1st "
        "reconnect (default: never)\n"
        "  -k, --insecure      https://: do not verify the certificate\n"
        "  --cacert F          https://: trust the PEM certificates in F\n",
        stderr);
  if (!ex_tls_available()) {
    fputs("(this build has no TLS: https:// is not available)\n", stderr);
  }
}

/* Seconds with up to three decimals ("2", "0.5") -> ms in 1..2^31-1. */
static int parse_seconds(const char *s, uint32_t *ms) {
  size_t ilen = strcspn(s, ".");
  size_t flen = s[ilen] == '.' ? strlen(s + ilen + 1) : 0;
  uint64_t whole = 0, frac = 0;
  if (ex_parse_u64(s, ilen, 2000000, &whole) != 0 ||
      (s[ilen] == '.' && (flen == 0 || flen > 3 ||
                          ex_parse_u64(s + ilen + 1, flen, 999, &frac) != 0))) {
    return -1;
  }
  for (size_t i = flen; i < 3; i++) {
    frac *= 10; /* "0.5" is 500 ms */
  }
  uint64_t v = whole * 1000u + frac;
  if (v == 0 || v > 0x7fffffffu) {
    return -1;
  }
  *ms = (uint32_t)v;
  return 0;
}

/* Command-line errors name the program and what was wrong. */
static int bad(const char *fmt, const char *what) {
  fputs("downchannel-client: ", stderr);
  fprintf(stderr, fmt, what);
  fputc('\n', stderr);
  return -1;
}

static int parse_url(const char *url, dc_opts *o) {
  uint64_t port;
  const char *h;
  if (strncmp(url, "http://", 7) == 0) {
    h = url + 7;
    port = 80;
  } else if (strncmp(url, "https://", 8) == 0) {
    h = url + 8;
    port = 443;
    o->https = 1;
  } else {
    return bad("%s: want an http:// or https:// URL", url);
  }
  size_t hlen = strcspn(h, ":/");
  const char *rest = h + hlen;
  if (*rest == ':') {
    size_t plen = strcspn(rest + 1, "/");
    if (ex_parse_u64(rest + 1, plen, 65535, &port) != 0) {
      return bad("%s: bad port (0 to 65535)", url);
    }
    rest += 1 + plen;
  }
  if (hlen == 0 || hlen >= sizeof o->host || strlen(rest) >= sizeof o->path) {
    return bad("%s: no host, or host or path too long", url);
  }
  memcpy(o->host, h, hlen);
  o->host[hlen] = '\0';
  o->port = (unsigned)port;
  snprintf(o->path, sizeof o->path, "%s", *rest == '/' ? rest : "/");
  snprintf(o->authority, sizeof o->authority, "%s:%u", o->host, o->port);
  return 0;
}

static int parse_args(int argc, char **argv, dc_opts *o) {
  const char *url = NULL;
  o->ping_interval_ms = 10000;
  o->ping_timeout_ms = 5000;
  o->max_reconnects = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    uint64_t n;
    int takes =
        strcmp(a, "--ping-interval") == 0 || strcmp(a, "--ping-timeout") == 0 ||
        strcmp(a, "--max-reconnects") == 0 || strcmp(a, "--cacert") == 0;
    const char *v = takes && i + 1 < argc ? argv[i + 1] : NULL;
    if (takes && v == NULL) {
      return bad("%s needs a value", a);
    }
    if (strcmp(a, "-v") == 0) {
      o->verbose = 1;
    } else if (strcmp(a, "-k") == 0 || strcmp(a, "--insecure") == 0) {
      o->insecure = 1;
    } else if (strcmp(a, "--ping-interval") == 0 ||
               strcmp(a, "--ping-timeout") == 0) {
      uint32_t *ms = a[7] == 'i' ? &o->ping_interval_ms : &o->ping_timeout_ms;
      if (parse_seconds(v, ms) != 0) {
        fprintf(stderr,
                "downchannel-client: %s: bad value '%s' (seconds, "
                "0.001 to 2000000, up to 3 decimals)\n",
                a, v);
        return -1;
      }
    } else if (strcmp(a, "--max-reconnects") == 0) {
      if (ex_parse_u64(v, strlen(v), 1000000000, &n) != 0) {
        return bad("--max-reconnects: bad value '%s' (0 to 1000000000)", v);
      }
      o->max_reconnects = (long)n;
    } else if (strcmp(a, "--cacert") == 0) {
      o->cafile = v;
    } else if (a[0] == '-') {
      return bad("unknown option '%s'", a);
    } else if (url != NULL) {
      return bad("one URL only ('%s' is the second)", a);
    } else {
      url = a;
    }
    i += v != NULL;
  }
  if (url == NULL) {
    return bad("%s", "no URL given");
  }
  if (parse_url(url, o) != 0) {
    return -1;
  }
  if (o->https && !ex_tls_available()) {
    return bad("%s: this build has no TLS support (OpenSSL was not found at "
               "configure time: apt-get install -y libssl-dev)",
               url);
  }
  return 0;
}

/* Wait ms, or less if a signal comes. */
static void pause_ms(uint32_t ms) {
  if (ms != 0 && !stop_flag) {
    poll(NULL, 0, (int)ms);
  }
}

/* Connect again and again. `failures` counts attempts in a row that did
 * not get an event through: the first retry after a working downchannel
 * is immediate, later ones back off so that a server that accepts and
 * fails at once is not hammered. */
static int reconnect_loop(const dc_opts *o) {
  long reconnects = 0;
  uint32_t failures = 0, delay = 0;
  char why[256];
  for (;;) {
    pause_ms(delay);
    if (stop_flag) {
      return 0;
    }
    uint64_t events = 0;
    int end = dc_run_once(o, &events, why, sizeof why);
    if (end == DC_END_STOP || stop_flag) {
      return 0;
    }
    failures = end == DC_END_LOST && events > 0 ? 0 : failures + 1;
    /* 0, then 100, 200, 400, 800, 1000, 1000... ms */
    delay = failures == 0
                ? 0
                : BACKOFF_FIRST_MS << (failures < 5 ? failures - 1 : 4);
    delay = delay > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : delay;
    if (o->max_reconnects >= 0 && reconnects >= o->max_reconnects) {
      dc_log("giving up after %ld reconnects: %s", reconnects, why);
      return 1;
    }
    reconnects++;
    if (delay != 0) {
      dc_log("reconnecting: %s (in %u ms)", why, (unsigned)delay);
    } else {
      dc_log("reconnecting: %s", why);
    }
  }
}

int main(int argc, char **argv) {
  dc_opts o;
  memset(&o, 0, sizeof o);
  if (parse_args(argc, argv, &o) != 0) {
    usage();
    return 2;
  }
  if (o.https) {
    char err[256];
    o.tls = ex_tls_client_ctx(o.insecure, o.cafile, err, sizeof err);
    if (o.tls == NULL) {
      fprintf(stderr, "downchannel-client: TLS: %s\n", err);
      return 2;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* A server that dies must give a write error, not a signal. */
  signal(SIGPIPE, SIG_IGN);
  int rc = reconnect_loop(&o);
  ex_tls_ctx_free(o.tls);
  return rc;
}
