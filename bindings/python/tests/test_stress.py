"""10,000 connections opened, used and closed: the C handles are freed and
memory stays flat."""

import gc
import os
import time

from conftest import of

import h2wire
from h2wire import Session, _callbacks

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "a"), (":path", "/")]


def rss_bytes():
    # /proc/self/statm: size resident shared ... in pages (proc(5)).
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def one_connection(i):
    """A client and a server session in memory: preface, one request, a
    response with a body, GOAWAY. Every other pair is freed explicitly, the
    rest by garbage collection (reference counting, through __del__)."""
    c = Session.client()
    s = Session.server()
    s.receive(c.data_to_send())
    c.receive(s.data_to_send())
    sid = c.send_request(REQ)
    s.receive(c.data_to_send())
    s.send_response(sid, [(":status", "200")], b"x" * 100)
    ev = c.receive(s.data_to_send())
    c.close()
    s.receive(c.data_to_send())
    assert of(ev, h2wire.StreamEnded)
    if i % 2:
        c.free()
        s.free()


def test_ten_thousand_sessions_memory_stays_flat():
    for i in range(1000):  # warm-up: allocator pools, caches, lazy imports
        one_connection(i)
    gc.collect()
    before = rss_bytes()
    t0 = time.monotonic()
    for i in range(10000):
        one_connection(i)
    gc.collect()
    elapsed = time.monotonic() - t0
    after = rss_bytes()
    grown = after - before
    print(f"10000 connections (20000 sessions) in {elapsed:.1f}s; "
          f"RSS {before >> 10} KiB -> {after >> 10} KiB ({grown / 1024:+.0f} KiB)")
    # One leaked session holds ~30 KiB (buffers, HPACK tables): 20,000 of
    # them would be ~600 MiB; a leaked 100-byte body alone 1 MiB. Allow
    # allocator noise only.
    assert grown < 4 * 1024 * 1024, f"RSS grew by {grown} bytes"
    assert len(_callbacks._sessions) == 0
