#!/usr/bin/python3
"""A small HTTP/2 server on python3-h2, the peer for h2w-client interop tests.

Cleartext HTTP/2 with prior knowledge (RFC 9113 section 3.3), one thread per
connection, loopback only. Routes:
  GET /hello     200, a fixed short text body
  GET /big       200, a large body (--big FILE, or 300000 generated octets)
                 sent only as far as the peer's flow-control windows allow
  *   /echo      200, the request body
  GET /trailers  200, a short body followed by a trailer section
  GET /reset     200 headers, then RST_STREAM(INTERNAL_ERROR): never completes
  other          404
Prints "listening on 127.0.0.1:PORT" once the socket accepts connections.
Protocol errors on a connection are printed to stderr with the word "error",
so a test can tell the client broke a rule.

Run it with Debian's /usr/bin/python3 (package python3-h2).
"""

import argparse
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

HELLO = b"hello from python-h2\n"
TRAILER_BODY = b"body before trailers\n"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Connection:
    """One client connection: h2 state plus bodies waiting for window."""

    def __init__(self, sock, big, window):
        self.sock = sock
        self.big = big
        self.window = window
        config = h2.config.H2Configuration(client_side=False,
                                           header_encoding="utf-8")
        self.conn = h2.connection.H2Connection(config=config)
        self.requests = {}  # stream id -> (headers dict, bytearray body)
        self.pending = {}  # stream id -> [memoryview body, offset, trailers]

    def run(self):
        self.conn.initiate_connection()
        if self.window is not None:
            # A small stream window makes the client wait for WINDOW_UPDATE
            # while it uploads (RFC 9113 section 6.9.2); it applies once the
            # client acknowledges this SETTINGS frame.
            self.conn.update_settings(
                {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: self.window})
        self.flush()
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            try:
                events = self.conn.receive_data(data)
            except h2.exceptions.ProtocolError as exc:
                log("protocol error from client: %r" % (exc,))
                self.sock.sendall(self.conn.data_to_send())
                return
            for event in events:
                self.handle(event)
            self.send_pending()
            self.flush()

    def flush(self):
        out = self.conn.data_to_send()
        if out:
            self.sock.sendall(out)

    def handle(self, event):
        if isinstance(event, h2.events.RequestReceived):
            self.requests[event.stream_id] = (dict(event.headers), bytearray())
        elif isinstance(event, h2.events.DataReceived):
            self.requests[event.stream_id][1].extend(event.data)
            self.give_back(event)
        elif isinstance(event, h2.events.StreamEnded):
            headers, body = self.requests.pop(event.stream_id)
            self.respond(event.stream_id, headers, bytes(body))
        elif isinstance(event, h2.events.StreamReset):
            self.requests.pop(event.stream_id, None)
            self.pending.pop(event.stream_id, None)
        elif isinstance(event, h2.events.ConnectionTerminated):
            if event.error_code != h2.errors.ErrorCodes.NO_ERROR:
                log("client GOAWAY with error %r" % (event.error_code,))

    def give_back(self, event):
        """Return the window a DATA frame used as soon as it is stored.

        Padding counts too (RFC 9113 section 6.9.1). Done by hand rather
        than with acknowledge_received_data(), whose WINDOW_UPDATE waits
        until half the window is consumed: after a SETTINGS shrinks the
        window, that point may never come while the client waits."""
        n = event.flow_controlled_length
        if n == 0:
            return
        self.conn.increment_flow_control_window(n)
        if not event.stream_ended:
            self.conn.increment_flow_control_window(n, event.stream_id)

    def respond(self, sid, headers, body):
        method = headers.get(":method", "")
        path = headers.get(":path", "")
        if path == "/echo":
            self.start(sid, 200, body)
        elif path == "/hello" and method == "GET":
            self.start(sid, 200, HELLO)
        elif path == "/big" and method == "GET":
            self.start(sid, 200, self.big)
        elif path == "/trailers" and method == "GET":
            self.start(sid, 200, TRAILER_BODY,
                       trailers=[("x-trailer-one", "1"),
                                 ("x-body-length", str(len(TRAILER_BODY)))])
        elif path == "/reset" and method == "GET":
            self.conn.send_headers(sid, [(":status", "200")])
            self.conn.reset_stream(sid, h2.errors.ErrorCodes.INTERNAL_ERROR)
        else:
            self.start(sid, 404, b"not found\n")

    def start(self, sid, status, body, trailers=None):
        self.conn.send_headers(sid, [(":status", str(status)),
                                     ("content-length", str(len(body))),
                                     ("content-type", "text/plain")])
        self.pending[sid] = [memoryview(body), 0, trailers]

    def send_pending(self):
        """Send every waiting body as far as the windows allow.

        Called after every batch of events, so a WindowUpdated or a
        SETTINGS change of the initial window resumes the sends."""
        for sid in list(self.pending):
            body, offset, trailers = self.pending[sid]
            while offset < len(body):
                room = min(self.conn.local_flow_control_window(sid),
                           self.conn.max_outbound_frame_size,
                           len(body) - offset)
                if room <= 0:
                    break
                self.conn.send_data(sid, body[offset:offset + room].tobytes())
                offset += room
            self.pending[sid][1] = offset
            if offset == len(body):
                if trailers:
                    self.conn.send_headers(sid, trailers, end_stream=True)
                else:
                    self.conn.end_stream(sid)
                del self.pending[sid]


def serve(sock, big, window):
    try:
        Connection(sock, big, window).run()
    except OSError as exc:
        # A client may close with our last WINDOW_UPDATE unread, which
        # resets the socket: worth a note, not a failure.
        log("connection closed by the client mid-write (%s)" % exc.strerror)
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--big", help="file served at /big")
    parser.add_argument("--window", type=int,
                        help="SETTINGS_INITIAL_WINDOW_SIZE to announce")
    args = parser.parse_args()
    if args.big:
        with open(args.big, "rb") as f:
            big = f.read()
    else:
        big = bytes((i * 31 + 7) % 251 for i in range(300000))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock, big, args.window),
                         daemon=True).start()


if __name__ == "__main__":
    main()
