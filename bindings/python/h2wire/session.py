"""Session: one HTTP/2 connection, client or server, without I/O.

Feed the bytes read from the transport to receive(), which returns the
events they caused; write whatever data_to_send() returns to the
transport. The send_* methods only queue frames; nothing is written until
data_to_send() is called.
"""

import ctypes
import json
from ctypes import byref, c_char_p, c_int, c_int32, c_size_t, c_uint16, c_uint32, c_uint64

from . import _callbacks
from ._body import Body
from ._lib import HAVE_DUMP, NV, OPTION_SETTERS, DataSource, SettingsEntry, check_int, lib
from .constants import Setting, StreamState, setting
from .errors import ErrorCode, H2WireError, Result, check

NV_FLAG_NEVER_INDEX = 0x1
NV_FLAG_NO_INDEX = 0x2
_NO_DEADLINE = (1 << 64) - 1
_SEND_CHUNK = 64 * 1024
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
    reset_limit=..., keepalive=(interval_ms, timeout_ms)). trace=True adds
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
        self._events = []
        self._fields = {}  # stream id -> header fields of the block so far
        self._bodies = {}  # stream id -> Body still being sent
        self._exc = None  # exception raised inside a callback
        self._unsent = b""  # output produced when a callback raised
        self._buf = None
        opt = ctypes.c_void_p()
        if options:
            check(lib.h2w_options_new(byref(opt), None), "h2w_options_new")
        try:
            _apply_options(opt, options)
            cbs = _callbacks.callbacks(bool(trace))
            self._key = _callbacks.register(self)
            s = ctypes.c_void_p()
            new = lib.h2w_session_server_new if server else lib.h2w_session_client_new
            check(new(byref(s), cbs, opt, self._key, None), "h2w_session_new")
            self._s = s
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
        self._fields.clear()

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
        self._fields.pop(stream_id, None)

    def _session_error(self, rv, call):
        wire, reason, offset = c_uint32(), c_char_p(), c_uint64()
        err = lib.h2w_session_error(self._s, byref(wire), byref(reason), byref(offset))
        if err == rv:
            text = reason.value.decode("utf-8", "replace") if reason.value else None
            return H2WireError(rv, text, wire_code=wire.value, offset=offset.value, call=call)
        return H2WireError(rv, call=call)

    def _check(self, rv, call):
        """Re-raise a callback's exception first, then map rv to an error."""
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
        s = self._h()
        data = _as_bytes(data, "data")
        rv = lib.h2w_session_recv(s, data, len(data))
        try:
            self._check(rv, "receive")
        except BaseException as e:
            e.events = self.events()
            raise
        return self.events()

    def events(self):
        """Take the events produced so far without receiving anything."""
        ev, self._events = self._events, []
        return ev

    def data_to_send(self, limit=None):
        """The bytes to write to the transport now (b"" if none), at most
        `limit` of them if given. After a connection error this returns the
        output up to and including the GOAWAY, then b"" forever."""
        s = self._h()
        out = bytearray(self._unsent)
        self._unsent = b""
        if self._buf is None:
            self._buf = ctypes.create_string_buffer(_SEND_CHUNK)
        while limit is None or len(out) < limit:
            cap = _SEND_CHUNK if limit is None else min(_SEND_CHUNK, limit - len(out))
            n = lib.h2w_session_send(s, self._buf, cap)
            if n <= 0:
                break
            out += ctypes.string_at(self._buf, n)
        if self._exc is not None:
            # Keep the output: it holds frames already accounted for.
            self._unsent = bytes(out)
            self._reraise()
        return bytes(out)

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

    def _source(self, body, end_stream):
        """A data source for a new stream, or None for END_STREAM on the
        HEADERS frame itself."""
        if body is None and end_stream:
            return None, None
        b = Body(_as_bytes(body, "body") if body is not None else b"", end_stream)
        src = DataSource()
        src.read = _callbacks.READ
        src.user = self._key  # h2w_data_read_fn's source_user
        return b, src

    def send_request(self, headers, body=None, *, end_stream=True):
        """Client: open a stream with request `headers` (pseudo-header fields
        first, lowercase names) and return its id. `body` is sent as flow
        control allows; with end_stream=False the stream stays open for
        send_data(), end_stream() or send_trailers()."""
        arr, n, _keep = _nv_array(headers)
        b, src = self._source(body, end_stream)
        rv = lib.h2w_session_submit_request(
            self._h(), arr, n, byref(src) if src is not None else None, None
        )
        self._check(rv, "send_request")
        if b is not None:
            self._bodies[rv] = b
        return rv

    def send_response(self, stream_id, headers, body=None, *, end_stream=True):
        """Server: answer `stream_id` with response `headers` (":status"
        first) and an optional body, as send_request()."""
        arr, n, _keep = _nv_array(headers)
        b, src = self._source(body, end_stream)
        rv = lib.h2w_session_submit_response(
            self._h(), stream_id, arr, n, byref(src) if src is not None else None
        )
        self._check(rv, "send_response")
        if b is not None:
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
        return b.pending() if b is not None else 0

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
