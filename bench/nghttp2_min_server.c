/* nghttp2-min-server: the smallest libnghttp2 server that does for
 * `GET /` exactly what h2w-server does, so that h2load-compare.sh compares
 * libraries rather than applications (nghttpd is a file server that adds
 * date, last-modified and cache-control and stats a file per request).
 *
 *   nghttp2-min-server --port N --body FILE
 *
 * Plain-text HTTP/2 with prior knowledge (RFC 9113 §3.3), one thread, one
 * epoll loop, non-blocking sockets, like h2w-server. It announces what
 * h2w-server announces (SETTINGS_MAX_CONCURRENT_STREAMS 100,
 * SETTINGS_INITIAL_WINDOW_SIZE 256 KiB, a 1 MiB connection window) and
 * answers GET / with the same fields as h2w-server (:status 200,
 * content-type text/plain; charset=utf-8, content-length) and the body
 * read from FILE (h2load-compare.sh takes it from h2w-server). Per
 * request it keeps what h2w-server keeps: a small record with copies of
 * :method and :path, freed when the stream closes. Any other request gets
 * 404 with no body. Port 0 picks a free port; it prints
 * "listening on 127.0.0.1:PORT". Stops on SIGINT/SIGTERM. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#define STREAM_WINDOW (256 * 1024)
#define CONN_WINDOW (1024 * 1024)
#define READ_CAP 65536 /* h2w-server: SRV_RBUF_SIZE */

typedef struct conn {
  int fd;
  nghttp2_session *ng;
  uint8_t *pending; /* output the socket did not take yet */
  size_t plen, pcap;
  int want_out; /* EPOLLOUT armed */
} conn;

typedef struct req {
  char *method, *path;
  size_t off; /* body octets sent */
} req;

static const char *body;
static size_t body_len;
static char body_len_str[24];
static int epfd;
static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static char *dup_value(const uint8_t *v, size_t n) {
  char *p = malloc(n + 1);
  if (p != NULL) {
    memcpy(p, v, n);
    p[n] = '\0';
  }
  return p;
}

static int on_begin_headers(nghttp2_session *ng, const nghttp2_frame *f,
                            void *user) {
  req *r;
  (void)user;
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;
  }
  r = calloc(1, sizeof *r);
  if (r == NULL) {
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  nghttp2_session_set_stream_user_data(ng, f->hd.stream_id, r);
  return 0;
}

static int on_header(nghttp2_session *ng, const nghttp2_frame *f,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user) {
  req *r = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
  char **dst = NULL;
  (void)flags, (void)user;
  if (r == NULL) {
    return 0;
  }
  if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
    dst = &r->method;
  } else if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
    dst = &r->path;
  }
  if (dst != NULL) {
    free(*dst);
    *dst = dup_value(value, valuelen);
    if (*dst == NULL) {
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }
  return 0;
}

static ssize_t read_body(nghttp2_session *ng, int32_t id, uint8_t *buf,
                         size_t len, uint32_t *flags, nghttp2_data_source *src,
                         void *user) {
  req *r = src->ptr;
  size_t n = body_len - r->off;
  (void)ng, (void)id, (void)user;
  if (n > len) {
    n = len;
  }
  memcpy(buf, body + r->off, n);
  r->off += n;
  if (r->off == body_len) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return (ssize_t)n;
}

#define NV(n, v)                                                               \
  {                                                                            \
    (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v),                  \
        NGHTTP2_NV_FLAG_NONE                                                   \
  }

/* The request's header block is complete: answer it, as h2w-server does
 * from on_headers. */
static int on_frame_recv(nghttp2_session *ng, const nghttp2_frame *f,
                         void *user) {
  req *r;
  (void)user;
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;
  }
  r = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
  if (r == NULL) {
    return 0;
  }
  if (r->method != NULL && r->path != NULL && strcmp(r->method, "GET") == 0 &&
      strcmp(r->path, "/") == 0) {
    nghttp2_nv nv[] = {NV(":status", "200"),
                       NV("content-type", "text/plain; charset=utf-8"),
                       NV("content-length", body_len_str)};
    nghttp2_data_provider dp;
    dp.source.ptr = r;
    dp.read_callback = read_body;
    return nghttp2_submit_response(ng, f->hd.stream_id, nv, 3, &dp) == 0
               ? 0
               : NGHTTP2_ERR_CALLBACK_FAILURE;
  } else {
    nghttp2_nv nv[] = {NV(":status", "404")};
    return nghttp2_submit_response(ng, f->hd.stream_id, nv, 1, NULL) == 0
               ? 0
               : NGHTTP2_ERR_CALLBACK_FAILURE;
  }
}

static int on_stream_close(nghttp2_session *ng, int32_t id, uint32_t code,
                           void *user) {
  req *r = nghttp2_session_get_stream_user_data(ng, id);
  (void)code, (void)user;
  if (r != NULL) {
    nghttp2_session_set_stream_user_data(ng, id, NULL);
    free(r->method);
    free(r->path);
    free(r);
  }
  return 0;
}

static void watch(conn *c, int out) {
  struct epoll_event ev;
  if (out == c->want_out) {
    return;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
  ev.data.ptr = c;
  c->want_out = out;
  (void)epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_close(conn *c) {
  (void)epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  nghttp2_session_del(c->ng);
  free(c->pending);
  free(c);
}

static int keep(conn *c, const uint8_t *d, size_t n) {
  if (c->plen + n > c->pcap) {
    size_t cap = c->pcap ? c->pcap : 65536;
    uint8_t *p;
    while (cap < c->plen + n) {
      cap *= 2;
    }
    p = realloc(c->pending, cap);
    if (p == NULL) {
      return -1;
    }
    c->pending = p;
    c->pcap = cap;
  }
  memcpy(c->pending + c->plen, d, n);
  c->plen += n;
  return 0;
}

/* Gather what the session has to send (nghttp2_session_mem_send hands
 * out about a frame at a time) into up to 32 KiB, then write it in one
 * call, as h2w-server writes h2w_session_send()'s batches; repeat until
 * the session is quiet or the socket would block. Returns -1 when the
 * connection is done. */
#define WRITE_BATCH 32768 /* h2w-server: SRV_WBUF_SIZE */
static int flush(conn *c) {
  for (;;) {
    while (c->plen < WRITE_BATCH) {
      const uint8_t *d;
      ssize_t n = nghttp2_session_mem_send(c->ng, &d);
      if (n < 0) {
        return -1;
      }
      if (n == 0) {
        break;
      }
      if (keep(c, d, (size_t)n) != 0) {
        return -1;
      }
    }
    if (c->plen == 0) {
      break;
    }
    while (c->plen > 0) {
      ssize_t w = send(c->fd, c->pending, c->plen, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          watch(c, 1);
          return 0;
        }
        if (errno == EINTR) {
          continue;
        }
        return -1;
      }
      memmove(c->pending, c->pending + w, c->plen - (size_t)w);
      c->plen -= (size_t)w;
    }
  }
  watch(c, 0);
  return nghttp2_session_want_read(c->ng) || nghttp2_session_want_write(c->ng)
             ? 0
             : -1;
}

static int on_readable(conn *c) {
  static uint8_t buf[READ_CAP];
  for (;;) {
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n == 0) {
      return -1;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return 0;
      }
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    if (nghttp2_session_mem_recv(c->ng, buf, (size_t)n) < 0) {
      return -1;
    }
    if (flush(c) != 0) {
      return -1;
    }
  }
}

static nghttp2_session_callbacks *callbacks;

static void accept_all(int lfd) {
  static const nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW}};
  for (;;) {
    struct epoll_event ev;
    int one = 1;
    conn *c;
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c = calloc(1, sizeof *c);
    if (c == NULL || nghttp2_session_server_new(&c->ng, callbacks, c) != 0) {
      free(c);
      close(fd);
      continue;
    }
    c->fd = fd;
    if (nghttp2_submit_settings(c->ng, NGHTTP2_FLAG_NONE, iv, 2) != 0 ||
        nghttp2_session_set_local_window_size(c->ng, NGHTTP2_FLAG_NONE, 0,
                                              CONN_WINDOW) != 0) {
      nghttp2_session_del(c->ng);
      free(c);
      close(fd);
      continue;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0 || flush(c) != 0) {
      conn_close(c);
    }
  }
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *p = NULL;
  long n;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0 || (p = malloc((size_t)n + 1)) == NULL ||
      fread(p, 1, (size_t)n, f) != (size_t)n) {
    free(p);
    p = NULL;
  } else {
    *len = (size_t)n;
  }
  if (f != NULL) {
    fclose(f);
  }
  return p;
}

int main(int argc, char **argv) {
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  struct epoll_event lev;
  unsigned port = 0;
  const char *file = NULL;
  int lfd, one = 1, i;
  for (i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) {
      port = (unsigned)strtoul(argv[i + 1], NULL, 10);
    } else if (strcmp(argv[i], "--body") == 0) {
      file = argv[i + 1];
    } else {
      break;
    }
  }
  if (i != argc || file == NULL || port > 65535) {
    fprintf(stderr, "usage: nghttp2-min-server --port N --body FILE\n");
    return 2;
  }
  body = read_file(file, &body_len);
  if (body == NULL) {
    fprintf(stderr, "nghttp2-min-server: cannot read %s\n", file);
    return 1;
  }
  snprintf(body_len_str, sizeof body_len_str, "%zu", body_len);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  if (nghttp2_session_callbacks_new(&callbacks) != 0) {
    return 1;
  }
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                          on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                         on_stream_close);
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
      listen(lfd, 1024) != 0 ||
      getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
    perror("nghttp2-min-server: listen");
    return 1;
  }
  epfd = epoll_create1(EPOLL_CLOEXEC);
  memset(&lev, 0, sizeof lev);
  lev.events = EPOLLIN;
  lev.data.ptr = NULL; /* the listening socket */
  if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) != 0) {
    perror("nghttp2-min-server: epoll");
    return 1;
  }
  printf("listening on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
  fflush(stdout);
  while (!stop) {
    struct epoll_event evs[64];
    int n = epoll_wait(epfd, evs, 64, 1000), k;
    for (k = 0; k < n; k++) {
      conn *c = evs[k].data.ptr;
      if (c == NULL) {
        accept_all(lfd);
        continue;
      }
      if ((evs[k].events & (EPOLLERR | EPOLLHUP)) ||
          ((evs[k].events & EPOLLIN) && on_readable(c) != 0) ||
          ((evs[k].events & EPOLLOUT) && flush(c) != 0)) {
        conn_close(c);
      }
    }
  }
  close(lfd);
  close(epfd);
  nghttp2_session_callbacks_del(callbacks);
  free((void *)(uintptr_t)body);
  return 0;
}
