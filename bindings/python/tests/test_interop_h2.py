"""In memory against python-h2, an independent HTTP/2 implementation:
h2wire client <-> python-h2 server, and python-h2 client <-> h2wire
server. Requests, 1 MiB bodies both ways under flow control (WINDOW_UPDATE
frames must flow in both directions), trailers, resets, GOAWAY and server
push (RFC 9113 §8.4) both ways."""

import hashlib

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import pytest
from conftest import body_of, of

import h2wire
from h2wire import ErrorCode, FrameType, Session

MIB = 1 << 20
BIG = hashlib.sha256(b"seed").digest() * (MIB // 32)  # 1 MiB, not compressible
REQ = [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"peer"), (b":path", b"/")]
POST = [(b":method", b"POST"), (b":scheme", b"http"), (b":authority", b"peer"), (b":path", b"/up")]
PUSHED = [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"peer"), (b":path", b"/big.css")]


class Peer:
    """A python-h2 connection driven by the test: it acknowledges every
    DATA it receives (so it sends WINDOW_UPDATE) and sends queued bodies
    only as its send windows allow."""

    def __init__(self, client_side):
        cfg = h2.config.H2Configuration(client_side=client_side, header_encoding=None)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.conn.initiate_connection()
        self.events = []
        self.bodies = {}  # stream id -> bytes received
        self.outgoing = {}  # stream id -> [remaining body, then trailers or None]

    def receive(self, data):
        evs = self.conn.receive_data(data)
        for ev in evs:
            if isinstance(ev, h2.events.DataReceived):
                self.bodies[ev.stream_id] = self.bodies.get(ev.stream_id, b"") + ev.data
                if ev.stream_id in self.conn.streams:
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                else:  # closed meanwhile: the connection window still counts
                    self.conn.increment_flow_control_window(ev.flow_controlled_length)
        self.events += evs
        return evs

    def send_body(self, stream_id, body, trailers=None):
        self.outgoing[stream_id] = [body, trailers]
        self.flush_bodies()

    def flush_bodies(self):
        for sid, item in list(self.outgoing.items()):
            body, trailers = item
            if sid not in self.conn.streams:
                del self.outgoing[sid]
                continue
            while body:
                n = min(
                    len(body),
                    self.conn.local_flow_control_window(sid),
                    self.conn.max_outbound_frame_size,
                )
                if n <= 0:
                    break
                self.conn.send_data(sid, body[:n])
                body = body[n:]
            item[0] = body
            if not body:
                if trailers:
                    self.conn.send_headers(sid, trailers, end_stream=True)
                else:
                    self.conn.end_stream(sid)
                del self.outgoing[sid]

    def of(self, cls):
        return [e for e in self.events if isinstance(e, cls)]


def run(hw, peer, *, on_hw=None, on_peer=None, limit=20000):
    """Exchange bytes until neither side has anything to say. Returns the
    h2wire events (the peer's accumulate in peer.events)."""
    hw_events = []
    for _ in range(limit):
        moved = False
        out = hw.data_to_send()
        hw_events += hw.events()
        if out:
            moved = True
            for ev in peer.receive(out):
                if on_peer:
                    on_peer(ev)
        peer.flush_bodies()
        out = peer.conn.data_to_send()
        if out:
            moved = True
            for ev in hw.receive(out):
                hw_events.append(ev)
                if on_hw:
                    on_hw(ev)
        if not moved:
            return hw_events
    raise AssertionError("no quiescence")


def frames(events, cls, ftype):
    return [e for e in events if isinstance(e, cls) and e.type == ftype]


@pytest.fixture
def client_pair():
    """h2wire client, python-h2 server, connected."""
    hw = Session.client(trace=True)
    peer = Peer(client_side=False)
    ev = run(hw, peer)
    assert of(ev, h2wire.SettingsChanged) and of(ev, h2wire.SettingsAcked)
    assert peer.of(h2.events.RemoteSettingsChanged) and peer.of(h2.events.SettingsAcknowledged)
    yield hw, peer
    hw.free()


@pytest.fixture
def server_pair():
    """python-h2 client, h2wire server, connected."""
    hw = Session.server(trace=True)
    hw.tick(0)  # abuse budgets on, as in a real server (h2w_session_tick)
    peer = Peer(client_side=True)
    ev = run(hw, peer)
    assert of(ev, h2wire.SettingsChanged) and of(ev, h2wire.SettingsAcked)
    yield hw, peer
    hw.free()


# ---- h2wire client <-> python-h2 server ----------------------------------


def test_client_get(client_pair):
    hw, peer = client_pair
    sid = hw.send_request(REQ + [(b"x-q", b"1")])

    def answer(ev):
        if isinstance(ev, h2.events.RequestReceived):
            assert (b"x-q", b"1") in ev.headers
            peer.conn.send_headers(ev.stream_id, [(b":status", b"200"), (b"x-r", b"2")])
            peer.send_body(ev.stream_id, b"hello from python-h2")

    ev = run(hw, peer, on_peer=answer)
    (resp,) = of(ev, h2wire.ResponseReceived)
    assert resp.stream_id == sid and resp.headers == [(b":status", b"200"), (b"x-r", b"2")]
    assert body_of(ev, sid) == b"hello from python-h2"
    assert of(ev, h2wire.StreamEnded) == [h2wire.StreamEnded(sid)]
    assert peer.of(h2.events.StreamEnded)[0].stream_id == sid


def test_client_one_mib_each_way(client_pair):
    hw, peer = client_pair
    sid = hw.send_request(POST, BIG)

    def answer(ev):
        if isinstance(ev, h2.events.StreamEnded):
            peer.conn.send_headers(ev.stream_id, [(b":status", b"200")])
            peer.send_body(ev.stream_id, BIG[::-1])

    ev = run(hw, peer, on_peer=answer)
    assert peer.bodies[sid] == BIG
    assert body_of(ev, sid) == BIG[::-1]
    # Both directions were paced: each side granted credit to the other.
    assert len(frames(ev, h2wire.FrameReceived, FrameType.WINDOW_UPDATE)) >= 16
    assert len(frames(ev, h2wire.FrameSent, FrameType.WINDOW_UPDATE)) >= 8
    assert peer.of(h2.events.WindowUpdated)


def test_client_trailers_both_ways(client_pair):
    hw, peer = client_pair
    sid = hw.send_request(POST, b"body", end_stream=False)
    hw.send_trailers(sid, [("x-sum", "4")])

    def answer(ev):
        if isinstance(ev, h2.events.StreamEnded):
            peer.conn.send_headers(ev.stream_id, [(b":status", b"200")])
            peer.send_body(ev.stream_id, b"reply", trailers=[(b"grpc-status", b"0")])

    ev = run(hw, peer, on_peer=answer)
    assert peer.bodies[sid] == b"body"
    (tr,) = peer.of(h2.events.TrailersReceived)
    assert tr.headers == [(b"x-sum", b"4")]
    assert of(ev, h2wire.TrailersReceived) == [
        h2wire.TrailersReceived(sid, [(b"grpc-status", b"0")], True, h2wire.HeadersKind.TRAILERS)
    ]
    assert body_of(ev, sid) == b"reply"


def test_client_resets(client_pair):
    hw, peer = client_pair
    a = hw.send_request(POST, b"partial", end_stream=False)
    b = hw.send_request(REQ)
    run(hw, peer)
    hw.reset(a, ErrorCode.CANCEL)
    peer.conn.reset_stream(b, error_code=h2.errors.ErrorCodes.REFUSED_STREAM)
    ev = run(hw, peer)
    (r,) = peer.of(h2.events.StreamReset)
    assert r.stream_id == a and r.error_code == h2.errors.ErrorCodes.CANCEL
    assert of(ev, h2wire.StreamReset) == [h2wire.StreamReset(b, ErrorCode.REFUSED_STREAM)]
    closed = {e.stream_id: e for e in of(ev, h2wire.StreamClosed)}
    assert closed[a].reset and closed[b].reset and closed[b].retryable


def test_client_no_clock_notice(client_pair):
    """A session never ticked has its abuse budgets off and says so once,
    at the first reset it would have charged: ErrorDetected on stream 0,
    NO_ERROR, reason h2wire.REASON_NO_CLOCK (a warning; it goes on)."""
    hw, peer = client_pair
    ids = [hw.send_request(POST, b"partial", end_stream=False) for _ in range(3)]
    ev = run(hw, peer)
    for sid in ids:
        peer.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.REFUSED_STREAM)
        ev += run(hw, peer)
    notes = [e for e in of(ev, h2wire.ErrorDetected) if e.reason == h2wire.REASON_NO_CLOCK]
    assert notes == [h2wire.ErrorDetected(0, ErrorCode.NO_ERROR, h2wire.REASON_NO_CLOCK)]
    assert len(of(ev, h2wire.StreamReset)) == 3
    assert hw.error is None


def test_client_push_off_by_default(client_pair):
    hw, peer = client_pair
    assert peer.conn.remote_settings.enable_push == 0
    sid = hw.send_request(REQ)
    run(hw, peer)
    with pytest.raises(h2.exceptions.ProtocolError):
        peer.conn.push_stream(sid, 2, PUSHED)


def pushing_peer(hw, peer, state):
    """on_peer reaction: answer each request with a pushed 1 MiB body on
    a new even stream, then a short response of its own."""

    def answer(ev):
        if isinstance(ev, h2.events.RequestReceived):
            pid = state["pid"] = peer.conn.get_next_available_stream_id()
            peer.conn.push_stream(ev.stream_id, pid, PUSHED)
            peer.conn.send_headers(pid, [(b":status", b"200"), (b"x-pushed", b"1")])
            peer.send_body(pid, BIG)
            peer.conn.send_headers(ev.stream_id, [(b":status", b"200")])
            peer.send_body(ev.stream_id, b"page")

    return answer


def test_client_accepts_push_from_peer():
    hw = Session.client(enable_push=True)
    peer = Peer(client_side=False)
    run(hw, peer)
    assert peer.conn.remote_settings.enable_push == 1
    sid = hw.send_request(REQ)
    state = {}
    ev = run(hw, peer, on_peer=pushing_peer(hw, peer, state))
    pid = state["pid"]
    assert pid % 2 == 0
    assert of(ev, h2wire.PushPromiseReceived) == [h2wire.PushPromiseReceived(sid, pid, PUSHED)]
    resp = {e.stream_id: e for e in of(ev, h2wire.ResponseReceived)}
    assert resp[pid].headers == [(b":status", b"200"), (b"x-pushed", b"1")]
    types = [(type(e), getattr(e, "stream_id", None)) for e in ev]
    assert types.index((h2wire.PushPromiseReceived, sid)) < types.index((h2wire.ResponseReceived, pid))
    # The pushed body is paced by our window like any response.
    assert body_of(ev, pid) == BIG and body_of(ev, sid) == b"page"
    closed = {e.stream_id: e for e in of(ev, h2wire.StreamClosed)}
    assert not closed[pid].reset and not closed[sid].reset
    assert {e.stream_id for e in peer.of(h2.events.StreamEnded)} == {sid}
    assert hw.error is None and hw.open_streams == 0
    hw.free()


def test_client_refuses_push_from_peer():
    seen = []
    hw = Session.client(enable_push=True, push_policy=lambda ev: seen.append(ev) and False)
    peer = Peer(client_side=False)
    run(hw, peer)
    sid = hw.send_request(REQ)
    state = {}
    ev = run(hw, peer, on_peer=pushing_peer(hw, peer, state))
    pid = state["pid"]
    assert len(seen) == 1 and seen[0].headers == PUSHED and seen[0].refused
    assert [e.stream_id for e in of(ev, h2wire.ResponseReceived)] == [sid]
    assert body_of(ev, pid) == b"" and body_of(ev, sid) == b"page"
    (r,) = peer.of(h2.events.StreamReset)
    assert r.stream_id == pid and r.error_code == h2.errors.ErrorCodes.CANCEL
    stream = peer.conn.streams.get(pid)
    assert stream is None or stream.closed  # the peer stops sending the body
    assert hw.error is None
    hw.free()


def test_client_refuses_pushes_past_its_concurrency_limit():
    seen = []
    hw = Session.client(enable_push=True, max_concurrent_streams=1,
                        push_policy=lambda ev: seen.append(ev) or True)
    hw.tick(0)  # abuse budgets on (no "no clock" warning among the errors)
    peer = Peer(client_side=False)
    run(hw, peer)
    sid = hw.send_request(REQ)

    def answer(ev):
        if isinstance(ev, h2.events.RequestReceived):
            peer.conn.push_stream(sid, 2, PUSHED)
            peer.conn.push_stream(sid, 4, PUSHED)  # python-h2 does not count reserved streams

    ev = run(hw, peer, on_peer=answer)
    assert [e.promised_stream_id for e in seen] == [2]  # the policy never saw 4
    assert [e.promised_stream_id for e in of(ev, h2wire.PushPromiseReceived)] == [2]
    (err,) = of(ev, h2wire.ErrorDetected)
    assert err.stream_id == 4 and err.error_code == ErrorCode.REFUSED_STREAM
    (r,) = peer.of(h2.events.StreamReset)
    assert r.stream_id == 4 and r.error_code == h2.errors.ErrorCodes.REFUSED_STREAM
    assert hw.error is None
    hw.free()


def test_client_goaway_from_peer(client_pair):
    hw, peer = client_pair
    a = hw.send_request(REQ)
    b = hw.send_request(REQ)
    run(hw, peer)
    peer.conn.send_headers(a, [(b":status", b"204")], end_stream=True)
    peer.conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR,
                               additional_data=b"maintenance", last_stream_id=a)
    ev = run(hw, peer)
    assert of(ev, h2wire.GoAwayReceived) == [h2wire.GoAwayReceived(a, ErrorCode.NO_ERROR, b"maintenance")]
    closed = {e.stream_id: e for e in of(ev, h2wire.StreamClosed)}
    assert not closed[a].retryable and closed[b].retryable  # b was never processed
    with pytest.raises(h2wire.H2WireError):
        hw.send_request(REQ)


def test_client_goaway_to_peer_and_ping(client_pair):
    hw, peer = client_pair
    hw.ping(b"h2wire!!")
    peer.conn.ping(b"python!!")
    ev = run(hw, peer)
    assert of(ev, h2wire.PingAcked)[0].data == b"h2wire!!"
    assert peer.of(h2.events.PingAckReceived)[0].ping_data == b"python!!"
    hw.close(ErrorCode.ENHANCE_YOUR_CALM, b"slow down")
    run(hw, peer)
    (t,) = peer.of(h2.events.ConnectionTerminated)
    assert t.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
    assert t.additional_data == b"slow down"


# ---- python-h2 client <-> h2wire server ----------------------------------


def test_server_get_and_settings(server_pair):
    hw, peer = server_pair
    peer.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ, end_stream=True)

    def answer(ev):
        if isinstance(ev, h2wire.RequestReceived):
            assert ev.headers[:4] == REQ and ev.end_stream
            hw.send_response(ev.stream_id, [(":status", "200"), ("server", "h2wire")], b"hi")

    ev = run(hw, peer, on_hw=answer)
    assert of(ev, h2wire.SettingsChanged)[-1].changed == {h2wire.Setting.INITIAL_WINDOW_SIZE: 1 << 20}
    assert hw.remote_settings[h2wire.Setting.INITIAL_WINDOW_SIZE] == 1 << 20
    (resp,) = peer.of(h2.events.ResponseReceived)
    assert resp.headers == [(b":status", b"200"), (b"server", b"h2wire")]
    assert peer.bodies[sid] == b"hi"


def test_server_one_mib_each_way(server_pair):
    hw, peer = server_pair
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, POST)
    peer.send_body(sid, BIG)

    def answer(ev):
        if isinstance(ev, h2wire.StreamEnded):
            hw.send_response(ev.stream_id, [(":status", "200")], BIG[::-1])

    ev = run(hw, peer, on_hw=answer)
    assert body_of(ev, sid) == BIG
    assert peer.bodies[sid] == BIG[::-1]
    assert len(frames(ev, h2wire.FrameSent, FrameType.WINDOW_UPDATE)) >= 8
    assert len(frames(ev, h2wire.FrameReceived, FrameType.WINDOW_UPDATE)) >= 16
    assert peer.of(h2.events.WindowUpdated)


def test_server_manual_flow_control_against_peer():
    hw = Session.server(manual_flow_control=True)
    peer = Peer(client_side=True)
    run(hw, peer)
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, POST)
    peer.send_body(sid, BIG)
    ev = run(hw, peer)
    assert len(body_of(ev, sid)) == 65535  # the peer respects our window
    assert sid in peer.outgoing
    got = total = 65535
    rounds = 0
    while total < MIB:
        hw.consume(sid, got)  # hand the window back: the peer may go on
        ev = run(hw, peer)
        got = len(body_of(ev, sid))
        assert 0 < got <= 65535
        total += got
        rounds += 1
    assert total == MIB and rounds >= 15 and sid not in peer.outgoing
    assert of(ev, h2wire.StreamEnded)
    hw.free()


def test_server_trailers_both_ways(server_pair):
    hw, peer = server_pair
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, POST)
    peer.send_body(sid, b"upload", trailers=[(b"x-md5", b"abc")])

    def answer(ev):
        if isinstance(ev, h2wire.TrailersReceived):
            hw.send_response(ev.stream_id, [(":status", "200")], end_stream=False)
            hw.send_data(ev.stream_id, b"done")
            hw.send_trailers(ev.stream_id, [("grpc-status", "0"), ("grpc-message", "ok")])

    ev = run(hw, peer, on_hw=answer)
    assert body_of(ev, sid) == b"upload"
    assert of(ev, h2wire.TrailersReceived)[0].headers == [(b"x-md5", b"abc")]
    (tr,) = peer.of(h2.events.TrailersReceived)
    assert tr.headers == [(b"grpc-status", b"0"), (b"grpc-message", b"ok")]
    assert peer.bodies[sid] == b"done"


def test_server_resets(server_pair):
    hw, peer = server_pair
    a = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(a, POST)
    b = a + 2
    peer.conn.send_headers(b, REQ, end_stream=True)
    run(hw, peer)
    peer.conn.reset_stream(a, error_code=h2.errors.ErrorCodes.CANCEL)
    hw.reset(b, ErrorCode.INTERNAL_ERROR)
    ev = run(hw, peer)
    assert of(ev, h2wire.StreamReset) == [h2wire.StreamReset(a, ErrorCode.CANCEL)]
    (r,) = peer.of(h2.events.StreamReset)
    assert r.stream_id == b and r.error_code == h2.errors.ErrorCodes.INTERNAL_ERROR
    assert {e.stream_id for e in of(ev, h2wire.StreamClosed)} == {a, b}


def test_server_goaway_both_ways(server_pair):
    hw, peer = server_pair
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ, end_stream=True)
    run(hw, peer)
    hw.close(ErrorCode.NO_ERROR, b"restarting")
    run(hw, peer)
    (t,) = peer.of(h2.events.ConnectionTerminated)
    assert t.last_stream_id == sid and t.additional_data == b"restarting"
    hw2 = Session.server()
    peer2 = Peer(client_side=True)
    run(hw2, peer2)
    peer2.conn.close_connection(error_code=h2.errors.ErrorCodes.PROTOCOL_ERROR)
    ev = run(hw2, peer2)
    assert of(ev, h2wire.GoAwayReceived)[0].error_code == ErrorCode.PROTOCOL_ERROR
    hw2.free()


def test_server_pushes_to_peer(server_pair):
    hw, peer = server_pair
    assert hw.remote_settings[h2wire.Setting.ENABLE_PUSH] == 1  # python-h2's default
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ, end_stream=True)
    state = {}

    def answer(ev):
        if isinstance(ev, h2wire.RequestReceived):
            pid = state["pid"] = hw.push(ev.stream_id, PUSHED)
            hw.send_response(pid, [(":status", "200"), ("content-type", "text/css")], BIG)
            hw.send_response(ev.stream_id, [(":status", "200")], b"page")

    ev = run(hw, peer, on_hw=answer)
    pid = state["pid"]
    (p,) = peer.of(h2.events.PushedStreamReceived)
    assert p.parent_stream_id == sid and p.pushed_stream_id == pid
    assert list(p.headers) == PUSHED
    resp = {e.stream_id: e for e in peer.of(h2.events.ResponseReceived)}
    assert list(resp[pid].headers) == [(b":status", b"200"), (b"content-type", b"text/css")]
    assert peer.bodies[pid] == BIG and peer.bodies[sid] == b"page"
    assert {e.stream_id for e in peer.of(h2.events.StreamEnded)} == {sid, pid}
    assert {e.stream_id for e in of(ev, h2wire.StreamClosed)} == {sid, pid}
    assert hw.error is None


def test_server_push_cancelled_by_peer(server_pair):
    hw, peer = server_pair
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ, end_stream=True)
    run(hw, peer)
    pid = hw.push(sid, PUSHED)
    hw.send_response(pid, [(":status", "200")], BIG)
    hw.send_response(sid, [(":status", "200")], b"page")

    def cancel(ev):
        if isinstance(ev, h2.events.PushedStreamReceived):
            peer.conn.reset_stream(ev.pushed_stream_id, error_code=h2.errors.ErrorCodes.CANCEL)

    ev = run(hw, peer, on_peer=cancel)
    assert of(ev, h2wire.StreamReset) == [h2wire.StreamReset(pid, ErrorCode.CANCEL)]
    assert hw.pending_data(pid) == 0
    assert len(peer.bodies.get(pid, b"")) < MIB  # the rest of the body was dropped
    assert peer.bodies[sid] == b"page"
    assert hw.error is None


def test_server_push_after_peer_disabled_it(server_pair):
    hw, peer = server_pair
    peer.conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ, end_stream=True)
    run(hw, peer)
    assert hw.remote_settings[h2wire.Setting.ENABLE_PUSH] == 0
    with pytest.raises(h2wire.H2WireError) as e:
        hw.push(sid, PUSHED)
    assert e.value.code == h2wire.Result.E_INVALID_STATE
    hw.send_response(sid, [(":status", "200")], b"no push")
    run(hw, peer)
    assert peer.bodies[sid] == b"no push" and not peer.of(h2.events.PushedStreamReceived)


def test_server_rejects_malformed_request(server_pair):
    """A request python-h2 lets through with validation off, that h2wire
    must refuse (RFC 9113 §8.3.1: :path missing)."""
    hw, peer = server_pair
    peer.conn.config.validate_outbound_headers = False
    sid = peer.conn.get_next_available_stream_id()
    peer.conn.send_headers(sid, REQ[:3], end_stream=True)
    ev = run(hw, peer)
    assert not of(ev, h2wire.RequestReceived)
    assert of(ev, h2wire.ErrorDetected)[0].error_code == ErrorCode.PROTOCOL_ERROR
    (r,) = peer.of(h2.events.StreamReset)
    assert r.stream_id == sid and r.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
