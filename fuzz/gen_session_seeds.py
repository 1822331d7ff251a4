#!/usr/bin/env python3
"""Write the seed corpora of fuzz_session_server, fuzz_session_client and
fuzz_hpack_diff.

A session seed is the 7-octet header of fuzz/session_fuzz.h (2-octet rng
seed, flags, limits, op-script length (2), callback-script length), the
op script, the callback script, then the peer's bytes: a client's for the
server harness, a server's for the client harness. Flags: 0x1 manual flow
control, 0x2 validation off, 0x4 3 streams, 0x8 NO_COPY bodies, 0x10
timers (SETTINGS timeout, keepalive, idle), 0x20 small glitch/reset
limits and memory budget, 0x40 allocation number 1+limits fails, 0x80
small protocol limits. Every conversation is written plain and with a
few flag/script variants; every docs/security.md row has at least one seed.
Frames follow RFC 9113 §4.1 and §6; header blocks use a minimal RFC 7541
encoder (static-table indexes and literals without indexing or Huffman),
plus hand-made broken blocks.

fuzz_hpack_diff seeds are sequences of blocks from the hpack-test-case
stories, plus the row 12/13 blocks. The stories come from the second
argument, else $H2W_HPACK_TEST_CASE_DIR, else the subset shipped in
tests/data/hpack-test-case; the committed seeds were made from the whole
corpus (the first 6 stories of each folder), so pass it to reproduce them.

Usage: gen_session_seeds.py [fuzz/corpus] [hpack-test-case dir]
"""
import json
import os
import struct
import sys

MAGIC = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WU, CONT = range(10)
ES, ACK, EH, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20

# RFC 7541 Appendix A entries the seeds use: (name, value) -> index.
STATIC = {
    (":method", "GET"): 2, (":method", "POST"): 3, (":path", "/"): 4,
    (":scheme", "http"): 6, (":scheme", "https"): 7, (":status", "200"): 8,
    (":status", "204"): 9, (":status", "404"): 13,
}
STATIC_NAMES = {":authority": 1, ":path": 4, ":status": 8,
                "content-length": 28, "content-type": 31}


def hpack_int(value, prefix, first=0):
    """RFC 7541 §5.1 integer with a `prefix`-bit prefix."""
    limit = (1 << prefix) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def hpack_str(s):
    b = s.encode()
    return hpack_int(len(b), 7) + b


def block(fields):
    """A header block: indexed when in the static table, else a literal
    without indexing (RFC 7541 §6.1, §6.2.2)."""
    out = b""
    for name, value in fields:
        if (name, value) in STATIC:
            out += hpack_int(STATIC[(name, value)], 7, 0x80)
        elif name in STATIC_NAMES:
            out += hpack_int(STATIC_NAMES[name], 4) + hpack_str(value)
        else:
            out += b"\x00" + hpack_str(name) + hpack_str(value)
    return out


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def settings(*pairs, ack=False):
    return frame(SETTINGS, ACK if ack else 0, 0,
                 b"".join(struct.pack(">HI", i, v) for i, v in pairs))


def headers(stream, fields, flags=EH):
    return frame(HEADERS, flags, stream, block(fields))


def data(stream, payload, flags=0):
    return frame(DATA, flags, stream, payload)


def u32(v):
    return struct.pack(">I", v)


GET = [(":method", "GET"), (":scheme", "https"),
       (":authority", "example.org"), (":path", "/")]
POST = [(":method", "POST"), (":scheme", "https"),
        (":authority", "example.org"), (":path", "/up"),
        ("content-length", "5")]
OK = [(":status", "200"), ("content-type", "text/plain")]
CLIENT_START = MAGIC + settings() + settings(ack=True)
SERVER_START = settings((3, 100)) + settings(ack=True)


def server_seeds():
    cont = block(GET + [("x-long", "v" * 40)])
    return {
        "get": CLIENT_START + headers(1, GET, ES | EH),
        "post": CLIENT_START + headers(1, POST) + data(1, b"hel") +
        data(1, b"lo", ES),
        "trailers": CLIENT_START + headers(1, POST[:4]) + data(1, b"x" * 100) +
        headers(1, [("x-sum", "1")], ES | EH),
        "three_streams": CLIENT_START + headers(1, GET, ES | EH) +
        headers(3, GET, ES | EH) + frame(WU, 0, 0, u32(100000)) +
        frame(PING, 0, 0, b"12345678") + headers(5, POST[:4]) +
        frame(RST, 0, 5, u32(8)),
        "continuation": CLIENT_START + frame(HEADERS, ES, 1, cont[:10]) +
        frame(CONT, 0, 1, cont[10:30]) + frame(CONT, EH, 1, cont[30:]),
        "small_window": MAGIC + settings((4, 1), (5, 20000)) +
        settings(ack=True) + headers(1, GET, ES | EH) +
        frame(WU, 0, 1, u32(1000)) + frame(WU, 0, 1, u32(50000)) +
        settings((4, 65535)),
        "padded_priority": CLIENT_START +
        frame(HEADERS, PADDED | PRIO | EH, 1,
              b"\x03" + u32(0) + b"\x10" + block(POST[:4]) + b"\0\0\0") +
        frame(DATA, PADDED | ES, 1, b"\x02ab\0\0") +
        frame(PRIORITY, 0, 3, u32(1) + b"\x05"),
        "goaway": CLIENT_START + headers(1, GET, EH) +
        frame(GOAWAY, 0, 0, u32(0) + u32(0) + b"bye"),
        "bad_preface": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "data_on_idle": CLIENT_START + data(1, b"x"),
        "wu_zero": CLIENT_START + headers(1, GET, EH) + frame(WU, 0, 1, u32(0)),
        "bad_hpack": CLIENT_START + frame(HEADERS, EH | ES, 1, b"\xff\xff\x7f"),
        "content_length": CLIENT_START + headers(1, POST) +
        data(1, b"toolong", ES),
        "uppercase": CLIENT_START + headers(1, GET + [("X-Up", "1")], EH | ES),
    }


def client_seeds():
    return {
        "response": SERVER_START + headers(1, OK) + data(1, b"hello", ES),
        "both": SERVER_START + headers(1, OK) + data(1, b"a") +
        frame(WU, 0, 0, u32(100000)) + frame(WU, 0, 3, u32(100000)) +
        headers(3, [(":status", "204")], ES | EH) + data(1, b"b", ES),
        "informational": SERVER_START +
        headers(1, [(":status", "103"), ("link", "</a>")]) +
        headers(1, OK, ES | EH),
        "trailers": SERVER_START + headers(1, OK) + data(1, b"abc") +
        headers(1, [("x-sum", "1")], ES | EH),
        "goaway": SERVER_START + headers(1, OK) +
        frame(GOAWAY, 0, 0, u32(1) + u32(0)) + data(1, b"z", ES),
        "rst": SERVER_START + frame(RST, 0, 3, u32(7)) +
        frame(PING, 0, 0, b"abcdefgh") + headers(1, OK, ES | EH),
        "settings_change": settings((4, 0), (5, 16384), (1, 0)) +
        settings(ack=True) + frame(WU, 0, 3, u32(10)) +
        settings((4, 65535)) + headers(1, [(":status", "404")], ES | EH),
        "push_promise": SERVER_START +
        frame(PUSH, EH, 1, u32(2) + block(GET)),
        "bad_status": SERVER_START + headers(1, [(":status", "2x0")], ES | EH),
        "not_settings": frame(PING, 0, 0, b"12345678"),
        "data_beyond_window": SERVER_START + headers(1, OK) +
        b"".join(data(1, b"\0" * 16384) for _ in range(5)),
    }


def client_push_seeds():
    """Server push (RFC 9113 §8.4) to a client that enabled it."""
    css = [(":method", "GET"), (":scheme", "https"),
           (":authority", "example.org"), (":path", "/pushed.css")]
    return {
        "push_accepted": SERVER_START +
        frame(PUSH, EH, 1, u32(2) + block(css)) + headers(1, OK) +
        headers(2, OK) + data(2, b"p{}", ES) + data(1, b"page", ES),
        "push_two_then_rst": SERVER_START +
        frame(PUSH, EH, 1, u32(2) + block(css)) +
        frame(PUSH, EH, 1, u32(4) + block(css)) + frame(RST, 0, 4, u32(8)) +
        headers(2, OK, ES | EH) + headers(1, OK, ES | EH),
        "push_data_before_headers": SERVER_START +
        frame(PUSH, EH, 1, u32(2) + block(css)) + data(2, b"x", ES),
    }



def lit(name, value, first=0x00):
    """A literal with a new name (RFC 7541 §6.2): 0x00 without indexing,
    0x40 with incremental indexing, 0x10 never indexed."""
    return bytes([first]) + hpack_str(name) + hpack_str(value)


def hblock(stream, raw, flags=EH | ES):
    return frame(HEADERS, flags, stream, raw)


GET_BLOCK = block(GET)


def req(stream, flags=EH | ES, extra=()):
    return headers(stream, GET + list(extra), flags)


def server_attacks():
    """docs/security.md rows, as a client would send them (the server's input)."""
    c = CLIENT_START
    many = lambda n, f: b"".join(f(i) for i in range(n))
    bomb = block(GET) + lit("x-bomb", "a" * 4000, 0x40) + b"\xbe" * 300
    return {
        "a01_ping_flood": c + many(300, lambda i: frame(PING, 0, 0, u32(i) * 2)),
        "a02_settings_flood": c + many(200, lambda i: settings((4, 100 + i))),
        "a02_settings_40_entries": c + settings(*[(4, i) for i in range(40)]),
        "a02_settings_huge_header": c + b"\xff\xff\xff\x04\x00\0\0\0\0",
        "a03_reset_flood": c + many(150, lambda i: req(2 * i + 1, extra=[
            ("X-Bad", "1")])),
        "a04_empty_data": c + req(1, EH) + many(100, lambda i: data(1, b"")),
        "a04_empty_continuation": c + frame(HEADERS, 0, 1, b"") +
        many(100, lambda i: frame(CONT, 0, 1, b"")),
        "a05_empty_name": c + many(100, lambda i: hblock(
            2 * i + 1, GET_BLOCK + lit("", "v"))),
        "a06_big_window_unread": MAGIC + settings((4, 0x7fffffff)) +
        settings(ack=True) + frame(WU, 0, 0, u32(0x7fff0000)) +
        many(20, lambda i: req(2 * i + 1)),
        "a07_dribble": MAGIC + settings((4, 1)) + settings(ack=True) +
        req(1) + many(300, lambda i: frame(WU, 0, 1, u32(1))),
        "a08_priority_self": c + frame(PRIORITY, 0, 1, u32(1) + b"\x10"),
        "a08_priority_len4": c + frame(PRIORITY, 0, 1, u32(0)),
        "a08_priority_stream0": c + frame(PRIORITY, 0, 0, u32(3) + b"\x10"),
        "a08_priority_flood": c + many(500, lambda i: frame(
            PRIORITY, 0, 2 * i + 1, u32(0) + b"\x10")),
        "a09_rapid_reset": c + many(200, lambda i: req(2 * i + 1, EH) +
                                     frame(RST, 0, 2 * i + 1, u32(8))),
        "a10_made_you_reset": c + req(1, EH) + frame(WU, 0, 1, u32(0)) +
        req(3, EH) + frame(WU, 0, 3, u32(0x7fffffff)) +
        frame(WU, 0, 3, u32(0x7fffffff)) + req(5, EH) +
        frame(PRIORITY, 0, 5, u32(0)) + req(7) + data(7, b"x") +
        headers(9, POST[:4]) + b"".join(data(9, b"\0" * 16384)
                                         for _ in range(5)),
        "a11_continuation_flood": c + frame(HEADERS, 0, 1, GET_BLOCK) +
        many(20, lambda i: frame(CONT, 0, 1, lit("x-%d" % i, "v"))) +
        frame(CONT, EH, 1, b""),
        "a11_frame_inside_block": c + frame(HEADERS, 0, 1, GET_BLOCK) +
        frame(PING, 0, 0, b"12345678") + frame(CONT, EH, 1, b""),
        "a11_eight_continuations": c + frame(HEADERS, ES, 1, GET_BLOCK[:2]) +
        many(7, lambda i: frame(CONT, 0, 1, b"")) +
        frame(CONT, EH, 1, GET_BLOCK[2:]),
        "a12_hpack_bomb": c + hblock(1, bomb),
        "a13_int_overflow": c + hblock(1, b"\xff\xff\xff\xff\xff\xff\x7f"),
        "a13_huffman_eos": c + hblock(1, GET_BLOCK + b"\x00\x84\xff\xff\xff\xff\x01v"),
        "a13_huffman_bad_pad": c + hblock(1, GET_BLOCK + b"\x00\x81\x00\x01v"),
        "a13_index_0": c + hblock(1, b"\x80"),
        "a13_index_past_table": c + hblock(1, b"\xbf\x10"),
        "a13_size_update_big": c + hblock(1, b"\x3f\xe1\x7f" + GET_BLOCK),
        "a13_size_update_late": c + hblock(1, GET_BLOCK + b"\x20"),
        "a13_three_size_updates": c + hblock(1, b"\x20\x20\x20" + GET_BLOCK),
        "a14_even_id": c + req(2),
        "a14_decreasing_id": c + req(5) + req(3),
        "a14_data_idle": c + data(7, b"x"),
        "a14_id_max": c + req(0x7fffffff) + req(1),
        "a15_concurrency": c + many(120, lambda i: req(2 * i + 1, EH)),
        "a16_wu_zero_conn": c + frame(WU, 0, 0, u32(0)),
        "a16_conn_overflow": c + frame(WU, 0, 0, u32(0x7fffffff)),
        "a16_iws_too_big": MAGIC + settings((4, 0x80000000)),
        "a16_negative_window": MAGIC + settings() + settings(ack=True) +
        headers(1, POST[:4], EH | ES) + settings((4, 0)) +
        frame(WU, 0, 1, u32(10)) + settings((4, 65535)),
        "a17_cl_short": c + headers(1, POST) + data(1, b"abc", ES),
        "a17_cl_plus": c + headers(1, POST[:4] + [("content-length", "+5")]) +
        data(1, b"hello", ES),
        "a17_cl_excess": c + headers(1, POST) + data(1, b"hello") +
        data(1, b"!", ES),
        "a18_injection": c + hblock(1, GET_BLOCK + lit("x-a", "a\r\nb")) +
        hblock(3, GET_BLOCK + lit("x:b", "1")) +
        hblock(5, GET_BLOCK + lit("x-c", " pad ")) +
        hblock(7, GET_BLOCK + lit("connection", "close")) +
        hblock(9, GET_BLOCK + lit("te", "gzip")) +
        hblock(11, GET_BLOCK + b"\x84") +
        hblock(13, GET_BLOCK + lit(":foo", "1")) +
        hblock(15, block(GET[:3]) + lit("x-d", "1") + b"\x84") +
        hblock(17, block(GET[:3])) +
        hblock(19, GET_BLOCK + lit("x-e", "a\0b")),
        "a18_pseudo_in_trailers": c + headers(1, POST[:4]) +
        hblock(1, b"\x84"),
        "a20_input_after_error": c + frame(WU, 0, 0, u32(0)) + req(1) +
        frame(PING, 0, 0, b"12345678"),
    }


def client_attacks():
    """docs/security.md rows that a server can aim at a client."""
    s = SERVER_START
    many = lambda n, f: b"".join(f(i) for i in range(n))
    return {
        "a01_ping_flood": s + many(300, lambda i: frame(PING, 0, 0, u32(i) * 2)),
        "a02_settings_flood": s + many(200, lambda i: settings((4, 100 + i))),
        "a03_rst_flood": s + frame(RST, 0, 1, u32(2)) + frame(RST, 0, 3, u32(2)),
        "a04_empty_data": s + headers(1, OK) + many(100, lambda i: data(1, b"")),
        "a11_continuation_flood": s + frame(HEADERS, 0, 1, block(OK)) +
        many(20, lambda i: frame(CONT, 0, 1, lit("x-%d" % i, "v"))),
        "a12_hpack_bomb": s + hblock(1, block(OK) + lit("x", "a" * 4000, 0x40)
                                     + b"\xbe" * 300),
        "a13_bad_hpack": s + hblock(1, b"\x20\x20\x20\x88"),
        "a14_push_disabled": s + frame(PUSH, EH, 1, u32(2) + GET_BLOCK),
        "a16_window_abuse": s + frame(WU, 0, 1, u32(0)) +
        frame(WU, 0, 0, u32(0x7fffffff)),
        "a17_cl_mismatch": s + headers(1, OK + [("content-length", "3")]) +
        data(1, b"toolong", ES),
        "a18_bad_status": s + hblock(1, block([(":status", "200")]) +
                                     lit("Upper", "x")),
        "a20_after_error": s + frame(PING, 0, 1, b"12345678") +
        headers(1, OK, ES | EH),
    }


# Op codes and callback actions of fuzz/session_fuzz*.h.
FEED, FEED_BYTES, SEND, PEEK, DRAIN, TICK = range(6)
O_RST, O_PING, O_GOAWAY, O_SHUTDOWN, O_SETTINGS, O_ANSWER, O_WU, O_CONSUME, \
    O_RESUME, O_TRAILERS, O_INFO, O_PROBE, DEADLINE, UPGRADE = range(6, 20)
A_PAUSE, A_FAIL, A_RST, A_PING, A_GOAWAY, A_SHUTDOWN, A_SETTINGS, A_ANSWER, \
    A_WU = range(1, 10)


def seed(body, flags=0, limits=0, ops=b"", cbs=b"", rng=1):
    return struct.pack(">HBBHB", rng, flags, limits, len(ops), len(cbs)) + \
        ops + cbs + body


def ops(*pairs):
    return bytes(b for p in pairs for b in p)


# Script variants written for every conversation besides the plain one.
VARIANTS = {
    "": dict(),
    "_manual": dict(flags=0x01, rng=0x1234),
    "_nocopy_timers": dict(flags=0x18, rng=0x9abc),
    "_ops": dict(ops=ops((FEED, 60), (PEEK, 7), (SEND, 3), (TICK, 200),
                         (O_PING, 1), (FEED_BYTES, 31), (O_ANSWER, 0x13),
                         (O_RESUME, 0), (DRAIN, 0), (O_SETTINGS, 0x25),
                         (FEED, 0), (DEADLINE, 0), (O_SHUTDOWN, 0),
                         (PEEK, 200), (DRAIN, 0)),
                 cbs=ops((2, A_PAUSE), (1, 0x10 | A_ANSWER), (0, 1),
                         (3, A_RST | 0x80), (4, A_WU | 0x10), (2, A_PING))),
    "_limits": dict(flags=0xa0, limits=0x23, rng=7),
    "_alloc": dict(flags=0x40, limits=30, rng=3),
}

# Small glitch and reset budgets (flag 0x20, limits 0xe3: bursts of 4
# glitches and 1 reset, the 4 MiB memory budget) with the clock started
# first, for the docs/security.md rows: the budgets are off until the
# first tick (h2w_session_tick()). Output is written before the peer's
# bytes come, so that a client's requests are on the wire.
LIMITS_CLOCK = dict(flags=0x20, limits=0xe3, rng=7,
                    ops=ops((TICK, 1), (DRAIN, 0), (FEED, 0), (DRAIN, 0)))

# The client harness enables push when the seed's first octet has its top
# bit set.
PUSH_VARIANTS = {
    "": dict(rng=0x8001),
    "_ops": dict(VARIANTS["_ops"], rng=0x8002),
    "_limits": dict(VARIANTS["_limits"], rng=0x8007),
}

# Upgrade scripts (docs/security.md row 19): first op, then the peer's bytes.
UPGRADE_SERVER = {
    "a19_upgrade": ops((UPGRADE, 0x01), (FEED, 0)),
    "a19_upgrade_bad_settings": ops((UPGRADE, 0x04), (FEED, 0)),
    "a19_upgrade_late": ops((FEED, 0), (UPGRADE, 0x01)),
}


def contract_seeds():
    """Issue 14 regression seeds for the server harness (the reentrancy
    contract). A: stream 1's body is read in the output queue (send() with
    room under 4 KB, or peek()) while stream 3, a POST still open, is
    answered from inside read() with a 36 KB header block (action 0x87:
    kind 8 on another known stream, big field): before the fix the queue's
    realloc freed the buffer read() was filling. With action 0x46 read()
    submits a PING instead (the misframed-DATA variant). B: a stream reset
    by the peer closes, and every callback, on_stream_close included,
    calls tick (refused). J: a connection error with streams open: each
    ends once, ascending, with H2W_CLOSE_FLAG_CONNECTION."""
    body = CLIENT_START + headers(1, GET, ES | EH) + headers(3, POST[:4])
    answer = ops(*([(0, 0x87)] * 90 + [(0, 0x46)] * 37))
    pings = ops(*([(0, 0x46)] * 127))
    small_sends = ops((FEED, 0), *([(SEND, 100)] * 60), (DRAIN, 0))
    peeks = ops((FEED, 0), *([(PEEK, 3), (PEEK, 200)] * 40), (DRAIN, 0))
    return {
        "issue14_a_submit_in_read_send": seed(body, ops=small_sends,
                                              cbs=answer, rng=2),
        "issue14_a_submit_in_read_peek": seed(body, ops=peeks, cbs=answer,
                                              rng=2),
        "issue14_a_ping_in_read_send": seed(body, ops=small_sends, cbs=pings,
                                            rng=2),
        "issue14_b_tick_in_close": seed(
            CLIENT_START + headers(1, POST[:4]) + frame(RST, 0, 1, u32(8)) +
            headers(3, GET, ES | EH),
            ops=ops((TICK, 10), (FEED, 0), (O_ANSWER, 0), (DRAIN, 0),
                    (TICK, 10)), cbs=ops((0, 0x0b)), rng=9),
        "issue14_j_close_on_error": seed(
            CLIENT_START + headers(1, POST[:4]) + headers(3, POST[:4]) +
            headers(5, GET, ES | EH) + frame(PING, 0, 1, b"12345678"),
            ops=ops((FEED, 0), (DRAIN, 0)), rng=11),
    }


# Extended mode (fuzz/session_fuzz_api.h): bit 0x40 of the seed's first
# octet; the second octet picks the options (0x02 CONNECT protocol, 0x04
# max_frame_size, 0x08 ... 16777215, 0x10 max_extension_payload, 0x20
# windows near 2^31-1, 0x40 a large decoder table, 0x80 an odd encoder
# cap). A probe op or callback action with bit 3 of its parameter set
# makes one more API call, chosen by the parameter's low three bits.
ALTSVC, ORIGIN = 0xa, 0xc
API_OPS = ops(*[(O_PROBE, 8 | k) for k in range(8)])
API_CBS = ops(*[(1, ((8 | k) << 4) | 0x0e) for k in range(8)])


def altsvc(stream, origin, value):
    return frame(ALTSVC, 0, stream, struct.pack(">H", len(origin)) +
                 origin + value)


def origin_frame(*origins):
    return frame(ORIGIN, 0, 0, b"".join(struct.pack(">H", len(o)) + o
                                        for o in origins))


def ext_seeds():
    """(folder, name, seed) of the extended-mode seeds."""
    connect = [(":method", "CONNECT"), (":protocol", "websocket"),
               (":scheme", "https"), (":authority", "example.org"),
               (":path", "/chat")]
    # A table size update to 20000 (our table: 4081 + 257 * 70 octets).
    tables = hblock(1, hpack_int(20000, 5, 0x20) + GET_BLOCK + b"".join(
        lit("x-big%d" % i, "v" * 3000, 0x40) for i in range(6)))
    server = {
        "x_connect": (0x4002, CLIENT_START + headers(1, connect) +
                      data(1, b"frame") + req(3), 0),
        "x_bigframe": (0x400c, MAGIC + settings((5, 16777215)) +
                       settings(ack=True) + headers(1, POST[:4]) +
                       data(1, b"b" * 40000, ES), 0),
        "x_windows": (0x4020, CLIENT_START + req(1) +
                      frame(WU, 0, 0, u32(0x7fffffff - 65535)) +
                      frame(WU, 0, 1, u32(0x7fffffff - 65535)) +
                      frame(WU, 0, 0, u32(1)), 0),
        "x_tables": (0x40c0, MAGIC + settings((1, 65536)) +
                     settings(ack=True) + tables + req(3), 70),
        "x_ext_frames": (0x4010, CLIENT_START + req(1) +
                         frame(0x20, 0, 0, b"x" * 10) +
                         frame(0x21, 3, 1, b"y" * 100) +
                         altsvc(0, b"https://example.org", b"h2=\":1\"") +
                         origin_frame(b"https://example.org"), 16),
        "x_api": (0x40ff, CLIENT_START + req(1) + headers(3, POST[:4]) +
                  frame(0x10, 0, 0, u32(3) + b"u=0") + data(3, b"x", ES), 5),
    }
    client = {
        "x_altsvc_origin": (0x4010, SERVER_START + headers(1, OK) +
                            altsvc(0, b"https://example.org", b"h2=\":1\"") +
                            altsvc(1, b"", b"clear") +
                            origin_frame(b"https://example.org",
                                         b"https://b.example.org") +
                            frame(0x30, 1, 1, b"z" * 20) + data(1, b"a", ES),
                            16),
        "x_connect": (0x4002, settings((3, 100), (8, 1)) + settings(ack=True) +
                      headers(1, OK) + data(1, b"a", ES), 0),
        "x_windows": (0x4020, SERVER_START +
                      frame(WU, 0, 0, u32(0x7fffffff - 65535)) +
                      headers(1, OK) + data(1, b"a", ES), 0),
        "x_api": (0xc0ff, SERVER_START + headers(1, OK) +
                  frame(PUSH, EH, 1, u32(2) + block(GET)) +
                  data(1, b"a", ES), 3),
    }
    # Auto-ack (extended mode without bit 0x20 of the first octet) with the
    # timers (flag 0x10):
    # the peer answers our BDP PINGs and SETTINGS, window autotuning runs.
    bulk = b"".join(data(1, b"d" * 16000) for _ in range(12))
    paced = ops(*[(FEED, 200), (TICK, 30), (DRAIN, 0)] * 40)
    autoack = [
        ("session_server", "x_autoack", seed(
            CLIENT_START + headers(1, POST[:4]) + bulk + data(1, b"", ES),
            flags=0x10, ops=ops((FEED, 60), (DRAIN, 0)) + paced, rng=0x4000)),
        ("session_client", "x_autoack", seed(
            SERVER_START + headers(1, OK) + bulk + data(1, b"", ES),
            flags=0x10, ops=ops((O_ANSWER, 0), (DRAIN, 0)) + paced,
            rng=0x4000)),
    ]
    out = autoack
    lead = ops((O_ANSWER, 0), (FEED, 0))
    for folder, table in (("session_server", server),
                          ("session_client", client)):
        for name, (rng, body, limits) in sorted(table.items()):
            first = lead if folder == "session_client" else ops((FEED, 0))
            for suffix, script, cbs in (
                    ("", first + API_OPS + ops((DRAIN, 0)), b""),
                    ("_cbs", first + ops((DRAIN, 0)) + API_OPS, API_CBS)):
                out.append((folder, name + suffix,
                            seed(body, limits=limits, ops=script, cbs=cbs,
                                 rng=rng)))
    return out


PRIO_UPDATE = 0x10


def prio_update(stream, value):
    """RFC 9218 §7.1 PRIORITY_UPDATE on stream 0 for `stream`."""
    return frame(PRIO_UPDATE, 0, 0, u32(stream) + value.encode())


def feed_exact(n):
    """FEED ops for exactly n octets (an arg of 0 would feed everything)."""
    out = []
    while n > 0:
        k = min(n, 127)
        out.append((FEED, k))
        n -= k
    return out


def coverage_seeds():
    """(folder, name, seed) aimed at paths the conversations above miss
    (README "Fuzzing and coverage"): timers that need a silent or an
    answering peer, window autotuning with round trips that change,
    RFC 9218 priority syntax and PRIORITY_UPDATE bookkeeping, a CONNECT
    tunnel receiving HEADERS, and the extended mode's argument sweeps
    (probe 0x0c: fz_api_bad and fz_api_args; option bit 0x01: the option
    setters' range checks)."""
    out = []
    c = CLIENT_START
    # Keepalive (flag 0x10: 1000 ms interval, 500 ms timeout): the PING
    # goes out and nothing comes back; then with every PING slot taken by
    # the application; idle timeout (3000 ms) with an auto-ack peer
    # (extended mode, rng 0x40xx), whose PING ACKs keep keepalive happy.
    silent = ops((FEED, 0), (DRAIN, 0), (DEADLINE, 0), (DRAIN, 0),
                 (DEADLINE, 0), (DRAIN, 0), (DEADLINE, 0), (DEADLINE, 0))
    slots = ops((FEED, 0), *([(O_PING, 0)] * 9), (DEADLINE, 0), (DRAIN, 0),
                (DEADLINE, 0), (DEADLINE, 0), (DRAIN, 0), (DEADLINE, 0))
    idle = ops((FEED, 0), (DRAIN, 0), *([(DEADLINE, 0), (DRAIN, 0)] * 10))
    # The auto-ack peer's scripted bytes carry no SETTINGS ACK of their
    # own (fz_autoack sends it).
    no_ack = {"session_server": MAGIC + settings(),
              "session_client": settings((3, 100))}
    for folder in ("session_server", "session_client"):
        body = c if folder == "session_server" else SERVER_START
        out.append((folder, "c_keepalive_unanswered",
                    seed(body, flags=0x10, ops=silent, rng=0x0101)))
        out.append((folder, "c_keepalive_app_pings",
                    seed(body, flags=0x10, ops=slots, rng=0x0102)))
        out.append((folder, "c_idle_timeout",
                    seed(no_ack[folder], flags=0x10, ops=idle, rng=0x4001)))
    # Autotuning (flag 0x10, auto-ack): round trips of 1 ms while whole
    # 16 KB frames arrive (the window grows), then 10 s of clock (the
    # minimum RTT expires) and round trips of 100 ms over small frames:
    # the rate falls, the targets shrink. Each FEED is exactly one frame,
    # so that the auto-ack answers at a frame boundary.
    big = [data(1, b"d" * 16375) for _ in range(8)]
    small = [data(1, b"s" * 100) for _ in range(24)]
    for folder, name, flags in (("session_server", "c_autotune_rtt", 0x10),
                                ("session_server", "c_autotune_rtt_manual",
                                 0x11),
                                ("session_client", "c_autotune_rtt", 0x10)):
        head = no_ack[folder] + (headers(1, POST[:4])
                                 if folder == "session_server" else
                                 headers(1, OK))
        lead = feed_exact(len(head))
        script = lead + [(DRAIN, 0)]
        for _ in range(len(big) // 4):  # 64 KB a round trip: it grows
            script += [(FEED, 255)] * 4 + [(TICK, 1), (DRAIN, 0)]
        script += [(TICK, 137), (DRAIN, 0)]
        for fr in small:
            script += feed_exact(len(fr)) + [(TICK, 100), (DRAIN, 0),
                                             (O_CONSUME, 0)]
        script += [(TICK, 137)] + [(FEED, 109), (TICK, 120), (DRAIN, 0)] * 4
        body = head + b"".join(big) + b"".join(small) + \
            b"".join(data(1, b"t" * 100) for _ in range(4)) + \
            data(1, b"", ES)
        out.append((folder, name, seed(body, flags=flags, ops=ops(*script),
                                       rng=0x4002)))
    # RFC 9218: PRIORITY_UPDATE for idle streams (kept, replaced, taken
    # by the request), the MAX_CONCURRENT_STREAMS rule (flag 0x04: 3), a
    # flood beyond the notes kept (a glitch), and priority fields with
    # quoted strings, escapes, inner lists, parameters, bare keys and
    # broken syntax, on one line or several.
    values = ['u=1', 'u=2, i', 'u=3;x="a\\"b", l=(a "b)" c);q, i=?0',
              'u', 'i=?1;p', 'x=(a b', 'x="open', 'u=1,', 'u=1;', 'a=)',
              ', u=1', 'u=4, x=*t', 'U=1', 'u=1 i', 'x=1;;', 'x=1;A']
    pu = b"".join(prio_update(5 + 2 * i, v) for i, v in enumerate(values))
    out.append(("session_server", "c_priority_update_idle", seed(
        c + prio_update(5, "u=1") + prio_update(5, "u=2") + pu +
        req(5) + req(7) + prio_update(9, "u=0") + req(11) +
        prio_update(1, "u=6") + prio_update(2, "u=1"),
        ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0103)))
    out.append(("session_server", "c_priority_update_flood", seed(
        c + b"".join(prio_update(101 + 2 * i, "u=%d" % (i % 8))
                     for i in range(40)) + req(1),
        ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0104)))
    out.append(("session_server", "c_priority_update_limit", seed(
        c + b"".join(prio_update(3 + 2 * i, "u=1") for i in range(5)),
        flags=0x04, ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0105)))
    fields = b""
    for i, v in enumerate(values):
        fields += req(1 + 2 * i, extra=[("priority", v)])
    multi = [[("priority", "u=2"), ("priority", "i")],
             [("priority", "u=2"), ("priority", "")],
             [("priority", "(")], [("priority", "u=5"), ("priority", "(")]]
    for j, extra in enumerate(multi):
        fields += req(1 + 2 * (len(values) + j), extra=extra)
    out.append(("session_server", "c_priority_fields", seed(
        c + fields, ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0106)))
    # RFC 9113 §8.5: a plain CONNECT request, its tunnel's DATA, then
    # HEADERS on the tunnel (a stream error), and on another tunnel
    # trailers with END_STREAM.
    connect = [(":method", "CONNECT"), (":authority", "example.org:443")]
    head = c + headers(1, connect)
    out.append(("session_server", "c_connect_tunnel_headers", seed(
        head + data(1, b"tunnel") +
        headers(1, [("x-in-tunnel", "1")]) + data(1, b"x") +
        headers(3, connect) + data(3, b"y") +
        headers(3, [("x-t", "1")], EH | ES) + req(5),
        ops=ops(*feed_exact(len(head)), (O_ANSWER, 0), (DRAIN, 0), (FEED, 0),
                (DRAIN, 0), (O_GOAWAY, 0xc0), (DRAIN, 0)),
        rng=0x0107)))
    # Extended mode with option bit 0x01 and probes 0x0c (argument and
    # contract sweeps), from ops and from callbacks (action 0xce).
    sweep = ops(*([(O_PROBE, 0x0c)] * 12))
    cbs = ops(*([(0, 0xce)] * 12))
    out.append(("session_server", "c_arg_sweep", seed(
        c + headers(1, POST[:4]) + req(3),
        ops=ops((FEED, 0)) + sweep + ops((DRAIN, 0)), cbs=cbs, rng=0x4101)))
    out.append(("session_server", "c_arg_sweep_fresh", seed(
        c + headers(1, POST[:4]) + req(3),
        ops=sweep + ops((FEED, 0), (DRAIN, 0)), rng=0x4103)))
    out.append(("session_client", "c_arg_sweep", seed(
        SERVER_START + headers(1, OK) + data(1, b"a", ES),
        ops=sweep + ops((FEED, 0), (DRAIN, 0)) + sweep, cbs=cbs,
        rng=0x4101)))
    # h2c upgrade with the broken HTTP2-Settings values of fz_upgrade
    # (op arg >> 2 picks the server's, arg >> 3 the client's with arg 4).
    up_body = c + headers(1, [("x", "1")], EH) + req(3)
    for k in range(4, 8):
        out.append(("session_server", "c_upgrade_bad_%d" % k, seed(
            up_body, ops=ops((UPGRADE, k << 2), (FEED, 0), (DRAIN, 0)),
            rng=0x0110 + k)))
    for k in range(8):
        out.append(("session_client", "c_upgrade_bad_%d" % k, seed(
            SERVER_START + headers(1, OK, EH | ES),
            ops=ops((UPGRADE, 4 | k << 3), (FEED, 0), (DRAIN, 0)),
            rng=0x0120 + k)))
    # Server push (RFC 9113 §8.4), client side with push on (rng 0x80xx):
    # a promise on a stream we reset (op 6 on stream 1, CANCEL), more promises than our
    # MAX_CONCURRENT_STREAMS (flag 0x04: 3) once they open, and under a
    # small memory budget (flag 0x20, limits 0x20: 8 KiB).
    css = [(":method", "GET"), (":scheme", "https"),
           (":authority", "example.org"), (":path", "/p.css")]
    promises = b"".join(frame(PUSH, EH, 1, u32(2 * i) + block(css))
                        for i in range(1, 7))
    opened = b"".join(headers(2 * i, OK) for i in range(1, 7))
    out.append(("session_client", "c_push_on_reset_stream", seed(
        SERVER_START + frame(PUSH, EH, 1, u32(2) + block(css)) +
        headers(3, OK, EH | ES),
        ops=ops((DRAIN, 0), (O_RST, 8), (DRAIN, 0), (FEED, 0), (DRAIN, 0)),
        rng=0x8131)))
    out.append(("session_client", "c_push_concurrency", seed(
        SERVER_START + headers(1, OK) + promises + opened +
        data(1, b"x", ES), flags=0x04, ops=ops((DRAIN, 0), (FEED, 0), (DRAIN, 0)),
        rng=0x8132)))
    out.append(("session_client", "c_push_budget", seed(
        SERVER_START + headers(1, OK) + promises + promises.replace(
            u32(2), u32(14)) + opened + data(1, b"x", ES),
        flags=0x20, limits=0x20, ops=ops((DRAIN, 0), (FEED, 0), (DRAIN, 0)),
        rng=0x8133)))
    # Server side: the client's frames on a stream we reserved with
    # PUSH_PROMISE (op 11 with arg 0x10: promise, then answer), before and
    # after it resets it.
    head = c + req(1, EH)
    out.append(("session_server", "c_push_reserved_frames", seed(
        head + frame(WU, 0, 2, u32(100)) + prio_update(2, "u=1") +
        frame(PRIORITY, 0, 2, u32(0) + b"\x10") + frame(RST, 0, 2, u32(8)) +
        frame(WU, 0, 2, u32(100)) + data(2, b"x") + req(3),
        ops=ops(*feed_exact(len(head)), (O_ANSWER, 0x10), (DRAIN, 0),
                (FEED, 0), (DRAIN, 0)), rng=0x0134)))
    # H2W_CB_RESET_STREAM (callback action 0xe2) from on_begin_headers,
    # on_header, on_headers and on_data (the gap picks the callback: the
    # numbers are those callbacks' places in the run), then frames on
    # the reset stream.
    srv = c + headers(1, POST[:4]) + data(1, b"abc") + data(1, b"d", ES) + \
        req(3) + headers(5, POST[:4]) + data(5, b"x" * 100, ES) + req(7)
    for at in (4, 6, 9, 11, 17, 31):
        out.append(("session_server", "c_cb_reset_stream_%d" % at, seed(
            srv, ops=ops((FEED, 0), (DRAIN, 0)), cbs=ops((at, 0xe2)),
            rng=0x0141)))
    cli = SERVER_START + headers(1, OK) + data(1, b"abc") + \
        headers(3, OK) + data(3, b"x" * 100) + data(1, b"e", ES) + \
        data(3, b"", ES)
    for at in (8, 9, 11, 13, 20):
        out.append(("session_client", "c_cb_reset_stream_%d" % at, seed(
            cli, ops=ops((DRAIN, 0), (FEED, 0), (DRAIN, 0)),
            cbs=ops((at, 0xf2)), rng=0x0141)))
    # Keepalive: the PING is still unanswered when its timeout passes, but
    # the peer sent another frame meanwhile (alive: a new PING in the old
    # slot).
    out.append(("session_server", "c_keepalive_alive", seed(
        c + frame(WU, 0, 0, u32(100)),
        flags=0x10, ops=ops(*feed_exact(len(c)), (DRAIN, 0), (DEADLINE, 0),
                            (DRAIN, 0), (DEADLINE, 0), (DRAIN, 0), (FEED, 0),
                            (DEADLINE, 0), (DRAIN, 0), (DEADLINE, 0)),
        rng=0x0160)))
    # RFC 9113 §6.9.2: a stream send window at 2^31-1 (the peer's
    # WINDOW_UPDATE), then an INITIAL_WINDOW_SIZE that raises it past
    # (alone, and followed in the same frame by one that would bring it
    # back: the overflow counts, defect I).
    up = c + headers(1, POST[:4]) + frame(WU, 0, 1, u32(0x7fffffff - 65535))
    out.append(("session_server", "c_iws_overflow", seed(
        up + settings((4, 65536)) + data(1, b"x", ES),
        ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0170)))
    out.append(("session_server", "c_iws_overflow_then_back", seed(
        up + settings((4, 65536), (4, 65535)) + data(1, b"x", ES),
        ops=ops((FEED, 0), (DRAIN, 0)), rng=0x0171)))
    # The getters (op 17) after a GOAWAY received with an error code, and
    # on a request whose content-length is still being counted.
    out.append(("session_client", "c_probe_after_goaway", seed(
        SERVER_START + headers(1, OK + [("content-length", "10")]) +
        data(1, b"abc") + frame(GOAWAY, 0, 0, u32(3) + u32(11) + b"calm"),
        ops=ops((DRAIN, 0), *feed_exact(len(SERVER_START) + 40),
                (O_PROBE, 0), (FEED, 0), (O_PROBE, 1), (DRAIN, 0),
                (O_PROBE, 2)), rng=0x0172)))
    out.append(("session_server", "c_probe_content_length", seed(
        c + headers(1, POST) + data(1, b"he"),
        ops=ops((FEED, 0), (O_PROBE, 0), (O_PROBE, 1), (DRAIN, 0)),
        rng=0x0173)))
    # DATA beyond the stream window but within the connection's (flag
    # 0x80, limits 23: a 368-octet stream window, acknowledged).
    # (Our smaller decoder table, acknowledged, needs a Dynamic Table Size
    # Update at the start of the next block, RFC 7541 §4.2.)
    out.append(("session_server", "c_data_past_stream_window", seed(
        c + hblock(1, b"\x20" + block(POST[:4]), EH) + data(1, b"w" * 1000) +
        req(3),
        flags=0x80, limits=23, ops=ops((DRAIN, 0), (FEED, 0), (DRAIN, 0)),
        rng=0x0174)))
    # The transport closes inside the client's connection preface (the
    # final h2w_session_eof() runs for one rng in two: several seeds).
    for k in range(4):
        out.append(("session_server", "c_eof_in_preface_%d" % k,
                    seed(MAGIC[:10], rng=0x0150 + k)))
    return out


# Allocation failures (flag 0x40: allocation 1 + limits fails, and with
# the low bit of the seed's second octet every later one) in these seeds,
# at the allocations that reached code the other seeds do not (found by
# trying every one of 1-256, both ways, and keeping what libFuzzer's
# -merge=1 kept): {folder: {seed: [(limits, sticky), ...]}}.
ALLOC_SWEEP = {
    "session_server": {
        "a09_rapid_reset": [(4, 0), (26, 0)],
        "c_arg_sweep": [(3, 0), (3, 1), (4, 1), (5, 0), (6, 0), (7, 1), (8, 0), (8, 1), (9, 1), (10, 0), (10, 1), (11, 0), (11, 1), (12, 0), (12, 1), (15, 1), (17, 1), (250, 0)],
        "c_connect_tunnel_headers": [(8, 0)],
        "c_keepalive_unanswered": [(1, 1)],
        "c_priority_update_idle": [(2, 0), (4, 0), (4, 1), (9, 1), (10, 0), (11, 1), (13, 1), (156, 0)],
        "issue14_j_close_on_error": [(7, 0), (8, 1), (10, 0), (183, 0)],
        "post_ops": [(2, 0), (3, 0), (3, 1), (4, 0)],
        "three_streams_ops": [(7, 1)],
        "x_api_cbs": [(1, 0), (2, 1), (4, 0), (5, 0), (9, 1), (11, 1), (15, 1)],
        "x_autoack": [(4, 1), (5, 1), (9, 1)],
    },
    "session_client": {
        "c_arg_sweep": [(2, 0), (3, 1), (4, 1), (5, 0), (5, 1), (10, 1), (12, 1), (13, 0), (13, 1), (14, 0), (16, 1), (17, 0), (17, 1), (18, 0), (19, 0), (20, 1), (21, 0), (22, 0), (22, 1), (24, 0), (89, 0)],
        "c_autotune_rtt": [(4, 1)],
        "c_idle_timeout": [(2, 1), (11, 1)],
        "c_keepalive_unanswered": [(1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (6, 1), (8, 0), (9, 0), (9, 1)],
        "goaway": [(2, 0), (4, 0), (4, 1)],
        "push_accepted_ops": [(12, 0), (20, 1)],
        "trailers_ops": [(2, 1), (3, 1), (4, 1)],
        "x_api_cbs": [(4, 1), (6, 1), (9, 1), (10, 1)],
    },
}


def alloc_sweep_seeds(root):
    """(folder, name, seed) of ALLOC_SWEEP, made from the seeds written
    before (so call it after them)."""
    out = []
    for folder, table in sorted(ALLOC_SWEEP.items()):
        for name, picks in sorted(table.items()):
            with open(os.path.join(root, folder, name), "rb") as f:
                base = f.read()
            for limits, sticky in picks:
                d = bytearray(base)
                d[1] = (d[1] & 0xfe) | sticky
                d[2] |= 0x40
                d[3] = limits
                out.append((folder, "c_alloc_%s_%d_%d" % (name, limits, sticky),
                            bytes(d)))
    return out


def write(folder, seeds, variants=VARIANTS):
    os.makedirs(folder, exist_ok=True)
    for name, body in sorted(seeds.items()):
        for suffix, v in variants.items():
            with open(os.path.join(folder, name + suffix), "wb") as f:
                f.write(seed(body, **v))


def hpack_diff_seeds(stories):
    """Sequences of blocks sharing one table: [ctl][len: 2][block]."""
    out = {}
    for sub in ("go-hpack", "nghttp2", "python-hpack", "swift-nio-hpack"):
        folder = os.path.join(stories, sub)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder))[:6]:
            with open(os.path.join(folder, name)) as f:
                cases = json.load(f)["cases"][:12]
            blob = b""
            for i, case in enumerate(cases):
                wire = bytes.fromhex(case["wire"])
                ctl = (i % 4) << 3  # whole, 1-octet, halves, thirds
                blob += bytes([ctl]) + struct.pack(">H", len(wire)) + wire
            out["%s_%s" % (sub, name.split(".")[0])] = blob
    rows = {
        "a12_bomb": lit("x-bomb", "a" * 4000, 0x40) + b"\xbe" * 300,
        "a13_int_overflow": b"\xff\xff\xff\xff\xff\xff\x7f",
        "a13_eos": b"\x00\x84\xff\xff\xff\xff\x01v",
        "a13_pad": b"\x00\x81\x00\x01v",
        "a13_index0": b"\x80",
        "a13_past_table": b"\xbf\x10",
        "a13_update_big": b"\x3f\xe1\x7f",
        "a13_update_late": b"\x82\x20",
        "a13_three_updates": b"\x20\x20\x20\x82",
        "never_indexed": lit("secret", "v", 0x10) + b"\x82",
        "indexed_then_ref": lit("x-a", "1", 0x40) + b"\xbe",
    }
    for name, blk in rows.items():
        out[name] = b"\x00" + struct.pack(">H", len(blk)) + blk + \
            b"\x80" + struct.pack(">H", 2) + b"\x20\xbe"  # shrink to 0
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    stories = sys.argv[2] if len(sys.argv) > 2 else (
        os.environ.get("H2W_HPACK_TEST_CASE_DIR") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
            "hpack-test-case"))
    server = os.path.join(root, "session_server")
    client = os.path.join(root, "session_client")
    write(server, server_seeds())
    write(client, client_seeds())
    write(client, client_push_seeds(), PUSH_VARIANTS)
    few = {k: VARIANTS[k] for k in ("", "_limits")}
    few["_limits_clock"] = LIMITS_CLOCK
    write(server, server_attacks(), few)
    write(client, client_attacks(), few)
    for name, blob in contract_seeds().items():
        with open(os.path.join(server, name), "wb") as f:
            f.write(blob)
    for name, script in UPGRADE_SERVER.items():
        body = CLIENT_START + headers(1, [("x", "1")], EH) + req(3)
        write(server, {name: body}, {"": dict(ops=script)})
    write(client, {"a19_upgrade": SERVER_START + headers(1, OK, EH | ES) +
                   data(1, b"x")}, {"": dict(ops=ops((UPGRADE, 1)))})
    for folder, name, blob in ext_seeds() + coverage_seeds():
        with open(os.path.join(root, folder, name), "wb") as f:
            f.write(blob)
    for folder, name, blob in alloc_sweep_seeds(root):
        with open(os.path.join(root, folder, name), "wb") as f:
            f.write(blob)
    out = os.path.join(root, "hpack_diff")
    os.makedirs(out, exist_ok=True)
    for name, blob in sorted(hpack_diff_seeds(stories).items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
