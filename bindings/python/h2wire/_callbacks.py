"""From the library's event records to Python events, and the two C
callbacks a session may still need.

The library runs in event-buffer mode (h2wire.h, "Event-buffer mode"):
instead of calling back into Python per event, it appends 24-octet records
and a byte area, which Session.receive() gets back in the same C call that
processed the input. collect() turns one batch into events with a single
copy of each area; header lists are cut out of the byte area with C-level
loops (bytes.split / map / zip), not field by field in Python.

Two callbacks remain, both off the hot path: the data source of streamed
bodies (send_data(): the body grows while it is being sent) and, when a
push_policy is given, on_push_promise (its answer must come while the
library can still decline the push). Their ctypes function objects are
module globals for the life of the process, which is what ctypes needs.
The session is found again from the `user` pointer, a small integer key
into a weak registry, so no reference cycle ties a Session to them.

No exception may unwind through C: each trampoline catches everything
(BaseException, so KeyboardInterrupt too), stores it on the session, and
returns a failure code. The Session method that made the C call re-raises
it once the call has returned. Event classes are looked up as globals of
this module at each use (tests replace them to make them fail).
"""

import atexit
import ctypes
import itertools
import sys
import weakref
from operator import add

from . import _lib
from ._lib import EVENT_SIZE, lib
from .constants import PUSH_REFUSE, setting
from .errors import ErrorCode, Result, check, error_code
from .events import (
    AltSvcReceived,
    DataReceived,
    ErrorDetected,
    ExtensionFrameReceived,
    FrameReceived,
    FrameSent,
    GoAwayReceived,
    InformationalResponseReceived,
    OriginReceived,
    PingAcked,
    PushPromiseReceived,
    RequestReceived,
    ResponseReceived,
    SettingsAcked,
    SettingsChanged,
    StreamClosed,
    StreamEnded,
    StreamReset,
    TrailersReceived,
)

FAIL = int(Result.E_CALLBACK_FAILURE)
DEFERRED = int(Result.E_DEFERRED)
DATA_FLAG_EOF = 0x1
DATA_FLAG_NO_END_STREAM = 0x2
CLOSE_FLAG_RETRYABLE = 0x1
CLOSE_FLAG_RESET = 0x2
CLOSE_FLAG_CONNECTION = 0x4  # H2W_CLOSE_FLAG_CONNECTION

# h2w_event kinds
EV_BEGIN_HEADERS = 1
EV_HEADER = 2
EV_HEADERS = 3
EV_DATA = 4
EV_STREAM_END = 5
EV_STREAM_RESET = 6
EV_STREAM_CLOSE = 7
EV_SETTINGS = 8
EV_SETTINGS_ACK = 9
EV_PING_ACK = 10
EV_GOAWAY = 11
EV_ERROR = 12
EV_ALTSVC = 13
EV_ORIGIN = 14
EV_EXTENSION = 15
EV_PUSH_PROMISE = 16
EV_FRAME_RECV = 17
EV_FRAME_SEND = 18
FLAG_END_STREAM = 0x1
FLAG_INPUT = 0x2
FLAG_NO_PAYLOAD = 0x100

# Word 0 of a record holds kind and flags, two uint16_t; parse() reads it
# as one native uint32_t, kind in the low half, which is where a
# little-endian host has it. A big-endian host gets its halves swapped
# first (collect()).
_BIG_ENDIAN = sys.byteorder == "big"


# Wire codes as ErrorCode members, by value (error_code() without the
# exception machinery for the common ones).
_CODES = tuple(ErrorCode(i) for i in range(14))

_keys = itertools.count(1)
_sessions = weakref.WeakValueDictionary()


def register(session):
    """A key for `session`, passed to C as the callbacks' user pointer."""
    key = next(_keys)
    _sessions[key] = session
    return key


def unregister(key):
    _sessions.pop(key, None)


def _code(c):
    return _CODES[c] if c < 14 else error_code(c)


def _fields_of(w, a, e, B):
    """The (name, value) pairs of the header records whose words run from
    index a to e (exclusive), cut out of the byte area B by C loops."""
    offs = w[a + 4 : e : 6]
    vals = w[a + 3 : e : 6]
    names = map(B.__getitem__, map(slice, offs, map(add, offs, w[a + 2 : e : 6])))
    values = map(B.__getitem__, map(slice, vals, map(add, vals, w[a + 5 : e : 6])))
    return list(zip(names, values))


def collect(sess, batch, data):
    """The events of one h2w_event_batch (data: the receive's input, for
    records that point into it)."""
    n = batch.nevents
    if not n:
        return []
    # Words are read where needed (a block's field records mostly are not).
    w = memoryview(ctypes.string_at(batch.events, n * EVENT_SIZE)).cast("I")
    if _BIG_ENDIAN:  # pragma: no cover
        w = w.tolist()
        for j in range(0, len(w), 6):
            w[j] = (w[j] >> 16) | (w[j] & 0xFFFF) << 16
    nb = batch.nbytes
    B = ctypes.string_at(batch.bytes, nb) if nb else b""
    return parse(sess, w, n, B, data)


def parse(sess, w, n, B, data):
    out = []
    app = out.append
    jump = sess._jump
    split = sess._split
    fields = sess._fields
    ranges = sess._ranges
    bodies = sess._bodies
    hcls = (RequestReceived, ResponseReceived, InformationalResponseReceived, TrailersReceived)
    codes = _CODES
    end = 6 * n
    j = 0
    while j < end:
        w0 = w[j]
        k = w0 & 0xFFFF
        if k == EV_BEGIN_HEADERS:
            d = w[j + 3]
            if d and jump:
                # The whole block is in this batch, fields first: cut them
                # all at once and go straight to the record that ends it.
                e = j + 6 * d
                ek = w[e] & 0xFFFF
                if ek == EV_HEADERS:
                    span = w[e + 5]
                    if split and span:
                        off = w[e + 4]
                        it = iter(B[off : off + span].split(b"\0"))
                        hdrs = list(zip(it, it))
                    else:
                        hdrs = _fields_of(w, j + 6, e, B)
                    app(hcls[w[e + 2]](w[e + 1], hdrs, bool(w[e] >> 16 & FLAG_END_STREAM)))
                else:  # EV_PUSH_PROMISE
                    app(_push_event(sess, w[e + 1], w[e + 2], _fields_of(w, j + 6, e, B), w[e + 3]))
                j = e + 6
                continue
            fields[w[j + 1]] = []
        elif k == EV_DATA:
            off = w[j + 4]
            src = data if w0 >> 16 & FLAG_INPUT else B
            app(DataReceived(w[j + 1], src[off : off + w[j + 5]]))
        elif k == EV_STREAM_END:
            app(StreamEnded(w[j + 1]))
        elif k == EV_STREAM_CLOSE:
            sid = w[j + 1]
            # Session._stream_closed(), inlined: most of these are empty.
            if ranges:
                ranges.pop(sid, None)
            if bodies:
                bodies.pop(sid, None)
            if fields:
                fields.pop(sid, None)
            flags = w[j + 3]
            c = w[j + 2]
            app(StreamClosed(sid, codes[c] if c < 14 else error_code(c),
                             bool(flags & CLOSE_FLAG_RESET), bool(flags & CLOSE_FLAG_RETRYABLE),
                             bool(flags & CLOSE_FLAG_CONNECTION)))
        elif k == EV_HEADER:
            off, vo = w[j + 4], w[j + 3]
            fields.setdefault(w[j + 1], []).append(
                (B[off : off + w[j + 2]], B[vo : vo + w[j + 5]])
            )
        elif k == EV_HEADERS:
            sid = w[j + 1]
            hdrs = fields.pop(sid, [])
            app(hcls[w[j + 2]](sid, hdrs, bool(w0 >> 16 & FLAG_END_STREAM)))
        else:
            ev = _other(sess, k, w0 >> 16, w, j, B)
            if ev is not None:
                app(ev)
        j += 6
    return out


def _push_event(sess, stream_id, promised, hdrs, refused):
    """The PushPromiseReceived of a promise record: the one push_policy
    already saw, if any, else a new one."""
    ev = sess._promises.pop(promised, None)
    if ev is None:
        ev = PushPromiseReceived(stream_id, promised, hdrs)
    ev.refused = bool(refused)
    return ev


def _other(sess, k, flags, w, j, B):
    """The records of rarer events."""
    sid, a, b, off, ln = w[j + 1], w[j + 2], w[j + 3], w[j + 4], w[j + 5]
    if k == EV_STREAM_RESET:
        return StreamReset(sid, _code(a))
    if k == EV_SETTINGS:
        mv = memoryview(B)[off : off + ln].cast("B")
        changed = {}
        for i in range(a):
            p = 8 * i
            ident = int.from_bytes(mv[p : p + 2], sys.byteorder)
            changed[setting(ident)] = int.from_bytes(mv[p + 4 : p + 8], sys.byteorder)
        return SettingsChanged(changed)
    if k == EV_SETTINGS_ACK:
        return SettingsAcked()
    if k == EV_PING_ACK:
        return PingAcked(B[off : off + 8], a | b << 32)
    if k == EV_GOAWAY:
        return GoAwayReceived(a, _code(b), B[off : off + ln])
    if k == EV_ERROR:
        return ErrorDetected(sid, _code(a), B[off : off + ln].decode("utf-8", "replace"))
    if k == EV_ALTSVC:
        return AltSvcReceived(sid, B[off : off + a], B[b : b + ln])
    if k == EV_ORIGIN:
        return OriginReceived(B[off : off + ln], a)
    if k == EV_EXTENSION:
        return ExtensionFrameReceived(a, flags & 0xFF, sid, B[off : off + ln])
    if k == EV_PUSH_PROMISE:
        return _push_event(sess, sid, a, sess._fields.pop(a, []), b)
    if k == EV_FRAME_RECV or k == EV_FRAME_SEND:
        payload = None if flags & FLAG_NO_PAYLOAD else B[off : off + ln]
        cls = FrameReceived if k == EV_FRAME_RECV else FrameSent
        return cls(a, flags & 0xFF, sid, b, payload)
    return None


def _push_promise(s, stream_id, promised_stream_id, user):
    """A promise is complete; the session's push_policy decides, while the
    library can still decline the push before any of its response is
    processed. The records so far (the promised request's fields among
    them) are taken and turned into events here; Session.receive() puts
    them in front of the rest."""
    sess = _sessions.get(user)
    if sess is None:
        return FAIL
    try:
        b = sess._batch
        check(lib.h2w_session_events(s, *sess._batch_refs), "h2w_session_events")
        sess._pre.extend(collect(sess, b, sess._input))
        fields = sess._fields.pop(promised_stream_id, [])
        ev = PushPromiseReceived(stream_id, promised_stream_id, fields)
        if not sess._push_policy(ev):
            ev.refused = True
        sess._promises[promised_stream_id] = ev
        return PUSH_REFUSE if ev.refused else 0
    except BaseException as e:  # noqa: B036
        sess._callback_raised(e)
        return FAIL


def _read(s, stream_id, buf, cap, flags, user):
    """h2w_data_read_fn over the session's per-stream outgoing buffer of a
    streamed body; source_user (the last argument) is the session key."""
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
PUSH_PROMISE = _lib.PUSH_PROMISE_CB(_push_promise)
READ = _lib.DATA_READ_FN(_read)

_push_set = []


def callbacks(push):
    """The h2w_callbacks of a session: none, or on_push_promise alone when
    it has a push_policy (in event-buffer mode the library records every
    other event). Built on first use, shared, freed at exit."""
    if not push:
        return None
    if not _push_set:
        h = ctypes.c_void_p()
        check(lib.h2w_callbacks_new(ctypes.byref(h), None), "h2w_callbacks_new")
        try:
            check(lib.h2w_callbacks_set_on_push_promise(h, PUSH_PROMISE),
                  "h2w_callbacks_set_on_push_promise")
        except BaseException:
            lib.h2w_callbacks_del(h)
            raise
        _push_set.append(h)
    return _push_set[0]


@atexit.register
def _free_callback_sets():
    while _push_set:
        lib.h2w_callbacks_del(_push_set.pop())
