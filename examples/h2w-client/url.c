#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "util.h"

static char *dup_range(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p != NULL) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

/* host and optional port of the authority a[0..n) (RFC 3986 §3.2). */
static int parse_authority(const char *a, size_t n, url_parts *u,
                           const char **err) {
  const char *port = NULL;
  size_t hlen;
  if (memchr(a, '@', n) != NULL) {
    *err = "user information in URLs is not supported";
    return -1;
  }
  if (n > 0 && a[0] == '[') {
    const char *end = memchr(a, ']', n);
    if (end == NULL) {
      *err = "unterminated IPv6 literal";
      return -1;
    }
    u->ipv6 = 1;
    u->host = dup_range(a + 1, (size_t)(end - a - 1));
    hlen = (size_t)(end - a - 1);
    if (end + 1 < a + n) {
      if (end[1] != ':') {
        *err = "junk after the IPv6 literal";
        return -1;
      }
      port = end + 2;
    }
  } else {
    const char *colon = memchr(a, ':', n);
    hlen = colon != NULL ? (size_t)(colon - a) : n;
    u->host = dup_range(a, hlen);
    port = colon != NULL ? colon + 1 : NULL;
  }
  if (u->host == NULL || hlen == 0) {
    *err = u->host == NULL ? "out of memory" : "empty host";
    return -1;
  }
  uint64_t p;
  if (port != NULL && port < a + n) {
    if (ex_parse_u64(port, (size_t)(a + n - port), 65535, &p) != 0 || p == 0) {
      *err = "bad port";
      return -1;
    }
    u->port = (unsigned)p;
  }
  return 0;
}

int url_parse(const char *url, url_parts *u, const char **err) {
  memset(u, 0, sizeof *u);
  const char *sep = strstr(url, "://");
  size_t slen = sep != NULL ? (size_t)(sep - url) : 0;
  if (sep == NULL || slen == 0 || slen >= sizeof u->scheme) {
    *err = "not an absolute URL (scheme://host[:port]/path)";
    return -1;
  }
  for (size_t i = 0; i < slen; i++) {
    u->scheme[i] = (char)tolower((unsigned char)url[i]);
  }
  u->port = strcmp(u->scheme, "https") == 0 ? 443u : 80u;
  const char *a = sep + 3;
  size_t alen = strcspn(a, "/?#");
  if (parse_authority(a, alen, u, err) != 0) {
    url_free(u);
    return -1;
  }
  /* The fragment is never sent (RFC 9110 §7.1); an empty path is "/"
   * (RFC 9113 §8.3.1), also in front of a query. */
  const char *p = a + alen;
  size_t plen = strcspn(p, "#");
  int slash = plen == 0 || p[0] != '/';
  u->path = malloc(plen + 2);
  if (u->path == NULL) {
    *err = "out of memory";
    url_free(u);
    return -1;
  }
  u->path[0] = '/';
  memcpy(u->path + (slash ? 1 : 0), p, plen);
  u->path[plen + (slash ? 1 : 0)] = '\0';
  return 0;
}

void url_free(url_parts *u) {
  free(u->host);
  free(u->path);
  u->host = NULL;
  u->path = NULL;
}
