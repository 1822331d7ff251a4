#!/usr/bin/env python3
"""Write the seed corpora of fuzz_session_server and fuzz_session_client.

A seed is the 5-octet header of fuzz/session_fuzz.h (4-octet rng seed, 1
flag octet: 0x1 manual flow control, 0x2 validation off, 0x4 limit of 3
streams, 0x8 NO_COPY bodies, 0x10 SETTINGS timeout) followed by the peer's
bytes: a client's for the server harness, a server's for the client
harness. Frames follow RFC 9113 §4.1 and §6; header blocks use a minimal
RFC 7541 encoder (static-table indexes and literals without indexing or
Huffman), enough for valid conversations and a few broken ones.

Usage: gen_session_seeds.py [fuzz/corpus]
"""
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


def write(folder, seeds):
    os.makedirs(folder, exist_ok=True)
    headers_ = {"": b"\x00\x00\x00\x01\x00", "_manual": b"\x12\x34\x56\x78\x01",
                "_nocopy": b"\x9a\xbc\xde\xf1\x08"}
    for name, body in sorted(seeds.items()):
        for suffix, head in headers_.items():
            with open(os.path.join(folder, name + suffix), "wb") as f:
                f.write(head + body)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(os.path.join(root, "session_server"), server_seeds())
    write(os.path.join(root, "session_client"), client_seeds())


if __name__ == "__main__":
    main()
