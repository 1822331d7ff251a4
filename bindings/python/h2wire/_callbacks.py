"""The C callbacks: trampolines that turn each callback into an event.

One set of ctypes function objects serves every session. They live as
module globals for the life of the process, which is what ctypes needs
(the C side keeps raw pointers to them). The session is found again from
the callback's `user` pointer, a small integer key into a weak registry,
so no reference cycle ties a Session to its callbacks.

No exception may unwind through C: each trampoline catches everything
(BaseException, so KeyboardInterrupt too), stores it on the session, and
returns a failure code. The Session method that made the C call re-raises
it once the call has returned.
"""

import atexit
import ctypes
import itertools
import weakref

from . import _lib
from ._lib import lib
from .constants import setting
from .errors import Result, check, error_code
from .events import (
    HEADERS_EVENT_BY_KIND,
    AltSvcReceived,
    DataReceived,
    ErrorDetected,
    ExtensionFrameReceived,
    FrameReceived,
    FrameSent,
    GoAwayReceived,
    HeadersKind,
    OriginReceived,
    PingAcked,
    PushPromiseReceived,
    SettingsAcked,
    SettingsChanged,
    StreamClosed,
    StreamEnded,
    StreamReset,
)

FAIL = int(Result.E_CALLBACK_FAILURE)
DEFERRED = int(Result.E_DEFERRED)
PUSH_REFUSE = 1  # H2W_PUSH_REFUSE
DATA_FLAG_EOF = 0x1
DATA_FLAG_NO_END_STREAM = 0x2
CLOSE_FLAG_RETRYABLE = 0x1
CLOSE_FLAG_RESET = 0x2
CLOSE_FLAG_CONNECTION = 0x4  # H2W_CLOSE_FLAG_CONNECTION

_keys = itertools.count(1)
_sessions = weakref.WeakValueDictionary()


def register(session):
    """A key for `session`, passed to C as the callbacks' user pointer."""
    key = next(_keys)
    _sessions[key] = session
    return key


def unregister(key):
    _sessions.pop(key, None)


def _bytes(ptr, n):
    # A byte range may have a NULL pointer when it is empty (h2wire.h).
    return ctypes.string_at(ptr, n) if n else b""


def _guard(fn):
    """Run fn(session, *args) for a callback whose last argument is the
    user key; 0 on success, FAIL if the session is gone or fn raised."""

    def trampoline(*args):
        sess = _sessions.get(args[-1])
        if sess is None:
            return FAIL
        try:
            fn(sess, *args[1:-1])
            return 0
        except BaseException as e:  # noqa: B036 - must not reach C
            sess._callback_raised(e)
            return FAIL

    return trampoline


@_guard
def _begin_headers(sess, stream_id, kind):
    sess._fields[stream_id] = []


@_guard
def _header(sess, stream_id, nv):
    f = nv.contents
    sess._fields.setdefault(stream_id, []).append(
        (_bytes(f.name, f.namelen), _bytes(f.value, f.valuelen))
    )


@_guard
def _headers(sess, stream_id, kind, end_stream):
    fields = sess._fields.pop(stream_id, [])
    kind = HeadersKind(kind)
    cls = HEADERS_EVENT_BY_KIND[kind]
    sess._events.append(cls(stream_id, fields, bool(end_stream), kind))


@_guard
def _data(sess, stream_id, data, n):
    sess._events.append(DataReceived(stream_id, _bytes(data, n)))


@_guard
def _stream_end(sess, stream_id):
    sess._events.append(StreamEnded(stream_id))


@_guard
def _stream_reset(sess, stream_id, code):
    sess._events.append(StreamReset(stream_id, error_code(code)))


@_guard
def _stream_close(sess, stream_id, code, flags):
    sess._stream_closed(stream_id)
    sess._events.append(
        StreamClosed(
            stream_id,
            error_code(code),
            bool(flags & CLOSE_FLAG_RESET),
            bool(flags & CLOSE_FLAG_RETRYABLE),
            bool(flags & CLOSE_FLAG_CONNECTION),
        )
    )


@_guard
def _settings(sess, iv, n):
    sess._events.append(SettingsChanged({setting(iv[i].id): iv[i].value for i in range(n)}))


@_guard
def _settings_ack(sess):
    sess._events.append(SettingsAcked())


@_guard
def _ping_ack(sess, opaque8, rtt_ms):
    sess._events.append(PingAcked(_bytes(opaque8, 8), rtt_ms))


@_guard
def _goaway(sess, last_stream_id, code, debug, debuglen):
    sess._events.append(GoAwayReceived(last_stream_id, error_code(code), _bytes(debug, debuglen)))


def _frame_fields(fi, payload):
    f = fi.contents
    body = _bytes(payload, f.length) if payload is not None else None
    return f.type, f.flags, f.stream_id, f.length, body


@_guard
def _frame_recv(sess, fi, payload):
    sess._events.append(FrameReceived(*_frame_fields(fi, payload)))


@_guard
def _frame_send(sess, fi, payload):
    sess._events.append(FrameSent(*_frame_fields(fi, payload)))


@_guard
def _extension(sess, fi, payload):
    t, flags, sid, _, body = _frame_fields(fi, payload)
    sess._events.append(ExtensionFrameReceived(t, flags, sid, body or b""))


@_guard
def _altsvc(sess, stream_id, origin, originlen, value, valuelen):
    sess._events.append(
        AltSvcReceived(stream_id, _bytes(origin, originlen), _bytes(value, valuelen))
    )


@_guard
def _origin(sess, origin, n, index):
    sess._events.append(OriginReceived(_bytes(origin, n), index))


def _push_promise(s, stream_id, promised_stream_id, user):
    """A promise is complete: its request fields were collected on the
    promised stream (on_begin_headers kind PUSH_PROMISE, then on_header).
    The session's push_policy, if any, decides here, while the library
    can still decline the push before any of its response is processed."""
    sess = _sessions.get(user)
    if sess is None:
        return FAIL
    try:
        fields = sess._fields.pop(promised_stream_id, [])
        ev = PushPromiseReceived(stream_id, promised_stream_id, fields)
        policy = sess._push_policy
        if policy is not None and not policy(ev):
            ev.refused = True
        sess._events.append(ev)
        return PUSH_REFUSE if ev.refused else 0
    except BaseException as e:  # noqa: B036
        sess._callback_raised(e)
        return FAIL


def _error(s, stream_id, code, reason, user):
    # void callback: nothing to return, but still nothing may escape.
    sess = _sessions.get(user)
    if sess is None:
        return
    try:
        text = reason.decode("utf-8", "replace") if reason else ""
        sess._events.append(ErrorDetected(stream_id, error_code(code), text))
    except BaseException as e:  # noqa: B036
        sess._callback_raised(e)


def _read(s, stream_id, buf, cap, flags, user):
    """h2w_data_read_fn over the session's per-stream outgoing buffer;
    source_user (the last argument) is the session key, as for callbacks."""
    sess = _sessions.get(user)
    if sess is None:
        return FAIL
    try:
        body = sess._bodies.get(stream_id)
        if body is None:
            return FAIL  # the library resets the stream (INTERNAL_ERROR)
        n = body.take(buf, cap)
        if body.finished():
            flags[0] |= DATA_FLAG_EOF | (DATA_FLAG_NO_END_STREAM if body.trailers else 0)
            return n
        return n if n else DEFERRED
    except BaseException as e:  # noqa: B036
        sess._callback_raised(e)
        return FAIL


# The ctypes function objects: module globals, so never collected while
# the library may call them.
_C = {
    "on_begin_headers": _lib.BEGIN_HEADERS_CB(_begin_headers),
    "on_header": _lib.HEADER_CB(_header),
    "on_headers": _lib.HEADERS_CB(_headers),
    "on_data": _lib.DATA_CB(_data),
    "on_stream_end": _lib.STREAM_END_CB(_stream_end),
    "on_stream_reset": _lib.STREAM_RESET_CB(_stream_reset),
    "on_stream_close": _lib.STREAM_CLOSE_CB(_stream_close),
    "on_settings": _lib.SETTINGS_CB(_settings),
    "on_settings_ack": _lib.SETTINGS_ACK_CB(_settings_ack),
    "on_ping_ack": _lib.PING_ACK_CB(_ping_ack),
    "on_goaway": _lib.GOAWAY_CB(_goaway),
    "on_frame_recv": _lib.FRAME_CB(_frame_recv),
    "on_frame_send": _lib.FRAME_CB(_frame_send),
    "on_error": _lib.ERROR_CB(_error),
    "on_altsvc": _lib.ALTSVC_CB(_altsvc),
    "on_origin": _lib.ORIGIN_CB(_origin),
    "on_extension_frame": _lib.FRAME_CB(_extension),
    "on_push_promise": _lib.PUSH_PROMISE_CB(_push_promise),
}
assert set(_C) == set(_lib.CALLBACK_SETTERS), "every C callback is bound"
READ = _lib.DATA_READ_FN(_read)
TRACE_ONLY = ("on_frame_recv", "on_frame_send")

# One h2w_callbacks per tracing mode, built on first use. A session copies
# its callback set at creation, so these two are shared by all sessions
# and freed at exit.
_sets = {}


def callbacks(trace):
    handle = _sets.get(trace)
    if handle is None:
        h = ctypes.c_void_p()
        check(lib.h2w_callbacks_new(ctypes.byref(h), None), "h2w_callbacks_new")
        try:
            for name, fn in _C.items():
                if trace or name not in TRACE_ONLY:
                    setter = getattr(lib, "h2w_callbacks_set_" + name)
                    check(setter(h, fn), "h2w_callbacks_set_" + name)
        except BaseException:
            lib.h2w_callbacks_del(h)
            raise
        handle = _sets[trace] = h
    return handle


@atexit.register
def _free_callback_sets():
    while _sets:
        lib.h2w_callbacks_del(_sets.popitem()[1])

