"""The paths of the binding's event-buffer hot path (README, "How it
talks to the C library") that the other suites reach only by chance:
header blocks cut in one go or field by field, split across receive()
calls or not, NUL octets with validation off, DATA pointing into the
input or copied, range bodies, the packed-list cache."""

from conftest import body_of, of, pump

import h2wire
from h2wire import Session

REQ = [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"a"), (b":path", b"/")]


def pair(**opts):
    c = Session.client(**opts)
    s = Session.server(**opts)
    pump(c, s)
    return c, s


def test_blocks_whole_split_and_traced():
    many = REQ + [(b"x-%d" % i, b"v" * i) for i in range(40)]
    for trace in (False, True):
        c, s = pair(trace=trace)
        sid = c.send_request(many)
        out = c.data_to_send()
        got = []
        for i in range(len(out)):  # one octet per receive(): blocks cut by batches
            got += s.receive(out[i : i + 1])
        (req,) = of(got, h2wire.RequestReceived)
        assert req.stream_id == sid and req.headers == many and req.end_stream
        c2, s2 = pair(trace=trace)
        c2.send_request(many)
        (req2,) = of(s2.receive(c2.data_to_send()), h2wire.RequestReceived)
        assert req2.headers == many


def test_nul_in_values_without_validation():
    c, s = pair(validate_messages=False)
    hdrs = REQ + [(b"x-bin", b"a\x00b"), (b"x-empty", b"")]
    c.send_request(hdrs)
    (req,) = of(s.receive(c.data_to_send()), h2wire.RequestReceived)
    assert req.headers == hdrs


def test_data_in_the_input_or_copied():
    c, s = pair()
    sid = c.send_request(REQ)
    pump(c, s)
    body = bytes(range(256)) * 200  # more than one frame, less than a window
    s.send_response(sid, [(b":status", b"200")], body)
    out = s.data_to_send()
    whole = c.receive(out)
    assert body_of(whole, sid) == body
    c, s = pair()
    sid = c.send_request(REQ)
    pump(c, s)
    s.send_response(sid, [(b":status", b"200")], body)
    out = s.data_to_send()
    pieces = []
    for i in range(0, len(out), 1000):  # frames split across receive() calls
        pieces += c.receive(out[i : i + 1000])
    assert body_of(pieces, sid) == body
    assert of(pieces, h2wire.StreamClosed)[0].stream_id == sid


def test_range_body_large_window_and_pending():
    c = Session.client(initial_window_size=1 << 24, connection_window_size=1 << 24)
    s = Session.server()
    pump(c, s)
    sid = c.send_request(REQ)
    pump(c, s)
    body = bytes(range(251)) * 4200  # ~1 MiB, odd length
    s.send_response(sid, [(b":status", b"200")], body)
    assert s.pending_data(sid) == len(body)
    ce, _ = pump(c, s)
    assert body_of(ce, sid) == body
    assert s.pending_data(sid) == 0


def test_streamed_body_and_trailers_still_work():
    c, s = pair()
    sid = c.send_request([(b":method", b"POST")] + REQ[1:], end_stream=False)
    c.send_data(sid, b"abc")
    c.send_data(sid, b"def")
    c.send_trailers(sid, [(b"x-t", b"1")])
    _, se = pump(c, s)
    assert body_of(se, sid) == b"abcdef"
    assert of(se, h2wire.TrailersReceived)[0].headers == [(b"x-t", b"1")]


def test_packed_cache_follows_the_content():
    c, s = pair()
    hdrs = list(REQ)
    c.send_request(hdrs)
    hdrs[3] = (b":path", b"/other")  # the same list object, new content
    c.send_request(hdrs)
    c.send_request(tuple(hdrs) + ((b"x-never", b"secret", True),))
    _, se = pump(c, s)
    paths = [dict(e.headers)[b":path"] for e in of(se, h2wire.RequestReceived)]
    assert paths == [b"/", b"/other", b"/other"]


def test_idle_data_to_send_after_every_kind_of_call():
    c, s = pair()
    assert c.data_to_send() == b""
    c.ping(b"12345678")
    assert c.data_to_send() != b""
    assert c.data_to_send() == b""
    sid = c.send_request(REQ, end_stream=False)
    assert c.data_to_send() != b""
    c.send_data(sid, b"x", end_stream=True)  # a deferred source resumed
    assert c.data_to_send() != b""
    c.free()
    try:
        c.data_to_send()
    except h2wire.H2WireError as e:
        assert e.code == h2wire.Result.E_INVALID_ARGUMENT
    else:
        raise AssertionError("a freed session must refuse")
