"""python3 -m h2wire.get [options] URL...

A small blocking HTTP/2 client over sockets: GETs every URL and writes the
response bodies to stdout, exactly their bytes, in the order of the URLs.
Requests to the same origin share one connection and run concurrently.
Diagnostics go to stderr. Exit status 0 only when every URL got a complete
response (any status; with --fail, a status below 400).

  http://   with --prior-knowledge: h2c, the preface right away
            (RFC 9113 §3.3); without it: an HTTP/1.1 request with
            "Upgrade: h2c" (RFC 7540 §3.2), fails if the server declines.
  https://  TLS through Python's ssl module, offering only "h2" by ALPN
            (RFC 9113 §3.2); certificates are verified unless --insecure.
"""

import argparse
import socket
import ssl
import sys
import time
import urllib.parse

from . import (
    DataReceived,
    GoAwayReceived,
    H2WireError,
    ResponseReceived,
    Session,
    StreamClosed,
    version,
)

_READ_SIZE = 65536


class Fetch:
    """One URL: its request, its response and where its body goes."""

    def __init__(self, index, url, parts):
        self.index = index
        self.url = url
        self.parts = parts
        self.status = None
        self.body = []  # held until it is this URL's turn on stdout
        self.done = False
        self.error = None

    def request_headers(self):
        p = self.parts
        path = p.path or "/"
        if p.query:
            path += "?" + p.query
        return [
            (":method", "GET"),
            (":scheme", p.scheme),
            (":authority", p.netloc.rpartition("@")[2]),
            (":path", path),
            ("user-agent", "h2wire-python/" + version()),
            ("accept", "*/*"),
        ]


class Output:
    """Writes bodies to stdout in URL order: the body of the next URL in
    line streams straight through, later ones wait until it is done."""

    def __init__(self, fetches, stream):
        self.fetches = fetches
        self.stream = stream
        self.next = 0

    def data(self, f, chunk):
        if f.index == self.next:
            self.stream.write(chunk)
        else:
            f.body.append(chunk)

    def advance(self):
        while self.next < len(self.fetches) and (
            self.fetches[self.next].done or self.fetches[self.next].error
        ):
            self.next += 1
            if self.next < len(self.fetches):
                f = self.fetches[self.next]
                for chunk in f.body:
                    self.stream.write(chunk)
                f.body = []
        self.stream.flush()


def _connect(parts, args):
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = socket.create_connection((host, port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if parts.scheme == "https":
        ctx = ssl.create_default_context()
        if args.insecure:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname=host)
        if sock.selected_alpn_protocol() != "h2":
            sock.close()
            raise ConnectionError("the server did not choose h2 by ALPN")
    return sock


def _upgrade(sock, session, first):
    """The HTTP/1.1 Upgrade to h2c with `first` as its request. Returns
    the bytes that followed the 101 head (the start of HTTP/2)."""
    settings = session.upgrade_settings()
    h = dict(first.request_headers())
    head = (
        f"GET {h[':path']} HTTP/1.1\r\nHost: {h[':authority']}\r\n"
        f"User-Agent: {h['user-agent']}\r\nAccept: */*\r\n"
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        f"HTTP2-Settings: {settings}\r\n\r\n"
    )
    sock.sendall(head.encode("latin-1"))
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(_READ_SIZE)
        if not chunk or len(buf) > 65536:
            raise ConnectionError("no HTTP/1.1 answer to the upgrade request")
        buf += chunk
    resp, _, rest = buf.partition(b"\r\n\r\n")
    status_line = resp.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or fields[1] != "101":
        raise ConnectionError(
            f"the server declined h2c ({status_line!r}); try --prior-knowledge"
        )
    session.upgrade(settings)
    return rest


def _handle(ev, by_stream, out, verbose):
    f = by_stream.get(getattr(ev, "stream_id", None))
    if isinstance(ev, ResponseReceived) and f is not None:
        f.status = int(dict(ev.headers).get(b":status", b"0"))
        if verbose:
            print(f"< {f.url}: {f.status}", file=sys.stderr)
            for name, value in ev.headers[1:]:
                print(f"< {name.decode()}: {value.decode('latin-1')}", file=sys.stderr)
    elif isinstance(ev, DataReceived) and f is not None:
        out.data(f, ev.data)
    elif isinstance(ev, StreamClosed) and f is not None:
        if ev.reset or f.status is None:
            why = "not processed (GOAWAY)" if ev.retryable else f"reset ({ev.error_code!r})"
            f.error = f"stream {why}"
        else:
            f.done = True
        del by_stream[ev.stream_id]
        out.advance()
    elif isinstance(ev, GoAwayReceived) and verbose:
        print(f"< GOAWAY {ev.error_code!r} last={ev.last_stream_id}", file=sys.stderr)


def fetch_origin(fetches, args, out):
    """Fetch every URL of one origin over one connection."""
    parts = fetches[0].parts
    sock = _connect(parts, args)
    try:
        with Session.client() as s:
            by_stream = {}
            pending = b""
            todo = list(fetches)
            if parts.scheme == "http" and not args.prior_knowledge:
                pending = _upgrade(sock, s, todo[0])
                by_stream[1] = todo.pop(0)  # the upgrade request is stream 1
            for f in todo:
                by_stream[s.send_request(f.request_headers())] = f
            t0 = time.monotonic()
            while by_stream:
                s.tick(int((time.monotonic() - t0) * 1000))
                data = s.data_to_send()
                if data:
                    sock.sendall(data)
                if pending:
                    events, pending = s.receive(pending), b""
                else:
                    chunk = sock.recv(_READ_SIZE)
                    if not chunk:
                        raise ConnectionError("connection closed by the server")
                    events = s.receive(chunk)
                for ev in events:
                    _handle(ev, by_stream, out, args.verbose)
            s.close()
            sock.sendall(s.data_to_send())
    finally:
        sock.close()


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m h2wire.get",
        description="GET URLs over HTTP/2 with libh2wire; bodies go to stdout.",
    )
    ap.add_argument("urls", metavar="URL", nargs="+")
    ap.add_argument(
        "--prior-knowledge", action="store_true",
        help="http:// URLs: speak HTTP/2 at once instead of the h2c Upgrade",
    )
    ap.add_argument("-k", "--insecure", action="store_true",
                    help="https:// URLs: do not verify the certificate")
    ap.add_argument("-f", "--fail", action="store_true",
                    help="a status of 400 or more counts as a failure")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds to connect, and to wait for any read (30)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="response status and header fields on stderr")
    args = ap.parse_args(argv)

    fetches = []
    for i, url in enumerate(args.urls):
        parts = urllib.parse.urlsplit(url)
        f = Fetch(i, url, parts)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            f.error = "only http:// and https:// URLs are supported"
        fetches.append(f)
    out = Output(fetches, sys.stdout.buffer)
    origins = {}
    for f in fetches:
        if f.error is None:
            key = (f.parts.scheme, f.parts.hostname, f.parts.port)
            origins.setdefault(key, []).append(f)
    out.advance()
    for group in origins.values():
        try:
            fetch_origin(group, args, out)
        except (OSError, ConnectionError, H2WireError) as e:
            for f in group:
                if not f.done and f.error is None:
                    f.error = str(e) or type(e).__name__
        out.advance()

    ok = True
    for f in fetches:
        if f.error is None and not f.done:
            f.error = "no complete response"
        if f.error is None and args.fail and f.status >= 400:
            f.error = f"HTTP status {f.status}"
        if f.error is not None:
            ok = False
            print(f"h2wire.get: {f.url}: {f.error}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
