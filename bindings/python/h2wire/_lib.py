"""Loading libh2wire.so and declaring the C ABI for ctypes.

Every prototype here mirrors include/h2wire.h. Argument and result types
are declared explicitly: ctypes would otherwise pass Python ints as C int
and truncate sizes, pointers and uint32 values.
"""

import ctypes
import ctypes.util
import functools
import operator
import os
import subprocess
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_int32,
    c_size_t,
    c_ssize_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)

ENV_VAR = "H2WIRE_LIBRARY"


def _pkg_config_libdir():
    """The libdir pkg-config reports for an installed h2wire, or None."""
    try:
        out = subprocess.run(
            ["pkg-config", "--variable=libdir", "h2wire"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    d = out.stdout.strip()
    return d if out.returncode == 0 and d else None


def _candidates():
    """Where the library may be, in order: the copy `pip install` put into
    this package (setup.py), an installed one that pkg-config knows, then
    whatever the system loader finds."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libh2wire.so")
    if os.path.exists(here):
        yield here
    d = _pkg_config_libdir()
    if d:
        yield os.path.join(d, "libh2wire.so")
    yield ctypes.util.find_library("h2wire")
    yield "libh2wire.so"


def _load():
    """The library named by $H2WIRE_LIBRARY, else the first of _candidates()
    that loads."""
    path = os.environ.get(ENV_VAR)
    if path:
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            raise ImportError(f"h2wire: cannot load {ENV_VAR}={path!r}: {e}") from e
    tried = []
    for name in _candidates():
        if not name or name in tried:
            continue
        tried.append(name)
        try:
            return ctypes.CDLL(name)
        except OSError:
            pass
    raise ImportError(
        "h2wire: libh2wire.so not found (tried "
        + ", ".join(tried)
        + f"); install the binding with pip (it bundles the library), or set {ENV_VAR}"
        " to its path, e.g. build/lib/libh2wire.so"
    )


lib = _load()

# ---- fixed-layout public structs -----------------------------------------


class NV(Structure):
    """h2w_nv: one header field as two byte ranges."""

    _fields_ = [
        ("name", c_void_p),
        ("namelen", c_size_t),
        ("value", c_void_p),
        ("valuelen", c_size_t),
        ("flags", c_uint32),
    ]


class SettingsEntry(Structure):
    """h2w_settings_entry."""

    _fields_ = [("id", c_uint16), ("reserved", c_uint16), ("value", c_uint32)]


class FrameInfo(Structure):
    """h2w_frame_info: the 9-octet frame header, decoded."""

    _fields_ = [
        ("length", c_uint32),
        ("stream_id", c_uint32),
        ("type", c_uint8),
        ("flags", c_uint8),
        ("reserved", c_uint8 * 2),
    ]


# ---- callback types (the session is passed as an opaque pointer) ---------

BEGIN_HEADERS_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_int, c_void_p)
HEADER_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, POINTER(NV), c_void_p)
HEADERS_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_int, c_int, c_void_p)
DATA_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_void_p, c_size_t, c_void_p)
STREAM_END_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_void_p)
STREAM_RESET_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_uint32, c_void_p)
STREAM_CLOSE_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_uint32, c_uint32, c_void_p)
SETTINGS_CB = CFUNCTYPE(c_int, c_void_p, POINTER(SettingsEntry), c_size_t, c_void_p)
SETTINGS_ACK_CB = CFUNCTYPE(c_int, c_void_p, c_void_p)
PING_ACK_CB = CFUNCTYPE(c_int, c_void_p, c_void_p, c_uint64, c_void_p)
GOAWAY_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_uint32, c_void_p, c_size_t, c_void_p)
FRAME_CB = CFUNCTYPE(c_int, c_void_p, POINTER(FrameInfo), c_void_p, c_void_p)
ERROR_CB = CFUNCTYPE(None, c_void_p, c_uint32, c_uint32, c_char_p, c_void_p)
ALTSVC_CB = CFUNCTYPE(
    c_int, c_void_p, c_uint32, c_void_p, c_size_t, c_void_p, c_size_t, c_void_p
)
ORIGIN_CB = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t, c_size_t, c_void_p)
PUSH_PROMISE_CB = CFUNCTYPE(c_int, c_void_p, c_uint32, c_uint32, c_void_p)
DATA_READ_FN = CFUNCTYPE(
    c_ssize_t, c_void_p, c_uint32, c_void_p, c_size_t, POINTER(c_uint32), c_void_p
)
DATA_WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_uint32, c_void_p, c_size_t, c_void_p)


class DataSource(Structure):
    """h2w_data_source: copied by the library at submit time."""

    _fields_ = [("read", DATA_READ_FN), ("write", DATA_WRITE_FN), ("user", c_void_p)]


# ---- prototypes ----------------------------------------------------------

_S = c_void_p  # h2w_session *
_P = c_void_p  # any other opaque handle


# ctypes converts a Python int to a C integer type by truncation, without
# complaint: 2**32 + 5 passed as uint32_t arrives as 5, 0x10004 stored in a
# uint16_t field as 4. Every integer that crosses the ABI is therefore
# range-checked first, and one that does not fit raises ValueError (the
# call is not made). Values that fit but that the library refuses still
# give H2WireError, as before.
INT_RANGES = {
    c_int: (-(1 << (8 * ctypes.sizeof(c_int) - 1)), (1 << (8 * ctypes.sizeof(c_int) - 1)) - 1),
    c_int32: (-(1 << 31), (1 << 31) - 1),
    c_uint8: (0, 0xFF),
    c_uint16: (0, 0xFFFF),
    c_uint32: (0, 0xFFFFFFFF),
    c_uint64: (0, (1 << 64) - 1),
    c_size_t: (0, (1 << (8 * ctypes.sizeof(c_size_t))) - 1),
    c_ssize_t: (-(1 << (8 * ctypes.sizeof(c_ssize_t) - 1)), (1 << (8 * ctypes.sizeof(c_ssize_t) - 1)) - 1),
}


def check_int(value, ctype, what):
    """`value` as a Python int if it fits the C integer type `ctype`;
    ValueError if it does not (TypeError if it is not an integer)."""
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
    lo, hi = INT_RANGES[ctype]
    if not lo <= v <= hi:
        raise ValueError(f"{what} = {v} is out of range for {ctype.__name__} ({lo}..{hi})")
    return v


def _checked(name, f, argtypes):
    """f, or a wrapper that range-checks its integer arguments first."""
    ints = [(i, t) for i, t in enumerate(argtypes) if t in INT_RANGES]
    if not ints:
        return f

    @functools.wraps(f)
    def call(*args):
        for i, t in ints:
            if i < len(args):
                a = args[i]
                if not isinstance(a, t):  # a ctypes instance is already typed
                    check_int(a, t, f"{name}() argument {i + 1}")
        return f(*args)

    return call


# name -> argument types of every prototype declared below (for the tests).
PROTOTYPES = {}


def _proto(name, restype, *argtypes):
    PROTOTYPES[name] = tuple(argtypes)
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    # CDLL looks attributes up on the instance first: later lib.<name>
    # calls go through the check.
    setattr(lib, name, _checked(name, f, argtypes))
    return f


_proto("h2w_strerror", c_char_p, c_int)
_proto("h2w_error_name", c_char_p, c_int)
_proto("h2w_http2_error_name", c_char_p, c_uint32)
_proto("h2w_version", c_char_p, POINTER(c_int), POINTER(c_int), POINTER(c_int))

_proto("h2w_callbacks_new", c_int, POINTER(_P), c_void_p)
_proto("h2w_callbacks_del", None, _P)
CALLBACK_SETTERS = {
    "on_begin_headers": BEGIN_HEADERS_CB,
    "on_header": HEADER_CB,
    "on_headers": HEADERS_CB,
    "on_data": DATA_CB,
    "on_stream_end": STREAM_END_CB,
    "on_stream_reset": STREAM_RESET_CB,
    "on_stream_close": STREAM_CLOSE_CB,
    "on_settings": SETTINGS_CB,
    "on_settings_ack": SETTINGS_ACK_CB,
    "on_ping_ack": PING_ACK_CB,
    "on_goaway": GOAWAY_CB,
    "on_frame_recv": FRAME_CB,
    "on_frame_send": FRAME_CB,
    "on_error": ERROR_CB,
    "on_altsvc": ALTSVC_CB,
    "on_origin": ORIGIN_CB,
    "on_extension_frame": FRAME_CB,
    "on_push_promise": PUSH_PROMISE_CB,
}
for _name, _type in CALLBACK_SETTERS.items():
    _proto("h2w_callbacks_set_" + _name, c_int, _P, _type)

_proto("h2w_options_new", c_int, POINTER(_P), c_void_p)
_proto("h2w_options_del", None, _P)
# option name -> C argument types after the handle
OPTION_SETTERS = {
    "max_concurrent_streams": (c_uint32,),
    "initial_window_size": (c_uint32,),
    "connection_window_size": (c_uint32,),
    "max_frame_size": (c_uint32,),
    "max_header_list_size": (c_uint32,),
    "max_header_fields": (c_uint32,),
    "header_table_size": (c_uint32,),
    "encoder_table_size": (c_uint32,),
    "manual_flow_control": (c_int,),
    "validate_messages": (c_int,),
    "settings_timeout": (c_uint32,),
    "max_control_queue": (c_uint32,),
    "shutdown_timeout": (c_uint32,),
    "enable_connect_protocol": (c_int,),
    "enable_push": (c_int,),
    "max_extension_payload": (c_uint32,),
    "glitch_limit": (c_uint32, c_uint32),
    "reset_limit": (c_uint32, c_uint32),
    "memory_budget": (c_size_t,),
    "keepalive": (c_uint32, c_uint32),
    "idle_timeout": (c_uint32,),
}
for _name, _args in OPTION_SETTERS.items():
    _proto("h2w_options_set_" + _name, c_int, _P, *_args)

_proto("h2w_session_client_new", c_int, POINTER(_S), _P, _P, c_void_p, c_void_p)
_proto("h2w_session_server_new", c_int, POINTER(_S), _P, _P, c_void_p, c_void_p)
_proto("h2w_session_del", None, _S)
_proto("h2w_session_upgrade_settings", c_ssize_t, _S, c_char_p, c_size_t)
_proto("h2w_session_upgrade", c_int, _S, c_char_p, c_size_t, c_int, c_void_p)
_proto("h2w_session_recv", c_ssize_t, _S, c_char_p, c_size_t)
_proto("h2w_session_send", c_ssize_t, _S, c_void_p, c_size_t)
_proto("h2w_session_want_read", c_int, _S)
_proto("h2w_session_want_write", c_int, _S)
_proto("h2w_session_tick", c_int, _S, c_uint64)
_proto("h2w_session_next_deadline", c_uint64, _S)
_proto(
    "h2w_session_submit_request", c_int32, _S, POINTER(NV), c_size_t,
    POINTER(DataSource), c_void_p,
)
_proto(
    "h2w_session_submit_response", c_int, _S, c_uint32, POINTER(NV), c_size_t,
    POINTER(DataSource),
)
_proto("h2w_session_submit_informational", c_int, _S, c_uint32, POINTER(NV), c_size_t)
_proto(
    "h2w_session_submit_push_promise", c_int32, _S, c_uint32, POINTER(NV), c_size_t,
    c_void_p,
)
_proto("h2w_session_submit_trailers", c_int, _S, c_uint32, POINTER(NV), c_size_t)
_proto("h2w_session_resume_data", c_int, _S, c_uint32)
_proto("h2w_session_submit_rst_stream", c_int, _S, c_uint32, c_uint32)
_proto("h2w_session_submit_ping", c_int, _S, c_char_p)
_proto("h2w_session_submit_settings", c_int, _S, POINTER(SettingsEntry), c_size_t)
_proto("h2w_session_submit_window_update", c_int, _S, c_uint32, c_uint32)
_proto("h2w_session_consume", c_int, _S, c_uint32, c_size_t)
_proto("h2w_session_submit_goaway", c_int, _S, c_uint32, c_char_p, c_size_t)
_proto("h2w_session_shutdown", c_int, _S)
_proto("h2w_priority_parse", c_int, c_char_p, c_size_t, POINTER(c_int), POINTER(c_int))
_proto("h2w_session_submit_priority_update", c_int, _S, c_uint32, c_char_p, c_size_t)
_proto("h2w_session_set_stream_priority", c_int, _S, c_uint32, c_int, c_int)
_proto(
    "h2w_session_stream_priority", c_int, _S, c_uint32, POINTER(c_int), POINTER(c_int)
)
_proto(
    "h2w_session_submit_altsvc", c_int, _S, c_uint32, c_char_p, c_size_t, c_char_p,
    c_size_t,
)
_proto(
    "h2w_session_submit_origin", c_int, _S, POINTER(c_char_p), POINTER(c_size_t),
    c_size_t,
)
_proto(
    "h2w_session_submit_extension", c_int, _S, c_uint8, c_uint8, c_uint32, c_char_p,
    c_size_t,
)
_proto("h2w_session_stream_state", c_int, _S, c_uint32)
_proto(
    "h2w_session_window", c_int, _S, c_uint32, POINTER(c_int32), POINTER(c_int32)
)
_proto("h2w_session_setting", c_int, _S, c_int, c_uint16, POINTER(c_uint32))
_proto(
    "h2w_session_error", c_int, _S, POINTER(c_uint32), POINTER(c_char_p),
    POINTER(c_uint64),
)
_proto("h2w_session_open_streams", c_uint32, _S)
_proto("h2w_session_is_server", c_int, _S)
_proto("h2w_session_memory", c_size_t, _S)

# Optional symbols: present only in newer libraries, looked up by name so
# that this binding keeps working with an older libh2wire.so.
HAVE_DUMP = hasattr(lib, "h2w_session_dump_json")
if HAVE_DUMP:
    _proto(
        "h2w_session_dump_json", c_int, _S, c_void_p, c_size_t, POINTER(c_size_t)
    )


def version():
    """The run-time library version string, e.g. "0.1.0"."""
    return lib.h2w_version(None, None, None).decode("ascii")
