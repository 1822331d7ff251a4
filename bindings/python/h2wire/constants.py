"""SETTINGS identifiers, stream states and frame types, as IntEnums, and
the other public constants of h2wire.h a Python program can meet."""

import enum


class Setting(enum.IntEnum):
    """SETTINGS identifiers (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1)."""

    HEADER_TABLE_SIZE = 0x1
    ENABLE_PUSH = 0x2
    MAX_CONCURRENT_STREAMS = 0x3
    INITIAL_WINDOW_SIZE = 0x4
    MAX_FRAME_SIZE = 0x5
    MAX_HEADER_LIST_SIZE = 0x6
    ENABLE_CONNECT_PROTOCOL = 0x8
    NO_RFC7540_PRIORITIES = 0x9


def setting(ident):
    """A Setting when the identifier is known, else the plain int (unknown
    settings must be ignored, RFC 9113 §6.5.2, but they are reported)."""
    try:
        return Setting(ident)
    except ValueError:
        return ident


class StreamState(enum.IntEnum):
    """RFC 9113 §5.1 stream states (H2W_STREAM_STATE_*)."""

    IDLE = 0
    RESERVED_LOCAL = 1
    RESERVED_REMOTE = 2
    OPEN = 3
    HALF_CLOSED_LOCAL = 4
    HALF_CLOSED_REMOTE = 5
    CLOSED = 6


class FrameType(enum.IntEnum):
    """Frame type octets (RFC 9113 §6, RFC 7838 §4, RFC 8336 §2,
    RFC 9218 §7.1), for reading FrameReceived / FrameSent events."""

    DATA = 0x0
    HEADERS = 0x1
    PRIORITY = 0x2
    RST_STREAM = 0x3
    SETTINGS = 0x4
    PUSH_PROMISE = 0x5
    PING = 0x6
    GOAWAY = 0x7
    WINDOW_UPDATE = 0x8
    CONTINUATION = 0x9
    ALTSVC = 0xA
    ORIGIN = 0xC
    PRIORITY_UPDATE = 0x10


# Answers of callbacks that return int (h2wire.h, "Callbacks"): for C
# callbacks made with the ctypes prototypes of _lib (CALLBACK_SETTERS).
# Session itself runs in event-buffer mode and answers push promises
# through push_policy.
CB_RESET_STREAM = 2  # H2W_CB_RESET_STREAM: reset just this stream
PUSH_REFUSE = 1  # H2W_PUSH_REFUSE: decline a PUSH_PROMISE

# H2W_REASON_NO_CLOCK: the reason of the ErrorDetected (stream 0,
# NO_ERROR, a warning) a session reports once when its abuse budgets are
# off because it was never ticked.
REASON_NO_CLOCK = "abuse limits off: the session has no clock (call h2w_session_tick())"

# H2W_PRIORITY_DEFAULT_URGENCY (RFC 9218 §4): the urgency of a stream
# without a priority field.
PRIORITY_DEFAULT_URGENCY = 3
