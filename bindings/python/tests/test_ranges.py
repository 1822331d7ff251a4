"""Issue 14 defect N: integers that cross the C ABI are range-checked.

ctypes truncates a Python int to the C parameter's width without a word:
update_settings({0x10004: 1000}) used to send INITIAL_WINDOW_SIZE=1000,
window_update(2**32 + 5) an increment of 5 and reset(2**32 + 1) reset
stream 1. Every such value now raises ValueError before any C call, and
nothing reaches the wire."""

import ctypes

import pytest
from conftest import of, pump

import h2wire
from h2wire import ErrorCode, H2WireError, Session, Setting, StreamState
from h2wire import _lib

REQ = [(":method", "GET"), (":scheme", "http"), (":authority", "example.org"), (":path", "/")]


def pair(**client_opts):
    c = Session.client(**client_opts)
    s = Session.server()
    pump(c, s)
    return c, s


def open_stream(c, s):
    sid = c.send_request(REQ, end_stream=False)
    pump(c, s)
    return sid


def test_defect_n_settings_identifier_out_of_range():
    c, s = pair()
    before = s.remote_settings[Setting.INITIAL_WINDOW_SIZE]
    with pytest.raises(ValueError, match="setting identifier"):
        c.update_settings({0x10004: 1000})  # was INITIAL_WINDOW_SIZE=1000
    assert c.data_to_send() == b""
    pump(c, s)
    assert s.remote_settings[Setting.INITIAL_WINDOW_SIZE] == before
    with pytest.raises(ValueError):
        c.update_settings({-1: 0})


def test_defect_n_settings_value_out_of_range():
    c, s = pair()
    with pytest.raises(ValueError, match="out of range"):
        c.update_settings({Setting.INITIAL_WINDOW_SIZE: 2**32 + 1000})
    with pytest.raises(ValueError):
        c.update_settings({Setting.MAX_FRAME_SIZE: -16384})
    assert c.data_to_send() == b""
    # In range but refused by the library: still the library's error.
    with pytest.raises(H2WireError):
        c.update_settings({Setting.INITIAL_WINDOW_SIZE: 2**31})


def test_defect_n_window_update_out_of_range():
    c, s = pair()
    with pytest.raises(ValueError):
        c.window_update(2**32 + 5)  # was an increment of 5
    with pytest.raises(ValueError):
        c.window_update(-1)
    with pytest.raises(ValueError):
        c.window_update(100, stream_id=2**32 + 1)
    assert c.data_to_send() == b""
    c.window_update(100)  # a value that fits still works
    assert c.data_to_send() != b""


def test_defect_n_reset_out_of_range():
    c, s = pair()
    sid = open_stream(c, s)
    assert sid == 1
    with pytest.raises(ValueError):
        c.reset(2**32 + 1)  # was stream 1
    with pytest.raises(ValueError):
        c.reset(sid, 2**32 + ErrorCode.CANCEL)
    assert c.data_to_send() == b""
    assert c.stream_state(1) == StreamState.OPEN
    c.reset(sid)
    ce, se = pump(c, s)
    assert of(se, h2wire.StreamReset)[0].error_code == ErrorCode.CANCEL


def test_defect_n_other_entry_points():
    with pytest.raises(ValueError):
        Session.client(initial_window_size=2**32)
    with pytest.raises(ValueError):
        Session.server(keepalive=(1000, -1))
    c, s = pair()
    sid = open_stream(c, s)
    with pytest.raises(ValueError):
        c.tick(-1)
    with pytest.raises(ValueError):
        c.set_priority(sid, 2**40)
    with pytest.raises(ValueError):
        c.send_extension(0x100, b"x")  # frame type is one octet
    with pytest.raises(ValueError):
        c.send_extension(0xF0, b"x", flags=256)
    with pytest.raises(ValueError):
        s.consume(sid, -1)
    with pytest.raises(ValueError):
        c.send_request(REQ + [("x-a", "1", 2**32)])
    with pytest.raises(ValueError):
        c.close(error_code=2**32)
    with pytest.raises(TypeError):
        c.window_update("5")
    assert c.data_to_send() == b""


def test_defect_n_every_integer_parameter_is_checked():
    """Each integer parameter of each declared prototype, one past its
    range, raises ValueError before the call is made (the other arguments
    are harmless: 0 and NULL)."""
    checked = 0
    for name, argtypes in _lib.PROTOTYPES.items():
        f = getattr(_lib.lib, name)
        for i, t in enumerate(argtypes):
            if t not in _lib.INT_RANGES:
                continue
            lo, hi = _lib.INT_RANGES[t]
            for bad in (hi + 1, lo - 1):
                args = [0 if u in _lib.INT_RANGES else None for u in argtypes]
                args[i] = bad
                with pytest.raises(ValueError):
                    f(*args)
                checked += 1
    assert checked > 40
    # ctypes instances are typed already and pass through.
    assert _lib.lib.h2w_error_name(ctypes.c_int(0)) == b"H2W_OK"
