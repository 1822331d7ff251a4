"""Issue 17 §2 in the binding: why a submit was refused (reason and
field_index), the end of input (eof()), the connection flag of
StreamClosed, and the live streams (streams())."""

import pytest
from conftest import of, pump

import h2wire
from h2wire import H2WireError, Result, Session, StreamState

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "example.org"), (":path", "/")]
POST = [(":method", "POST"), (":scheme", "http"), (":authority", "example.org"), (":path", "/up")]


def pair():
    c = Session.client()
    s = Session.server()
    pump(c, s)
    return c, s


def test_refused_request_says_why_and_which_field():
    c, _ = pair()
    with pytest.raises(H2WireError) as ei:
        c.send_request(REQ + [("accept", "*/*"), ("Content-Type", "text/plain")])
    e = ei.value
    assert e.code == Result.E_INVALID_ARGUMENT
    assert e.reason == "uppercase character in field name"
    assert e.field_index == 5
    with pytest.raises(H2WireError) as ei:
        c.send_request(REQ + [("connection", "close")])
    assert ei.value.reason == "connection field in HTTP/2"
    assert ei.value.field_index == 4
    with pytest.raises(H2WireError) as ei:
        c.send_request(REQ[:3])  # no :path
    assert ei.value.reason == "missing :path"
    assert ei.value.field_index is None
    assert c.send_request(REQ) == 1  # and the session is fine


def test_refused_response_says_why():
    c, s = pair()
    c.send_request(POST, end_stream=False)
    pump(c, s)
    with pytest.raises(H2WireError) as ei:
        s.send_response(1, [(":status", "200"), ("x-a", "1\r\nx-b: 2")])
    assert ei.value.reason == "NUL, CR or LF in field value"
    assert ei.value.field_index == 1
    # Other errors keep their usual text and no index.
    with pytest.raises(H2WireError) as ei:
        s.send_response(9, [(":status", "200")])
    assert ei.value.code == Result.E_INVALID_STATE
    assert ei.value.field_index is None


def test_eof_closes_streams_with_the_connection_flag():
    c, s = pair()
    c.send_request(POST, end_stream=False)
    c.send_request(POST, end_stream=False)
    pump(c, s)
    assert [sid for sid, _ in s.streams()] == [1, 3]
    assert s.streams()[0][1] == StreamState.OPEN
    events = s.eof()
    closed = of(events, h2wire.StreamClosed)
    assert [e.stream_id for e in closed] == [1, 3]
    assert all(e.connection and not e.retryable for e in closed)
    assert not s.want_read and not s.want_write
    assert s.data_to_send() == b""
    assert s.error.code == Result.E_CLOSED
    assert s.streams() == []


def test_eof_inside_a_frame_is_truncated():
    c, s = pair()
    c.send_request(POST, end_stream=False)
    pump(c, s)
    c.send_data(1, b"hello")
    out = c.data_to_send()
    s.receive(out[:-2])
    with pytest.raises(H2WireError) as ei:
        s.eof()
    assert ei.value.code == Result.E_TRUNCATED
    assert ei.value.reason == "connection closed inside a frame"
    (closed,) = of(ei.value.events, h2wire.StreamClosed)
    assert closed.connection


def test_normal_close_has_no_connection_flag():
    c, s = pair()
    c.send_request(REQ)
    pump(c, s)
    s.send_response(1, [(":status", "204")])
    ce, _ = pump(c, s)
    (closed,) = of(ce, h2wire.StreamClosed)
    assert not closed.connection
