"""Window autotuning through the binding (issue 18): the option takes the
two caps, flow_estimate() reads the estimate, and the library's BDP PINGs
never surface as PingAcked events."""

from conftest import body_of, of, pump

import h2wire
from h2wire import Session

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "example.org"), (":path", "/")]


def test_autotune_option_and_estimate():
    c = Session.client(window_autotune=(16 << 20, 8 << 20))
    s = Session.server()
    pump(c, s)
    assert c.flow_estimate()["enabled"] == 1
    assert s.flow_estimate() == {
        "enabled": 0,
        "rtt_ms": 0,
        "min_rtt_ms": 0,
        "bytes_per_second": 0,
        "connection_window": 65535,
        "stream_window": 65535,
        "samples": 0,
    }
    c.send_request(REQ)
    body = b"x" * 1000000

    def on_s(ev):
        if isinstance(ev, h2wire.RequestReceived):
            s.send_response(ev.stream_id, {":status": "200"}, body)

    ce, _ = pump(c, s, on_b=on_s)
    assert body_of(ce, 1) == body
    assert of(ce, h2wire.PingAcked) == []
    e = c.flow_estimate()
    assert e["samples"] >= 1
    assert e["connection_window"] > 65535
    c.free()
    s.free()


def test_autotune_off_with_zero_caps():
    c = Session.client(window_autotune=(0, 0))
    assert c.flow_estimate()["enabled"] == 0
    c.free()
