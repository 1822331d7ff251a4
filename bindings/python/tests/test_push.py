"""Server push (RFC 9113 §8.4) between an h2wire server and an h2wire
client, in memory: promises accepted, declined by the client's
push_policy or by a later reset, and the errors of Session.push().
(Push against python-h2 in both roles is in test_interop_h2.py.)"""

import pytest
from conftest import body_of, of, pump

import h2wire
from h2wire import ErrorCode, H2WireError, Result, Session, Setting, StreamState

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "example.org"), (":path", "/")]


def promised(path, method="GET"):
    return [(":method", method), (":scheme", "http"), (":authority", "example.org"), (":path", path)]


def pair(client_opts=None, server_opts=None):
    c = Session.client(**(client_opts or {}))
    s = Session.server(**(server_opts or {}))
    pump(c, s)
    return c, s


def request(c, s):
    """Send REQ from c; return its id once the server has it."""
    sid = c.send_request(REQ)
    _, se = pump(c, s)
    assert of(se, h2wire.RequestReceived)[0].stream_id == sid
    return sid


def test_enable_push_is_announced():
    c, s = pair(client_opts={"enable_push": True})
    assert c.local_settings[Setting.ENABLE_PUSH] == 1
    assert s.remote_settings[Setting.ENABLE_PUSH] == 1
    c2, s2 = pair()  # clients announce ENABLE_PUSH 0 by default
    assert c2.local_settings[Setting.ENABLE_PUSH] == 0
    assert s2.remote_settings[Setting.ENABLE_PUSH] == 0


def test_push_accepted():
    c, s = pair(client_opts={"enable_push": True})
    sid = request(c, s)
    css = s.push(sid, promised("/style.css") + [("accept", "text/css")])
    js = s.push(sid, promised("/app.js"))
    assert (css, js) == (2, 4)  # new even ids, in order (RFC 9113 §5.1.1)
    assert s.stream_state(css) == StreamState.RESERVED_LOCAL

    ce, _ = pump(c, s)
    pp = of(ce, h2wire.PushPromiseReceived)
    assert pp == [
        h2wire.PushPromiseReceived(
            sid,
            css,
            [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"example.org"),
             (b":path", b"/style.css"), (b"accept", b"text/css")],
        ),
        h2wire.PushPromiseReceived(sid, js, [(b":method", b"GET"), (b":scheme", b"http"),
                                             (b":authority", b"example.org"), (b":path", b"/app.js")]),
    ]
    assert not pp[0].refused
    assert not of(ce, h2wire.HeadersReceived)  # a promise is not a header event
    assert c.stream_state(css) == StreamState.RESERVED_REMOTE

    # The promised streams are answered like requests; the pushed
    # response arrives on the promised id.
    s.send_response(css, [(":status", "200"), ("content-type", "text/css")], b"body{}")
    s.send_response(js, [(":status", "200")], end_stream=False)
    s.send_data(js, b"let x")
    s.send_data(js, b" = 1;", end_stream=True)
    s.send_response(sid, [(":status", "200")], b"<html>")
    ce, se = pump(c, s)
    resp = {e.stream_id: e for e in of(ce, h2wire.ResponseReceived)}
    assert set(resp) == {sid, css, js}
    assert resp[css].headers == [(b":status", b"200"), (b"content-type", b"text/css")]
    assert body_of(ce, css) == b"body{}" and body_of(ce, js) == b"let x = 1;"
    assert body_of(ce, sid) == b"<html>"
    closed = {e.stream_id: e for e in of(ce, h2wire.StreamClosed)}
    assert set(closed) == {sid, css, js}
    assert all(e.error_code == ErrorCode.NO_ERROR and not e.reset for e in closed.values())
    assert {e.stream_id for e in of(se, h2wire.StreamClosed)} == {sid, css, js}
    assert c.open_streams == 0 and s.open_streams == 0
    assert c.error is None and s.error is None


def test_push_policy_refuses():
    seen = []

    def policy(ev):
        seen.append(ev)
        return not ev.headers[3][1].endswith(b".js")

    c, s = pair(client_opts={"enable_push": True, "push_policy": policy})
    sid = request(c, s)
    css = s.push(sid, promised("/style.css"))
    js = s.push(sid, promised("/app.js"))
    # The server answers at once: the refused push's response is already
    # sent when the RST_STREAM reaches the server, so the client drops it.
    s.send_response(css, [(":status", "200")], b"css")
    s.send_response(js, [(":status", "200")], b"js")
    s.send_response(sid, [(":status", "200")], b"page")
    ce, se = pump(c, s)

    assert [(e.promised_stream_id, e.refused) for e in seen] == [(css, False), (js, True)]
    assert of(ce, h2wire.PushPromiseReceived) == seen
    # Nothing of the refused push reaches the client's application.
    assert {e.stream_id for e in of(ce, h2wire.ResponseReceived)} == {sid, css}
    assert body_of(ce, js) == b"" and body_of(ce, css) == b"css" and body_of(ce, sid) == b"page"
    closed = {e.stream_id: e for e in of(ce, h2wire.StreamClosed)}
    assert closed[js].reset and closed[js].error_code == ErrorCode.CANCEL
    assert not closed[css].reset
    assert c.error is None and s.error is None


def test_push_refused_before_the_response():
    c, s = pair(client_opts={"enable_push": True, "push_policy": lambda ev: False})
    sid = request(c, s)
    pid = s.push(sid, promised("/x"))
    ce, se = pump(c, s)
    (pp,) = of(ce, h2wire.PushPromiseReceived)
    assert pp.refused and pp.promised_stream_id == pid
    assert of(ce, h2wire.StreamClosed)[0].stream_id == pid
    assert of(se, h2wire.StreamReset) == [h2wire.StreamReset(pid, ErrorCode.CANCEL)]
    with pytest.raises(H2WireError) as e:
        s.send_response(pid, [(":status", "200")], b"late")
    assert e.value.name == "H2W_E_INVALID_STATE"


def test_push_declined_later_with_reset():
    c, s = pair(client_opts={"enable_push": True})
    sid = request(c, s)
    pid = s.push(sid, promised("/big"))
    s.send_response(pid, [(":status", "200")], end_stream=False)
    s.send_data(pid, b"x" * 1000)

    def decline(ev):
        if isinstance(ev, h2wire.PushPromiseReceived):
            c.reset(ev.promised_stream_id)  # CANCEL, the default

    ce, se = pump(c, s, on_a=decline)
    assert of(ce, h2wire.PushPromiseReceived)[0].promised_stream_id == pid
    (closed,) = [e for e in of(ce, h2wire.StreamClosed) if e.stream_id == pid]
    assert closed.reset and closed.error_code == ErrorCode.CANCEL
    assert of(se, h2wire.StreamReset) == [h2wire.StreamReset(pid, ErrorCode.CANCEL)]
    assert s.pending_data(pid) == 0  # the unsent body was dropped
    s.send_response(sid, [(":status", "204")])
    ce, _ = pump(c, s)
    assert of(ce, h2wire.ResponseReceived)[0].stream_id == sid
    assert c.error is None and s.error is None


def test_push_head_request_and_headers_forms():
    c, s = pair(client_opts={"enable_push": True})
    sid = request(c, s)
    pid = s.push(sid, {":method": b"HEAD", ":scheme": "http", ":authority": "example.org",
                       ":path": "/h"})
    s.send_response(pid, [(":status", "200"), ("content-length", "5")])
    ce, _ = pump(c, s)
    (pp,) = of(ce, h2wire.PushPromiseReceived)
    assert pp.headers[0] == (b":method", b"HEAD")
    (resp,) = [e for e in of(ce, h2wire.ResponseReceived) if e.stream_id == pid]
    assert resp.end_stream and body_of(ce, pid) == b""


def test_push_when_the_client_disabled_it():
    c, s = pair()  # enable_push defaults to off
    sid = request(c, s)
    with pytest.raises(H2WireError) as e:
        s.push(sid, promised("/style.css"))
    assert e.value.code == Result.E_INVALID_STATE and e.value.name == "H2W_E_INVALID_STATE"
    assert e.value.call == "push"
    # The session is unharmed: the request is still answered.
    s.send_response(sid, [(":status", "200")], b"ok")
    ce, _ = pump(c, s)
    assert body_of(ce, sid) == b"ok" and s.error is None


def test_push_errors():
    c, s = pair(client_opts={"enable_push": True})
    sid = request(c, s)
    with pytest.raises(H2WireError) as e:  # only GET and HEAD are pushed
        s.push(sid, promised("/form", method="POST"))
    assert e.value.name == "H2W_E_INVALID_ARGUMENT"
    with pytest.raises(H2WireError) as e:  # not a stream the client opened
        s.push(sid + 2, promised("/a"))
    assert e.value.name == "H2W_E_INVALID_STATE"
    with pytest.raises(H2WireError) as e:  # clients never push
        c.push(sid, promised("/a"))
    assert e.value.name == "H2W_E_INVALID_STATE"
    s.send_response(sid, [(":status", "200")], b"done")
    pump(c, s)
    with pytest.raises(H2WireError) as e:  # the stream is over
        s.push(sid, promised("/a"))
    assert e.value.name == "H2W_E_INVALID_STATE"
    up = c.send_request(promised("/up", method="POST"), b"part", end_stream=False)
    pump(c, s)
    s.send_response(up, [(":status", "200")], b"done")
    pump(c, s)
    assert s.stream_state(up) == StreamState.HALF_CLOSED_LOCAL
    with pytest.raises(H2WireError) as e:  # our side of the stream has ended
        s.push(up, promised("/a"))
    assert e.value.name == "H2W_E_INVALID_STATE"
    with pytest.raises(TypeError):
        Session.client(enable_push=True, push_policy="yes")


def test_push_limited_by_the_clients_concurrency():
    c, s = pair(client_opts={"enable_push": True, "max_concurrent_streams": 2})
    sid = request(c, s)
    s.push(sid, promised("/1"))
    s.push(sid, promised("/2"))
    with pytest.raises(H2WireError) as e:  # reserved streams count (RFC 9113 §5.1.2)
        s.push(sid, promised("/3"))
    assert e.value.name == "H2W_E_LIMIT"


def test_exception_in_push_policy_fails_the_connection():
    class Boom(Exception):
        pass

    def policy(ev):
        raise Boom(ev.promised_stream_id)

    c, s = pair(client_opts={"enable_push": True, "push_policy": policy})
    sid = request(c, s)
    s.push(sid, promised("/x"))
    with pytest.raises(Boom):
        c.receive(s.data_to_send())
    assert c.error.code == Result.E_CALLBACK_FAILURE
