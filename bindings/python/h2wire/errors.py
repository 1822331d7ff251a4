"""Library result codes, RFC 9113 wire error codes, and the exception."""

import enum

from ._lib import lib


class Result(enum.IntEnum):
    """h2w_error: library results (0 is success, failures are negative)."""

    OK = 0
    E_INVALID_ARGUMENT = -1
    E_NOMEM = -2
    E_BUFFER_TOO_SMALL = -3
    E_TRUNCATED = -4
    E_COMPRESSION = -5
    E_LIMIT = -6
    E_PROTOCOL = -7
    E_FRAME_SIZE = -8
    E_FLOW_CONTROL = -9
    E_INVALID_STATE = -10
    E_CALLBACK_FAILURE = -11
    E_PAUSE = -12
    E_STREAM_ID_EXHAUSTED = -13
    E_FLOODED = -14
    E_CLOSED = -15
    E_DEFERRED = -16
    E_TIMEOUT = -17


class ErrorCode(enum.IntEnum):
    """RFC 9113 §7 error codes carried by RST_STREAM and GOAWAY."""

    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    FLOW_CONTROL_ERROR = 0x3
    SETTINGS_TIMEOUT = 0x4
    STREAM_CLOSED = 0x5
    FRAME_SIZE_ERROR = 0x6
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    COMPRESSION_ERROR = 0x9
    CONNECT_ERROR = 0xA
    ENHANCE_YOUR_CALM = 0xB
    INADEQUATE_SECURITY = 0xC
    HTTP_1_1_REQUIRED = 0xD


def error_code(code):
    """An ErrorCode when the value is known, else the plain int (RFC 9113 §7:
    unknown codes must not be treated specially, but they are kept)."""
    try:
        return ErrorCode(code)
    except ValueError:
        return code


def error_name(result):
    """The identifier of a library result, e.g. "H2W_E_PROTOCOL"."""
    return lib.h2w_error_name(result).decode("ascii")


def strerror(result):
    """The description of a library result."""
    return lib.h2w_strerror(result).decode("utf-8", "replace")


def http2_error_name(code):
    """The RFC name of a wire error code, e.g. "PROTOCOL_ERROR"."""
    return lib.h2w_http2_error_name(code).decode("ascii")


class H2WireError(Exception):
    """A libh2wire call failed.

    Attributes: ``code`` (the negative library result, a :class:`Result`
    when known), ``name`` (its identifier from h2w_error_name(), e.g.
    ``"H2W_E_PROTOCOL"``), ``reason`` (the session's own explanation when
    it has one, else h2w_strerror()), ``wire_code`` (the RFC 9113 §7 code
    sent or received in GOAWAY for a connection error, else None) and
    ``offset`` (input offset where a connection error was detected, else
    None) and ``field_index`` (for a refused send_request(),
    send_response(), send_informational(), send_trailers() or push(): the
    index of the header field at fault, as given, else None; ``reason``
    then says which rule it breaks, h2w_session_last_submit_error()).
    """

    def __init__(
        self, code, reason=None, *, wire_code=None, offset=None, call=None, field_index=None
    ):
        try:
            self.code = Result(code)
        except ValueError:
            self.code = code
        self.name = error_name(code)
        self.reason = reason if reason else strerror(code)
        self.wire_code = None if wire_code is None else error_code(wire_code)
        self.offset = offset
        self.call = call
        self.field_index = field_index
        text = f"{self.name}: {self.reason}"
        if call:
            text = f"{call}: {text}"
        if self.wire_code is not None:
            text += f" (wire code {http2_error_name(int(self.wire_code))})"
        if field_index is not None:
            text += f" (header field {field_index})"
        super().__init__(text)


def check(rv, call=None):
    """Raise H2WireError for a negative result; return rv otherwise."""
    if rv < 0:
        raise H2WireError(rv, call=call)
    return rv
