#define _POSIX_C_SOURCE 200809L

#include "dial.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int ex_dial(const char *host, unsigned port, char *err, size_t errlen) {
  struct addrinfo hints, *res = NULL;
  char ports[8];
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  snprintf(ports, sizeof ports, "%u", port);
  int rc = getaddrinfo(host, ports, &hints, &res);
  if (rc != 0) {
    snprintf(err, errlen, "resolve %s: %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1, e = 0;
  for (const struct addrinfo *ai = res; ai != NULL && fd < 0;
       ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      e = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(err, errlen, "connect to %s port %u: %s", host, port,
             strerror(e != 0 ? e : errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (ex_set_nonblock(fd) != 0) {
    snprintf(err, errlen, "fcntl: %s", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}
