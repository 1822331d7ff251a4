"""Concurrent HTTP/2 requests over one connection with asyncio and h2wire.

    python3 asyncio_client.py [--host 127.0.0.1] [--port 8080] PATH...

GETs every PATH at once (h2c, prior knowledge) and prints one line per
response: status, body length, SHA-256 of the body. Exit status 0 when
every request got a complete response.
"""

import argparse
import asyncio
import hashlib
import sys

import h2wire
from h2wire import (
    DataReceived,
    ResponseReceived,
    Session,
    StreamClosed,
    StreamEnded,
)


class Response:
    def __init__(self):
        self.status = None
        self.headers = []
        self.body = bytearray()


class Client:
    """One HTTP/2 connection. request() may be awaited from many tasks at
    once; a single reader task turns received bytes into events and
    completes each request's future when its stream ends."""

    def __init__(self, reader, writer, authority):
        self.reader, self.writer = reader, writer
        self.authority = authority
        self.session = Session.client()
        self.waiting = {}  # stream id -> (Response, Future)
        self.reader_task = asyncio.create_task(self.read_loop())

    @classmethod
    async def connect(cls, host, port):
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def flush(self):
        data = self.session.data_to_send()
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def request(self, path, method="GET"):
        sid = self.session.send_request(
            [(":method", method), (":scheme", "http"),
             (":authority", self.authority), (":path", path)]
        )
        fut = asyncio.get_running_loop().create_future()
        self.waiting[sid] = (Response(), fut)
        await self.flush()
        return await fut

    def dispatch(self, ev):
        entry = self.waiting.get(getattr(ev, "stream_id", None))
        if entry is None:
            return
        resp, fut = entry
        if isinstance(ev, ResponseReceived):
            resp.headers = ev.headers
            resp.status = int(dict(ev.headers)[b":status"])
        elif isinstance(ev, DataReceived):
            resp.body += ev.data
        elif isinstance(ev, StreamEnded):
            fut.set_result(resp)
        elif isinstance(ev, StreamClosed):
            del self.waiting[ev.stream_id]
            if not fut.done():
                fut.set_exception(ConnectionError(f"stream reset: {ev.error_code!r}"))

    async def read_loop(self):
        error = ConnectionError("connection closed")
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                for ev in self.session.receive(data):
                    self.dispatch(ev)
                await self.flush()  # WINDOW_UPDATEs, SETTINGS and PING ACKs
        except (OSError, h2wire.H2WireError) as e:
            error = e
        for _, fut in self.waiting.values():
            if not fut.done():
                fut.set_exception(error)

    async def close(self):
        self.session.close()  # GOAWAY
        await self.flush()
        self.writer.close()
        self.reader_task.cancel()
        self.session.free()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("paths", metavar="PATH", nargs="+")
    args = ap.parse_args()

    client = await Client.connect(args.host, args.port)
    results = await asyncio.gather(
        *(client.request(p) for p in args.paths), return_exceptions=True
    )
    await client.close()
    ok = True
    for path, r in zip(args.paths, results):
        if isinstance(r, BaseException):
            ok = False
            print(f"{path} failed: {r}")
        else:
            digest = hashlib.sha256(r.body).hexdigest()
            print(f"{path} {r.status} {len(r.body)} {digest}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
