#!/usr/bin/python3
"""Check what h2w-bench's contenders emitted with a third decoder.

    h2w-bench --dump DIR hpack_encode server_rps client_rps
    /usr/bin/python3 bench/verify_hpack.py DIR [CORPUS]

h2w-bench validates each library's output with the other library's
decoder; a defect both share would pass. This script decodes everything
with python-hpack (Debian python3-hpack, an independent implementation of
RFC 7541) and parses the HTTP/2 framing itself (RFC 9113 §4.1):

  server_rps.<lib>.h2   every request stream 1, 3, 5... answered once:
                        one HEADERS with exactly the fields of
                        responses.expect, then one DATA with END_STREAM
                        and exactly its body; nothing else but SETTINGS,
                        WINDOW_UPDATE and PING on stream 0.
  client_rps.<lib>.h2   the connection preface, then request i on stream
                        2i+1 as one HEADERS (END_STREAM|END_HEADERS) with
                        exactly the fields of line i of requests.expect.
  hpack_encode.<lib>.txt every block of every raw-data story decodes, with
                        a fresh decoder per story, to exactly the fields
                        of that case in the corpus (CORPUS, default
                        /work/shared/hpack-test-case).

Prints one "VERIFY <file> ok <count>" line per file and exits 0, or
names the first difference and exits 1. Needs /usr/bin/python3 (where the
Debian package installs hpack)."""

import json
import os
import sys

try:
    import hpack
except ImportError:
    sys.stderr.write("verify_hpack: python-hpack missing "
                     "(apt-get install -y python3-hpack; run /usr/bin/python3)\n")
    sys.exit(77)

MAGIC = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS, PING, WINDOW_UPDATE = 0, 1, 4, 6, 8
END_STREAM, END_HEADERS = 0x1, 0x4


class Mismatch(Exception):
    pass


def frames(buf, off=0):
    while off < len(buf):
        if len(buf) - off < 9:
            raise Mismatch("truncated frame header at %d" % off)
        n = int.from_bytes(buf[off:off + 3], "big")
        ftype, flags = buf[off + 3], buf[off + 4]
        sid = int.from_bytes(buf[off + 5:off + 9], "big") & 0x7FFFFFFF
        if len(buf) - off - 9 < n:
            raise Mismatch("truncated frame at %d" % off)
        yield ftype, flags, sid, buf[off + 9:off + 9 + n]
        off += 9 + n


def parse_fields(line):
    out = []
    for item in line.split():
        if item.startswith("body:"):
            continue
        name, value = item.split(":")
        out.append((bytes.fromhex(name), bytes.fromhex(value)))
    return out


def decode(dec, block):
    try:
        return [(bytes(n), bytes(v)) for n, v in dec.decode(block, raw=True)]
    except hpack.HPACKError as e:
        raise Mismatch("python-hpack cannot decode a block: %r" % e)


def control(ftype, sid):
    return ftype in (SETTINGS, WINDOW_UPDATE, PING) and sid == 0


def check_server(path, fields, body):
    dec = hpack.Decoder()
    state = {}
    for ftype, flags, sid, payload in frames(open(path, "rb").read()):
        if control(ftype, sid):
            continue
        if sid % 2 != 1:
            raise Mismatch("frame type %d on stream %d" % (ftype, sid))
        st = state.get(sid, 0)
        if ftype == HEADERS and flags == END_HEADERS and st == 0:
            got = decode(dec, payload)
            if got != fields:
                raise Mismatch("stream %d: fields %r, want %r" % (sid, got, fields))
            state[sid] = 1
        elif ftype == DATA and flags == END_STREAM and st == 1:
            if payload != body:
                raise Mismatch("stream %d: body differs" % sid)
            state[sid] = 2
        else:
            raise Mismatch("stream %d: frame type %d flags 0x%x in state %d"
                           % (sid, ftype, flags, st))
    done = sorted(s for s, v in state.items() if v == 2)
    if done != list(range(1, 2 * len(done), 2)) or len(done) != len(state):
        raise Mismatch("responses incomplete or out of range")
    return len(done)


def check_client(path, expect):
    buf = open(path, "rb").read()
    if not buf.startswith(MAGIC):
        raise Mismatch("no connection preface")
    dec = hpack.Decoder()
    i = 0
    for ftype, flags, sid, payload in frames(buf, len(MAGIC)):
        if control(ftype, sid):
            continue
        if (ftype != HEADERS or flags != END_STREAM | END_HEADERS
                or i >= len(expect) or sid != 2 * i + 1):
            raise Mismatch("frame type %d flags 0x%x on stream %d (request %d)"
                           % (ftype, flags, sid, i))
        got = decode(dec, payload)
        if got != expect[i]:
            raise Mismatch("request %d: fields %r, want %r" % (i, got, expect[i]))
        i += 1
    if i != len(expect):
        raise Mismatch("%d of %d requests" % (i, len(expect)))
    return i


def check_encode(path, corpus):
    stories = {}
    dec, story, blocks = None, None, 0
    for line in open(path):
        spath, caseno, block = line.rstrip("\n").split("\t")
        if spath != story:
            story, dec = spath, hpack.Decoder()
            full = spath if os.path.isabs(spath) else os.path.join(corpus, spath)
            stories[spath] = json.load(open(full))["cases"]
        case = stories[spath][int(caseno)]
        want = [(k.encode(), v.encode()) for h in case["headers"]
                for k, v in h.items()]
        got = decode(dec, bytes.fromhex(block))
        if got != want:
            raise Mismatch("%s case %s: %r, want %r" % (spath, caseno, got, want))
        blocks += 1
    if blocks == 0:
        raise Mismatch("no blocks")
    return blocks


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: verify_hpack.py DIR [CORPUS]\n")
        return 2
    d = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) == 3 else "/work/shared/hpack-test-case"
    jobs = []
    for lib in ("h2wire", "nghttp2"):
        if os.path.exists(os.path.join(d, "server_rps.%s.h2" % lib)):
            line = open(os.path.join(d, "responses.expect")).read().split()
            body = bytes.fromhex([x for x in line if x.startswith("body:")][0][5:])
            jobs.append(("server_rps.%s.h2" % lib, lambda p, f=parse_fields(" ".join(line)), b=body:
                         check_server(p, f, b)))
        if os.path.exists(os.path.join(d, "client_rps.%s.h2" % lib)):
            expect = [parse_fields(l) for l in open(os.path.join(d, "requests.expect"))]
            jobs.append(("client_rps.%s.h2" % lib, lambda p, e=expect: check_client(p, e)))
        if os.path.exists(os.path.join(d, "hpack_encode.%s.txt" % lib)):
            jobs.append(("hpack_encode.%s.txt" % lib, lambda p: check_encode(p, corpus)))
    if not jobs:
        sys.stderr.write("verify_hpack: nothing to check in %s\n" % d)
        return 1
    for name, fn in jobs:
        try:
            n = fn(os.path.join(d, name))
        except Mismatch as e:
            print("VERIFY %s FAILED: %s" % (name, e))
            return 1
        print("VERIFY %s ok %d" % (name, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
