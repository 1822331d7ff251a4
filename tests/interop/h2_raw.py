"""A raw HTTP/2 peer for the interop tests: it sends exactly the octets a
scenario needs (bad prefaces, unfinished header blocks, a client that
never reads) and reports what the server did, one line on stdout.

Usage: h2_raw.py PORT SCENARIO
  h1-garbage      not HTTP/1.1, not the preface      -> "http1 <status>"
  bad-magic       "PRI * HTTP/2.0\\r\\n\\r\\nXX..."     -> "goaway <code>"
  bad-after-line  "PRI * HTTP/2.0\\r\\n" + garbage     -> "goaway <code>"
  idle            preface, SETTINGS, then silence    -> "ping? goaway <code>"
  ping-after-shutdown  preface, SETTINGS, "ready" on stdout once the
                  server's SETTINGS came; then (the caller stops the
                  server: h2w_session_shutdown()) answers the shutdown
                  PING, waits for the final GOAWAY, sends a PING and reads
                  until the server closes
                                              -> "goaway <code> ack? eof|reset"
  header-stall    HEADERS without END_HEADERS        -> "goaway <code>"
  no-read         GET a huge body, never read        -> "closed <octets>"
  expect-100      POST /echo with expect: 100-continue -> "headers <n>"
  no-expect       POST /echo without it              -> "headers <n>"
Or, as a server for h2w-client:
  h2_raw.py serve-ping PORTFILE [--late-ping MS] [--ignore-pings] [CERT KEY]
  listens on 127.0.0.1 (TLS with ALPN h2 when CERT and KEY are given),
  writes its port to PORTFILE, answers one GET with 200 and, in a separate
  write (a separate TLS record), a PING, both corked into one TCP segment
  so that the PING is already waiting; answers the client's PINGs (not
  with --ignore-pings); then reads until the client
  closes                                             -> "ack? goaway <code> eof|reset"
  With --late-ping the PING waits instead until the client's GOAWAY has
  arrived (nothing the client sent is processed before), then MS more
  milliseconds: it reaches a client that has already said goodbye
                                          -> "goaway <code> ack? eof|reset"
Only 127.0.0.1; every wait is bounded (the server's timers are set small
by the caller); on a timeout it prints "timeout".
"""

import socket
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 4, 6, 7, 8


def frame(ftype, flags, sid, payload=b""):
    """RFC 9113 §4.1 frame header + payload."""
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def lit(name, value):
    """HPACK literal without indexing, new name, no Huffman (RFC 7541 §6.2.2)."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def post_echo(expect):
    # :method POST (static 3), :scheme http (7), :path and :authority by
    # literal with an indexed name (RFC 7541 §6.2.2, indices 4 and 1).
    block = b"\x83\x86" + b"\x04\x05/echo" + b"\x01\x09127.0.0.1"
    if expect:
        block += lit(b"expect", b"100-continue")
    return frame(HEADERS, 0x4, 1, block)  # END_HEADERS, not END_STREAM


def frames(sock, deadline):
    """Yield (type, flags, sid, payload) until EOF or the deadline."""
    buf = b""
    while True:
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + n:
                break
            yield buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF, buf[9 : 9 + n]
            buf = buf[9 + n :]
        left = deadline - time.monotonic()
        if left <= 0:
            yield None
            return
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            yield None
            return
        except ConnectionResetError:
            return
        if not data:
            return
        buf += data


def until_goaway(sock, seconds, note=""):
    for f in frames(sock, time.monotonic() + seconds):
        if f is None:
            return "timeout"
        ftype, flags, _, payload = f
        if ftype == PING and not flags & 1:
            note = "ping "
        if ftype == GOAWAY:
            return f"{note}goaway {int.from_bytes(payload[4:8], 'big')}"
    return note + "closed without goaway"


def has_goaway(buf):
    """True if the complete frames at the start of buf include a GOAWAY."""
    while len(buf) >= 9:
        n = int.from_bytes(buf[:3], "big")
        if len(buf) < 9 + n:
            return False
        if buf[3] == GOAWAY:
            return True
        buf = buf[9 + n :]
    return False


def serve_ping(portfile, *args):
    late_ping = None  # seconds, or None: the PING right behind the 200
    ignore_pings = False
    args = list(args)
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--late-ping":
            late_ping = int(args.pop(0)) / 1000
        elif opt == "--ignore-pings":
            ignore_pings = True
        else:
            sys.exit(f"serve-ping: unknown option {opt}")
    cert, key = args if args else (None, None)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(20)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    import os

    os.rename(portfile + ".tmp", portfile)
    s, _ = ls.accept()
    if cert:
        import ssl

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["h2"])
        s = ctx.wrap_socket(s, server_side=True)
    s.settimeout(10)
    buf = b""
    while len(buf) < len(PREFACE):
        buf += s.recv(65536)
    s.sendall(frame(SETTINGS, 0, 0))
    rest = buf[len(PREFACE) :]
    got, answered = [], False
    deadline = time.monotonic() + 10

    def consume(data):
        nonlocal answered
        out = []
        while len(data) >= 9:
            n = int.from_bytes(data[:3], "big")
            if len(data) < 9 + n:
                break
            ftype, flags = data[3], data[4]
            sid = int.from_bytes(data[5:9], "big") & 0x7FFFFFFF
            payload = data[9 : 9 + n]
            data = data[9 + n :]
            if ftype == SETTINGS and not flags & 1:
                s.sendall(frame(SETTINGS, 1, 0))
            if ftype == HEADERS and sid == 1 and not answered:
                answered = True
                # :status 200 (static index 8), END_STREAM|END_HEADERS; then
                # the PING in a write (and TLS record) of its own. Corked,
                # the two writes leave in one segment: the PING is surely
                # waiting when the client has read the response, whatever
                # the scheduler does between our two writes.
                cork = getattr(socket, "TCP_CORK", None)
                if late_ping is None and cork is not None:
                    s.setsockopt(socket.IPPROTO_TCP, cork, 1)
                s.sendall(frame(HEADERS, 0x5, 1, b"\x88"))
                if late_ping is None:
                    s.sendall(frame(PING, 0, 0, b"lastping"))
                    if cork is not None:
                        s.setsockopt(socket.IPPROTO_TCP, cork, 0)
                else:
                    # Nothing the client sends is processed until its
                    # GOAWAY is here: the PING crosses the GOAWAY, and
                    # reaches the client before our answer to any PING it
                    # sent along (RFC 9113 §6.8: still processed, §6.7:
                    # still answered).
                    while not has_goaway(data) and time.monotonic() < deadline:
                        more = s.recv(65536)
                        if not more:
                            break
                        data += more
                    time.sleep(late_ping)
                    s.sendall(frame(PING, 0, 0, b"lateping"))
            if ftype == PING and flags & 1:
                out.append("ack")
            elif ftype == PING and not ignore_pings:
                s.sendall(frame(PING, 1, 0, payload))
            if ftype == GOAWAY:
                out.append(f"goaway {int.from_bytes(payload[4:8], 'big')}")
        return out, data

    try:
        while time.monotonic() < deadline:
            ev, rest = consume(rest)
            got += ev
            more = s.recv(65536)
            if not more:
                got.append("eof")
                break
            rest += more
        else:
            got.append("timeout")
    except (ConnectionResetError, BrokenPipeError):
        got.append("reset")
    except OSError as e:  # ssl.SSLError: EOF without close_notify and the like
        got.append(f"error {e.__class__.__name__}")
    print(" ".join(got))


def main():
    if sys.argv[1] == "serve-ping":
        serve_ping(*sys.argv[2:])
        return
    port, scenario = int(sys.argv[1]), sys.argv[2]
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    hello = PREFACE + frame(SETTINGS, 0, 0) + frame(SETTINGS, 1, 0)
    if scenario == "h1-garbage":
        s.sendall(b"GARBAGE\r\n\r\n")
        s.settimeout(10)
        data = b""
        while b"\r\n" not in data:
            more = s.recv(4096)
            if not more:
                break
            data += more
        print("http1 " + (data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "none"))
    elif scenario == "bad-magic":
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + b"\0" * 32)
        print(until_goaway(s, 10))
    elif scenario == "bad-after-line":
        s.sendall(b"PRI * HTTP/2.0\r\nhello, this is not HTTP/2 at all\r\n\r\n")
        print(until_goaway(s, 10))
    elif scenario == "idle":
        s.sendall(hello)
        print(until_goaway(s, 10))
    elif scenario == "ping-after-shutdown":
        # RFC 9113 §6.8: the server that said GOAWAY still processes what
        # arrives, and a PING gets its ACK (§6.7).
        s.sendall(hello)
        seen, ready = "closed without goaway", False
        for f in frames(s, time.monotonic() + 10):
            if f is None:
                seen = "timeout"
                break
            ftype, flags, _, payload = f
            if ftype == SETTINGS and not ready:
                # The server's preface: its session runs, a shutdown now
                # goes through it.
                ready = True
                print("ready", flush=True)
            if ftype == PING and not flags & 1:
                s.sendall(frame(PING, 1, 0, payload))
            # The final GOAWAY, not the first one of the shutdown (2^31-1).
            if ftype == GOAWAY and int.from_bytes(payload[:4], "big") != 0x7FFFFFFF:
                seen = f"goaway {int.from_bytes(payload[4:8], 'big')}"
                break
        if not seen.startswith("goaway"):
            print(seen)
            return
        buf, end = b"", "eof"
        try:
            s.sendall(frame(PING, 0, 0, b"afterbye"))
            s.settimeout(10)
            while True:
                data = s.recv(65536)
                if not data:
                    break
                buf += data
        except (ConnectionResetError, BrokenPipeError):
            end = "reset"
        except socket.timeout:
            end = "timeout"
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            if buf[3] == PING and buf[4] & 1 and buf[9 : 9 + n] == b"afterbye":
                seen += " ack"
            buf = buf[9 + n :]
        print(f"{seen} {end}")
    elif scenario == "header-stall":
        # :method GET, :scheme http, :path /, and no END_HEADERS: a
        # CONTINUATION must follow and never does.
        s.sendall(hello + frame(HEADERS, 0x1, 1, b"\x82\x86\x84"))
        print(until_goaway(s, 10))
    elif scenario == "no-read":
        big = 0x7FFFFFFF
        settings = frame(SETTINGS, 0, 0, struct.pack(">HI", 4, big))  # INITIAL_WINDOW_SIZE
        wu = frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", big - 65535))
        block = b"\x82\x86" + b"\x04\x11/bytes/1000000000" + b"\x01\x09127.0.0.1"
        s.sendall(PREFACE + settings + frame(SETTINGS, 1, 0) + wu + frame(HEADERS, 0x5, 1, block))
        time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 3)
        total, deadline = 0, time.monotonic() + 20
        s.settimeout(5)
        try:
            while time.monotonic() < deadline:
                data = s.recv(1 << 20)
                if not data:
                    break
                total += len(data)
            else:
                print("timeout")
                return
        except (ConnectionResetError, socket.timeout):
            pass
        print(f"closed {total}")
    elif scenario in ("expect-100", "no-expect"):
        s.sendall(hello + post_echo(scenario == "expect-100"))
        # No body is sent: whatever HEADERS arrive on stream 1 within a
        # second are the 100 (if any) and the 200 of /echo.
        n = 0
        for f in frames(s, time.monotonic() + 1.0):
            if f is None or f[0] == DATA:
                break
            n += f[0] == HEADERS and f[2] == 1
        print(f"headers {n}")
    else:
        sys.exit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main()
