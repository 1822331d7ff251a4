/* The link simulator of linksim.h. Each direction is a FIFO of chunks:
 * a chunk leaves the bottleneck when the ones before it have (at the
 * link's rate) and arrives one delay later. A session writes only while
 * its direction's bottleneck queue holds less than queue_bytes, so the
 * queue behaves like a socket buffer in front of a slow link. */
#include "linksim.h"

#include <stdlib.h>
#include <string.h>

#include "h2wire.h"

#define SIM_CHUNK 65536u
#define SIM_LIMIT_MS (3600.0 * 1000.0)

typedef struct chunk {
  struct chunk *next;
  double arrive;
  size_t len, off;
  uint8_t data[];
} chunk;

typedef struct link {
  chunk *head, *tail;
  double free_at; /* when the bottleneck has sent everything queued */
  double rate;
} link;

typedef struct sim {
  const linksim_cfg *cfg;
  h2w_session *cli, *srv;
  link up, down; /* client to server, server to client */
  uint64_t rng;
  uint64_t sent, got; /* body octets */
  uint32_t stream;    /* the receiving side's stream id */
  int respond;        /* server: the request came, answer it */
  uint64_t unconsumed;
  double now, t25, t50;
  uint8_t *buf;
} sim;

static uint64_t rnd(sim *m) {
  /* xorshift64: deterministic splits from the seed. */
  m->rng ^= m->rng << 13;
  m->rng ^= m->rng >> 7;
  m->rng ^= m->rng << 17;
  return m->rng;
}

static double backlog(const link *l, double now) {
  return l->free_at > now ? (l->free_at - now) * l->rate : 0.0;
}

static int link_put(link *l, double now, double delay, const uint8_t *p,
                    size_t n) {
  chunk *c = malloc(sizeof(*c) + n);
  if (c == NULL) {
    return -1;
  }
  memcpy(c->data, p, n);
  c->len = n;
  c->off = 0;
  c->next = NULL;
  l->free_at = (l->free_at > now ? l->free_at : now) + (double)n / l->rate;
  c->arrive = l->free_at + delay;
  if (l->tail != NULL) {
    l->tail->next = c;
  } else {
    l->head = c;
  }
  l->tail = c;
  return 0;
}

static void link_free(link *l) {
  while (l->head != NULL) {
    chunk *c = l->head;
    l->head = c->next;
    free(c);
  }
}

/* Everything that arrived by now goes into s, in random pieces. */
static int deliver(sim *m, link *l, h2w_session *s) {
  while (l->head != NULL && l->head->arrive <= m->now) {
    chunk *c = l->head;
    while (c->off < c->len) {
      size_t left = c->len - c->off;
      size_t n = (size_t)(rnd(m) % 20000u) + 1u;
      h2w_ssize r;
      n = n < left ? n : left;
      r = h2w_session_recv(s, c->data + c->off, n);
      if (r < 0) {
        return -1;
      }
      c->off += (size_t)r;
    }
    l->head = c->next;
    if (l->head == NULL) {
      l->tail = NULL;
    }
    free(c);
  }
  return 0;
}

/* s writes onto l while the bottleneck queue has room. */
static int pull(sim *m, h2w_session *s, link *l) {
  while (h2w_session_want_write(s) &&
         backlog(l, m->now) < (double)m->cfg->queue_bytes) {
    h2w_ssize n = h2w_session_send(s, m->buf, SIM_CHUNK);
    if (n < 0) {
      return -1;
    }
    if (n == 0) {
      break;
    }
    if (link_put(l, m->now, m->cfg->one_way_ms, m->buf, (size_t)n) != 0) {
      return -1;
    }
  }
  return 0;
}

static h2w_ssize body_read(h2w_session *s, uint32_t id, uint8_t *buf,
                           size_t len, uint32_t *flags, void *user) {
  sim *m = user;
  uint64_t left = m->cfg->body - m->sent;
  (void)s;
  (void)id;
  (void)buf; /* the octets are not looked at: only counted */
  if (len >= left) {
    len = (size_t)left;
    *flags |= H2W_DATA_FLAG_EOF;
  }
  m->sent += len;
  return (h2w_ssize)len;
}

static int on_headers(h2w_session *s, uint32_t id, int kind, int es,
                      void *user) {
  sim *m = user;
  (void)es;
  if (kind == H2W_HEADERS_REQUEST && s == m->srv) {
    m->respond = 1;
    m->stream = id;
  }
  return 0;
}

static int on_data(h2w_session *s, uint32_t id, const uint8_t *d, size_t len,
                   void *user) {
  sim *m = user;
  (void)id;
  (void)d;
  if ((s == m->cli) != (m->cfg->upload != 0)) {
    m->got += len;
    if (m->cfg->manual) {
      m->unconsumed += len;
    }
    if (m->t25 == 0 && m->got * 4 >= m->cfg->body) {
      m->t25 = m->now;
    }
    if (m->t50 == 0 && m->got * 2 >= m->cfg->body) {
      m->t50 = m->now;
    }
  }
  return 0;
}

static const h2w_nv *nv_of(const char *const *kv, size_t n, h2w_nv *out) {
  size_t i;
  for (i = 0; i < n; i++) {
    out[i].name = (const uint8_t *)kv[2 * i];
    out[i].namelen = strlen(kv[2 * i]);
    out[i].value = (const uint8_t *)kv[2 * i + 1];
    out[i].valuelen = strlen(kv[2 * i + 1]);
    out[i].flags = 0;
  }
  return out;
}

static int setup(sim *m) {
  static const char *const req[] = {":method", "GET", ":scheme",    "http",
                                    ":path",   "/",   ":authority", "sim"};
  static const char *const post[] = {":method", "POST", ":scheme",    "http",
                                     ":path",   "/up",  ":authority", "sim"};
  const linksim_cfg *c = m->cfg;
  h2w_callbacks *cb = NULL;
  h2w_options *plain = NULL, *tuned = NULL;
  h2w_data_source src;
  h2w_nv nv[4];
  int rv = -1;
  if (h2w_callbacks_new(&cb, NULL) != H2W_OK ||
      h2w_options_new(&plain, NULL) != H2W_OK ||
      h2w_options_new(&tuned, NULL) != H2W_OK) {
    goto out;
  }
  h2w_callbacks_set_on_headers(cb, on_headers);
  h2w_callbacks_set_on_data(cb, on_data);
  /* The body is counted, not kept: no memory budget applies to it. */
  h2w_options_set_manual_flow_control(tuned, c->manual);
  if (c->autotune_conn != 0 &&
      h2w_options_set_window_autotune(tuned, c->autotune_conn,
                                      c->autotune_stream) != H2W_OK) {
    goto out;
  }
  if (h2w_session_client_new(&m->cli, cb, c->upload ? plain : tuned, m, NULL) !=
          H2W_OK ||
      h2w_session_server_new(&m->srv, cb, c->upload ? tuned : plain, m, NULL) !=
          H2W_OK) {
    goto out;
  }
  src.read = body_read;
  src.write = NULL;
  src.user = m;
  if (c->upload) {
    if (h2w_session_submit_request(m->cli, nv_of(post, 4, nv), 4, &src, NULL) <=
        0) {
      goto out;
    }
  } else if (h2w_session_submit_request(m->cli, nv_of(req, 4, nv), 4, NULL,
                                        NULL) <= 0) {
    goto out;
  }
  rv = 0;
out:
  h2w_callbacks_del(cb);
  h2w_options_del(plain);
  h2w_options_del(tuned);
  return rv;
}

void linksim_defaults(linksim_cfg *c) {
  memset(c, 0, sizeof(*c));
  c->one_way_ms = 50;
  c->bytes_per_ms = 125000; /* 1 Gbit/s */
  c->queue_bytes = 1000000;
  c->step_ms = 0.25;
  c->seed = 0x9e3779b97f4a7c15u;
  c->body = 200000000u;
}

/* When something can happen next: an arrival, or room on a link a
 * session wants to write to; at least one step ahead. */
static double next_time(sim *m) {
  double t = SIM_LIMIT_MS, q = (double)m->cfg->queue_bytes;
  link *ls[2] = {&m->up, &m->down};
  h2w_session *ss[2] = {m->cli, m->srv};
  int i;
  for (i = 0; i < 2; i++) {
    if (ls[i]->head != NULL && ls[i]->head->arrive < t) {
      t = ls[i]->head->arrive;
    }
    if (h2w_session_want_write(ss[i])) {
      double room = ls[i]->free_at - q / ls[i]->rate;
      t = room < t ? room : t;
    }
  }
  return t > m->now + m->cfg->step_ms ? t : m->now + m->cfg->step_ms;
}

static void observe(sim *m, linksim_result *r) {
  h2w_session *rx = m->cfg->upload ? m->srv : m->cli;
  h2w_flow_estimate e;
  int32_t rw = 0;
  uint64_t held;
  e.size = sizeof(e);
  (void)h2w_session_flow_estimate(rx, &e);
  (void)h2w_session_window(rx, 0, &rw, NULL);
  /* What the peer may still send plus what the application holds: the
   * memory the receiver has promised to absorb. */
  held = (uint64_t)(rw > 0 ? rw : 0) + m->unconsumed;
  r->max_held = held > r->max_held ? held : r->max_held;
  if (e.connection_window > r->max_conn_target) {
    r->max_conn_target = e.connection_window;
  }
  if (e.stream_window > r->max_stream_window) {
    r->max_stream_window = e.stream_window;
  }
  if (m->cfg->change_at != 0 && m->got >= m->cfg->change_at &&
      r->shrunk_ms == 0 && e.connection_window * 4u <= r->max_conn_target) {
    r->shrunk_ms = m->now;
  }
  r->final_conn_target = e.connection_window;
  r->final_stream_window = e.stream_window;
  r->pings = e.samples;
  r->rtt_ms = e.rtt_ms;
  r->bytes_per_second = e.bytes_per_second;
}

int linksim_run(const linksim_cfg *c, linksim_result *r) {
  sim m;
  int changed = 0, rv = -1;
  memset(&m, 0, sizeof(m));
  memset(r, 0, sizeof(*r));
  m.cfg = c;
  m.rng = c->seed != 0 ? c->seed : 1;
  m.up.rate = m.down.rate = c->bytes_per_ms;
  m.buf = calloc(1, SIM_CHUNK);
  if (m.buf == NULL || setup(&m) != 0) {
    goto out;
  }
  rv = 0;
  while (m.got < c->body && m.now < SIM_LIMIT_MS) {
    h2w_session *rx = c->upload ? m.srv : m.cli;
    uint64_t ms = (uint64_t)m.now;
    if (h2w_session_tick(m.cli, ms) < 0 || h2w_session_tick(m.srv, ms) < 0 ||
        deliver(&m, &m.up, m.srv) != 0 || deliver(&m, &m.down, m.cli) != 0) {
      break;
    }
    if (m.unconsumed > 0) {
      uint32_t id = c->upload ? m.stream : 1u;
      if (h2w_session_consume(rx, id, (size_t)m.unconsumed) != H2W_OK) {
        break;
      }
      m.unconsumed = 0;
    }
    if (m.respond) {
      static const char *const ok[] = {":status", "200"};
      h2w_nv nv[1];
      h2w_data_source src;
      src.read = body_read;
      src.write = NULL;
      src.user = &m;
      m.respond = 0;
      if (h2w_session_submit_response(m.srv, m.stream, nv_of(ok, 1, nv), 1,
                                      c->upload ? NULL : &src) != H2W_OK) {
        break;
      }
    }
    if (!changed && c->change_at != 0 && m.got >= c->change_at) {
      /* The path slows down: what is queued still leaves at the old rate
       * (free_at stays), new frames at the new one. */
      changed = 1;
      r->changed_ms = m.now;
      m.up.rate = m.down.rate = c->new_rate;
    }
    if (pull(&m, m.cli, &m.up) != 0 || pull(&m, m.srv, &m.down) != 0) {
      break;
    }
    observe(&m, r);
    if (m.got >= c->body) {
      break;
    }
    m.now = next_time(&m);
  }
  r->ok = m.got == c->body && h2w_session_want_read(m.cli) >= 0;
  r->done_ms = m.now;
  if (m.t25 > 0 && m.now > m.t25) {
    r->ramp_rate = (double)(c->body - c->body / 4) / (m.now - m.t25);
  }
  if (changed && m.now > r->changed_ms) {
    r->post_rate = (double)(m.got - c->change_at) / (m.now - r->changed_ms);
  }
  if (m.t50 > 0 && m.now > m.t50) {
    r->late_rate = (double)(c->body - c->body / 2) / (m.now - m.t50);
  }
out:
  h2w_session_del(m.cli);
  h2w_session_del(m.srv);
  link_free(&m.up);
  link_free(&m.down);
  free(m.buf);
  return rv;
}
