"""Events returned by Session.receive(), one per C callback invocation.

Header fields are lists of (name, value) byte-string pairs, in the order
they arrived (pseudo-header fields first). Every event is a plain
dataclass: compare, print or pattern-match on it freely.
"""

import enum
from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

from .errors import ErrorCode

Headers = List[Tuple[bytes, bytes]]
Code = Union[ErrorCode, int]


class HeadersKind(enum.IntEnum):
    """H2W_HEADERS_*: what a received header block is."""

    REQUEST = 0
    RESPONSE = 1
    INFORMATIONAL = 2
    TRAILERS = 3
    PUSH_PROMISE = 4


class Event:
    """Base class of every event."""


@dataclass
class HeadersReceived(Event):
    """A complete, validated header block (on_headers). The subclasses
    below tell the kinds apart; ``kind`` holds the same information. (A
    promised request is a PushPromiseReceived, not one of these.)"""

    stream_id: int
    headers: Headers
    end_stream: bool
    kind: HeadersKind


@dataclass
class RequestReceived(HeadersReceived):
    """Server side: a request's header block opened ``stream_id``."""

    kind: HeadersKind = HeadersKind.REQUEST


@dataclass
class ResponseReceived(HeadersReceived):
    """Client side: the final response header block."""

    kind: HeadersKind = HeadersKind.RESPONSE


@dataclass
class InformationalResponseReceived(HeadersReceived):
    """Client side: a 1xx response (there may be several before the final)."""

    kind: HeadersKind = HeadersKind.INFORMATIONAL


@dataclass
class TrailersReceived(HeadersReceived):
    """Trailers after a body; they always end the peer's side."""

    kind: HeadersKind = HeadersKind.TRAILERS


@dataclass
class PushPromiseReceived(Event):
    """Client side, with Session.client(enable_push=True): the server
    promised (PUSH_PROMISE on our request ``stream_id``, RFC 9113 §8.4) to
    push the response to ``headers``, a GET or HEAD request, on the
    reserved stream ``promised_stream_id``. Unless ``refused``, the pushed
    response follows on that stream as ResponseReceived, DataReceived...,
    then StreamClosed; Session.reset(promised_stream_id) declines it later.
    ``refused`` is True when the session's push_policy declined it: the
    stream was reset with CANCEL and only its StreamClosed follows."""

    stream_id: int
    promised_stream_id: int
    headers: Headers
    refused: bool = False


@dataclass
class DataReceived(Event):
    """A chunk of body (padding removed). With manual flow control, hand
    ``len(data)`` back through Session.consume() once processed."""

    stream_id: int
    data: bytes

    def __repr__(self):  # bodies can be large: show their size only
        return f"DataReceived(stream_id={self.stream_id}, data=<{len(self.data)} bytes>)"


@dataclass
class StreamEnded(Event):
    """The peer ended its side of the stream (after any trailers)."""

    stream_id: int


@dataclass
class StreamReset(Event):
    """The peer reset the stream with RST_STREAM."""

    stream_id: int
    error_code: Code


@dataclass
class StreamClosed(Event):
    """The last event of every stream: it is closed and forgotten.
    ``error_code`` is NO_ERROR for a normal close; ``reset`` tells a reset
    by either side; ``retryable`` says the peer never processed it (above a
    GOAWAY's last stream id, or refused), so it may be retried elsewhere;
    ``connection`` says it did not finish by itself: the connection ended
    (an error, the peer closing it, eof()) or the session was freed
    (H2W_CLOSE_FLAG_CONNECTION)."""

    stream_id: int
    error_code: Code
    reset: bool
    retryable: bool
    connection: bool = False


@dataclass
class SettingsChanged(Event):
    """The peer's SETTINGS were applied (the ACK is queued); maps each
    identifier in the frame to its new value."""

    changed: dict


@dataclass
class SettingsAcked(Event):
    """The peer acknowledged our oldest unacknowledged SETTINGS."""


@dataclass
class PingAcked(Event):
    """A PING we sent came back; ``rtt_ms`` is on the Session.tick() clock."""

    data: bytes
    rtt_ms: int


@dataclass
class GoAwayReceived(Event):
    """The peer sent GOAWAY: streams we opened above ``last_stream_id`` were
    not processed."""

    last_stream_id: int
    error_code: Code
    debug_data: bytes


@dataclass
class AltSvcReceived(Event):
    """Client side: an ALTSVC frame (RFC 7838); ``origin`` is empty when it
    is about ``stream_id``'s origin."""

    stream_id: int
    origin: bytes
    value: bytes


@dataclass
class OriginReceived(Event):
    """Client side: entry number ``index`` of an ORIGIN frame (RFC 8336)."""

    origin: bytes
    index: int


@dataclass
class ExtensionFrameReceived(Event):
    """A frame of a type the library does not implement (RFC 9113 §5.5)."""

    type: int
    flags: int
    stream_id: int
    payload: bytes


@dataclass
class ErrorDetected(Event):
    """The session detected an error: a connection error (stream_id 0) or
    a stream error, with the wire code it sends and the library's reason."""

    stream_id: int
    error_code: Code
    reason: str


@dataclass
class FrameReceived(Event):
    """Tracing (Session(..., trace=True)): a frame was processed."""

    type: int
    flags: int
    stream_id: int
    length: int
    payload: Optional[bytes] = field(repr=False, default=None)


@dataclass
class FrameSent(Event):
    """Tracing (Session(..., trace=True)): a frame was handed to the output.
    ``payload`` is None for a DATA frame whose payload is not available."""

    type: int
    flags: int
    stream_id: int
    length: int
    payload: Optional[bytes] = field(repr=False, default=None)


HEADERS_EVENT_BY_KIND = {
    HeadersKind.REQUEST: RequestReceived,
    HeadersKind.RESPONSE: ResponseReceived,
    HeadersKind.INFORMATIONAL: InformationalResponseReceived,
    HeadersKind.TRAILERS: TrailersReceived,
}
