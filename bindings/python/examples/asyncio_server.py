"""An HTTP/2 server (h2c, prior knowledge) on asyncio streams and h2wire.

    python3 asyncio_server.py [--host 127.0.0.1] [--port 8080]

Prints "listening on HOST:PORT" once ready (--port 0 picks a free port).
Routes:
    GET /            a short greeting
    GET /bytes/N     N bytes (N <= 64 MiB), sent as flow control allows
    any /echo        the request body streamed back as it arrives,
                     with trailers carrying its length
    anything else    404
Try: curl --http2-prior-knowledge http://127.0.0.1:8080/
"""

import argparse
import asyncio
import signal

import h2wire
from h2wire import (
    DataReceived,
    RequestReceived,
    Session,
    StreamClosed,
    StreamEnded,
)

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+\n"
MAX_BYTES = 64 << 20


def generated(n):
    reps = n // len(PATTERN) + 1
    return (PATTERN * reps)[:n]


class Connection:
    """One client connection: bytes in, events, responses, bytes out."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.session = Session.server()
        self.echo = {}  # stream id -> bytes echoed so far

    def on_request(self, ev):
        h = dict(ev.headers)
        method, path = h.get(b":method", b""), h.get(b":path", b"/")
        s, sid = self.session, ev.stream_id
        if path == b"/echo":
            self.echo[sid] = 0
            s.send_response(sid, [(":status", "200")], end_stream=False)
            if ev.end_stream:
                self.finish_echo(sid)
        elif path == b"/" and method in (b"GET", b"HEAD"):
            body = f"Hello from h2wire {h2wire.version()} on asyncio!\n".encode()
            s.send_response(
                sid,
                [(":status", "200"), ("content-type", "text/plain"),
                 ("content-length", str(len(body)))],
                body if method == b"GET" else None,
            )
        elif path.startswith(b"/bytes/") and path[7:].isdigit() and int(path[7:]) <= MAX_BYTES:
            n = int(path[7:])
            s.send_response(
                sid,
                [(":status", "200"), ("content-length", str(n))],
                generated(n) if n else None,
            )
        else:
            s.send_response(sid, [(":status", "404")], b"not found\n")

    def finish_echo(self, sid):
        self.session.send_trailers(sid, [("x-echo-length", str(self.echo.pop(sid)))])

    def handle(self, ev):
        s = self.session
        if isinstance(ev, RequestReceived):
            self.on_request(ev)
        elif isinstance(ev, DataReceived) and ev.stream_id in self.echo:
            # Automatic flow control credits the peer as soon as this event
            # exists; a server that must bound its buffers would create the
            # session with manual_flow_control=True and consume() once the
            # echoed bytes have left (Session.pending_data()).
            self.echo[ev.stream_id] += len(ev.data)
            s.send_data(ev.stream_id, ev.data)
        elif isinstance(ev, StreamEnded) and ev.stream_id in self.echo:
            self.finish_echo(ev.stream_id)
        elif isinstance(ev, StreamClosed):
            self.echo.pop(ev.stream_id, None)

    async def flush(self):
        data = self.session.data_to_send()
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def run(self):
        try:
            await self.flush()
            while self.session.want_read:
                data = await self.reader.read(65536)
                if not data:
                    break
                try:
                    events = self.session.receive(data)
                except h2wire.H2WireError as e:
                    events = e.events  # the GOAWAY is queued: flush it
                    await self.flush()
                    break
                for ev in events:
                    self.handle(ev)
                await self.flush()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.session.free()
            self.writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    args = ap.parse_args()

    server = await asyncio.start_server(
        lambda r, w: Connection(r, w).run(), args.host, args.port
    )
    host, port = server.sockets[0].getsockname()[:2]
    print(f"listening on {host}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
