/* Sockets for both roles, and the two directions of one connection:
 * socket -> h2w_session_recv(), h2w_session_send() -> socket. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grpc.h"
#include "util.h"

int gs_listen(unsigned port, unsigned *bound) {
  struct sockaddr_in sa;
  socklen_t salen = sizeof sa;
  int one = 1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return -1;
  }
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
      ex_set_nonblock(fd) != 0 ||
      getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  *bound = ntohs(sa.sin_port);
  return fd;
}

int gs_flush(gs_io *io) {
  for (;;) {
    if (io->woff == io->wlen) {
      h2w_ssize n = h2w_session_send(io->s, io->wbuf, sizeof io->wbuf);
      if (n <= 0) {
        return (int)n;
      }
      io->woff = 0;
      io->wlen = (size_t)n;
    }
    ssize_t w = write(io->fd, io->wbuf + io->woff, io->wlen - io->woff);
    if (w < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : GS_E_SOCKET;
    }
    io->woff += (size_t)w;
  }
}

int gs_pending(const gs_io *io) {
  return io->woff < io->wlen;
}

int gs_read(gs_io *io, uint8_t *buf, size_t cap) {
  ssize_t n = read(io->fd, buf, cap);
  if (n < 0) {
    return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK
               ? 0
               : GS_E_SOCKET;
  }
  if (n == 0) {
    return GS_E_EOF;
  }
  /* No callback pauses, so the session consumes all it is given. */
  h2w_ssize r = h2w_session_recv(io->s, buf, (size_t)n);
  return r < 0 ? (int)r : 0;
}

int gs_poll_ms(const h2w_session *s, uint64_t now) {
  uint64_t due = h2w_session_next_deadline(s);
  if (due == UINT64_MAX) {
    return -1;
  }
  if (due <= now) {
    return 0;
  }
  return due - now > INT_MAX ? INT_MAX : (int)(due - now);
}
