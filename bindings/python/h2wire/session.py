"""Session: one HTTP/2 connection, client or server, without I/O.

Feed the bytes read from the transport to receive(), which returns the
events they caused; write whatever data_to_send() returns to the
transport. The send_* methods only queue frames; nothing is written until
data_to_send() is called.
"""

import ctypes
import json
import struct
import threading
from ctypes import byref, c_char_p, c_int, c_int32, c_size_t, c_uint16, c_uint32, c_uint64
from itertools import chain

from . import _callbacks
from ._body import Body
from ._lib import (
    EVENTS_DATA_IN_INPUT,
    EVENTS_FRAMES,
    EVENTS_ON,
    HAVE_DUMP,
    NV,
    OPTION_SETTERS,
    RANGE_BODY,
    RAW,
    DataSource,
    EventBatch,
    SettingsEntry,
    check_int,
    lib,
)
from ._lib import HAVE_FOREACH, HAVE_LIFECYCLE, STREAM_VISIT
from .constants import Setting, StreamState, setting
from .errors import ErrorCode, H2WireError, Result, check

NV_FLAG_NEVER_INDEX = 0x1
NV_FLAG_NO_INDEX = 0x2
_NO_DEADLINE = (1 << 64) - 1
_SEND_CHUNK = 64 * 1024
# h2w_session_last_submit_error(): no field in particular.
_NO_FIELD = (1 << (8 * ctypes.sizeof(c_size_t))) - 1
# The calls whose H2W_E_INVALID_ARGUMENT has a recorded reason.
_HEADER_SUBMITS = frozenset(
    ("send_request", "send_response", "send_informational", "send_trailers", "push")
)
_SETTINGS_LOCAL = 0
_SETTINGS_REMOTE = 1


def _as_bytes(v, what):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    raise TypeError(f"{what} must be bytes or str, not {type(v).__name__}")


def _nv_array(headers):
    """An h2w_nv array for `headers`: (name, value) pairs, or (name, value,
    flags) where flags is True (never index, RFC 7541 §6.2.3) or an int of
    H2W_NV_FLAG_* bits; a mapping's items are accepted too. Returns the
    array and the list of bytes objects it points into, which the caller
    keeps alive until the C call returns."""
    if hasattr(headers, "items"):
        headers = headers.items()
    fields = []
    for h in headers:
        name, value = _as_bytes(h[0], "header name"), _as_bytes(h[1], "header value")
        flags = 0
        if len(h) > 2:
            flags = NV_FLAG_NEVER_INDEX if h[2] is True else check_int(h[2], c_uint32, "header flags")
        fields.append((name, value, flags))
    arr = (NV * max(len(fields), 1))()
    for i, (name, value, flags) in enumerate(fields):
        arr[i].name = ctypes.cast(name, ctypes.c_void_p).value
        arr[i].namelen = len(name)
        arr[i].value = ctypes.cast(value, ctypes.c_void_p).value
        arr[i].valuelen = len(value)
        arr[i].flags = flags
    return arr, len(fields), fields


# The hot path calls the library's functions without the range-checking
# wrappers of _lib (integers there come from the library, or are checked
# inline below).
_recv_events = RAW["recv_events"]
_submit_request_packed = RAW["submit_request_packed"]
_submit_response_packed = RAW["submit_response_packed"]
_send = RAW["send"]
_string_at = ctypes.string_at
_U32 = 0xFFFFFFFF

# struct.Struct(...).pack of a packed header list's count and lengths
# (h2wire.h, "Packed header lists"), by field count.
_PACKERS = {}


def _packer(n):
    p = _PACKERS.get(n)
    if p is None:
        p = _PACKERS[n] = struct.Struct("<%dI" % (2 * n + 1)).pack
    return p


# Recently packed header lists, by content: applications send the same
# lists over and over (a response's static fields, a client's default
# request fields), and a lookup costs a tenth of packing. Bounded: emptied
# when full.
_PACKED_CACHE = {}
_PACKED_CACHE_MAX = 256


def _packed(headers):
    """`headers` as one packed blob (what _nv_array() accepts), built once
    per distinct list (see _PACKED_CACHE)."""
    if type(headers) is list or type(headers) is tuple:
        try:
            key = tuple(headers)
            blob = _PACKED_CACHE.get(key)
        except (TypeError, ValueError):  # unhashable (bytearray, writable memoryview)
            return _pack(headers)
        if blob is None:
            blob = _pack(headers)
            if len(_PACKED_CACHE) >= _PACKED_CACHE_MAX:
                _PACKED_CACHE.clear()
            _PACKED_CACHE[key] = blob
        return blob
    return _pack(headers)


def _pack(headers):
    """Pack a header list. The common case -- (bytes, bytes) pairs -- is
    built by C loops: chain, map(len) and one join; anything else (str,
    flags, mappings) goes through _nv_array()'s conversions first."""
    if type(headers) is list or type(headers) is tuple:
        flat = list(chain.from_iterable(headers))
        n = len(headers)
        if len(flat) == 2 * n and n:
            try:
                body = b"".join(flat)  # TypeError unless all are bytes-like
            except TypeError:
                pass
            else:
                return _packer(n)(n, *map(len, flat)) + body
    _arr, n, fields = _nv_array(headers)
    if n == 0:
        return b""
    lens = []
    for name, value, flags in fields:
        if len(name) > 0xFFFFFF:
            raise ValueError("header name longer than 2^24 - 1 octets")
        lens += (len(name) | (flags & 0xFF) << 24, len(value))
    return _packer(n)(n, *lens) + b"".join(chain.from_iterable((f[0], f[1]) for f in fields))


_libc = ctypes.CDLL(None)
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [c_size_t]
_libc.realloc.restype = ctypes.c_void_p
_libc.realloc.argtypes = [ctypes.c_void_p, c_size_t]
_libc.free.restype = None
_libc.free.argtypes = [ctypes.c_void_p]


class _OutBuffer:
    """The buffer h2w_session_send() writes into, one per thread (the GIL
    is released during the call, so threads cannot share one), reused by
    every session of the thread and grown as needed. Plain malloc memory:
    no zero-filling, and pages are only touched when written."""

    __slots__ = ("addr", "cap")

    def __init__(self):
        self.addr = _libc.malloc(_SEND_CHUNK)
        if not self.addr:
            raise MemoryError
        self.cap = _SEND_CHUNK

    def grow(self, keep):
        cap = self.cap * 4
        addr = _libc.realloc(self.addr, cap)  # keeps the first `keep` octets
        if not addr:
            raise MemoryError
        self.addr, self.cap = addr, cap
        return addr, cap

    def __del__(self):
        if _libc is not None and self.addr:
            _libc.free(self.addr)
            self.addr = None


_tls = threading.local()


def _out_buffer():
    try:
        return _tls.out
    except AttributeError:
        ob = _tls.out = _OutBuffer()
        return ob


def _sid(v, what="stream_id"):
    if type(v) is int and 0 <= v <= _U32:
        return v
    return check_int(v, c_uint32, what)


def _apply_options(opt, options):
    for name, value in options.items():
        if name not in OPTION_SETTERS:
            raise TypeError(f"unknown h2wire option {name!r}")
        args = value if isinstance(value, tuple) else (value,)
        if len(args) != len(OPTION_SETTERS[name]):
            raise TypeError(f"option {name!r} takes {len(OPTION_SETTERS[name])} value(s)")
        args = [int(a) for a in args]
        check(getattr(lib, "h2w_options_set_" + name)(opt, *args), f"option {name}")


def parse_priority(value):
    """Parse a Priority field value (RFC 9218 §4): (urgency, incremental).
    Defaults (3, False) apply to whatever is absent or not understood."""
    v = _as_bytes(value, "priority")
    u, i = c_int(), c_int()
    lib.h2w_priority_parse(v, len(v), byref(u), byref(i))
    return u.value, bool(i.value)


class Session:
    """One HTTP/2 connection. Create with Session.client() or
    Session.server(). Options are keyword arguments named after the
    h2w_options_set_*() setters of h2wire.h (e.g. initial_window_size=,
    max_concurrent_streams=, manual_flow_control=True); the setters with
    two values take a tuple (glitch_limit=(burst, per_second),
    reset_limit=..., keepalive=(interval_ms, timeout_ms),
    window_autotune=(max_connection_window, max_stream_window)). trace=True adds
    FrameReceived / FrameSent events for every frame.

    Server push (RFC 9113 §8.4) is off unless a client passes
    enable_push=True. Promises are then accepted and reported as
    PushPromiseReceived; reset(promised_stream_id) declines one later.
    push_policy, a callable taking that event and returning false to
    decline, decides earlier: while receive() runs, before any of the
    pushed response is processed. It may look at the event, not call
    receive(), data_to_send() or free(); what it raises fails the
    connection and is re-raised by receive().

    The C session is freed by free(), by leaving a ``with`` block, or when
    the object is garbage collected. close() is HTTP/2's close: it sends
    GOAWAY.
    """

    def __init__(self, server, *, trace=False, push_policy=None, **options):
        if push_policy is not None and not callable(push_policy):
            raise TypeError("push_policy must be callable")
        self._s = None
        self._key = None
        self._push_policy = push_policy
        self._fields = {}  # stream id -> header fields of a block split across batches
        self._bodies = {}  # stream id -> Body of a streamed body (send_data())
        self._ranges = {}  # stream id -> bytes a memory-range body reads from
        self._promises = {}  # promised stream id -> event push_policy saw
        self._pre = []  # events taken early (push_policy), in front of the rest
        self._input = b""  # the running receive's input (records point into it)
        self._exc = None  # exception raised inside a callback
        self._broken = False  # building events raised: the connection failed
        self._unsent = b""  # output produced when a callback raised
        # Output may be pending: every method that may queue some sets it,
        # so an idle data_to_send() returns without calling the library.
        self._dirty = True
        # Header blocks whose records are all in one batch are cut in one
        # go (no trace records among their fields), by NUL when validated
        # fields cannot hold one (RFC 9113 §8.2.1).
        self._jump = not trace
        self._split = bool(options.get("validate_messages", True))
        self._batch = EventBatch()
        self._batch_ref = byref(self._batch)
        self._batch_refs = tuple(byref(self._batch, 8 * i) for i in range(4))
        opt = ctypes.c_void_p()
        if options:
            check(lib.h2w_options_new(byref(opt), None), "h2w_options_new")
        try:
            _apply_options(opt, options)
            cbs = _callbacks.callbacks(push_policy is not None)
            self._key = _callbacks.register(self)
            s = ctypes.c_void_p()
            new = lib.h2w_session_server_new if server else lib.h2w_session_client_new
            check(new(byref(s), cbs, opt, self._key, None), "h2w_session_new")
            mode = EVENTS_ON | EVENTS_DATA_IN_INPUT | (EVENTS_FRAMES if trace else 0)
            rv = lib.h2w_session_set_events(s, mode, 0)
            if rv < 0:
                lib.h2w_session_del(s)
                check(rv, "h2w_session_set_events")
            self._s = s.value
        finally:
            if opt:
                lib.h2w_options_del(opt)

    @classmethod
    def client(cls, **options):
        """A client session; its connection preface is queued at once."""
        return cls(False, **options)

    @classmethod
    def server(cls, **options):
        """A server session; its SETTINGS are queued at once."""
        return cls(True, **options)

    # ---- lifetime --------------------------------------------------------

    def free(self):
        """Free the C session now (idempotent). No event follows."""
        s, self._s = self._s, None
        if s:
            lib.h2w_session_del(s)
        if self._key is not None:
            _callbacks.unregister(self._key)
            self._key = None
        self._bodies.clear()
        self._ranges.clear()
        self._fields.clear()
        self._dirty = True  # data_to_send() then reports the freed session

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()
        return False

    def __del__(self):
        try:
            self.free()
        except Exception:  # interpreter shutdown: the module may be gone
            pass

    @property
    def freed(self):
        return self._s is None

    def _h(self):
        self._dirty = True  # whatever the method queues, data_to_send() looks
        if self._s is None:
            raise H2WireError(Result.E_INVALID_ARGUMENT, "the session was freed")
        return self._s

    # ---- callbacks' side -------------------------------------------------

    def _callback_raised(self, exc):
        if self._exc is None:
            self._exc = exc

    def _reraise(self):
        exc, self._exc = self._exc, None
        if exc is not None:
            raise exc

    def _stream_closed(self, stream_id):
        self._bodies.pop(stream_id, None)
        self._ranges.pop(stream_id, None)
        self._fields.pop(stream_id, None)

    def _events_failed(self, exc):
        """Building the events raised: like a callback that raised, this
        fails the connection (GOAWAY INTERNAL_ERROR, sticky
        H2W_E_CALLBACK_FAILURE), since events are lost."""
        self._callback_raised(exc)
        if not self._broken:
            self._broken = True
            lib.h2w_session_submit_goaway(self._s, int(ErrorCode.INTERNAL_ERROR), None, 0)

    def _session_error(self, rv, call):
        if rv == Result.E_INVALID_ARGUMENT and call in _HEADER_SUBMITS and HAVE_LIFECYCLE:
            why, index = c_char_p(), c_size_t()
            if lib.h2w_session_last_submit_error(self._s, byref(why), byref(index)) < 0:
                text = why.value.decode("utf-8", "replace") if why.value else None
                fi = None if index.value == _NO_FIELD else index.value
                return H2WireError(rv, text, call=call, field_index=fi)
        wire, reason, offset = c_uint32(), c_char_p(), c_uint64()
        err = lib.h2w_session_error(self._s, byref(wire), byref(reason), byref(offset))
        if self._broken:
            return H2WireError(Result.E_CALLBACK_FAILURE, call=call)
        if err == rv:
            text = reason.value.decode("utf-8", "replace") if reason.value else None
            return H2WireError(rv, text, wire_code=wire.value, offset=offset.value, call=call)
        return H2WireError(rv, call=call)

    def _check(self, rv, call):
        """Re-raise a callback's exception first, then map rv to an error."""
        self._dirty = True
        self._reraise()
        if rv < 0:
            raise self._session_error(rv, call)
        return rv

    # ---- input and output ------------------------------------------------

    def receive(self, data):
        """Process bytes read from the transport and return the events they
        caused, preceded by any event produced since the last call (e.g.
        FrameSent or StreamClosed during data_to_send()). A connection error
        raises H2WireError with ``events`` attached; its GOAWAY is queued,
        so still write out data_to_send()."""
        s = self._s
        if s is None or self._broken:
            s = self._h()
            if self._broken:
                err = H2WireError(Result.E_CALLBACK_FAILURE, call="receive")
                err.events = []
                raise err
        if type(data) is not bytes:
            data = _as_bytes(data, "data")
        self._dirty = True
        self._input = data
        # One crossing: the input is processed and its events handed back.
        rv = _recv_events(s, data, len(data), self._batch_ref)
        try:
            ev = _callbacks.collect(self, self._batch, data)
        except BaseException as e:  # noqa: B036 - the events are lost
            self._events_failed(e)
            ev = []
        self._input = b""
        if self._pre:
            ev = self._pre + ev
            self._pre = []
        if rv < 0 or self._exc is not None:
            try:
                self._check(rv, "receive")
            except BaseException as e:
                e.events = ev
                raise
        return ev

    def events(self):
        """Take the events produced so far without receiving anything."""
        s = self._s
        if s is None:
            return []
        lib.h2w_session_events(s, *self._batch_refs)
        try:
            return _callbacks.collect(self, self._batch, b"")
        except BaseException as e:  # noqa: B036
            self._events_failed(e)
            self._reraise()
            raise

    def data_to_send(self, limit=None):
        """The bytes to write to the transport now (b"" if none), at most
        `limit` of them if given. After a connection error this returns the
        output up to and including the GOAWAY, then b"" forever."""
        if not self._dirty and limit is None:
            return b""  # nothing was queued since the output last ran dry
        s = self._h()
        out = self._unsent
        self._unsent = b""
        room = None if limit is None else limit - len(out)
        if room is not None and room <= 0:
            self._unsent = out[limit:]
            return out[:limit]
        ob = _out_buffer()
        addr, ocap = ob.addr, ob.cap
        n = 0
        while True:
            cap = ocap - n if room is None else min(ocap - n, room - n)
            if cap <= 0:
                if room is not None and n >= room:
                    break
                addr, ocap = ob.grow(n)  # full: four times larger, kept
                continue
            got = _send(s, addr + n, cap)
            if got <= 0:
                break
            n += got
        # Drained: nothing more until a method queues something. Under a
        # limit, or after a callback raised, look again next time.
        self._dirty = limit is not None or self._exc is not None
        data = _string_at(addr, n) if n else b""  # the one copy
        if out:
            data = out + data
        if self._exc is not None:
            # Keep the output: it holds frames already accounted for.
            self._unsent = data
            self._reraise()
        return data

    def eof(self):
        """The peer closed the transport (read() returned b""): every live
        stream closes (StreamClosed with ``connection`` set), want_read and
        want_write turn False and queued output is dropped; returns the
        events. Input cut inside a frame or a header block raises
        H2WireError H2W_E_TRUNCATED, with ``events`` attached."""
        if not HAVE_LIFECYCLE:
            raise NotImplementedError("this libh2wire has no h2w_session_eof")
        self._unsent = b""
        rv = lib.h2w_session_eof(self._h())
        try:
            self._check(rv, "eof")
        except BaseException as e:
            e.events = self.events()
            raise
        return self.events()

    def streams(self):
        """The live streams as (stream_id, StreamState) pairs, ascending
        (h2w_session_foreach_stream(); a request still queued for a slot
        is IDLE)."""
        if not HAVE_FOREACH:
            raise NotImplementedError("this libh2wire has no h2w_session_foreach_stream")
        found = []

        def visit(_s, stream_id, state, _stream_user, _user):
            found.append((stream_id, StreamState(state)))
            return 0

        self._check(lib.h2w_session_foreach_stream(self._h(), STREAM_VISIT(visit), None), "streams")
        return found

    @property
    def want_read(self):
        """False once the connection is over (fatal error, or GOAWAY both
        ways with no stream left)."""
        return bool(lib.h2w_session_want_read(self._h()))

    @property
    def want_write(self):
        """True if data_to_send() would return bytes now."""
        return bool(self._unsent) or bool(lib.h2w_session_want_write(self._h()))

    # ---- time ------------------------------------------------------------

    def tick(self, now_ms):
        """Tell the session the time (any monotonic ms clock) and run its
        timers (SETTINGS timeout, graceful shutdown, keepalive, idle).
        Raises H2WireError (e.g. H2W_E_TIMEOUT) once a timer or an earlier
        error has ended the connection; its GOAWAY is then queued."""
        self._check(lib.h2w_session_tick(self._h(), int(now_ms)), "tick")

    def next_deadline(self):
        """When tick() has work next (ms on the same clock), or None."""
        d = lib.h2w_session_next_deadline(self._h())
        return None if d == _NO_DEADLINE else d

    # ---- requests, responses, bodies -------------------------------------

    def _source(self, body):
        """A data source for a streamed body (end_stream=False): the
        library pulls it from a Body, which send_data() extends."""
        b = Body(_as_bytes(body, "body") if body is not None else b"", False)
        src = DataSource()
        src.read = _callbacks.READ
        src.user = self._key  # h2w_data_read_fn's source_user
        return b, src

    def send_request(self, headers, body=None, *, end_stream=True):
        """Client: open a stream with request `headers` (pseudo-header fields
        first, lowercase names) and return its id. `body` is sent as flow
        control allows; with end_stream=False the stream stays open for
        send_data(), end_stream() or send_trailers()."""
        s = self._s
        if s is None:
            s = self._h()
        self._dirty = True
        if end_stream:
            # One crossing: packed headers, the body read by the library
            # straight from the bytes object (kept until the stream closes).
            blob = _packed(headers)
            if body is None:
                rv = _submit_request_packed(s, blob, len(blob), None, 0, 0, None)
            else:
                if type(body) is not bytes:
                    body = _as_bytes(body, "body")
                rv = _submit_request_packed(s, blob, len(blob), body, len(body), RANGE_BODY, None)
                if rv > 0:
                    self._ranges[rv] = body
            if rv < 0 or self._exc is not None:
                self._check(rv, "send_request")
            return rv
        arr, n, _keep = _nv_array(headers)
        b, src = self._source(body)
        rv = lib.h2w_session_submit_request(s, arr, n, byref(src), None)
        self._check(rv, "send_request")
        self._bodies[rv] = b
        return rv

    def send_response(self, stream_id, headers, body=None, *, end_stream=True):
        """Server: answer `stream_id` with response `headers` (":status"
        first) and an optional body, as send_request()."""
        s = self._s
        if s is None:
            s = self._h()
        self._dirty = True
        if type(stream_id) is not int or not 0 <= stream_id <= _U32:
            stream_id = _sid(stream_id)
        if end_stream:
            blob = _packed(headers)
            if body is None:
                rv = _submit_response_packed(s, stream_id, blob, len(blob), None, 0, 0)
            else:
                if type(body) is not bytes:
                    body = _as_bytes(body, "body")
                rv = _submit_response_packed(
                    s, stream_id, blob, len(blob), body, len(body), RANGE_BODY
                )
                if rv == 0:
                    self._ranges[stream_id] = body
            if rv < 0 or self._exc is not None:
                self._check(rv, "send_response")
            return
        arr, n, _keep = _nv_array(headers)
        b, src = self._source(body)
        rv = lib.h2w_session_submit_response(s, stream_id, arr, n, byref(src))
        self._check(rv, "send_response")
        self._bodies[stream_id] = b

    def send_informational(self, stream_id, headers):
        """Server: a 1xx response before the final one."""
        arr, n, _keep = _nv_array(headers)
        rv = lib.h2w_session_submit_informational(self._h(), stream_id, arr, n)
        self._check(rv, "send_informational")

    def push(self, stream_id, headers):
        """Server: promise to push the response to the request `headers`
        (GET or HEAD with :method, :scheme, :authority and :path) on the
        client's request `stream_id`, still open on our side (RFC 9113
        §8.4). Returns the promised stream's id: answer it with
        send_response() like any request. Raises H2WireError
        H2W_E_INVALID_STATE when the client disabled push (the default of
        clients), the stream is not a request we can still answer, or a
        GOAWAY arrived; H2W_E_INVALID_ARGUMENT for a malformed request;
        H2W_E_LIMIT at the client's MAX_CONCURRENT_STREAMS."""
        arr, n, _keep = _nv_array(headers)
        rv = lib.h2w_session_submit_push_promise(self._h(), stream_id, arr, n, None)
        return self._check(rv, "push")

    def _body(self, stream_id, call):
        b = self._bodies.get(stream_id)
        if b is None or b.eof:
            raise H2WireError(
                Result.E_INVALID_STATE,
                f"stream {stream_id} has no body still open for sending",
                call=call,
            )
        return b

    def _resume(self, stream_id, call):
        rv = lib.h2w_session_resume_data(self._h(), stream_id)
        if rv != Result.E_INVALID_STATE:  # not deferred: it is still pulling
            self._check(rv, call)

    def send_data(self, stream_id, data, *, end_stream=False):
        """Append body bytes to an open stream; they leave as the peer's
        windows allow (see pending_data())."""
        b = self._body(stream_id, "send_data")
        b.append(_as_bytes(data, "data"))
        b.eof = bool(end_stream)
        self._resume(stream_id, "send_data")

    def end_stream(self, stream_id):
        """End our side of the stream once its buffered body is sent."""
        self.send_data(stream_id, b"", end_stream=True)

    def send_trailers(self, stream_id, headers):
        """Trailers ending our side of the stream, sent after any buffered
        body (RFC 9113 §8.1)."""
        self._h()
        b = self._bodies.get(stream_id)
        if b is not None and b.eof:
            b = self._body(stream_id, "send_trailers")  # raises
        if b is not None:
            b.eof = b.trailers = True
        arr, n, _keep = _nv_array(headers)
        rv = lib.h2w_session_submit_trailers(self._s, stream_id, arr, n)
        if rv < 0 and b is not None:
            b.eof = b.trailers = False
        self._check(rv, "send_trailers")
        if b is not None:
            self._resume(stream_id, "send_trailers")

    def pending_data(self, stream_id):
        """Body bytes of the stream queued here but not yet sent."""
        b = self._bodies.get(stream_id)
        if b is not None:
            return b.pending()
        if stream_id in self._ranges and self._s is not None:
            left = RAW["data_range_left"](self._s, _sid(stream_id))
            return left if left > 0 else 0
        return 0

    def reset(self, stream_id, error_code=ErrorCode.CANCEL):
        """Reset the stream with RST_STREAM; its unsent body is dropped.
        A client declines a pushed stream this way (CANCEL, §8.4)."""
        rv = lib.h2w_session_submit_rst_stream(self._h(), stream_id, int(error_code))
        self._check(rv, "reset")
        self._bodies.pop(stream_id, None)

    # ---- connection control ----------------------------------------------

    def ping(self, data=None):
        """Send a PING with 8 opaque octets (default: the session time);
        PingAcked reports its round trip."""
        if data is not None:
            data = _as_bytes(data, "ping data")
            if len(data) != 8:
                raise ValueError("PING data is exactly 8 octets (RFC 9113 §6.7)")
        self._check(lib.h2w_session_submit_ping(self._h(), data), "ping")

    def update_settings(self, settings):
        """Send SETTINGS {identifier: value}; they take effect once the peer
        acknowledges them (SettingsAcked)."""
        items = list(settings.items())
        iv = (SettingsEntry * max(len(items), 1))()
        for i, (k, v) in enumerate(items):
            # Struct fields truncate silently too (0x10004 would become
            # INITIAL_WINDOW_SIZE): check before storing.
            iv[i].id = check_int(k, c_uint16, "setting identifier")
            iv[i].value = check_int(v, c_uint32, f"value of setting {int(k):#x}")
        self._check(lib.h2w_session_submit_settings(self._h(), iv, len(items)), "update_settings")

    def window_update(self, increment, stream_id=0):
        """Grow our receive window of the stream (0: the connection)."""
        rv = lib.h2w_session_submit_window_update(self._h(), stream_id, increment)
        self._check(rv, "window_update")

    def consume(self, stream_id, n):
        """Manual flow control (manual_flow_control=True): the application
        has processed n body bytes of the stream; WINDOW_UPDATEs follow."""
        self._check(lib.h2w_session_consume(self._h(), stream_id, n), "consume")

    def close(self, error_code=ErrorCode.NO_ERROR, debug_data=b""):
        """Send GOAWAY now with the last peer stream we processed: no new
        stream is accepted. With an error code the connection ends once the
        GOAWAY is written. (free() releases the C object.)"""
        d = _as_bytes(debug_data, "debug data")
        self._check(lib.h2w_session_submit_goaway(self._h(), int(error_code), d, len(d)), "close")

    def shutdown(self):
        """Graceful shutdown (RFC 9113 §6.8): GOAWAY and PING first, the
        final GOAWAY when the PING returns (or on the shutdown timeout,
        see tick()); open streams finish."""
        self._check(lib.h2w_session_shutdown(self._h()), "shutdown")

    # ---- h2c upgrade (RFC 7540 §3.2) -------------------------------------

    def upgrade_settings(self):
        """Client: the HTTP2-Settings value of an upgrade request."""
        buf = ctypes.create_string_buffer(128)
        n = self._check(lib.h2w_session_upgrade_settings(self._h(), buf, len(buf)), "upgrade_settings")
        return buf.raw[:n].decode("ascii")

    def upgrade(self, http2_settings=None, *, head_request=False):
        """Switch to HTTP/2 after the 101 (client) or for the upgrade request
        (server, with the request's HTTP2-Settings); stream 1 carries the
        request's response."""
        v = None if http2_settings is None else _as_bytes(http2_settings, "HTTP2-Settings")
        rv = lib.h2w_session_upgrade(self._h(), v, len(v) if v else 0, int(head_request), None)
        self._check(rv, "upgrade")

    # ---- priorities (RFC 9218), ALTSVC, ORIGIN, extensions ---------------

    def priority_update(self, stream_id, value):
        """Client: send PRIORITY_UPDATE with a Priority value such as "u=0"."""
        v = _as_bytes(value, "priority")
        rv = lib.h2w_session_submit_priority_update(self._h(), stream_id, v, len(v))
        self._check(rv, "priority_update")

    def set_priority(self, stream_id, urgency, incremental=False):
        """Schedule the stream's outgoing DATA with this priority."""
        rv = lib.h2w_session_set_stream_priority(self._h(), stream_id, urgency, int(incremental))
        self._check(rv, "set_priority")

    def priority(self, stream_id):
        """The stream's (urgency, incremental) in force."""
        u, i = c_int(), c_int()
        rv = lib.h2w_session_stream_priority(self._h(), stream_id, byref(u), byref(i))
        self._check(rv, "priority")
        return u.value, bool(i.value)

    def send_altsvc(self, value, origin=b"", stream_id=0):
        """Server: advertise an alternative service (RFC 7838 §4)."""
        v, o = _as_bytes(value, "value"), _as_bytes(origin, "origin")
        rv = lib.h2w_session_submit_altsvc(self._h(), stream_id, o, len(o), v, len(v))
        self._check(rv, "send_altsvc")

    def send_origin(self, origins):
        """Server: an ORIGIN frame listing the origins (RFC 8336 §2)."""
        items = [_as_bytes(o, "origin") for o in origins]
        ptrs = (c_char_p * max(len(items), 1))(*items)
        lens = (c_size_t * max(len(items), 1))(*[len(o) for o in items])
        rv = lib.h2w_session_submit_origin(self._h(), ptrs, lens, len(items))
        self._check(rv, "send_origin")

    def send_extension(self, frame_type, payload=b"", *, flags=0, stream_id=0):
        """A frame of an extension type (RFC 9113 §5.5)."""
        p = _as_bytes(payload, "payload")
        rv = lib.h2w_session_submit_extension(self._h(), frame_type, flags, stream_id, p, len(p))
        self._check(rv, "send_extension")

    # ---- state -----------------------------------------------------------

    @property
    def is_server(self):
        return bool(lib.h2w_session_is_server(self._h()))

    @property
    def open_streams(self):
        return lib.h2w_session_open_streams(self._h())

    @property
    def memory(self):
        """Bytes the C session holds through its allocator."""
        return lib.h2w_session_memory(self._h())

    def stream_state(self, stream_id):
        return StreamState(check(lib.h2w_session_stream_state(self._h(), stream_id)))

    def window(self, stream_id=0):
        """(receive window, send window) of the stream (0: the connection)."""
        r, s = c_int32(), c_int32()
        rv = lib.h2w_session_window(self._h(), stream_id, byref(r), byref(s))
        self._check(rv, "window")
        return r.value, s.value

    def flow_estimate(self):
        """Window autotuning's estimate (h2w_session_flow_estimate()): a
        dict of enabled, rtt_ms, min_rtt_ms, bytes_per_second,
        connection_window, stream_window and samples."""
        from ._lib import FlowEstimate

        e = FlowEstimate()
        e.size = ctypes.sizeof(e)
        self._check(lib.h2w_session_flow_estimate(self._h(), byref(e)), "flow_estimate")
        return {name: getattr(e, name) for name, _ in e._fields_ if name != "size"}

    def _settings(self, side):
        out = {}
        v = c_uint32()
        for ident in Setting:
            if lib.h2w_session_setting(self._h(), side, ident, byref(v)) == 0:
                out[setting(ident)] = v.value
        return out

    @property
    def local_settings(self):
        """Our settings as acknowledged by the peer."""
        return self._settings(_SETTINGS_LOCAL)

    @property
    def remote_settings(self):
        """The peer's settings as applied."""
        return self._settings(_SETTINGS_REMOTE)

    @property
    def error(self):
        """The sticky error that ended the session as an H2WireError, or
        None while it is healthy."""
        rv = lib.h2w_session_error(self._h(), None, None, None)
        if self._broken:
            return H2WireError(Result.E_CALLBACK_FAILURE)
        return None if rv == 0 else self._session_error(rv, None)

    # ---- session dump (optional symbol) ----------------------------------

    def dump_json(self, initial_capacity=4096):
        """The session's state as JSON text (h2w_session_dump_json()).
        Raises NotImplementedError when the library predates it."""
        if not HAVE_DUMP:
            raise NotImplementedError("this libh2wire has no h2w_session_dump_json")
        cap = max(int(initial_capacity), 1)
        n = c_size_t()
        for _ in range(8):  # the state cannot change between two calls
            buf = ctypes.create_string_buffer(cap)
            rv = lib.h2w_session_dump_json(self._h(), buf, cap, byref(n))
            if rv != Result.E_BUFFER_TOO_SMALL:
                break
            cap = n.value + 1  # room for the terminating NUL too
        check(rv, "h2w_session_dump_json")
        return buf.raw[: n.value].decode("utf-8")

    def dump(self):
        """The session's state as a dict (streams, settings, windows,
        memory and limits; see h2wire.h for the fields)."""
        return json.loads(self.dump_json())
