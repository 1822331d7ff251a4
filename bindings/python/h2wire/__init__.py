"""h2wire: a ctypes binding of the h2wire HTTP/2 library (libh2wire.so).

Sans-I/O like the C library: a Session turns received bytes into events
and queued requests/responses into bytes to send; sockets, TLS and time
stay with the caller. The library is loaded from $H2WIRE_LIBRARY (a path),
else the copy bundled by `pip install` (setup.py), else an installed one
(pkg-config, the system loader).
"""

from ._lib import HAVE_DUMP, version
from .constants import (
    CB_RESET_STREAM,
    PRIORITY_DEFAULT_URGENCY,
    PUSH_REFUSE,
    REASON_NO_CLOCK,
    FrameType,
    Setting,
    StreamState,
)
from .errors import ErrorCode, H2WireError, Result, error_name, http2_error_name, strerror
from .events import (
    AltSvcReceived,
    DataReceived,
    ErrorDetected,
    Event,
    ExtensionFrameReceived,
    FrameReceived,
    FrameSent,
    GoAwayReceived,
    HeadersKind,
    HeadersReceived,
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
from .session import NV_FLAG_NEVER_INDEX, NV_FLAG_NO_INDEX, Session, parse_priority

__all__ = [
    "HAVE_DUMP",
    "version",
    "FrameType",
    "Setting",
    "StreamState",
    "CB_RESET_STREAM",
    "PUSH_REFUSE",
    "REASON_NO_CLOCK",
    "PRIORITY_DEFAULT_URGENCY",
    "ErrorCode",
    "H2WireError",
    "Result",
    "error_name",
    "http2_error_name",
    "strerror",
    "Event",
    "HeadersKind",
    "HeadersReceived",
    "RequestReceived",
    "ResponseReceived",
    "InformationalResponseReceived",
    "TrailersReceived",
    "PushPromiseReceived",
    "DataReceived",
    "StreamEnded",
    "StreamReset",
    "StreamClosed",
    "SettingsChanged",
    "SettingsAcked",
    "PingAcked",
    "GoAwayReceived",
    "AltSvcReceived",
    "OriginReceived",
    "ExtensionFrameReceived",
    "ErrorDetected",
    "FrameReceived",
    "FrameSent",
    "NV_FLAG_NEVER_INDEX",
    "NV_FLAG_NO_INDEX",
    "Session",
    "parse_priority",
]
