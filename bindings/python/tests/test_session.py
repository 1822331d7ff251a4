"""The binding's own behaviour, h2wire client <-> h2wire server in memory:
every event type, every submit, errors as exceptions, callbacks that
raise, and the lifetime of the C handle."""

import gc
import os
import re
import weakref

import pytest
from conftest import body_of, of, pump

import h2wire
from h2wire import (
    ErrorCode,
    FrameType,
    H2WireError,
    Result,
    Session,
    Setting,
    StreamState,
)
from h2wire import _callbacks

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "example.org"), (":path", "/")]
POST = [(":method", "POST"), (":scheme", "http"), (":authority", "example.org"), (":path", "/up")]


def pair(client_opts=None, server_opts=None):
    c = Session.client(**(client_opts or {}))
    s = Session.server(**(server_opts or {}))
    c.tick(0)  # abuse budgets on, as in a real program (h2w_session_tick)
    s.tick(0)
    pump(c, s)
    return c, s


def test_request_response_events():
    c, s = pair()
    sid = c.send_request(REQ + [("x-a", "1")])
    assert sid == 1
    ce, se = pump(c, s)
    (req,) = of(se, h2wire.RequestReceived)
    assert req.stream_id == 1 and req.end_stream and req.kind == h2wire.HeadersKind.REQUEST
    assert req.headers[0] == (b":method", b"GET")
    assert (b"x-a", b"1") in req.headers
    assert of(se, h2wire.StreamEnded) == [h2wire.StreamEnded(1)]
    assert s.stream_state(1) == StreamState.HALF_CLOSED_REMOTE

    s.send_response(1, {":status": "200", "content-type": "text/plain"}, b"hello")
    ce, se = pump(c, s)
    (resp,) = of(ce, h2wire.ResponseReceived)
    assert resp.headers[0] == (b":status", b"200") and not resp.end_stream
    assert body_of(ce, 1) == b"hello"
    types = [type(e) for e in ce]
    assert types.index(h2wire.ResponseReceived) < types.index(h2wire.DataReceived)
    assert types.index(h2wire.StreamEnded) < types.index(h2wire.StreamClosed)
    assert of(ce, h2wire.StreamClosed) == [h2wire.StreamClosed(1, ErrorCode.NO_ERROR, False, False)]
    assert of(se, h2wire.StreamClosed)[0].error_code == ErrorCode.NO_ERROR
    assert c.stream_state(1) == StreamState.CLOSED and c.open_streams == 0
    assert c.is_server is False and s.is_server is True


def test_streamed_body_and_trailers():
    c, s = pair()
    sid = c.send_request(POST, b"first,", end_stream=False)
    pump(c, s)  # the source runs dry: deferred until send_data() resumes it
    c.send_data(sid, b"second,")
    c.send_data(sid, bytearray(b"third"))
    c.send_trailers(sid, [("x-checksum", "abc")])
    with pytest.raises(H2WireError) as e:
        c.send_data(sid, b"too late")
    assert e.value.name == "H2W_E_INVALID_STATE"
    _, se = pump(c, s)
    assert body_of(se, sid) == b"second,third"  # "first," came in the first pump
    (tr,) = of(se, h2wire.TrailersReceived)
    assert tr.headers == [(b"x-checksum", b"abc")] and tr.end_stream
    assert tr.kind == h2wire.HeadersKind.TRAILERS
    assert of(se, h2wire.StreamEnded) == [h2wire.StreamEnded(sid)]

    # The response: informational first, then a body ended by end_stream().
    s.send_informational(sid, [(":status", "103"), ("link", "</a.css>")])
    s.send_response(sid, [(":status", "200")], end_stream=False)
    s.send_data(sid, b"ok")
    s.end_stream(sid)
    ce, _ = pump(c, s)
    (info,) = of(ce, h2wire.InformationalResponseReceived)
    assert info.headers[0] == (b":status", b"103")
    assert body_of(ce, sid) == b"ok" and of(ce, h2wire.StreamEnded)


def test_large_body_is_paced_by_flow_control():
    c, s = pair(server_opts={"trace": True})
    big = bytes(range(256)) * 4096  # 1 MiB
    sid = c.send_request(REQ)
    pump(c, s)
    s.send_response(sid, [(":status", "200")], big)
    # Only the initial windows' worth leaves before the client answers.
    first = s.data_to_send()
    assert 65535 <= len(first) < 65535 + 8192
    assert s.pending_data(sid) == len(big) - 65535
    assert s.window(sid)[1] == 0
    ce = c.receive(first)
    ce2, se = pump(c, s)
    assert body_of(ce + ce2, sid) == big
    got = [e for e in se if isinstance(e, h2wire.FrameReceived)]
    assert any(f.type == FrameType.WINDOW_UPDATE for f in got)
    assert s.pending_data(sid) == 0


def test_manual_flow_control():
    c, s = pair(server_opts={"manual_flow_control": True})
    sid = c.send_request(POST, b"x" * 200000)
    _, se = pump(c, s)
    got = len(body_of(se, sid))
    assert got == 65535  # nothing consumed: no WINDOW_UPDATE, the sender waits
    assert c.pending_data(sid) == 200000 - 65535
    s.consume(sid, got)
    _, se = pump(c, s)
    assert got + len(body_of(se, sid)) > 65535
    with pytest.raises(H2WireError) as e:
        c.consume(sid, 1)  # automatic mode on the client
    assert e.value.code == Result.E_INVALID_STATE


def test_reset_both_ways():
    c, s = pair()
    a = c.send_request(POST, b"data", end_stream=False)
    b = c.send_request(REQ)
    pump(c, s)
    c.reset(a)
    ce, se = pump(c, s)
    assert of(se, h2wire.StreamReset) == [h2wire.StreamReset(a, ErrorCode.CANCEL)]
    assert of(se, h2wire.StreamClosed) == [h2wire.StreamClosed(a, ErrorCode.CANCEL, True, False)]
    assert of(ce, h2wire.StreamClosed)[0].reset
    with pytest.raises(H2WireError):
        c.send_data(a, b"x")
    # A refused stream was never processed: safe to retry.
    s.reset(b, ErrorCode.REFUSED_STREAM)
    ce, _ = pump(c, s)
    assert of(ce, h2wire.StreamReset) == [h2wire.StreamReset(b, ErrorCode.REFUSED_STREAM)]
    (closed,) = of(ce, h2wire.StreamClosed)
    assert closed.retryable and closed.reset


def test_goaway_and_unknown_codes():
    c, s = pair()
    sid = c.send_request(REQ)
    pump(c, s)
    s.close(0x1234, b"bye")  # unknown codes are carried, not mapped
    ce, _ = pump(c, s)
    (g,) = of(ce, h2wire.GoAwayReceived)
    assert g == h2wire.GoAwayReceived(sid, 0x1234, b"bye")
    with pytest.raises(H2WireError) as e:
        c.send_request(REQ)
    assert e.value.name == "H2W_E_INVALID_STATE"
    assert e.value.reason == h2wire.strerror(Result.E_INVALID_STATE)
    assert "send_request" in str(e.value)


def test_graceful_shutdown_lets_streams_finish():
    c, s = pair()
    sid = c.send_request(REQ)
    pump(c, s)
    s.shutdown()
    ce, _ = pump(c, s)
    # RFC 9113 §6.8: first 2^31-1, then (the PING answered) the real last id.
    assert [g.last_stream_id for g in of(ce, h2wire.GoAwayReceived)] == [2**31 - 1, sid]
    assert s.want_read  # stream 1 still open
    s.send_response(sid, [(":status", "204")])
    ce, _ = pump(c, s)
    assert of(ce, h2wire.ResponseReceived) and of(ce, h2wire.StreamClosed)
    assert not s.want_read and not c.want_read


def test_ping_and_clock():
    c, s = pair()
    c.tick(1000)
    c.ping(b"abcdefgh")  # stamped with the session time, 1000
    s.receive(c.data_to_send())
    c.tick(1040)
    ce = c.receive(s.data_to_send())
    assert of(ce, h2wire.PingAcked) == [h2wire.PingAcked(b"abcdefgh", 40)]
    with pytest.raises(ValueError):
        c.ping(b"short")


def test_settings_update_and_ack():
    c, s = pair()
    assert c.remote_settings[Setting.MAX_CONCURRENT_STREAMS] == 100
    c.update_settings({Setting.INITIAL_WINDOW_SIZE: 1 << 20, Setting.HEADER_TABLE_SIZE: 0})
    assert c.local_settings[Setting.INITIAL_WINDOW_SIZE] == 65535  # not yet acked
    ce, se = pump(c, s)
    (chg,) = of(se, h2wire.SettingsChanged)
    assert chg.changed == {Setting.INITIAL_WINDOW_SIZE: 1 << 20, Setting.HEADER_TABLE_SIZE: 0}
    assert of(ce, h2wire.SettingsAcked)
    assert c.local_settings[Setting.INITIAL_WINDOW_SIZE] == 1 << 20
    assert s.remote_settings[Setting.HEADER_TABLE_SIZE] == 0
    with pytest.raises(H2WireError) as e:
        c.update_settings({Setting.ENABLE_PUSH: 2})
    assert e.value.code == Result.E_INVALID_ARGUMENT


def test_options():
    c, s = pair(
        client_opts={"initial_window_size": 1 << 20, "connection_window_size": 1 << 24},
        server_opts={"max_concurrent_streams": 2, "glitch_limit": (10, 1), "memory_budget": 1 << 22},
    )
    assert s.local_settings[Setting.MAX_CONCURRENT_STREAMS] == 2
    assert c.local_settings[Setting.INITIAL_WINDOW_SIZE] == 1 << 20
    assert c.window(0)[0] == 1 << 24
    ids = [c.send_request(REQ) for _ in range(3)]
    _, se = pump(c, s)
    assert [e.stream_id for e in of(se, h2wire.RequestReceived)] == ids[:2]  # third waits
    with pytest.raises(TypeError):
        Session.client(no_such_option=1)
    with pytest.raises(TypeError):
        Session.client(glitch_limit=5)
    with pytest.raises(H2WireError) as e:
        Session.client(max_frame_size=100)
    assert e.value.name == "H2W_E_INVALID_ARGUMENT" and "max_frame_size" in str(e.value)


def test_connection_error_is_an_exception_with_detail():
    s = Session.server()
    with pytest.raises(H2WireError) as e:
        s.receive(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    err = e.value
    assert err.code == Result.E_PROTOCOL and err.name == "H2W_E_PROTOCOL"
    assert err.wire_code == ErrorCode.PROTOCOL_ERROR
    assert err.reason and err.reason != h2wire.strerror(Result.E_PROTOCOL)
    assert isinstance(err.offset, int)
    assert any(isinstance(ev, h2wire.ErrorDetected) for ev in err.events)
    out = s.data_to_send()
    assert out[3] == FrameType.GOAWAY or FrameType.GOAWAY in out  # flushed GOAWAY
    assert s.data_to_send() == b""
    assert not s.want_read
    assert s.error.name == "H2W_E_PROTOCOL"
    with pytest.raises(H2WireError) as e2:  # sticky
        s.receive(b"more")
    assert e2.value.code == Result.E_PROTOCOL


def test_stream_error_is_an_event():
    c, s = pair(client_opts={"validate_messages": False})
    sid = c.send_request(REQ + [("Bad-Name", "x")])  # uppercase: malformed (RFC 9113 §8.2.1)
    ce, se = pump(c, s)
    (err,) = of(se, h2wire.ErrorDetected)
    assert err.stream_id == sid and err.error_code == ErrorCode.PROTOCOL_ERROR and err.reason
    assert not of(se, h2wire.RequestReceived)
    assert of(ce, h2wire.StreamReset)[0].error_code == ErrorCode.PROTOCOL_ERROR
    assert s.error is None  # the connection lives on


def test_exception_in_callback_does_not_cross_c(monkeypatch):
    c, s = pair()
    c.send_request(POST, b"payload")

    class Boom(Exception):
        pass

    def explode(*a):
        raise Boom("from a callback")

    monkeypatch.setattr(_callbacks, "DataReceived", explode)
    with pytest.raises(Boom):
        s.receive(c.data_to_send())
    assert s.error.code == Result.E_CALLBACK_FAILURE
    with pytest.raises(H2WireError) as e:
        s.receive(b"\x00")
    assert e.value.name == "H2W_E_CALLBACK_FAILURE"

    # KeyboardInterrupt is caught too, and re-raised after the C call.
    c, s = pair()
    c.send_request(REQ)

    def interrupt(*a):
        raise KeyboardInterrupt

    monkeypatch.setattr(_callbacks, "StreamEnded", interrupt)
    with pytest.raises(KeyboardInterrupt):
        s.receive(c.data_to_send())


def test_exception_in_data_source_keeps_the_output(monkeypatch):
    c, s = pair()
    sid = c.send_request(POST, b"abc", end_stream=False)

    def broken(self, dst, cap):
        raise OSError("disk gone")

    monkeypatch.setattr(h2wire._body.Body, "take", broken)
    with pytest.raises(OSError):
        c.data_to_send()
    monkeypatch.undo()
    out = c.data_to_send()  # the HEADERS and RST_STREAM queued before
    se = s.receive(out)
    assert of(se, h2wire.RequestReceived)[0].stream_id == sid
    assert of(se, h2wire.StreamReset)[0].error_code == ErrorCode.INTERNAL_ERROR


def test_free_context_manager_and_gc():
    with Session.client() as c:
        key = c._key
        assert key in _callbacks._sessions
        c.data_to_send()
    assert c.freed and key not in _callbacks._sessions
    with pytest.raises(H2WireError) as e:
        c.data_to_send()
    assert e.value.code == Result.E_INVALID_ARGUMENT
    c.free()  # idempotent

    s = Session.server()
    ref, key = weakref.ref(s), s._key
    del s
    gc.collect()
    assert ref() is None and key not in _callbacks._sessions


def test_trace_events():
    c = Session.client(trace=True)
    c.data_to_send()
    sent = of(c.events(), h2wire.FrameSent)
    assert sent and sent[0].type == FrameType.SETTINGS and sent[0].stream_id == 0
    assert sent[0].payload is not None and len(sent[0].payload) == sent[0].length
    c.free()


def test_priority():
    assert h2wire.parse_priority("u=1, i") == (1, True)
    assert h2wire.parse_priority(b"garbage;;") == (3, False)
    c, s = pair()
    sid = c.send_request(REQ + [("priority", "u=5")])
    pump(c, s)
    assert s.priority(sid) == (5, False)
    c.priority_update(sid, "u=0, i")
    pump(c, s)
    assert s.priority(sid) == (0, True)
    s.set_priority(sid, 7)
    assert s.priority(sid) == (7, False)
    with pytest.raises(H2WireError):
        s.priority_update(sid, "u=1")  # a server may not send it


def test_altsvc_origin_and_extension_frames():
    c, s = pair()
    sid = c.send_request(REQ)
    pump(c, s)
    s.send_altsvc('h2=":8443"; ma=60', origin="https://example.org")
    s.send_altsvc(b'h2=":9443"', stream_id=sid)
    s.send_origin(["https://example.org", "https://www.example.org"])
    s.send_extension(0xF0, b"opaque", flags=0x5, stream_id=0)
    ce, _ = pump(c, s)
    assert of(ce, h2wire.AltSvcReceived) == [
        h2wire.AltSvcReceived(0, b"https://example.org", b'h2=":8443"; ma=60'),
        h2wire.AltSvcReceived(sid, b"", b'h2=":9443"'),
    ]
    assert of(ce, h2wire.OriginReceived) == [
        h2wire.OriginReceived(b"https://example.org", 0),
        h2wire.OriginReceived(b"https://www.example.org", 1),
    ]
    assert of(ce, h2wire.ExtensionFrameReceived) == [
        h2wire.ExtensionFrameReceived(0xF0, 0x5, 0, b"opaque")
    ]
    with pytest.raises(H2WireError):
        s.send_extension(FrameType.DATA, b"")  # a type the library implements
    with pytest.raises(H2WireError):
        c.send_altsvc("h2=\":1\"", origin="https://x")  # clients may not


def test_h2c_upgrade():
    c, s = Session.client(), Session.server()
    value = c.upgrade_settings()
    assert value and value.isascii()
    s.upgrade(value)
    c.upgrade(value)
    s.send_response(1, [(":status", "200")], b"upgraded")
    ce, _ = pump(c, s)
    assert of(ce, h2wire.ResponseReceived)[0].stream_id == 1
    assert body_of(ce, 1) == b"upgraded"
    with pytest.raises(H2WireError) as e:
        Session.server().upgrade("!!!")
    assert e.value.name == "H2W_E_PROTOCOL"


def test_header_forms_and_sensitive_fields():
    c, s = pair()
    c.send_request(REQ + [(b"authorization", b"secret", True), ("x-raw", b"\xff\x80", 0)])
    _, se = pump(c, s)
    hdrs = of(se, h2wire.RequestReceived)[0].headers
    assert (b"authorization", b"secret") in hdrs and (b"x-raw", b"\xff\x80") in hdrs
    with pytest.raises(TypeError):
        c.send_request(REQ + [("x", 5)])


def test_idle_timeout_on_the_callers_clock():
    c, s = pair(server_opts={"idle_timeout": 1000})
    s.tick(1)
    assert s.next_deadline() is not None
    with pytest.raises(H2WireError) as e:
        s.tick(5000)
    assert e.value.code == Result.E_TIMEOUT
    assert of(s.events(), h2wire.ErrorDetected)
    ce, _ = pump(c, s)
    assert of(ce, h2wire.GoAwayReceived)


def test_introspection():
    c, s = pair()
    assert c.memory > 0 and c.want_read and not c.want_write
    sid = c.send_request(POST, b"x", end_stream=False)
    assert c.want_write
    pump(c, s)
    assert c.window(sid) == (65535, 65534) and s.open_streams == 1
    assert h2wire.error_name(-7) == "H2W_E_PROTOCOL"
    assert h2wire.http2_error_name(0xB) == "ENHANCE_YOUR_CALM"
    assert h2wire.version().count(".") == 2


@pytest.mark.skipif(not h2wire.HAVE_DUMP, reason="libh2wire has no h2w_session_dump_json")
def test_session_dump_parses_back():
    c, s = pair()
    a = c.send_request(POST, b"x", end_stream=False)
    pump(c, s)
    d = c.dump()
    assert isinstance(d, dict) and d
    # Whatever the exact field names: the open stream's id appears (as a
    # value under an "...id..." key, or as a key of a stream table), and
    # the dump has stream and settings sections.
    keys, ids = set(), set()

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                keys.add(k.lower())
                if k.isdigit():
                    ids.add(int(k))
                if "id" in k.lower() and isinstance(v, int):
                    ids.add(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(d)
    assert a in ids
    assert any("stream" in k for k in keys) and any("setting" in k for k in keys)
    assert isinstance(s.dump(), dict)
    # A capacity far too small takes the H2W_E_BUFFER_TOO_SMALL path.
    assert c.dump_json(initial_capacity=1) == c.dump_json()
    c.free()
    with pytest.raises(H2WireError):
        c.dump()


HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "h2wire.h")


@pytest.mark.skipif(not os.path.exists(HEADER), reason="include/h2wire.h is not next to the binding")
def test_constants_match_the_header():
    """Every public constant the binding mirrors has the header's value,
    so a renumbering in h2wire.h cannot leave the binding behind."""
    with open(HEADER, encoding="utf-8") as f:
        text = f.read()
    ints = {
        m.group(1): int(m.group(2), 0)
        for m in re.finditer(r"^#define H2W_(\w+) (0x[0-9a-fA-F]+|\d+)u?$", text, re.M)
    }
    assert ints["CB_RESET_STREAM"] == h2wire.CB_RESET_STREAM == 2
    assert ints["PUSH_REFUSE"] == h2wire.PUSH_REFUSE
    assert ints["PRIORITY_DEFAULT_URGENCY"] == h2wire.PRIORITY_DEFAULT_URGENCY
    assert h2wire.parse_priority(b"")[0] == h2wire.PRIORITY_DEFAULT_URGENCY
    for enum_cls, prefix in (
        (h2wire.StreamState, "STREAM_STATE_"),
        (h2wire.HeadersKind, "HEADERS_"),
        (h2wire.Setting, "SETTINGS_"),
    ):
        for member in enum_cls:
            assert ints[prefix + member.name] == member.value, (prefix, member)
    m = re.search(r'#define H2W_REASON_NO_CLOCK\s*\\\s*\n\s*"([^"]*)"', text)
    assert m is not None and m.group(1) == h2wire.REASON_NO_CLOCK
